/**
 * @module detect/run
 * A detection run against the store: reads inputs, feeds the engine, and checkpoints (findings, detector memory,
 * input progress) in one SQLite transaction at a time. Killed at any moment and started again with the same
 * command, a run replays the finding lines it had committed, skips the records it had taken, and continues; inputs
 * finished by any earlier run are recognised by content and not counted twice.
 */
import { createHash } from 'node:crypto';
import { openSync, readSync, closeSync } from 'node:fs';
import type { Enricher } from '../enrich/index.js';
import type { ThreadedReader } from '../ingest/threaded-reader.js';
import { Quarantine } from '../ingest/quarantine.js';
import { newStats, readForDetection, type ReadOptions, type ReadStats } from '../ingest/reader.js';
import type { Source } from '../ingest/sources.js';
import { ActivityCounter } from '../store/activity.js';
import type { Db } from '../store/db.js';
import { LogCopier } from '../store/wal-copy.js';
import { Engine } from './engine.js';
import { detached, readSignal, type Signal } from './signal.js';
import { forEachCount, type SignalBatch } from './signal-pack.js';
import type { Rule } from './rules.js';
import { timings } from './timings.js';

export interface RunOptions {
  db: Db;
  rules: Rule[];
  read: ReadOptions;
  /** Enriches what is read on this thread (standard input, or no reading thread): needed only then. */
  enricher?: Enricher;
  quarantine: Quarantine;
  /** Identity of the command (inputs and options); the same identity resumes the same run. */
  identity: unknown;
  command: string;
  /**
   * Receives every finding line in order (replayed ones first on a resume), as the JSON text written to the store,
   * with what the run's summary keeps of it (lines read back from the store are not parsed again for that).
   */
  emit: (json: string, finding: FindingSummary) => Promise<void> | void;
  /**
   * Save detector memory with the input progress at most every this many events (default 250,000), and, unless
   * set, at most every `CHECKPOINT_SECONDS` of running time.
   */
  checkpointEvents?: number;
  /** Finding lines held before they are committed on their own, between checkpoints (default 200). */
  findingsBatch?: number;
  /**
   * After detection: join findings into campaigns, handing each finding update line (campaign id, attribution) to
   * `onLine` in order. They are logged in the same transaction as the campaign tables are written, so a crash cannot
   * split them, and emitted after it.
   */
  campaigns?: (db: Db, onLine: (f: Record<string, any>, json?: string) => void) => void;
  /** Read, normalise and enrich on this reader's thread (detection stays here). The run closes it. */
  threaded?: ThreadedReader;
  /**
   * Copy the store's log into its file on another thread as the input ends and again once detector memory is saved
   * for the last time (while campaigns are joined): for a command that closes the store right after the run, whose
   * closing connection then finds little left to copy. Copies also run every 64 MiB written, whatever this says.
   */
  copyLogAtEnd?: boolean;
  latenessMs?: number;
  onProgress?: (stats: ReadStats) => void;
}

export interface RunResult {
  runId: string;
  stats: ReadStats;
  skippedInputs: string[];
  resumed: boolean;
  findings: FindingSummary[];
}

/** What a run's summary keeps of a finding line. */
export interface FindingSummary {
  uid: string;
  tenant: string;
  type: string;
  activity_id: number;
}

export function fileFingerprint(src: Source): string | undefined {
  if (src.name === '-') return undefined;
  const h = createHash('sha256');
  const buf = Buffer.alloc(1 << 20);
  const fd = openSync(src.name, 'r');
  try {
    const n = readSync(fd, buf, 0, buf.length, 0);
    h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  h.update(`\u0000${src.size ?? 0}`);
  return h.digest('hex');
}

export function rulesHash(rules: Rule[]): string {
  return createHash('sha256').update(JSON.stringify(rules.map(({ file: _f, ...r }) => r))).digest('hex').slice(0, 16);
}

export async function runDetection(sources: Source[], o: RunOptions): Promise<RunResult> {
  // The store's log is copied into its file on another thread while the run writes, not in its commits.
  const log = new LogCopier(o.db);
  try {
    return await detectAndStore(sources, o, log);
  } finally {
    await log.close();
  }
}

async function detectAndStore(sources: Source[], o: RunOptions, log: LogCopier): Promise<RunResult> {
  const { db } = o;
  const runId = createHash('sha256').update(JSON.stringify(o.identity)).digest('hex').slice(0, 24);
  let engine = new Engine({ rules: o.rules, latenessMs: o.latenessMs });
  const rh = rulesHash(o.rules);
  const saved = db.prepare('SELECT rules_hash, state FROM detector_state WHERE id = 1').get() as { rules_hash: string; state: string } | undefined;
  let savedHeader: StateHeader | undefined;
  if (saved) {
    if (saved.rules_hash !== rh) process.stderr.write('vigil: note: rules changed since the saved state was written; continuing with the new rules\n');
    savedHeader = saved.state.startsWith('{"parts":') ? (JSON.parse(saved.state) as StateHeader) : undefined;
    engine.restore(savedStateText(db, saved.state));
  }
  const run = db.prepare('SELECT status FROM runs WHERE id = ?').get(runId) as { status: string } | undefined;
  const resumed = !!run;
  if (!run) db.prepare("INSERT INTO runs (id, command, status, started_at) VALUES (?, ?, 'running', ?)").run(runId, o.command, Date.now());
  const result: RunResult = { runId, stats: newStats(), skippedInputs: [], resumed, findings: [] };
  /** Emit this run's logged lines after `seq` in order, a page at a time (a log can hold a whole run); how many. */
  const logPage = db.prepare('SELECT seq, uid, tenant, type, activity_id, json FROM finding_log WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT 256');
  const emitLogged = async (seq: number): Promise<number> => {
    let n = 0;
    for (let after = seq; ; ) {
      const rows = logPage.all(runId, after) as ({ seq: number; json: string } & FindingSummary)[];
      if (!rows.length) return n;
      for (const r of rows) {
        // The log's own columns: a campaign join rewrites every finding, 100 KB lines not worth parsing again.
        const summary: FindingSummary = { uid: r.uid, tenant: r.tenant, type: r.type, activity_id: r.activity_id };
        result.findings.push(summary);
        await o.emit(r.json, summary);
        n++;
      }
      after = rows[rows.length - 1].seq;
    }
  };
  // Replay what this run had already committed, so the output is whole whatever happened before.
  let logged = await emitLogged(0);
  // Finding lines are committed as they come, detector memory only now and then: the lines this run logged after
  // its saved memory will be made again, identically, from the same input; they are recognised and not repeated.
  let regenerated = logged - (savedHeader?.run === runId ? savedHeader.logged : 0);

  const insLog = db.prepare('INSERT INTO finding_log (run_id, uid, tenant, type, activity_id, time, json) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const upFinding = db.prepare(`INSERT INTO findings (uid, tenant, type, severity_id, first_seen, last_seen, time, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT(uid) DO UPDATE SET severity_id = excluded.severity_id, first_seen = excluded.first_seen, last_seen = excluded.last_seen, time = excluded.time, json = excluded.json`);
  const saveHeader = db.prepare('INSERT INTO detector_state (id, rules_hash, state, updated_at) VALUES (1, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET rules_hash = excluded.rules_hash, state = excluded.state, updated_at = excluded.updated_at');
  const clearParts = db.prepare('DELETE FROM detector_state_parts');
  const savePart = db.prepare('INSERT INTO detector_state_parts (seq, text) VALUES (?, ?)');
  let lastHeader: StateHeader | undefined;
  const saveState = () => {
    clearParts.run();
    let n = 0;
    engine.snapshotChunks((text) => {
      savePart.run(n++, text);
      log.wrote(text.length);
    });
    lastHeader = { parts: n, watermark: engine.reorder.watermark, run: runId, logged };
    saveHeader.run(rh, JSON.stringify(lastHeader), Date.now());
  };
  const saveInput = db.prepare(`INSERT INTO inputs (fingerprint, path, size, status, line, events, quarantined, run_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT(fingerprint) DO UPDATE SET path = excluded.path, status = excluded.status, line = excluded.line, events = excluded.events, quarantined = excluded.quarantined, run_id = excluded.run_id, updated_at = excluded.updated_at`);
  const getInput = db.prepare('SELECT status, line, run_id FROM inputs WHERE fingerprint = ?');
  // Hourly sign-in counts for the dashboard, committed with the input progress they belong to.
  const activity = new ActivityCounter(db);

  const logFindings = (found: Record<string, any>[], texts: string[]) => {
    // A finding's latest line is the one its row keeps: a finding that grew several times in these lines (each line
    // lists all its addresses again) is written to the findings table once, in the same transaction.
    const last = new Map<string, number>();
    for (let i = 0; i < found.length; i++) last.set(found[i].finding_info.uid, i);
    for (let i = 0; i < found.length; i++) {
      const f = found[i];
      const fi = f.finding_info;
      const json = JSON.stringify(f);
      texts.push(json);
      insLog.run(runId, fi.uid, f.metadata.tenant_uid, fi.types[0], f.activity_id, f.time, json);
      log.wrote(json.length);
      if (last.get(fi.uid) === i) {
        upFinding.run(fi.uid, f.metadata.tenant_uid, fi.types[0], f.severity_id, fi.first_seen_time, fi.last_seen_time, f.time, json);
        log.wrote(json.length);
      }
      logged++;
    }
  };
  const logOnly = db.transaction(logFindings);
  const checkpoint = db.transaction((found: Record<string, any>[], texts: string[], input?: { fp: string; src: Source; status: 'partial' | 'done'; line: number; events: number; q: number }) => {
    logFindings(found, texts);
    saveState();
    activity.save();
    if (input?.fp) saveInput.run(input.fp, input.src.name, input.src.size ?? 0, input.status, input.line, input.events, input.q, runId, Date.now());
  });

  /** New finding lines (those this run logged before a restart are dropped: they were emitted by the replay). */
  const drain = () => {
    const found = engine.drainFindings();
    const again = Math.min(regenerated, found.length);
    if (again > 0) {
      found.splice(0, again);
      regenerated -= again;
    }
    return found;
  };
  const emitAll = async (found: Record<string, any>[], texts: string[]) => {
    for (let i = 0; i < found.length; i++) {
      const summary = summaryOf(found[i]);
      result.findings.push(summary);
      await o.emit(texts[i], summary);
    }
  };
  /** A checkpoint: finding lines, detector memory, activity counts and input progress in one transaction. */
  const commit = async (input?: Parameters<typeof checkpoint>[2]) => {
    const found = drain();
    const texts: string[] = [];
    checkpoint(found, texts, input);
    log.afterCommit();
    await emitAll(found, texts);
  };
  /** Finding lines alone, so that many findings between checkpoints never pile up in memory. */
  const commitFindings = async () => {
    const found = drain();
    if (!found.length) return;
    const texts: string[] = [];
    logOnly(found, texts);
    log.afterCommit();
    await emitAll(found, texts);
  };

  const every = o.checkpointEvents ?? 250_000;
  // Set by the caller, the event count alone decides (tests kill runs between close checkpoints).
  const minGapMs = o.checkpointEvents === undefined ? CHECKPOINT_SECONDS * 1000 : 0;
  const lastCheckpoint = { at: performance.now(), took: 0 };
  const stats = result.stats;
  const threaded = o.threaded;
  let lastDone: Parameters<typeof checkpoint>[2];
  let batchesTaken = 0;
  try {
  for (const src of sources) {
    const fp = fileFingerprint(src);
    const prev = fp ? (getInput.get(fp) as { status: string; line: number; run_id: string } | undefined) : undefined;
    if (prev?.status === 'done') {
      result.skippedInputs.push(src.name);
      continue;
    }
    const resumeLine = prev?.status === 'partial' ? prev.line : 0;
    const fed: Fed = { line: resumeLine, events: 0, sinceCheckpoint: 0, midFileOk: true };
    const q0 = stats.quarantined;
    const batches = threaded && src.name !== '-' ? threaded.read(src, o.read, o.quarantine, stats) : signalsInThread(src, o, stats);
    for await (const batch of batches) {
      if (timings && !batchesTaken++) timings.mark('first batch');
      feed(batch, resumeLine, engine, activity, fed);
      const { line, events, sinceCheckpoint, midFileOk } = fed;
      // A checkpoint costs as much as the detectors' memory: with a large state, wait long enough that writing
      // them takes at most a twentieth of the run, and never sooner than CHECKPOINT_SECONDS after the last (the
      // output does not depend on where checkpoints fall; a run killed in between reads again what followed the
      // last one: at most that long, or some twenty times a checkpoint's time).
      const sinceMs = performance.now() - lastCheckpoint.at;
      if (sinceCheckpoint >= every && midFileOk && fp && sinceMs >= minGapMs && sinceMs >= 19 * lastCheckpoint.took) {
        const t0 = performance.now();
        await commit({ fp, src, status: 'partial', line, events, q: stats.quarantined - q0 });
        lastCheckpoint.at = performance.now();
        lastCheckpoint.took = lastCheckpoint.at - t0;
        fed.sinceCheckpoint = 0;
      } else if (engine.sink.out.length >= (o.findingsBatch ?? FINDINGS_BETWEEN_CHECKPOINTS) || engine.sink.outObservables >= OBSERVABLES_BETWEEN_COMMITS) await commitFindings();
      o.onProgress?.(stats);
    }
    const done = { fp: fp!, src, status: 'done' as const, line: fed.line, events: fed.events, q: stats.quarantined - q0 };
    // The last input is marked done by the final checkpoint below (one saving of detector memory, not two).
    if (fp && src !== sources[sources.length - 1]) await commit(done);
    else if (fp) lastDone = done;
  }
  } finally {
    timings?.mark('last batch');
    await threaded?.close();
  }
  if (o.copyLogAtEnd) log.copyNow();
  // The findings still pending are written a part at a time, each part committed and emitted before the next is made.
  if (engine.flushInput()) while (engine.sink.flushPendingSome(o.findingsBatch ?? FINDINGS_BETWEEN_CHECKPOINTS, OBSERVABLES_BETWEEN_COMMITS)) await commitFindings();
  timings?.mark('input flushed');
  await commit(lastDone);
  timings?.mark('final checkpoint');
  if (o.copyLogAtEnd) log.copyNow();
  // Detector memory is saved and no longer needed: let it go before campaigns read the findings.
  engine = null!;
  if (o.campaigns) {
    const join = o.campaigns;
    const from = (db.prepare('SELECT coalesce(max(seq), 0) AS seq FROM finding_log').get() as { seq: number }).seq;
    db.transaction(() => {
      join(db, (f, json) => {
        insLog.run(runId, f.finding_info.uid, f.metadata.tenant_uid, f.finding_info.types[0], f.activity_id, f.time, json ?? JSON.stringify(f));
        // These lines follow the saved memory, but are not made again from it: count them as before it.
        logged++;
      });
      if (lastHeader) saveHeader.run(rh, JSON.stringify({ ...lastHeader, logged }), Date.now());
    })();
    // Emitted from the log (a first join writes every finding again).
    await emitLogged(from);
    timings?.mark('campaigns');
  }
  db.prepare("UPDATE runs SET status = 'done', finished_at = ?, events = events + ?, records = records + ?, quarantined = quarantined + ?, skipped = skipped + ? WHERE id = ?").run(
    Date.now(), stats.events, stats.records, stats.quarantined, stats.skipped, runId);
  return result;
}

/** How far a run has fed an input to the engine. */
interface Fed {
  /** The highest line fed (or the line resumed after). */
  line: number;
  events: number;
  sinceCheckpoint: number;
  /** No multi-line attempts (sshd) seen: the input may be resumed mid-file. */
  midFileOk: boolean;
}

/**
 * A batch's signals after `resumeLine` into the activity counts and the engine. A function of its own, small and
 * hot, rather than a loop inside the run's long function: V8 optimised that function three times in a 1M-event run
 * (60-70 ms of compiling each, as its trace reports them), the loop with it.
 */
function feed({ signals: batch, activity: pre }: SignalBatch, resumeLine: number, engine: Engine, activity: ActivityCounter, fed: Fed): void {
  // The reading thread's counts of the batch, when every signal of it is fed (all but the batch a resumed run
  // starts in); else each signal fed is counted here.
  const counted = pre !== undefined && pre.minLine > resumeLine;
  if (counted) forEachCount(pre, (hour, tenant, country, failures, successes) => activity.addCounts(hour, tenant, country, failures, successes));
  for (let i = 0; i < batch.length; i++) {
    const s = batch[i];
    const at = s.source?.line ?? 0;
    if (at <= resumeLine) continue;
    if (s.format === 'sshd') fed.midFileOk = false; // multi-line attempts: resume only at file ends
    if (!counted) activity.addSignal(s);
    engine.pushSignal(s);
    fed.events++;
    fed.sinceCheckpoint++;
    if (at > fed.line) fed.line = at;
  }
}

/** Read, normalise and enrich on this thread: the events' detection signals in batches. */
async function* signalsInThread(src: Source, o: RunOptions, stats: ReadStats): AsyncGenerator<SignalBatch> {
  const enricher = o.enricher;
  if (!enricher) throw new Error(`reading ${src.name} on the detection thread needs an enricher (none was given)`);
  for await (const events of readForDetection(src, o.read, o.quarantine, stats)) {
    const out: Signal[] = new Array(events.length);
    for (let i = 0; i < events.length; i++) out[i] = detached(readSignal(events[i], enricher));
    yield { signals: out };
  }
}

/**
 * Running time between checkpoints, at least: what a run killed at the worst moment does again. Every 250,000
 * events alone meant a checkpoint every two or three seconds on a fast machine, 5-8% of a run spent saving memory
 * that a crash-free run never reads.
 */
const CHECKPOINT_SECONDS = 15;

/** Finding lines held before they are committed on their own (a spray's update can list thousands of addresses). */
const FINDINGS_BETWEEN_CHECKPOINTS = 200;

/**
 * Or sooner, once the lines held list this many observables (an object each): a spray's lines of 5,000 addresses,
 * held for up to 200 lines, lived through young-generation collections, each copying them, and were promoted, a
 * tenth of what the detection thread's scavenges kept alive in a 1M-event Entra run (sampled).
 */
const OBSERVABLES_BETWEEN_COMMITS = 5000;

/** What the detector_state row says of the memory saved in pieces: by which run, after how many of its lines. */
interface StateHeader {
  parts: number;
  watermark: number | null;
  run?: string;
  logged: number;
}

/** The saved state's text: whole in the header row (older stores), or the concatenation of its pieces. */
function savedStateText(db: Db, header: string): string {
  if (!header.startsWith('{"parts":')) return header;
  const h = JSON.parse(header) as { parts: number };
  const rows = db.prepare('SELECT text FROM detector_state_parts ORDER BY seq').all() as { text: string }[];
  if (rows.length !== h.parts) throw new Error(`saved detector state is incomplete (${rows.length} of ${h.parts} pieces)`);
  return rows.map((r) => r.text).join('');
}

function summaryOf(f: any): FindingSummary {
  return { uid: f.finding_info.uid, tenant: f.metadata.tenant_uid, type: f.finding_info.types[0], activity_id: f.activity_id };
}
