/**
 * @module bench
 * `npm run bench`: measures `vigil detect` and writes docs/BENCHMARKS.md (machine, versions, commands, medians of
 * repeated runs, ratios). Not a test and not run by CI; it runs on a fresh machine (it builds the CLI if needed and
 * installs the Debian packages of the peers when they are missing).
 *
 * 1. Entra ID sign-in logs, ~1M events: `vigil detect` (with and without geo lookups) beside a bare single-threaded
 *    JSON.parse of every line of the same file.
 * 2. sshd logs, ~1M and ~5M lines with the same attack scenarios: `vigil detect` beside fail2ban-regex and CrowdSec
 *    in replay mode: lines/s, peak memory, recall per attack type against the simulator's truth.
 * 3. Memory: 10M synthetic OCSF events from 1M distinct addresses against 100k accounts; peak RSS against 1.5 GiB.
 * 4. Profile: where the time goes in `vigil detect` (V8 CPU profile of ~200k Entra events).
 *
 * Usage: node --import tsx scripts/bench.ts [--quick] [--runs N] [--only entra,sshd,memory,profile]
 *          [--peer-timeout SEC] [--peer-rss-cap MIB] [--memory-cap MIB] [--memory-timeout SEC] [--data DIR]
 *          [--out FILE] [--no-install] [--render RESULTS.json]
 * Generated data is cached in --data (default bench-data/, git-ignored), keyed by the arguments that made it.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { simulatedWorld, type World } from './bench/data.js';
import { ensureBuilt, ensureDebian, machine, ROOT, versions, which } from './bench/env.js';
import { parseEveryLine } from './bench/json-parse.js';
import { type Measured } from './bench/measure.js';
import { crowdsecMissingItems, runCrowdsec, runFail2ban, type PeerRun } from './bench/peers.js';
import { summariseProfile } from './bench/profile.js';
import { recall, vigilFlagged } from './bench/recall.js';
import { renderReport, type Results, type SshdSize, type Timing } from './bench/report.js';
import { syntheticFile } from './bench/synthetic.js';
import { runVigilDetect } from './bench/vigil.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    only: { type: 'string' },
    'peer-timeout': { type: 'string' },
    'peer-rss-cap': { type: 'string' },
    'memory-cap': { type: 'string' },
    'vigil-timeout': { type: 'string' },
    'memory-timeout': { type: 'string' },
    data: { type: 'string', default: join(ROOT, 'bench-data') },
    out: { type: 'string', default: join(ROOT, 'docs', 'BENCHMARKS.md') },
    'no-install': { type: 'boolean', default: false },
    render: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log('Usage: npm run bench -- [--quick] [--runs N] [--only entra,sshd,memory,profile] [--peer-timeout SEC] [--peer-rss-cap MIB] [--memory-cap MIB] [--memory-timeout SEC] [--data DIR] [--out FILE] [--no-install] [--render RESULTS.json]');
  process.exit(0);
}

const quick = values.quick!;
/** Sizes: the full benchmark, or a smoke check of every step (--quick). Scales were picked from the simulator's counts. */
const SIZES = quick
  ? { entraScale: 0.3, sshdScales: [0.25], memory: { events: 1_000_000, addresses: 100_000, accounts: 10_000, organisations: 10 }, profileScale: 0.1 }
  : { entraScale: 2.92, sshdScales: [2.52, 12.95], memory: { events: 10_000_000, addresses: 1_000_000, accounts: 100_000, organisations: 100 }, profileScale: 0.58 };
const runs = Number(values.runs ?? (quick ? 1 : 3));
const peerTimeoutSec = Number(values['peer-timeout'] ?? (quick ? 300 : 1800));
const peerRssCapMiB = Number(values['peer-rss-cap'] ?? 4096);
/** The memory run is stopped past this resident size (well over the limit: it has failed by then) or time. */
const memoryCapMiB = Number(values['memory-cap'] ?? 3072);
/** Any other `vigil detect` run is stopped after this long (and not repeated). */
const vigilTimeoutSec = Number(values['vigil-timeout'] ?? 3600);
const memoryTimeoutSec = Number(values['memory-timeout'] ?? (quick ? 1800 : 4 * 3600));
const only = new Set((values.only ?? 'entra,sshd,memory,profile').split(','));
const dataDir = resolve(values.data!);
const work = join(tmpdir(), `vigil-bench-${process.pid}`);
const MEMORY_LIMIT_MIB = 1536;

const t0 = Date.now();
const log = (s: string) => process.stderr.write(`[bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(5)} s] ${s}\n`);

/** `n` runs of one command, logged as they end. */
async function repeat(n: number, label: string, fn: (i: number) => Promise<Measured>): Promise<Measured[]> {
  return (await inRounds(n, [{ label, run: fn }]))[0];
}

/** One row of a section measured in rounds: its label as logged and one run of it. */
interface Row {
  label: string;
  run: (round: number) => Promise<Measured>;
}

/**
 * Runs every row once per round, the rows in turn, `n` rounds. On a shared machine whose speed drifts over minutes
 * each row then sees the same spread of conditions, and each round's rows can be compared with one another; a block
 * of runs per row compared one row's quiet minutes with another's busy ones (a run of the same command took 9.5 s
 * and 14 s within one hour here).
 */
async function inRounds(n: number, rows: Row[]): Promise<Measured[][]> {
  const out: Measured[][] = rows.map(() => []);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < rows.length; k++) {
      const done = out[k];
      if (done.length && done[done.length - 1].stopped) continue; // a run stopped by a cap would be stopped again
      const m = await rows[k].run(i);
      const peak = Number.isFinite(m.peakMiB) ? `, peak ${m.peakMiB.toFixed(0)} MiB` : '';
      log(`  ${rows[k].label} run ${i + 1}/${n}: ${m.seconds.toFixed(1)} s${peak}${m.stopped ? ` (stopped: ${m.stopped})` : ''}, load ${loadavg()[0].toFixed(2)}`);
      done.push(m);
    }
  }
  return out;
}

async function entraSection(r: Results): Promise<void> {
  const world = simulatedWorld(dataDir, 'entra', SIZES.entraScale, 1, log);
  log(`Entra: ${world.lines} events, ${(world.bytes / 1e6).toFixed(0)} MB`);
  const intel = [`tor:${world.torList}`];
  // The floor under the detectors: the same run with every rule disabled still reads, normalises, enriches, keeps the
  // engine's shared memory (profiles, attempt groups, event order) and checkpoints, so the detectors' own share is
  // the difference. The rules are the shipped ones, each with `enabled: false` added.
  const noRules = join(work, 'rules-disabled');
  mkdirSync(noRules, { recursive: true });
  for (const f of readdirSync(join(ROOT, 'rules')).filter((n) => n.endsWith('.yaml'))) {
    writeFileSync(join(noRules, f), `${readFileSync(join(ROOT, 'rules', f), 'utf8').trimEnd()}\nenabled: false\n`);
  }
  // The fixed cost of a run (start-up, geo databases, rules, store), from a one-event input.
  const one = join(work, 'one-event.jsonl');
  writeFileSync(one, firstLine(world.file) + '\n');
  let findings = 0;
  /** A row with the report's row (its command filled in by its runs). */
  type EntraRow = Row & { timing: Omit<Timing, 'runs'> };
  const detect = (label: string, title: string, file: string, dir: string, o: { geo: boolean; extra?: string[]; timeoutSec?: number }, countFindings = false): EntraRow => {
    const fixed = file === one;
    const row: EntraRow = {
      label,
      timing: { label: title, command: '', units: fixed ? 1 : world.lines, bytes: fixed ? 0 : world.bytes },
      run: async () => {
        const v = await runVigilDetect(file, join(work, dir), { intel, ...o });
        row.timing.command = v.command;
        if (countFindings) findings = vigilFlagged(v.findingsFile).findings;
        return v.measured;
      },
    };
    return row;
  };
  const rows: EntraRow[] = [
    {
      label: 'JSON.parse',
      timing: { label: 'JSON.parse of every line (bare loop, single thread, in the bench process)', command: 'parseEveryLine() in scripts/bench/json-parse.ts', units: world.lines, bytes: world.bytes },
      run: async () => {
        const p = parseEveryLine(world.file);
        if (p.lines !== world.lines) throw new Error(`JSON.parse read ${p.lines} lines, expected ${world.lines}`);
        return { seconds: p.seconds, peakMiB: NaN, exitCode: 0, bytesRead: p.bytes, stderrTail: '' };
      },
    },
    detect('vigil detect', '`vigil detect` (geo and ASN lookups on, as users run it)', world.file, 'entra', { geo: true, timeoutSec: vigilTimeoutSec }, true),
    detect('vigil detect --no-geo', '`vigil detect --no-geo`', world.file, 'entra', { geo: false, timeoutSec: vigilTimeoutSec }),
    detect('vigil detect (every rule disabled)', '`vigil detect` with every rule disabled (everything but the detectors)', world.file, 'entra-floor', { geo: true, timeoutSec: vigilTimeoutSec, extra: ['--rules', noRules] }),
    detect('vigil detect (1 event)', 'fixed cost: `vigil detect` of a one-event file', one, 'one', { geo: true }),
  ];
  const measured = await inRounds(runs, rows);
  const timings: Timing[] = rows.map((row, k) => ({ ...row.timing, runs: measured[k] }));
  r.entra = { world: describeWorld(world), timings, findings, rounds: true };
}

function firstLine(file: string): string {
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(1 << 20);
  const n = readSync(fd, buf, 0, buf.length, 0);
  closeSync(fd);
  const s = buf.toString('utf8', 0, n);
  return s.slice(0, s.indexOf('\n'));
}

function describeWorld(w: World) {
  return { command: w.command, file: w.file.replace(ROOT + '/', ''), records: w.records, lines: w.lines, bytes: w.bytes, scale: w.scale, attacks: w.truth.attacks.length };
}

async function sshdSection(r: Results): Promise<void> {
  const peers: string[] = [];
  if (!values['no-install']) {
    const failed = ensureDebian(['time', 'fail2ban', 'crowdsec'], log);
    if (failed.length) log(`could not install: ${failed.join(', ')}`);
  }
  if (which('fail2ban-regex')) peers.push('fail2ban');
  const crowdsecMissing = which('crowdsec') ? crowdsecMissingItems() : ['the crowdsec package'];
  if (!crowdsecMissing.length) peers.push('crowdsec');
  r.sshdNotes = [];
  if (crowdsecMissing.length) r.sshdNotes.push(`CrowdSec not run: not available offline on this machine (${crowdsecMissing.join(', ')}).`);
  if (!peers.includes('fail2ban')) r.sshdNotes.push('fail2ban not run: fail2ban-regex is not installed.');
  r.sshd = [];
  for (const scale of SIZES.sshdScales) {
    const world = simulatedWorld(dataDir, 'sshd', scale, 1, log);
    log(`sshd: ${world.lines} lines, ${world.records} attempts, ${(world.bytes / 1e6).toFixed(0)} MB`);
    const size: SshdSize = { world: describeWorld(world), tools: [] };
    const intel = [`tor:${world.torList}`];
    let vigilCommand = '';
    let flagged = new Set<string>();
    let findings = 0;
    let truncated = 0;
    const vigilRuns = await repeat(runs, 'vigil detect', async (i) => {
      const v = await runVigilDetect(world.file, join(work, 'sshd'), { geo: true, intel, timeoutSec: vigilTimeoutSec });
      vigilCommand = v.command;
      if (i === 0) ({ flagged, findings, truncated } = vigilFlaggedWithCap(v.findingsFile));
      return v.measured;
    });
    size.tools.push({
      timing: { label: '`vigil detect`', command: vigilCommand, units: world.lines, bytes: world.bytes, runs: vigilRuns },
      recall: recall(world.truth.attacks, flagged),
      progress: vigilRuns[vigilRuns.length - 1].stopped ? Math.min(1, vigilRuns[vigilRuns.length - 1].bytesRead / world.bytes) : 1,
      note: `${findings} findings${truncated ? `; ${truncated} findings name more addresses than the 5,000 they list, so recall is a lower bound` : ''}`,
    });
    const caps = { timeoutSec: peerTimeoutSec, rssCapMiB: peerRssCapMiB };
    for (const peer of peers) {
      let last: PeerRun | undefined;
      const label = peer === 'fail2ban' ? 'fail2ban-regex' : 'CrowdSec replay';
      const peerRuns = await repeat(runs, label, async () => {
        last = peer === 'fail2ban' ? await runFail2ban(world.file, work, caps) : await runCrowdsec(world.file, work, caps);
        return last.measured;
      });
      const m = peerRuns[peerRuns.length - 1];
      const progress = m.stopped ? Math.min(1, m.bytesRead / world.bytes) : 1;
      const command =
        peer === 'fail2ban'
          ? `fail2ban-regex -o '<ip> <time>' ${size.world.file} /etc/fail2ban/filter.d/sshd.conf`
          : `crowdsec -c PRIVATE/config.yaml -dsn file://${size.world.file} -type syslog -no-capi; cscli -c PRIVATE/config.yaml alerts list -o json -l 0`;
      size.tools.push({
        timing: { label: peer === 'fail2ban' ? 'fail2ban-regex (sshd filter; bans: default jail, 5 failures in 10 min)' : 'CrowdSec replay (sshd parser, ssh-bf + ssh-slow-bf)', command, units: world.lines, bytes: world.bytes, runs: peerRuns },
        recall: recall(world.truth.attacks, last!.flagged),
        matchedRecall: last!.matched ? recall(world.truth.attacks, last!.matched) : undefined,
        progress,
        note: last!.note,
      });
    }
    r.sshd.push(size);
  }
}

/** Vigil's flagged addresses, and how many findings name more addresses than they list (recall is then a floor). */
function vigilFlaggedWithCap(file: string) {
  const { flagged, findings } = vigilFlagged(file);
  const truncated = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const f = JSON.parse(line);
    if (f.unmapped?.ips_count > 5000) truncated.add(f.finding_info.uid);
  }
  return { flagged, findings, truncated: truncated.size };
}

async function memorySection(r: Results): Promise<void> {
  const synth = syntheticFile(dataDir, { ...SIZES.memory, days: 7, seed: 1 }, log);
  let command = '';
  // Measured once: the run takes tens of minutes, and its peak, not its speed, is the figure.
  const ms = await repeat(1, 'vigil detect (memory run)', async () => {
    const v = await runVigilDetect(synth.file, join(work, 'memory'), { geo: true, rssCapMiB: memoryCapMiB, timeoutSec: memoryTimeoutSec, keepFailure: true });
    command = v.command;
    return v.measured;
  });
  const last = ms[ms.length - 1];
  r.memory = {
    synth: { ...synth, file: synth.file.replace(ROOT + '/', '') },
    timing: { label: '`vigil detect`', command, units: synth.events, bytes: synth.bytes, runs: ms },
    limitMiB: MEMORY_LIMIT_MIB,
    capMiB: memoryCapMiB,
    timeoutSec: memoryTimeoutSec,
    progress: last.stopped || last.exitCode !== 0 ? Math.min(1, last.bytesRead / synth.bytes) : 1,
  };
}

async function profileSection(r: Results): Promise<void> {
  const world = simulatedWorld(dataDir, 'entra', SIZES.profileScale, 1, log);
  const dir = join(work, 'cpuprofile');
  rmSync(dir, { recursive: true, force: true });
  // One thread, so that one profile shows all the work (reading, normalising, enriching and detecting).
  const v = await runVigilDetect(world.file, join(work, 'profile'), { geo: true, intel: [`tor:${world.torList}`], nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`], extra: ['--threads', '1'] });
  log(`  profiled ${world.lines} events in ${v.measured.seconds.toFixed(1)} s`);
  r.profile = { events: world.lines, seconds: v.measured.seconds, command: v.command.replace('node ', `node --cpu-prof `), summary: summariseProfile(dir) };
}

async function main() {
  ensureBuilt(log);
  mkdirSync(dataDir, { recursive: true });
  const results: Results = { started: new Date().toISOString(), machine: machine(), quick, runs, peerTimeoutSec, peerRssCapMiB, versions: {}, when: {} };
  if (values.only) keepEarlierSections(results);
  log(`machine: ${results.machine.cpu}, ${results.machine.cores} cores, load ${results.machine.load}`);
  try {
    // The report is rewritten after every section, so a long run leaves what it has measured so far.
    for (const [name, section] of [['entra', entraSection], ['sshd', sshdSection], ['profile', profileSection], ['memory', memorySection]] as const) {
      if (!only.has(name)) continue;
      await section(results);
      results.when[name] = new Date().toISOString();
      save(results);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  results.finished = new Date().toISOString();
  save(results);
}

/**
 * With --only, the sections not measured again are taken from the newest earlier results of the same kind (full or
 * quick), so the report stays whole; each section says when it was measured.
 */
function keepEarlierSections(results: Results): void {
  const earlier = readdirSync(dataDir)
    .filter((f) => /^results-.*\.json$/.test(f))
    .sort()
    .reverse()
    .map((f) => readEarlier(join(dataDir, f)))
    .find((r) => r && r.quick === quick && r.when);
  if (!earlier) return;
  for (const name of ['entra', 'sshd', 'profile', 'memory'] as const) {
    if (only.has(name) || !earlier.when[name]) continue;
    results.when[name] = earlier.when[name];
    results.keptFrom = { ...results.keptFrom, [name]: earlier.keptFrom?.[name] ?? earlier.machine.commit };
    if (name === 'sshd') {
      results.sshd = earlier.sshd;
      results.sshdNotes = earlier.sshdNotes;
    } else (results as any)[name] = earlier[name];
  }
  log(`kept earlier measurements of: ${Object.keys(results.when).join(', ') || 'nothing'} (from ${earlier.started})`);
}

/** Commands as the report shows them: paths relative to the repository, the scratch folder as $TMP. */
function shown(command: string): string {
  return command.replaceAll(work, '$TMP').replaceAll(ROOT + '/', '');
}

/** An earlier run's raw results, or undefined (with a line saying why) when the file is unreadable or cut short. */
function readEarlier(file: string): Results | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Results;
  } catch (error) {
    log(`skipping earlier results ${file}: ${(error as Error).message}`);
    return undefined;
  }
}

function save(results: Results): void {
  results.versions = versions();
  results.loadAtEnd = loadavg().map((x) => x.toFixed(2)).join(' ');
  const json = join(dataDir, `results-${results.started.replace(/[:.]/g, '-')}.json`);
  // Written beside and renamed into place, so a full disk or a stopped run never leaves a cut-short results file.
  writeFileSync(`${json}.part`, JSON.stringify(results, (k, v) => (v instanceof Set ? [...v] : v), 1));
  renameSync(`${json}.part`, json);
  mkdirSync(join(values.out!, '..'), { recursive: true });
  writeFileSync(values.out!, renderReport(results, shown));
  log(`wrote ${values.out} (raw results: ${json})`);
}

if (values.render) {
  // Write the report again from saved raw results (after the renderer changed), measuring nothing.
  writeFileSync(values.out!, renderReport(JSON.parse(readFileSync(values.render, 'utf8')) as Results, shown));
  log(`wrote ${values.out} from ${values.render}`);
} else await main();
