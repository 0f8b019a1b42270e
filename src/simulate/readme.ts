/**
 * @module simulate/readme
 * The README written into a generated world: how it was made (the command that makes it again, byte for byte),
 * what is in it (organisations, events per organisation, each attack with its numbers and rationale, the benign
 * situations planted to trip naive detectors) and how to read it back with vigil.
 */
import type { BenignPlan } from './benign.js';
import { isoDate, isoSeconds } from './clock.js';
import type { Org } from './population.js';
import type { Truth, TruthCollector } from './truth.js';
import type { WorldOptions } from './world.js';

const row = (cells: (string | number)[]) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;

const LAYOUT: Record<string, string> = {
  entra: '`logs/<org>/<date>.jsonl`: Microsoft Graph signIn objects, one per line',
  okta: '`logs/<org>/<date>.jsonl`: Okta System Log events, one per line',
  gws: '`logs/<org>/<date>.jsonl`: Google Workspace Reports API login activities, one per line',
  m365: '`logs/<org>/<date>.jsonl`: Microsoft 365 Management Activity records (UserLoggedIn / UserLoginFailed), one per line',
  cloudtrail: '`logs/<org>/<yyyy>/<mm>/<dd>/<account>_CloudTrail_us-east-1_<hour>_<unique>.json`: CloudTrail files, `{"Records":[...]}` on one line',
  sshd: '`logs/<org>/<date>.log`: OpenSSH syslog lines (RFC 3164, UTC clocks; each file\'s modification time is its last event, which gives the year)',
};

export function worldReadme(truth: Truth, orgs: Org[], tally: TruthCollector, plan: BenignPlan, o: WorldOptions): string {
  const cmd = `vigil simulate --seed ${o.seed} --days ${o.days} --orgs ${o.orgs} --scale ${o.scale} --format ${o.format} --start ${isoDate(o.start)}${(o.scenarioArgs ?? []).map((f) => ` --scenario ${f}`).join('')} --out DIR`;
  const out: string[] = [];
  out.push('# Simulated sign-in logs (vigil simulate)', '');
  out.push(`A labelled world of ${orgs.length} fictitious organisations over ${o.days} day(s), ${truth.start} to ${truth.end}, in ${o.format} format.`);
  out.push(`${truth.events_total} records: ${truth.benign_events} of ordinary behaviour and ${truth.events_total - truth.benign_events} of ${truth.attacks.length} attack(s).`, '');
  out.push('Made by (the same options and scenario files always give the same bytes):', '', '```', cmd, '```', '');
  out.push('## Files', '');
  out.push(`- ${LAYOUT[o.format]}`);
  out.push('- `orgs.yaml`: the organisations (their `id` is the tenant id the logs carry) and whom to warn');
  out.push('- `truth.json`: the answer key: every attack with its type, actor, time span, organisations, source addresses, accounts, compromised accounts and accounts whose password was shown valid');
  out.push('- `intel/attackers.stix.json`: a STIX 2.1 bundle naming the state actor and a few of its addresses');
  out.push('- `intel/tor-exits.txt`, `intel/vpn-ranges.txt`: the Tor exits and commercial VPN ranges of this world');
  out.push('', 'Domains use the reserved `.example` top-level domain: no real organisation is named or reachable.', '');

  out.push('## Organisations', '');
  out.push(row(['id', 'name', 'sector', 'kind', 'language', 'country', 'accounts', 'MFA', 'benign records', 'attack records']));
  out.push(row(['---', '---', '---', '---', '---', '---', '---:', '---', '---:', '---:']));
  for (const org of orgs) {
    const c = tally.perOrg.get(org) ?? { benign: 0, attack: 0 };
    out.push(row([org.id, org.name, org.sector, org.kind.replace('_', ' '), org.language, org.country, org.size, org.mfa ? 'yes' : 'no', c.benign, c.attack]));
  }
  out.push('');

  out.push('## Attacks', '');
  out.push(row(['id', 'type', 'actor', 'organisations', 'accounts', 'sources', 'records', 'start', 'end', 'compromised', 'password valid']));
  out.push(row(['---', '---', '---', '---:', '---:', '---:', '---:', '---', '---', '---:', '---:']));
  for (const a of truth.attacks) {
    out.push(row([a.id, a.type, a.actor ?? '-', a.organisations.length, a.accounts.length, a.sources.length, a.events, a.start ?? '-', a.end ?? '-', a.compromised.length, a.password_valid.length]));
  }
  out.push('');
  for (const s of o.scenarios) {
    const a = truth.attacks.find((x) => x.id === s.id);
    out.push(`### ${s.id}`, '', s.description.trim(), '', `Why it looks like this: ${s.rationale.trim()}`, '');
    if (a?.note) out.push(`In ${o.format}: ${a.note}`, '');
  }

  out.push('## Ordinary behaviour planted to trip naive detectors', '');
  out.push('Besides working hours, weekends, MFA prompts, typos, phones and evening work, in each organisation\'s time zone:', '');
  const when = (t: number) => isoSeconds(t).replace('T', ' ').replace('Z', ' UTC');
  for (const l of plan.lockouts.values()) out.push(`- forgotten password: ${l.user.upn} fails ${l.failures} times, is locked out, and resets on ${isoDate(o.start + l.day * 86_400_000)}`);
  for (const s of plan.stalePhones) out.push(`- stale phone: ${s.user.upn} (${s.user.mailClient}) fails every 15 minutes from ${when(s.from)} to ${when(s.to)}`);
  if (plan.monday) out.push(`- Monday morning: many of ${plan.monday.org.name}'s office staff mistype behind the office NAT address ${plan.monday.org.office.ip} on ${isoDate(o.start + plan.monday.day * 86_400_000)}`);
  const travellers = orgs.flatMap((g) => g.users.filter((u) => u.trips.length)).length;
  const vpnUsers = orgs.flatMap((g) => g.users.filter((u) => u.vpn)).length;
  out.push(`- ${travellers} people travel abroad during the window; ${vpnUsers} use a commercial VPN from home`, '');

  out.push('## Reading it back', '', '```');
  out.push(`vigil normalize --format ${o.format} --intel tor:DIR/intel/tor-exits.txt --intel vpn:DIR/intel/vpn-ranges.txt --intel DIR/intel/attackers.stix.json DIR/logs`);
  out.push('```', '');
  return out.join('\n');
}
