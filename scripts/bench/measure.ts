/**
 * @module bench/measure
 * Runs one command and measures it: wall time, peak resident memory (GNU time's maximum RSS, which the kernel keeps
 * for the whole life of the process), and how far it has read its input (its file offset, from /proc, which gives
 * partial progress when a run is stopped). A run can be capped by time and by resident memory, so a slow or runaway peer cannot take the shared
 * machine with it; a capped run is reported as such, with what it had done. The CPU time of each of the process's
 * threads is polled too: with two threads in a pipeline, the wall time alone does not tell which one sets the pace.
 */
import { execFileSync, spawn } from 'node:child_process';
import { openSync, closeSync, readdirSync, readFileSync, readlinkSync, rmSync, existsSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface Measured {
  /** Wall-clock seconds from start to exit. */
  seconds: number;
  /** Peak resident set size in MiB (GNU time %M), or the highest value polled when that is missing. */
  peakMiB: number;
  exitCode: number | null;
  /** 'timeout' or 'memory' when the run was stopped by a cap. */
  stopped?: 'timeout' | 'memory';
  /** How far the process had read into `inputFile` at the last poll (its file offset): progress through its input. */
  bytesRead: number;
  stderrTail: string;
  /** Resident memory every few seconds, with how far into the input the process had read by then. */
  samples?: { seconds: number; rssMiB: number; offset: number }[];
  /** CPU seconds by thread, as last polled (a thread's time after the last poll, under 0.25 s, is missing). */
  cpu?: ThreadCpu;
  /** For `vigil detect`: when its phases ended, as it reports them with VIGIL_TIMINGS=1 (see `VigilPhases`). */
  phases?: VigilPhases;
}

/**
 * Process seconds at which a `vigil detect` run took its first batch, its last, flushed its input, wrote its final
 * checkpoint and its campaigns; and how long its detection thread waited for the reading thread.
 */
export interface VigilPhases {
  firstBatch: number;
  lastBatch: number;
  flushed: number;
  checkpoint: number;
  campaigns: number;
  waited: number;
}

/**
 * CPU seconds of the measured process's threads: its main thread, the busiest of the others (for `vigil detect`,
 * the reading thread) and all the rest together (V8's garbage-collection helpers, libuv's pool).
 */
export interface ThreadCpu {
  main: number;
  busiest: number;
  rest: number;
}

export interface MeasureOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Standard output goes here (a path), or is discarded. */
  stdoutFile?: string;
  /** Standard error is kept in this file (a path); its last lines are returned either way. */
  stderrFile?: string;
  timeoutSec?: number;
  rssCapMiB?: number;
  /** Standard input from this file. */
  stdinFile?: string;
  /** The input whose read offset is polled, to tell how far a stopped run got. */
  inputFile?: string;
}

let counter = 0;

function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

function kib(status: string | undefined, field: string): number {
  const m = status && new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return m ? Number(m[1]) : 0;
}

/** The file's path with symbolic links resolved, as a process's descriptor links to it (else just absolute). */
function realInput(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return resolve(file);
  }
}

/** The read offset of the process in `file`, if it has the file open. */
function offsetIn(pid: number, file: string): number | undefined {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return undefined;
  }
  for (const fd of fds) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`) !== file) continue;
    } catch {
      continue;
    }
    const pos = /^pos:\s+(\d+)/m.exec(readProc(pid, `fdinfo/${fd}`) ?? '');
    if (pos) return Number(pos[1]);
  }
  return undefined;
}

/** Clock ticks per second of /proc's CPU times. */
const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Adds each thread's CPU time so far (user + system, in ticks) to `byThread`, keeping the highest seen. */
function pollThreads(pid: number, byThread: Map<number, number>): void {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return;
  }
  for (const tid of tids) {
    const stat = readProc(pid, `task/${tid}/stat`);
    if (!stat) continue;
    // Fields after the command name (which may hold spaces and parentheses): utime and stime are the 12th and 13th.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]);
    if (Number.isFinite(ticks) && ticks > (byThread.get(Number(tid)) ?? -1)) byThread.set(Number(tid), ticks);
  }
}

function threadCpu(pid: number | undefined, byThread: Map<number, number>): ThreadCpu | undefined {
  if (pid === undefined || !byThread.has(pid)) return undefined;
  let busiest = 0;
  let others = 0;
  for (const [tid, ticks] of byThread) {
    if (tid === pid) continue;
    others += ticks;
    busiest = Math.max(busiest, ticks);
  }
  return { main: byThread.get(pid)! / TICKS, busiest: busiest / TICKS, rest: (others - busiest) / TICKS };
}

/** The process GNU time started (its only child). */
function childOf(pid: number): number | undefined {
  const list = readProc(pid, `task/${pid}/children`);
  const first = list?.trim().split(/\s+/)[0];
  return first ? Number(first) : undefined;
}

export async function measure(cmd: string, args: string[], o: MeasureOptions = {}): Promise<Measured> {
  const timeFile = join(tmpdir(), `vigil-bench-time-${process.pid}-${++counter}.txt`);
  const errPath = o.stderrFile ?? join(tmpdir(), `vigil-bench-stderr-${process.pid}-${counter}.txt`);
  const outFd = openSync(o.stdoutFile ?? '/dev/null', 'w');
  const errFd = openSync(errPath, 'w');
  const inFd = openSync(o.stdinFile ?? '/dev/null', 'r');
  const t0 = performance.now();
  const child = spawn('/usr/bin/time', ['-f', '%e %M', '-o', timeFile, cmd, ...args], {
    cwd: o.cwd,
    env: o.env ?? process.env,
    stdio: [inFd, outFd, errFd],
  });
  // The path the process's descriptor links to: with symbolic links resolved (bench-data is often one).
  const inputPath = o.inputFile ? realInput(o.inputFile) : undefined;
  let polledPeakKiB = 0;
  let bytesRead = 0;
  let stopped: Measured['stopped'];
  const samples: NonNullable<Measured['samples']> = [];
  let nextSample = 0;
  const byThread = new Map<number, number>();
  let workPid: number | undefined;
  const stop = (why: 'timeout' | 'memory', pid: number | undefined) => {
    if (stopped) return;
    stopped = why;
    // Kill the measured process itself: GNU time then still writes its figures.
    try {
      process.kill(pid ?? child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  const poll = setInterval(() => {
    // The measured command may start itself again with other options (bin/vigil.js sets a heap limit that
    // way): follow the chain of only children down to the process doing the work.
    let pid = childOf(child.pid!);
    for (let next = pid && childOf(pid); next; next = childOf(next)) pid = next;
    if (pid === undefined) return;
    if (pid !== workPid) byThread.clear(); // the launcher's threads are not the work's
    workPid = pid;
    pollThreads(pid, byThread);
    const status = readProc(pid, 'status');
    polledPeakKiB = Math.max(polledPeakKiB, kib(status, 'VmHWM'));
    const at = inputPath ? offsetIn(pid, inputPath) : undefined;
    if (at !== undefined && at > bytesRead) bytesRead = at;
    const elapsed = (performance.now() - t0) / 1000;
    if (elapsed >= nextSample) {
      samples.push({ seconds: elapsed, rssMiB: kib(status, 'VmRSS') / 1024, offset: bytesRead });
      nextSample = elapsed + 5;
    }
    if (o.rssCapMiB && kib(status, 'VmRSS') > o.rssCapMiB * 1024) stop('memory', pid);
    if (o.timeoutSec && (performance.now() - t0) / 1000 > o.timeoutSec) stop('timeout', pid);
  }, 250);
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => resolve(code));
  });
  clearInterval(poll);
  const seconds = (performance.now() - t0) / 1000;
  for (const fd of [outFd, errFd, inFd]) closeSync(fd);
  let peakKiB = polledPeakKiB;
  if (existsSync(timeFile)) {
    // "Command terminated by signal 9" may precede the figures.
    const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
    const m = /^([\d.]+) (\d+)$/.exec(last);
    if (m) peakKiB = Math.max(peakKiB, Number(m[2]));
    rmSync(timeFile, { force: true });
  }
  const stderrTail = readFileSync(errPath, 'utf8').split('\n').slice(-15).join('\n');
  if (!o.stderrFile) rmSync(errPath, { force: true });
  return { seconds, peakMiB: peakKiB / 1024, exitCode: stopped ? null : exitCode, stopped, bytesRead, stderrTail, samples, cpu: threadCpu(workPid, byThread) };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
