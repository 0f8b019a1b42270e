/**
 * @module cli/commands/detect
 * `vigil detect`: read sign-in logs, detect credential attacks, write OCSF Detection Findings, and keep findings
 * and detector memory in the store so the next run continues where this one ended.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { Enricher } from '../../enrich/index.js';
import { Quarantine } from '../../ingest/quarantine.js';
import { ThreadedReader } from '../../ingest/threaded-reader.js';
import { expandInputs } from '../../ingest/sources.js';
import { loadRules, DEFAULT_RULES_DIR } from '../../detect/rules.js';
import { fileFingerprint, runDetection, type RunResult } from '../../detect/run.js';
import { timings } from '../../detect/timings.js';
import { openStore } from '../../store/db.js';
import { loadIntel, updateCampaigns, type Campaign } from '../../campaigns/index.js';
import { intOption, parse, UsageError, type Command } from '../command.js';
import { humanBytes, JsonLinesWriter, Progress, table } from '../output.js';
import { READ_OPTIONS, READ_USAGE, readOptionsFrom, summaryLine } from './normalize.js';

export const detect: Command = {
  name: 'detect',
  summary: 'detect credential attacks and write OCSF Detection Findings (JSON lines)',
  usage: `Usage: vigil detect [options] INPUT...

Reads sign-in logs like 'vigil normalize', runs every detector (password spray incl. distributed low-and-slow,
brute force, credential stuffing, MFA fatigue, impossible travel, anonymiser sign-ins, account compromise) and
writes OCSF Detection Findings (class_uid 2004) as JSON lines: activity_id 1 when a finding is created, 2 when it
grows. Findings and detector memory are kept in the store, so a run over the next day's logs continues exactly
where this one ended; the same command run again (for example after a crash) resumes instead of counting twice.

Options:
${READ_USAGE}
      --db FILE        the store (default ./vigil.db)
  -o, --out FILE       write findings here (default: standard output)
      --rules DIR      rule files (default: the rules shipped with Vigil)
      --orgs FILE      organisations file (names, sectors, languages), used by campaigns and notifications
      --campaigns FILE write campaigns here as JSON lines
      --lateness MIN   how many minutes out of order events may arrive and still be ordered (default 10)
      --threads N      2 (default on machines with two or more cores): read, normalise and enrich on a
                       worker thread while detection runs on the main one; 1: everything on one thread
                       (same findings either way; standard input is always read on one thread)
      --checkpoint-events N  save detector memory with the input progress at most every N events
                       (default 250000 and at most every 15 s; less often while saving takes long)
      --findings-batch N     commit finding lines every N lines between those saves (default 200)
  -h, --help           show this help

A summary table (findings by type and organisation) goes to standard error at the end.
Exit status: 0 when the run completed, whatever it found; 1 on a failure; 2 on a usage error.`,
  async run(argv) {
    const { values, positionals } = parse(argv, {
      ...READ_OPTIONS,
      db: { type: 'string' },
      out: { type: 'string', short: 'o' },
      rules: { type: 'string' },
      orgs: { type: 'string' },
      campaigns: { type: 'string' },
      lateness: { type: 'string' },
      'checkpoint-events': { type: 'string' },
      'findings-batch': { type: 'string' },
      threads: { type: 'string' },
    });
    if (values.help) {
      console.log(detect.usage);
      return 0;
    }
    if (positionals.length === 0) throw new UsageError('no INPUT given (a file, directory, glob, or - for standard input)');
    const o = readOptionsFrom(values);
    const lateness = intOption(values.lateness, 'lateness', 0, 7 * 24 * 60) ?? 10;
    const checkpointEvents = intOption(values['checkpoint-events'], 'checkpoint-events', 1, 1e9);
    const findingsBatch = intOption(values['findings-batch'], 'findings-batch', 1, 1e6);
    const threads = intOption(values.threads, 'threads', 1, 2) ?? (availableParallelism() >= 2 ? 2 : 1);
    // The reading thread starts now, loading its tables while this one reads rules and opens the store.
    const reader = threads > 1 && positionals.some((p) => p !== '-') ? new ThreadedReader({ intel: o.intel, geo: o.geo }) : undefined;
    reader?.prepare();
    const rules = await loadRules(values.rules ? resolve(values.rules) : DEFAULT_RULES_DIR);
    const sources = expandInputs(positionals);
    // The thread reads the first input now, while this one reads the intel files and opens the store: the run takes
    // the batches it made meanwhile (or stops it, if the store says that input was done).
    if (reader && sources.length && sources[0].name !== '-') reader.startReading(sources[0], o);
    // The catalogue reads every intel file now (a bad one stops the run before any input is read) and warns about
    // address lists' unreadable lines: the reading thread loads the lists again for its enricher, silently.
    const catalogue = loadIntel(o.intel, { warn: (m: string) => process.stderr.write(`vigil: warning: ${m}\n`), listLineWarnings: true });
    // An enricher on this thread only for input read here (standard input, or one thread): it loaded the lists a
    // second time on this thread at the start of every run (0.2-0.5 s for large lists), for nothing when reading on
    // the other thread.
    const inThread = !reader || sources.some((s) => s.name === '-');
    const enricher = inThread ? await Enricher.create({ intel: o.intel, geo: o.geo, warn: () => {} }) : undefined;
    // Loaded only when asked for: its validator takes a seventh of a second to load.
    const orgs = values.orgs ? (await import('../../orgs/organisations.js')).loadOrganisations(values.orgs) : undefined;
    let campaigns: Campaign[] = [];
    const db = openStore(values.db ?? 'vigil.db');
    const q = new Quarantine(o.quarantine);
    const out = new JsonLinesWriter(values.out);
    const progress = new Progress();
    const t0 = Date.now();
    let result: RunResult;
    try {
      result = await runDetection(sources, {
        db,
        rules,
        read: o,
        enricher,
        quarantine: q,
        identity: { inputs: sources.map((s) => [resolve(s.name), fileFingerprint(s) ?? 'stdin']), format: o.format, tenant: o.tenant, year: o.year, intel: o.intel, geo: o.geo, lateness },
        command: ['vigil', 'detect', ...argv].join(' '),
        emit: (json) => out.writeText(json),
        checkpointEvents,
        findingsBatch,
        campaigns: (store, onLine) => {
          campaigns = updateCampaigns(store, { catalogue, orgs }, onLine).campaigns;
        },
        threaded: reader,
        // A large log is copied into the store's file on another thread at the end, not at closing here.
        copyLogAtEnd: true,
        latenessMs: lateness * 60_000,
        onProgress: (st) => progress.tick((s) => `${st.records} records, ${Math.round(st.records / s)}/s, ${humanBytes(st.bytes)}, ${st.quarantined} quarantined`),
      });
    } finally {
      await out.close();
      await q.close();
      db.close();
      progress.done();
    }
    if (values.campaigns) {
      const cw = new JsonLinesWriter(values.campaigns);
      for (const c of campaigns) await cw.write(c);
      await cw.close();
    }
    const err = process.stderr;
    err.write(summaryLine(result.stats, q, (Date.now() - t0) / 1000) + '\n');
    if (result.skippedInputs.length) err.write(`already processed, skipped: ${result.skippedInputs.join(', ')}\n`);
    if (result.resumed) err.write('resumed an earlier run of this command: its findings were written again first\n');
    err.write(findingsTable(result) + '\n');
    const multi = campaigns.filter((c: any) => (c.organisations?.count ?? 0) > 1);
    if (campaigns.length) {
      err.write(`${campaigns.length} campaign(s), ${multi.length} across several organisations` + (values.campaigns ? ` -> ${values.campaigns}` : '') + '\n');
      for (const c of multi as any[]) err.write(`  ${c.name}: ${c.organisations.count} organisations, ${c.attribution?.actor ? `${c.attribution.actor} (${c.attribution.confidence_level ?? c.attribution.confidence})` : 'unattributed'}\n`);
    }
    if (timings) err.write(`vigil: timings: ${timings.line()}\n`);
    return 0;
  },
};

function findingsTable(r: RunResult): string {
  const created = r.findings.filter((f) => f.activity_id === 1);
  if (!created.length) return 'no findings';
  const counts = new Map<string, number>();
  for (const f of created) counts.set(`${f.type}\u0000${f.tenant}`, (counts.get(`${f.type}\u0000${f.tenant}`) ?? 0) + 1);
  const rows: (string | number)[][] = [['type', 'organisation', 'findings']];
  for (const [k, n] of [...counts].sort()) {
    const [type, tenant] = k.split('\u0000');
    rows.push([type, tenant, n]);
  }
  rows.push(['total', '', created.length]);
  return table(rows);
}
