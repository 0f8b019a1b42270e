/**
 * @module bench/vigil
 * `vigil detect` as users run it: the built CLI, a fresh store per run (an input already taken would otherwise be
 * skipped), findings to a file, with the geo and ASN lookups on unless asked otherwise.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { VIGIL } from './env.js';
import { measure, type Measured, type VigilPhases } from './measure.js';

export interface VigilRun {
  measured: Measured;
  findingsFile: string;
  command: string;
}

export interface VigilOptions {
  geo: boolean;
  intel?: string[];
  /** Extra node flags (for example --cpu-prof). */
  nodeFlags?: string[];
  timeoutSec?: number;
  /** Stop the run when its resident memory passes this (the run is then reported as stopped, not failed). */
  rssCapMiB?: number;
  /** Extra `vigil detect` options (for example --threads 1). */
  extra?: string[];
  /** Return a failed run (its exit code, peak and last stderr lines) instead of throwing: a failure is the figure. */
  keepFailure?: boolean;
}

export async function runVigilDetect(input: string, work: string, o: VigilOptions): Promise<VigilRun> {
  mkdirSync(work, { recursive: true });
  const db = join(work, 'vigil.db');
  for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
  const findingsFile = join(work, 'findings.jsonl');
  const args = ['detect', '--db', db, '-o', findingsFile, '-q', join(work, 'quarantine.jsonl'), ...(o.intel ?? []).map((i) => `--intel=${i}`), ...(o.geo ? [] : ['--no-geo']), ...(o.extra ?? []), input];
  // With node flags of its own (a profiler), the CLI must run in this process, not in a child bin/vigil.js starts.
  // VIGIL_TIMINGS: the run's last line says when each phase ended.
  // Otherwise it runs as users run it, as a program (its #! line gives Node the heap limit; `node bin/vigil.js` would
  // start a second Node for it), with this Node first on the PATH.
  const flags = o.nodeFlags ?? [];
  const env = { ...process.env, VIGIL_TIMINGS: '1', ...(flags.length ? { VIGIL_HEAP_MB: '0' } : { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` }) };
  const [cmd, cmdArgs] = flags.length ? [process.execPath, [...flags, VIGIL, ...args]] : [VIGIL, args];
  const measured = await measure(cmd, cmdArgs, { timeoutSec: o.timeoutSec, rssCapMiB: o.rssCapMiB, stderrFile: join(work, 'stderr.txt'), inputFile: input, env });
  if (measured.exitCode !== 0 && !measured.stopped && !o.keepFailure) throw new Error(`vigil detect failed (exit ${measured.exitCode ?? measured.stopped}):\n${measured.stderrTail}`);
  measured.phases = phasesOf(measured.stderrTail);
  return { measured, findingsFile, command: `${flags.length ? `node ${flags.join(' ')} ` : ''}bin/vigil.js ${args.join(' ')}` };
}

/** The phases from `vigil detect`'s timings line (VIGIL_TIMINGS=1), if the run wrote one. */
function phasesOf(stderr: string): VigilPhases | undefined {
  const m = /vigil: timings: first batch (\S+) s, last batch (\S+) s, input flushed (\S+) s, final checkpoint (\S+) s, campaigns (\S+) s, waited for input (\S+) s/.exec(stderr);
  if (!m) return undefined;
  const [firstBatch, lastBatch, flushed, checkpoint, campaigns, waited] = m.slice(1).map(Number);
  return { firstBatch, lastBatch, flushed, checkpoint, campaigns, waited };
}
