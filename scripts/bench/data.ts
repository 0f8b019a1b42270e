/**
 * @module bench/data
 * The benchmark inputs, generated once and cached under the data folder, keyed by the arguments and by a hash of
 * the built simulator (so a changed simulator regenerates instead of silently measuring yesterday's data):
 * a simulated world (`vigil simulate`) whose per-organisation, per-day log files are merged into one file in time
 * order, as a central collector or a SIEM export would hold them, with the world's truth and intel beside it.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ROOT, VIGIL } from './env.js';

export interface TruthAttack {
  id: string;
  type: string;
  sources: string[];
  accounts: { tenant: string; name: string }[];
  events: number;
}

export interface World {
  /** The one merged log file. */
  file: string;
  dir: string;
  format: 'entra' | 'sshd';
  scale: number;
  seed: number;
  /** Records (sign-in attempts) the simulator wrote. */
  records: number;
  lines: number;
  bytes: number;
  torList: string;
  truth: { attacks: TruthAttack[]; benign_events: number; events_total: number };
  /** The simulate command, for the report. */
  command: string;
}

/** A short hash of everything that decides what the simulator writes. */
function simulatorHash(): string {
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(js|ya?ml)$/.test(name)) h.update(name).update(readFileSync(p));
    }
  };
  walk(join(ROOT, 'dist', 'simulate'));
  walk(join(ROOT, 'scenarios'));
  return h.digest('hex').slice(0, 10);
}

const MONTHS: Record<string, number> = { Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12 };

/** A sortable time key for one line. */
const timeKey: Record<World['format'], (line: string) => string> = {
  // Entra: ISO createdDateTime, which sorts as text.
  entra: (line) => /"createdDateTime":"([^"]+)"/.exec(line)?.[1] ?? '',
  // Syslog "Aug 24 08:01:02": month number, day, clock.
  sshd: (line) => `${String(MONTHS[line.slice(0, 3)] ?? 0).padStart(2, '0')}${line.slice(4, 6).replace(' ', '0')}${line.slice(7, 15)}`,
};

/**
 * Merges the world's log files into one file in time order. Files are per organisation and day, so lines are
 * sorted one day at a time (stable, so an attempt's lines keep their order) and memory stays a day's worth.
 */
function mergeLogs(logsDir: string, out: string, format: World['format']): { lines: number; bytes: number } {
  const byDay = new Map<string, string[]>();
  for (const org of readdirSync(logsDir).sort()) {
    for (const f of readdirSync(join(logsDir, org)).sort()) {
      const day = basename(f).slice(0, 10);
      if (!byDay.has(day)) byDay.set(day, []);
      byDay.get(day)!.push(join(logsDir, org, f));
    }
  }
  const fd = openSync(out, 'w');
  let lines = 0;
  let bytes = 0;
  const key = timeKey[format];
  try {
    for (const day of [...byDay.keys()].sort()) {
      const all: { k: string; l: string }[] = [];
      for (const f of byDay.get(day)!) {
        for (const l of readFileSync(f, 'utf8').split('\n')) if (l.trim()) all.push({ k: key(l), l });
      }
      all.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
      let chunk: string[] = [];
      const flush = () => {
        const s = chunk.join('\n') + '\n';
        bytes += writeSync(fd, s);
        chunk = [];
      };
      for (const { l } of all) {
        chunk.push(l);
        lines++;
        if (chunk.length >= 20_000) flush();
      }
      if (chunk.length) flush();
    }
  } finally {
    closeSync(fd);
  }
  return { lines, bytes };
}

export function simulatedWorld(dataDir: string, format: World['format'], scale: number, seed = 1, log: (s: string) => void = () => {}): World {
  const key = `${format}-scale${scale}-seed${seed}-sim${simulatorHash()}`;
  const dir = join(dataDir, key);
  const meta = join(dir, 'meta.json');
  const args = ['simulate', '--format', format, '--scale', String(scale), '--seed', String(seed)];
  if (!existsSync(meta)) {
    const tmp = `${dir}.partial`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    log(`generating ${key}: vigil ${args.join(' ')} ...`);
    const r = spawnSync(process.execPath, [VIGIL, ...args, '--out', join(tmp, 'world')], { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`vigil simulate failed: ${r.stderr}`);
    log(`  ${r.stderr.trim()}`);
    const file = join(tmp, format === 'sshd' ? 'auth.log' : 'signins.jsonl');
    const { lines, bytes } = mergeLogs(join(tmp, 'world', 'logs'), file, format);
    // The per-file logs are no longer needed: the merged file holds every line.
    rmSync(join(tmp, 'world', 'logs'), { recursive: true, force: true });
    const truth = JSON.parse(readFileSync(join(tmp, 'world', 'truth.json'), 'utf8'));
    writeFileSync(join(tmp, 'meta.json'), JSON.stringify({ lines, bytes, records: truth.events_total, simulate: `vigil ${args.join(' ')}` }, null, 1));
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    log(`  merged into ${join(dir, basename(file))}: ${lines} lines, ${(bytes / 2 ** 20).toFixed(0)} MiB`);
  }
  const m = JSON.parse(readFileSync(meta, 'utf8'));
  const truth = JSON.parse(readFileSync(join(dir, 'world', 'truth.json'), 'utf8'));
  return {
    file: join(dir, format === 'sshd' ? 'auth.log' : 'signins.jsonl'),
    dir,
    format,
    scale,
    seed,
    records: m.records,
    lines: m.lines,
    bytes: m.bytes,
    torList: join(dir, 'world', 'intel', 'tor-exits.txt'),
    truth,
    command: m.simulate,
  };
}
