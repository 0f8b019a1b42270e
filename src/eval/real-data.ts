/**
 * @module eval/real-data
 * The real files in `../shared/data`, which come with no truth:
 *
 * - loghub's OpenSSH and Linux sshd logs: real internet brute force. The reference is the addresses with many
 *   failures in the file itself; Vigil's findings and the peers' alerts are compared to that list (which of them
 *   each names, and which addresses each flags that are not on it).
 * - Panther's rule test events: single vendor events of many kinds. Mainly: nothing crashes, what is not a sign-in
 *   is skipped or quarantined, and single events raise no alarm.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Quarantine, type QuarantineEntry } from '../ingest/quarantine.js';
import { isCredentialFailure } from '../peers/types.js';
import { PEERS, slimEvent, type PeerEvent } from '../peers/index.js';
import { fromAlerts, fromFindings, type Detection } from './detections.js';
import { runVigil } from './vigil.js';

/** Failures from one address that make it a brute forcer for the reference list. */
export const BRUTE_FORCER_FAILURES = 10;

export interface AddressFailures {
  ip: string;
  failures: number;
  accounts: number;
}

export interface SshdFileResult {
  file: string;
  records: number;
  events: number;
  failures: number;
  quarantined: number;
  /** Addresses with at least BRUTE_FORCER_FAILURES failures, most first. */
  bruteForcers: AddressFailures[];
  /** Per system: its detections, and the addresses it names. */
  systems: { system: string; detections: Detection[]; byType: Record<string, number>; flagged: Set<string> }[];
  /** Failures per address (for flagged addresses not on the list). */
  failuresOf: Map<string, number>;
}

function countByType(ds: Detection[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of ds) out[d.type] = (out[d.type] ?? 0) + 1;
  return out;
}

function runSystems(findings: Record<string, any>[], events: PeerEvent[]) {
  const all: { system: string; detections: Detection[] }[] = [{ system: 'vigil', detections: fromFindings(findings) }];
  for (const p of PEERS) all.push({ system: p.name, detections: fromAlerts(p.run(events)) });
  return all.map((s) => ({ ...s, byType: countByType(s.detections), flagged: new Set(s.detections.flatMap((d) => d.ips)) }));
}

export async function evaluateSshdFile(path: string): Promise<SshdFileResult> {
  const events: PeerEvent[] = [];
  const run = await runVigil([path], { onEvent: (ev) => events.push(slimEvent(ev)) });
  const failures = new Map<string, { n: number; accounts: Set<string> }>();
  let failed = 0;
  for (const ev of events) {
    const ip = ev.src_endpoint.ip;
    if (!ip || !isCredentialFailure(ev)) continue;
    failed++;
    let f = failures.get(ip);
    if (!f) failures.set(ip, (f = { n: 0, accounts: new Set() }));
    f.n++;
    f.accounts.add(ev.user.name);
  }
  const bruteForcers = [...failures]
    .filter(([, f]) => f.n >= BRUTE_FORCER_FAILURES)
    .map(([ip, f]) => ({ ip, failures: f.n, accounts: f.accounts.size }))
    .sort((a, b) => b.failures - a.failures || (a.ip < b.ip ? -1 : 1));
  return {
    file: basename(path),
    records: run.stats.records,
    events: run.stats.events,
    failures: failed,
    quarantined: run.stats.quarantined,
    bruteForcers,
    systems: runSystems(run.findings, events),
    failuresOf: new Map([...failures].map(([ip, f]) => [ip, f.n])),
  };
}

export interface PantherResult {
  records: number;
  events: number;
  skipped: number;
  quarantined: number;
  /** Per Panther log type: records, records that gave events, quarantined. */
  byLogType: { logType: string; records: number; read: number; quarantined: number }[];
  systems: { system: string; detections: Detection[]; byType: Record<string, number> }[];
}

class CollectingQuarantine extends Quarantine {
  readonly lines = new Set<number>();
  override add(entry: QuarantineEntry): void {
    super.add(entry);
    this.lines.add(entry.line);
  }
}

/** Panther's test events (`{log_types, log, ...}` per line): each `log` is one vendor record. */
export async function evaluatePanther(path: string): Promise<PantherResult> {
  const rows = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { log_types: string[]; log: unknown });
  const dir = mkdtempSync(join(tmpdir(), 'vigil-eval-panther-'));
  try {
    const file = join(dir, 'panther-logs.jsonl');
    writeFileSync(file, rows.map((r) => JSON.stringify(r.log)).join('\n') + '\n');
    const q = new CollectingQuarantine(undefined);
    const events: PeerEvent[] = [];
    const linesRead = new Set<number>();
    const run = await runVigil([file], {
      quarantine: q,
      // Records that name no organisation (as `vigil detect --tenant panther` would).
      read: { tenant: 'panther' },
      onEvent: (ev) => {
        events.push(slimEvent(ev));
        if (ev.unmapped.source) linesRead.add(ev.unmapped.source.line);
      },
    });
    const byType = new Map<string, { records: number; read: number; quarantined: number }>();
    rows.forEach((r, i) => {
      const key = r.log_types.length === 1 ? r.log_types[0] : 'shared rules (several log types)';
      let b = byType.get(key);
      if (!b) byType.set(key, (b = { records: 0, read: 0, quarantined: 0 }));
      b.records++;
      if (linesRead.has(i + 1)) b.read++;
      if (q.lines.has(i + 1)) b.quarantined++;
    });
    return {
      records: run.stats.records,
      events: run.stats.events,
      skipped: run.stats.skipped,
      quarantined: run.stats.quarantined,
      byLogType: [...byType].map(([logType, b]) => ({ logType, ...b })).sort((a, b) => (a.logType < b.logType ? -1 : 1)),
      systems: runSystems(run.findings, events).map(({ system, detections, byType }) => ({ system, detections, byType })),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
