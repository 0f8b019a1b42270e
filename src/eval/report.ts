/**
 * @module eval/report
 * Writes docs/EVAL.md from the evaluation's results: method, summary, one table per attack type (Vigil beside each
 * peer), false positives, the real files, per-world detail, and how, where and when it was run.
 */
import { median, perMillion, type AttackSummary, type SystemSummary } from './aggregate.js';
import type { Ratio } from './score.js';
import type { PantherResult, SshdFileResult } from './real-data.js';
import type { WorldResult } from './world.js';
import { worldName } from './world.js';

export interface RunInfo {
  date: Date;
  command: string;
  totalSeconds: number;
  machine: string;
  versions: string;
  options: string;
}

export interface ReportInput {
  run: RunInfo;
  worlds: WorldResult[];
  summaries: SystemSummary[];
  peers: { name: string; label: string }[];
  sshd: SshdFileResult[];
  panther?: PantherResult;
  graceMinutes: number;
}

const SYSTEM_NAMES: Record<string, string> = { vigil: 'Vigil', sentinel: 'Sentinel', elastic: 'Elastic', crowdsec: 'CrowdSec', fail2ban: 'fail2ban' };
const systemName = (s: string) => SYSTEM_NAMES[s] ?? s;
const TYPE_ORDER = ['password_spray', 'brute_force', 'credential_stuffing', 'mfa_fatigue', 'impossible_travel', 'anonymizer_signin', 'account_compromise'];
const GUESSING = new Set(['password_spray', 'brute_force', 'credential_stuffing']);

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (r: Ratio) => (r.of ? `${Math.round((100 * r.hit) / r.of)}%` : '–');
const ratio = (r: Ratio | undefined) => (!r ? 'n/a' : r.of === 0 ? '–' : `${int(r.hit)}/${int(r.of)} (${pct(r)})`);

export function duration(ms: number | undefined): string {
  if (ms === undefined) return '–';
  const min = ms / 60_000;
  if (min < 1) return `${Math.round(ms / 1000)} s`;
  if (min < 120) return `${min.toFixed(min < 10 ? 1 : 0)} min`;
  if (min < 48 * 60) return `${(min / 60).toFixed(1)} h`;
  return `${(min / 1440).toFixed(1)} d`;
}

function table(head: string[], rows: (string | number)[][], align?: ('l' | 'r')[]): string {
  const a = align ?? head.map((_, i) => (i === 0 ? 'l' : 'r'));
  const cell = (c: string | number) => String(c).replace(/\|/g, '\\|');
  return [`| ${head.map(cell).join(' | ')} |`, `| ${a.map((x) => (x === 'r' ? '---:' : '---')).join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

/** Worlds in which the matched findings named the right actor (or, for attacks of no known actor, none). */
function attribution(a: AttackSummary): string {
  const n = (k: keyof AttackSummary['attribution']) => a.attribution[k] ?? 0;
  if (n('n/a')) return 'n/a';
  const judged = n('yes') + n('no') + n('mixed');
  if (!judged) return '–';
  const wrong = [n('no') ? `${n('no')} wrong` : '', n('mixed') ? `${n('mixed')} mixed` : ''].filter(Boolean).join(', ');
  return `${n('yes')}/${judged} right${wrong ? ` (${wrong})` : ''}`;
}

function attributionTotal(list: AttackSummary[]): string {
  const n = (k: keyof AttackSummary['attribution']) => list.reduce((acc, a) => acc + (a.attribution[k] ?? 0), 0);
  if (n('n/a')) return 'n/a';
  const judged = n('yes') + n('no') + n('mixed');
  return judged ? ratio({ hit: n('yes'), of: judged }) : '–';
}

function sum(list: AttackSummary[], pick: (a: AttackSummary) => Ratio | undefined): Ratio {
  return list.reduce<Ratio>((acc, a) => {
    const r = pick(a);
    return r ? { hit: acc.hit + r.hit, of: acc.of + r.of } : acc;
  }, { hit: 0, of: 0 });
}

function summaryTable(summaries: SystemSummary[]): string {
  const rows = summaries.map((s) => {
    const guessing = s.attacks.filter((a) => GUESSING.has(a.type));
    const fpm = perMillion(s.falsePositives, s.benignEvents);
    return [
      systemName(s.system),
      ratio({ hit: guessing.reduce((n, a) => n + a.detectedIn, 0), of: guessing.reduce((n, a) => n + a.worlds, 0) }),
      ratio({ hit: s.attacks.reduce((n, a) => n + a.detectedIn, 0), of: s.attacks.reduce((n, a) => n + a.worlds, 0) }),
      pct(sum(guessing, (a) => a.accounts)),
      pct(sum(guessing, (a) => a.addresses)),
      duration(median(guessing.flatMap((a) => a.ttdMs))),
      pct(sum(s.attacks, (a) => a.typeAccuracy)),
      int(s.detections),
      `${int(s.falsePositives)} (${fpm.toFixed(1)})`,
      int(s.innocentAddresses),
      s.system === 'vigil' ? `${s.wrongCompromiseClaims} of ${s.compromiseClaims}` : 'n/a',
      attributionTotal(s.attacks),
    ];
  });
  return table(
    ['system', 'guessing attacks detected', 'all attacks detected', 'accounts named (guessing)', 'addresses named (guessing)', 'median time to detect (guessing)', 'type accuracy', 'alerts', 'false positives (per M benign)', 'innocent addresses named', 'wrong compromise claims', 'attribution right'],
    rows,
  );
}

function typeSection(type: string, summaries: SystemSummary[]): string {
  const ids = [...new Set(summaries.flatMap((s) => s.attacks.filter((a) => a.type === type).map((a) => a.id)))].sort();
  const rows: (string | number)[][] = [];
  for (const id of ids) {
    let first = true;
    for (const s of summaries) {
      const a = s.attacks.find((x) => x.id === id);
      if (!a) continue;
      rows.push([
        first ? `\`${id}\`` : '',
        systemName(s.system),
        `${a.detectedIn}/${a.worlds}`,
        int(a.detections),
        ratio(a.orgs),
        ratio(a.accounts),
        ratio(a.addresses),
        a.compromised ? `${ratio(a.compromised)}; ${ratio(a.passwordValid)}` : 'n/a',
        duration(median(a.ttdMs)),
        ratio(a.typeAccuracy),
        attribution(a),
      ]);
      first = false;
    }
  }
  return `### ${type}\n\n${table(['scenario', 'system', 'detected in worlds', 'alerts', 'organisations', 'accounts named', 'addresses named', 'compromised; passwords found', 'median time to detect', 'type accuracy', 'attribution'], rows)}`;
}

function fpSection(summaries: SystemSummary[], worlds: WorldResult[]): string {
  const types = [...new Set(summaries.flatMap((s) => Object.keys(s.falsePositivesByType)))].sort((a, b) => TYPE_ORDER.indexOf(a) - TYPE_ORDER.indexOf(b));
  const benign = summaries[0]?.benignEvents ?? 0;
  const rows = summaries.map((s) => [
    systemName(s.system),
    ...types.map((t) => {
      const n = s.falsePositivesByType[t] ?? 0;
      return n ? `${int(n)} (${perMillion(n, s.benignEvents).toFixed(1)})` : '0';
    }),
    `${int(s.falsePositives)} (${perMillion(s.falsePositives, s.benignEvents).toFixed(1)})`,
    int(s.innocentAddresses),
  ]);
  const systems = summaries.map((s) => s.system);
  const byWorld = worlds.map((w) => [
    worldName(w.spec),
    int(w.truth.benign_events),
    ...systems.map((sys) => {
      const s = w.scores.find((x) => x.system === sys);
      return s ? `${int(s.falsePositives.total)} (${perMillion(s.falsePositives.total, s.benignEvents).toFixed(1)})` : '–';
    }),
  ]);
  const out = [
    `Over ${int(benign)} benign events in ${worlds.length} worlds. Each cell: false-positive alerts (per million benign events).`,
    '',
    table(['system', ...types, 'total', 'innocent addresses named'], rows),
    '',
    'By world:',
    '',
    table(['world', 'benign events', ...systems.map(systemName)], byWorld),
  ];
  const examples: string[] = [];
  for (const w of worlds) {
    for (const s of w.scores) {
      if (s.system !== 'vigil') continue;
      for (const d of s.falsePositives.samples) {
        examples.push(`- ${worldName(w.spec)}, ${d.type} (${d.rule}) at ${d.tenant}: ${d.title ?? ''}; accounts ${d.accounts.slice(0, 3).join(', ')}${d.accounts.length > 3 ? ' ...' : ''}; addresses ${d.ips.slice(0, 3).join(', ')}${d.ips.length > 3 ? ' ...' : ''}; ${new Date(d.first).toISOString()} to ${new Date(d.last).toISOString()}`);
      }
    }
  }
  if (examples.length) out.push('', 'Vigil\'s false positives (up to five per world):', '', ...examples);
  return out.join('\n');
}

function worldsTable(worlds: WorldResult[]): string {
  return table(
    ['world', 'records', 'benign events', 'attack events', 'simulate', 'Vigil (read, enrich, detect)', 'Vigil events/s', 'peers (all four)'],
    worlds.map((w) => [
      worldName(w.spec),
      int(w.records),
      int(w.truth.benign_events),
      int(w.truth.events_total - w.truth.benign_events),
      `${w.seconds.simulate.toFixed(1)} s`,
      `${w.seconds.vigil.toFixed(1)} s`,
      int(w.events / Math.max(w.seconds.vigil, 0.001)),
      `${Object.values(w.seconds.peers).reduce((a, b) => a + b, 0).toFixed(1)} s`,
    ]),
  );
}

function perWorld(worlds: WorldResult[]): string {
  const out: string[] = [];
  for (const w of worlds) {
    const systems = w.scores.map((s) => s.system);
    const rows = w.truth.attacks
      .filter((a) => a.start)
      .map((a) => [
        `\`${a.id}\``,
        a.type,
        ...systems.map((sys) => {
          const s = w.scores.find((x) => x.system === sys)!.attacks.find((x) => x.id === a.id)!;
          return s.detections ? `${s.detections}: acc ${pct(s.accounts)}, ip ${pct(s.addresses)}, ${duration(s.ttdMs)}${s.actorsNamed.length ? `, ${s.actorsNamed.join('+')}` : ''}` : '–';
        }),
      ]);
    const fp = w.scores.map((s) => `${systemName(s.system)} ${s.falsePositives.total}`).join(', ');
    out.push(`#### ${worldName(w.spec)}\n\n${table(['scenario', 'type', ...systems.map(systemName)], rows, ['l', 'l', ...systems.map(() => 'l' as const)])}\n\nFalse positives: ${fp}.`);
  }
  return out.join('\n\n');
}

function sshdSection(files: SshdFileResult[]): string {
  const out: string[] = [];
  for (const f of files) {
    const systems = f.systems.map((s) => s.system);
    out.push(`### ${f.file}\n\n${int(f.records)} records, ${int(f.events)} sign-in attempts, ${int(f.failures)} failures, ${int(f.quarantined)} quarantined. ` +
      `Reference: the ${f.bruteForcers.length} addresses with at least 10 failures in the file.`);
    out.push(table(['address', 'failures', 'accounts', ...systems.map(systemName)], f.bruteForcers.map((b) => [b.ip, b.failures, b.accounts, ...f.systems.map((s) => (s.flagged.has(b.ip) ? 'named' : '–'))])));
    const rows = f.systems.map((s) => {
      const off = [...s.flagged].filter((ip) => !f.bruteForcers.some((b) => b.ip === ip));
      const offText = off.length ? off.slice(0, 6).map((ip) => `${ip} (${f.failuresOf.get(ip) ?? 0} failures)`).join(', ') + (off.length > 6 ? ` and ${off.length - 6} more` : '') : '–';
      return [systemName(s.system), s.detections.length, Object.entries(s.byType).map(([t, n]) => `${t} ${n}`).join(', ') || '–', `${f.bruteForcers.filter((b) => s.flagged.has(b.ip)).length}/${f.bruteForcers.length}`, offText];
    });
    out.push(table(['system', 'alerts', 'by type', 'reference addresses named', 'other addresses named'], rows, ['l', 'r', 'l', 'r', 'l']));
  }
  return out.join('\n\n');
}

function pantherSection(p: PantherResult): string {
  return [
    `${int(p.records)} records: ${int(p.events)} sign-in events, ${int(p.skipped)} skipped (the vendor's, not sign-ins), ${int(p.quarantined)} quarantined (vendors Vigil does not read, or no sign-in shape). Nothing crashed.`,
    '',
    table(['Panther log type', 'records', 'read as sign-ins', 'quarantined'], p.byLogType.map((b) => [b.logType, b.records, b.read, b.quarantined])),
    '',
    table(['system', 'alerts', 'by type'], p.systems.map((s) => [systemName(s.system), s.detections.length, Object.entries(s.byType).map(([t, n]) => `${t} ${n}`).join(', ') || '–']), ['l', 'r', 'l']),
  ].join('\n');
}

export function renderReport(r: ReportInput): string {
  const types = TYPE_ORDER.filter((t) => r.summaries.some((s) => s.attacks.some((a) => a.type === t)));
  const parts = [
    '# Evaluation',
    '',
    `Generated by \`${r.run.command}\` on ${r.run.date.toISOString().slice(0, 10)} in ${duration(r.run.totalSeconds * 1000)}. Do not edit by hand: run it again.`,
    '',
    '## Method',
    '',
    `Worlds are simulated with \`vigil simulate\` (the default scenarios in \`scenarios/\`, ${r.run.options}); each world's truth.json lists every attack with its organisations, source addresses, accounts and compromises. ` +
      'Vigil runs over the logs through its library with the world\'s intel and organisations: reader, enricher, engine with the default rules, then campaigns and attribution, as `vigil detect --intel tor:intel/tor-exits.txt --intel vpn:intel/vpn-ranges.txt --intel intel/attackers.stix.json --orgs orgs.yaml logs/` does (the same finding lines, tested), without the store. ' +
      'The peers run over exactly the events Vigil read, re-implemented from their published logic (`src/peers/`):',
    '',
    ...r.peers.map((p) => `- **${systemName(p.name)}**: ${p.label}`),
    '',
    'Peers read Entra result codes; for the other formats the code an Entra tenant would have logged is derived from the normalised failure reason (bad_password 50126, unknown_user 50034, locked_out 50053, password_expired 50055, mfa_required 50076, mfa_denied 500121; see `src/peers/types.ts`). ' +
      'CrowdSec and fail2ban have no parser for Entra ID, Okta or Google Workspace; they are applied to those worlds\' failures as if they had one (their best case). Sentinel and Elastic are evaluated per organisation (one workspace or index each). ' +
      'Sentinel runs daily and Elastic hourly; their time to detect is the event that met the condition, not the scheduled run, which would add up to a day or an hour.',
    '',
    `**Scoring** (\`src/eval/score.ts\`): a finding or alert belongs to an attack when it is about one of the attack's organisations, overlaps its time span (± ${r.graceMinutes} min) and names at least one of its accounts or addresses; ` +
      'if several attacks qualify, the one that targeted the largest share of its accounts, then used the largest share of its addresses. Anything that belongs to no attack is a false positive. ' +
      'Per attack: organisations with a matched alert, accounts named, addresses named, compromised accounts (and accounts whose password was found) named as compromised, ' +
      'time to detect (first matched alert raised at or after the attack\'s first event, minus that event\'s time), type accuracy (matched alerts of the attack\'s type; account-compromise findings, which report the outcome of any attack, are left out unless the attack is one), ' +
      'attribution (the threat actor named in the matched findings\' `enrichments`, or one of its aliases, is the truth\'s; for an attack of no known actor, right when none is named; n/a when no finding carries an attribution). Counts are added up over the worlds; times are medians. ' +
      '"Innocent addresses" are addresses named by any alert that no attack used (what a blocklist fed by the system would wrongly block); "wrong compromise claims" are accounts said to be compromised whose password no attack found.',
    '',
    worldsTable(r.worlds),
    '',
    '## Summary',
    '',
    'Guessing attacks are the password sprays, brute force and credential stuffing, the attacks every peer rule is written for.',
    '',
    summaryTable(r.summaries),
    '',
    '## Results by attack type',
    '',
    ...types.flatMap((t) => [typeSection(t, r.summaries), '']),
    '## False positives',
    '',
    fpSection(r.summaries, r.worlds),
    '',
    '## Real logs (no truth)',
    '',
    'loghub\'s sshd logs (logpai/loghub; real internet-facing servers): the reference is the addresses with at least 10 failed attempts in the file.',
    '',
    sshdSection(r.sshd),
    '',
    ...(r.panther ? ['### Panther rule test events', '', 'Single vendor events from panther-labs/panther-analysis rule tests: mostly a check that nothing crashes and that single events raise no alarm.', '', pantherSection(r.panther), ''] : []),
    '## Per world',
    '',
    'Cells: alerts matched: accounts named, addresses named, time to detect, and the actor the findings name, if any.',
    '',
    perWorld(r.worlds),
    '',
    '## Run',
    '',
    `- Command: \`${r.run.command}\` (options: ${r.run.options})`,
    `- Date: ${r.run.date.toISOString()}`,
    `- Total time: ${duration(r.run.totalSeconds * 1000)}`,
    `- Machine: ${r.run.machine}`,
    `- Versions: ${r.run.versions}`,
    '',
  ];
  return parts.join('\n');
}
