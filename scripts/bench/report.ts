/**
 * @module bench/report
 * docs/BENCHMARKS.md from the measurements: machine and versions first, then each benchmark with its data, the
 * exact commands, medians of the runs, and the ratios that matter; runs stopped by a cap are shown as such, with
 * the throughput they had reached.
 */
import type { Machine } from './env.js';
import { median, type Measured } from './measure.js';
import { FAIL2BAN_FINDTIME_SEC, FAIL2BAN_MAXRETRY } from './peers.js';
import type { ProfileSummary } from './profile.js';
import type { Recall } from './recall.js';
import type { SyntheticFile } from './synthetic.js';

export interface Timing {
  label: string;
  command: string;
  /** Events or lines in the input. */
  units: number;
  bytes: number;
  runs: Measured[];
}

export interface WorldInfo {
  command: string;
  file: string;
  records: number;
  lines: number;
  bytes: number;
  scale: number;
  attacks: number;
}

export interface SshdTool {
  timing: Timing;
  recall: Recall;
  /** fail2ban: recall of "had at least one recognised failure", before the jail's threshold. */
  matchedRecall?: Recall;
  /** Share of the input read when the run was stopped by a cap (1 when it finished). */
  progress?: number;
  note?: string;
}

export interface SshdSize {
  world: WorldInfo;
  tools: SshdTool[];
}

export interface Results {
  started: string;
  finished?: string;
  machine: Machine;
  loadAtEnd?: string;
  quick: boolean;
  runs: number;
  peerTimeoutSec: number;
  peerRssCapMiB: number;
  versions: Record<string, string>;
  /** When each section was measured (sections can come from an earlier run with --only). */
  when: Partial<Record<'entra' | 'sshd' | 'profile' | 'memory', string>>;
  /** Sections taken from an earlier run (`--only`): the Vigil commit they were measured with. */
  keptFrom?: Partial<Record<'entra' | 'sshd' | 'profile' | 'memory', string>>;
  /** `rounds`: the rows were run in turn, round by round (older results ran each row's runs in a block). */
  entra?: { world: WorldInfo; timings: Timing[]; findings: number; rounds?: boolean };
  sshd?: SshdSize[];
  sshdNotes?: string[];
  memory?: { synth: SyntheticFile; timing: Timing; limitMiB: number; capMiB: number; timeoutSec: number; progress: number };
  profile?: { events: number; seconds: number; command: string; summary: ProfileSummary };
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const num = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '–');
const pct = (a: number, b: number) => (!b ? '–' : a > 0 && a / b < 0.01 ? '<1%' : `${((100 * a) / b).toFixed(0)}%`);
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;

function stats(t: Timing) {
  const finished = t.runs.filter((r) => !r.stopped);
  const seconds = finished.length ? median(finished.map((r) => r.seconds)) : NaN;
  const peaks = t.runs.map((r) => r.peakMiB).filter(Number.isFinite);
  const fastest = finished.length ? Math.min(...finished.map((r) => r.seconds)) : NaN;
  return {
    seconds,
    rate: t.units / seconds,
    mbps: t.bytes / 1e6 / seconds,
    peak: peaks.length ? median(peaks) : NaN,
    maxPeak: peaks.length ? Math.max(...peaks) : NaN,
    n: finished.length,
    /** The fastest finished run's seconds (NaN without one). */
    fastest,
    spread: finished.length > 1 ? `${num(fastest)}–${num(Math.max(...finished.map((r) => r.seconds)))}` : '',
  };
}

function table(head: string[], rows: (string | number)[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map((h, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function commands(ts: { label: string; command: string }[]): string {
  return ['```sh', ...ts.map((t) => show(t.command)), '```'].join('\n');
}

function machineSection(r: Results): string {
  const m = r.machine;
  const v = r.versions;
  return [
    '## Machine and versions',
    '',
    table(
      ['', ''],
      [
        ['CPU', `${m.cpu}, ${m.cores} cores`],
        ['memory', `${m.memGiB} GiB`],
        ['system', `${m.os}, Linux ${m.kernel}`],
        ['load average (1, 5, 15 min) at start / end', `${m.load} / ${r.loadAtEnd ?? '?'}`],
        ['Node.js', m.node],
        ['Vigil', `${m.vigil}, commit ${m.commit}`],
        ['fail2ban (Debian)', v.fail2ban ?? 'not installed'],
        ['CrowdSec (Debian)', v.crowdsec ?? 'not installed'],
        ['run', `${r.started} to ${r.finished ?? '(still running when this was written)'}; ${r.quick ? '**--quick: one run, small inputs (a smoke check, not a benchmark)**' : `median of ${r.runs} runs per row`}`],
      ],
    ),
    '',
    'The machine is shared (other jobs were running on its two cores), so absolute figures are pessimistic and vary',
    'between runs; the spread column shows by how much. Ratios measured in the same session are the steadier figures.',
    'Peak memory is the maximum resident set size of the measured process (GNU time `%M`).',
  ].join('\n');
}

/** Each round's seconds over the same round's JSON.parse: median and range ('' for rows without rounds). */
function roundRatios(t: Timing, base: Timing): string {
  const r: number[] = [];
  t.runs.forEach((m, i) => {
    const b = base.runs[i];
    if (b && !m.stopped) r.push(m.seconds / b.seconds);
  });
  if (!r.length) return '';
  const range = r.length > 1 ? ` (${num(Math.min(...r), 2)}–${num(Math.max(...r), 2)})` : '';
  return `${num(median(r), 2)}×${range}`;
}

/**
 * The row's fastest run over JSON.parse's fastest ('' without finished runs). On a shared machine the fastest run is
 * the one least slowed by other work: a steadier estimate of what each costs than a ratio of two disturbed runs.
 */
function fastestRatio(t: Timing, base: Timing): string {
  const r = stats(t).fastest / stats(base).fastest;
  return Number.isFinite(r) ? `${num(r, 2)}×` : '';
}

/** "1.8× slower" or "1.2× faster". */
function slowerOrFaster(rate: number, baseRate: number): string {
  return rate <= baseRate ? `${num(baseRate / rate, 1)}× slower` : `${num(rate / baseRate, 1)}× faster`;
}

function entraSection(e: NonNullable<Results['entra']>): string {
  const base = stats(e.timings[0]);
  const rows = e.timings.map((t) => {
    const s = stats(t);
    const isBase = t === e.timings[0];
    const fixed = t.units === 1;
    return [
      t.label,
      num(s.seconds, 2),
      s.spread,
      fixed ? '' : int(s.rate),
      fixed ? '' : num(s.mbps),
      Number.isFinite(s.peak) ? int(s.peak) : 'n/a (in-process)',
      isBase || fixed ? '' : `${num(s.rate / base.rate, 3)} (${slowerOrFaster(s.rate, base.rate)})`,
      ...(e.rounds ? [isBase || fixed ? '' : roundRatios(t, e.timings[0])] : []),
      isBase || fixed ? '' : fastestRatio(t, e.timings[0]),
    ];
  });
  return [
    '## Entra ID sign-in logs, ~1M events: `vigil detect` against a bare JSON.parse',
    '',
    `Input: \`${e.world.command}\`, its ${e.world.attacks} attack scenarios and ordinary behaviour of 12 organisations over 7 days, merged into one JSON-lines file in time order: **${int(e.world.lines)} events, ${mb(e.world.bytes)}** (\`${e.world.file}\`). Vigil is given the world's Tor exit list (\`--intel tor:...\`) as a user would give one.`,
    '',
    table(['', 'seconds (median)', 'range', 'events/s', 'MB/s', 'peak RSS (MiB)', 'events/s vs JSON.parse', ...(e.rounds ? ['time vs JSON.parse, round by round'] : []), 'fastest run vs fastest JSON.parse'], rows),
    '',
    `The \`vigil detect\` rows are whole commands (start-up included; the fixed cost row shows how much that is); the JSON.parse row times only its loop. ${e.findings} findings were created in the run with geo lookups.`,
    ...(e.rounds
      ? ['', 'The rows were run in turn, round by round (JSON.parse, then each `vigil detect`), so that a machine growing busier or quieter during the benchmark weighs on every row alike; the round-by-round column divides each round\'s time by the same round\'s JSON.parse (median, and range over the rounds).']
      : []),
    '',
    'The last column divides the row\'s fastest run by the fastest JSON.parse: on a shared machine the fastest run of each is the one other work slowed least.',
    ...threadCpuLines(e.timings),
    ...phaseLines(e.timings),
    '',
    commands(e.timings),
  ].join('\n');
}

/**
 * CPU seconds by thread of the runs that have them (medians): which thread sets the pace of the pipeline, and how
 * much of the two cores the run uses in all.
 */
function threadCpuLines(ts: Timing[]): string[] {
  const rows = ts.flatMap((t) => {
    const cpu = t.runs.map((r) => r.cpu).filter((c) => c !== undefined);
    if (!cpu.length || t.units === 1) return [];
    const main = median(cpu.map((c) => c.main));
    const busiest = median(cpu.map((c) => c.busiest));
    const rest = median(cpu.map((c) => c.rest));
    return [[t.label, num(main), num(busiest), num(rest), num(main + busiest + rest), num(stats(t).seconds, 2)]];
  });
  if (!rows.length) return [];
  return [
    '',
    'CPU time by thread (seconds, medians; polled every 0.25 s, so up to a quarter second of each thread is missing). The detection thread is the main one, the reading thread the busiest other; the rest are V8\'s garbage-collection helpers and libuv\'s pool. A thread\'s CPU time near the wall time means it sets the pace.',
    '',
    table(['', 'detection thread', 'reading thread', 'other threads', 'all', 'wall (median)'], rows),
  ];
}

/**
 * Where each `vigil detect` run's time went (medians of what the runs report with VIGIL_TIMINGS=1): start-up until
 * the first batch, the reading, the detection thread's wait for the reading one within it, and the work after the
 * last batch (final checkpoint, campaigns) while the reading thread is idle.
 */
function phaseLines(ts: Timing[]): string[] {
  const rows = ts.flatMap((t) => {
    const ps = t.runs.map((r) => r.phases).filter((p) => p !== undefined);
    if (!ps.length || t.units === 1) return [];
    const m = (f: (p: (typeof ps)[number]) => number) => num(median(ps.map(f)), 2);
    return [[t.label, m((p) => p.firstBatch), m((p) => p.lastBatch - p.firstBatch), m((p) => p.waited), m((p) => p.checkpoint - p.lastBatch), m((p) => p.campaigns - p.checkpoint), num(stats(t).seconds, 2)]];
  });
  if (!rows.length) return [];
  return [
    '',
    'Phases of each run (seconds, medians, as `vigil detect` reports them with `VIGIL_TIMINGS=1`): start-up until the first batch is taken, the reading from first to last batch, how long of it the detection thread waited for the reading thread (when the reading sets the pace), then the final checkpoint and the campaigns, which run after the last batch with the reading thread idle.',
    '',
    table(['', 'first batch', 'reading', 'detection waited', 'final checkpoint', 'campaigns', 'wall (median)'], rows),
  ];
}

function recallCells(r: Recall, type: string): string {
  const t = r.byType.find((x) => x.type === type);
  if (!t) return '–';
  return `${pct(t.sourcesFlagged, t.sources)} (${t.attacksHit}/${t.attacks})`;
}

function sshdSection(sizes: SshdSize[], notes: string[], r: Results): string {
  const out: string[] = [
    '## sshd logs, ~1M and ~5M lines: `vigil detect` beside fail2ban and CrowdSec',
    '',
    'The same simulated world (same seed and attack scenarios, attack and staff volume scaled with `--scale`) in',
    'OpenSSH syslog lines, merged into one file in time order as a central log host would keep it. Lines are not',
    'events: an attempt is two to four lines. Every tool reads the same file.',
    '',
    `Recall is per attack type: the share of the attacks' source addresses the tool flagged (fail2ban: would ban with`,
    `its default jail, ${FAIL2BAN_MAXRETRY} failures within ${FAIL2BAN_FINDTIME_SEC / 60} minutes; CrowdSec: alerted on; Vigil: named in a finding), and in`,
    'brackets how many of the attacks of that type had at least one flagged address. "Outside" counts flagged',
    'addresses that are no attack\'s source (ordinary users\' addresses; some attack sources, such as VPN exits, are',
    'shared with ordinary users in the simulation). Peers are capped at',
    `${int(r.peerTimeoutSec / 60)} minutes and ${int(r.peerRssCapMiB)} MiB resident per run; a run stopped by a cap is not repeated, and`,
    'its recall covers only the part of the file it had read.',
    '',
    ...notes.map((n) => `- ${n}`),
    ...(notes.length ? [''] : []),
  ];
  for (const s of sizes) {
    out.push(`### ${int(s.world.lines)} lines (${int(s.world.records)} attempts, ${mb(s.world.bytes)}; \`${s.world.command}\`)`, '');
    const types = [...new Set(s.tools.flatMap((t) => t.recall.byType.map((x) => x.type)))];
    const vigil = stats(s.tools[0].timing);
    out.push(
      table(
        ['', 'seconds (median)', 'range', 'lines/s', 'peak RSS (MiB)', 'vs Vigil lines/s', 'status'],
        s.tools.map((t) => {
          const st = stats(t.timing);
          const last = t.timing.runs[t.timing.runs.length - 1];
          const stopped = last.stopped;
          const reached = stopped ? (t.progress ?? 0) * t.timing.units : t.timing.units;
          const rate = stopped ? reached / last.seconds : st.rate;
          const estimate = !stopped || !t.progress
            ? ''
            : stopped === 'timeout'
              ? ` — the whole file would take ~${num(t.timing.units / rate / 3600, 1)} h at that rate`
              : ` — growing at that rate, the whole file would need ~${num(last.peakMiB / t.progress / 1024, 0)} GiB`;
          // A stopped run whose file offset could not be read has no known progress (not "0%").
          const unknown = stopped && !t.progress;
          return [
            t.timing.label,
            stopped ? `stopped at ${num(last.seconds, 0)}` : num(st.seconds, 1),
            st.spread,
            unknown ? 'n/a' : `${stopped ? '~' : ''}${int(rate)}`,
            int(stopped ? last.peakMiB : st.peak),
            t === s.tools[0] ? '' : unknown ? 'n/a' : num(rate / vigil.rate, 2),
            stopped
              ? `**stopped by the ${stopped === 'timeout' ? 'time' : 'memory'} cap** ${unknown ? '(how far it had read was not measured)' : `after reading ~${pct(t.progress ?? 0, 1)} of the file${estimate}`}`
              : `${st.n} run${st.n === 1 ? '' : 's'}`,
          ];
        }),
      ),
      '',
      table(
        ['recall', ...types, 'flagged', 'outside'],
        s.tools.flatMap((t) => {
          const name = t.timing.label.replace(/ \(.*$/, '');
          const rows = [[name + (t.progress !== undefined && t.progress < 1 ? ' (partial)' : ''), ...types.map((ty) => recallCells(t.recall, ty)), int(t.recall.flagged), int(t.recall.outside)]];
          if (t.matchedRecall) rows.push([`${name}: any failure recognised (no threshold)`, ...types.map((ty) => recallCells(t.matchedRecall!, ty)), int(t.matchedRecall.flagged), int(t.matchedRecall.outside)]);
          return rows;
        }),
      ),
      '',
      ...s.tools.filter((t) => t.note).map((t) => `- ${t.timing.label.replace(/ \(.*$/, '')}: ${t.note}`),
      '',
      commands(s.tools.map((t) => t.timing)),
      '',
    );
  }
  return out.join('\n');
}

function memorySection(m: NonNullable<Results['memory']>): string {
  const s = stats(m.timing);
  const last = m.timing.runs[m.timing.runs.length - 1];
  const failed = !last.stopped && last.exitCode !== 0;
  const ok = s.maxPeak <= m.limitMiB && !last.stopped && !failed;
  const row = failed
    ? [
        m.timing.label,
        `failed at ${num(last.seconds, 0)}`,
        '',
        '',
        '',
        '',
        int(last.peakMiB),
        `**failed** (exit ${last.exitCode}${/out of memory|OOM/i.test(last.stderrTail) ? ': out of memory' : ''}) after reading ~${pct(m.progress, 1)} of the input`,
      ]
    : last.stopped
    ? [
        m.timing.label,
        `stopped at ${num(last.seconds, 0)}`,
        '',
        `~${int((m.progress * m.timing.units) / last.seconds)}`,
        num((m.progress * m.timing.bytes) / 1e6 / last.seconds),
        '',
        int(last.peakMiB),
        `**exceeded**: stopped by the ${last.stopped === 'memory' ? `${m.capMiB} MiB memory` : `${num(m.timeoutSec / 3600, 1)} h time`} cap after ~${pct(m.progress, 1)} of the input (~${int(m.progress * m.timing.units)} events)`,
      ]
    : [m.timing.label, num(s.seconds, 1), s.spread, int(s.rate), num(s.mbps), int(s.peak), int(s.maxPeak), ok ? 'met' : '**exceeded**'];
  return [
    `## Memory: ${int(m.synth.events)} events, ${int(m.synth.addresses)} distinct source addresses, ${int(m.synth.accounts)} accounts`,
    '',
    `Input: ${int(m.synth.events)} synthetic OCSF Authentication events (JSON lines, ${num(m.synth.bytes / 2 ** 30, 2)} GiB) written by`,
    '`scripts/bench/synthetic.ts`: ' +
      `${int(m.synth.accounts)} accounts in ${int(m.synth.organisations)} organisations, ${int(m.synth.addresses)} distinct source addresses (every one used), ` +
      `${pct(m.synth.failures, m.synth.events)} failures, over 7 days. Most events are failures from a rotating pool of attacker addresses`,
    '(each address tries a few accounts and moves on, which is what makes per-address and per-account state grow); the',
    'rest are ordinary successes and typos of each account from its home address.',
    '',
    table(
      ['', 'seconds (median)', 'range', 'events/s', 'MB/s', 'peak RSS (MiB, median)', 'peak RSS (MiB, max)', `limit ${m.limitMiB} MiB`],
      [row],
    ),
    ...threadCpuLines([m.timing]),
    '',
    growth(last, m.timing),
    commands([m.timing]),
  ].join('\n');
}

/** How resident memory grew with the events read, from the samples of a run (a few rows). */
function growth(run: Measured, t: Timing): string {
  const samples = (run.samples ?? []).filter((x) => x.offset > 0);
  if (samples.length < 2) return '';
  const pick = samples.filter((_, i) => i % Math.max(1, Math.ceil(samples.length / 8)) === 0);
  if (pick[pick.length - 1] !== samples[samples.length - 1]) pick.push(samples[samples.length - 1]);
  const events = (offset: number) => (offset / t.bytes) * t.units;
  const a = samples[0];
  const b = samples[samples.length - 1];
  const perEvent = events(b.offset) > events(a.offset) ? ((b.rssMiB - a.rssMiB) * 1024) / (events(b.offset) - events(a.offset)) : NaN;
  return [
    `Resident memory against events read, sampled during the last run (about ${num(perEvent, 1)} KiB more per event read):`,
    '',
    table(['seconds', 'events read (from the file offset)', 'RSS (MiB)'], pick.map((x) => [num(x.seconds, 0), int(events(x.offset)), int(x.rssMiB)])),
    '',
  ].join('\n');
}

function profileSection(p: NonNullable<Results['profile']>): string {
  const s = p.summary;
  return [
    '## Where the time goes',
    '',
    `A V8 CPU profile of \`vigil detect --threads 1\` (all work on one thread) over ${int(p.events)} Entra events (${num(p.seconds, 1)} s under the profiler; self time, idle excluded):`,
    '',
    commands([{ label: 'profile', command: p.command }]),
    '',
    table(['file', 'self ms', 'share'], s.files.map((f) => [`\`${f.file}\``, int(f.selfMs), pct(f.share, 1)])),
    '',
    table(['function', 'where', 'self ms', 'share'], s.functions.map((f) => [`\`${shortName(f.name)}\``, `\`${f.where}\``, int(f.selfMs), pct(f.share, 1)])),
  ].join('\n');
}

let show = (command: string) => command;

export function renderReport(r: Results, shown: (command: string) => string = (c) => c): string {
  show = shown;
  const parts = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (`node --import tsx scripts/bench.ts`; `--quick` for a smoke check, `--help` for options).',
    'Not a test and not run by CI. Generated inputs are cached in `bench-data/` (git-ignored), keyed by the arguments',
    'that made them and a hash of the simulator; the raw figures of each run are saved there as JSON.',
    '',
    machineSection(r),
  ];
  const when = (name: keyof Results['when']) =>
    !r.when?.[name]
      ? ''
      : r.keptFrom?.[name]
        ? `\n\n_Measured ${r.when[name]} with Vigil commit ${r.keptFrom[name]}, in an earlier run: this section was not measured again with the commit above, so its Vigil figures predate later changes._`
        : `\n\n_Measured ${r.when[name]}._`;
  if (r.entra) parts.push('', entraSection(r.entra) + when('entra'));
  if (r.sshd) parts.push('', sshdSection(r.sshd, r.sshdNotes ?? [], r) + when('sshd'));
  if (r.memory) parts.push('', memorySection(r.memory) + when('memory'));
  if (r.profile) parts.push('', profileSection(r.profile) + when('profile'));
  return parts.join('\n') + '\n';
}

/** A function's name for the table: a regular expression's whole source would fill the page. */
function shortName(name: string): string {
  return name.length > 60 ? `${name.slice(0, 57).replace(/\|/g, '\\|')}...` : name.replace(/\|/g, '\\|');
}
