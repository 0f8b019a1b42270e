/**
 * @module campaigns/build
 * Turns a cluster of findings into a campaign: a stable id (from the earliest finding, so it survives the campaign
 * growing), its types, time span, organisations, accounts, addresses (with the shared ones marked), netblocks,
 * ASNs, tool fingerprint with cadence (median over the attacks: one finding that also swallowed a brute force does
 * not skew it) and failure-reason mix, techniques and per-organisation sightings. Attribution is added later.
 */
import { createHash } from 'node:crypto';
import type { OrganisationsFile } from '../orgs/organisations.js';
import { sortIps, type FindingFacts } from './facts.js';
import type { Cluster } from './link.js';
import type { AddressJudge } from './shared.js';
import type { Campaign, CampaignAccount } from './types.js';

export function campaignUid(earliestFindingUid: string): string {
  return 'vgc-' + createHash('sha256').update(`campaign\u0000${earliestFindingUid}`).digest('hex').slice(0, 32);
}

const byFirstSeen = (a: FindingFacts, b: FindingFacts) => a.first - b.first || (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0);

function median(xs: number[]): number | undefined {
  if (!xs.length) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : Math.round(((s[m - 1] + s[m]) / 2) * 100) / 100;
}

function accountsOf(list: CampaignAccount[]): { count: number; accounts: CampaignAccount[] } {
  const seen = new Map<string, CampaignAccount>();
  for (const a of list) seen.set(`${a.tenant}\u0000${a.name}`, a);
  const accounts = [...seen.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([, a]) => a);
  return { count: accounts.length, accounts };
}

const TYPE_WORDS: Record<string, string> = { password_spray: 'password spray', brute_force: 'brute force', credential_stuffing: 'credential stuffing', account_compromise: 'account compromise', mfa_fatigue: 'MFA fatigue', impossible_travel: 'impossible travel', anonymizer_signin: 'anonymiser sign-in' };

export function campaignName(c: Pick<Campaign, 'types' | 'fingerprint' | 'organisations'>, actor?: string | null): string {
  const types = c.types.map((t) => TYPE_WORDS[t] ?? t.replace(/_/g, ' '));
  const what = types.join(', ');
  const tool = c.fingerprint ? ` with ${[c.fingerprint.client_app, c.fingerprint.user_agent && `(${c.fingerprint.user_agent.slice(0, 60)})`].filter(Boolean).join(' ')}` : '';
  const text = `${what[0].toUpperCase()}${what.slice(1)}${tool} against ${c.organisations.count} organisation${c.organisations.count === 1 ? '' : 's'}`;
  return actor ? `${actor}: ${text}` : text;
}

export function buildCampaign(cluster: Cluster, judge: AddressJudge, orgs?: OrganisationsFile): Omit<Campaign, 'attribution'> {
  const members = [...cluster.members].sort(byFirstSeen);
  const attacks = members.filter((m) => m.isAttack);
  const tenants = [...new Set(members.map((m) => m.tenant))].sort();
  const ips = sortIps(new Set(members.flatMap((m) => m.ips)));
  const shared: string[] = [];
  const sharedWhy: Record<string, number> = {};
  for (const ip of ips) {
    const why = judge.shared(ip);
    if (!why) continue;
    shared.push(ip);
    sharedWhy[why] = (sharedWhy[why] ?? 0) + 1;
  }
  const netblocks = new Set<string>();
  for (const m of members) for (const n of (m.finding.unmapped?.netblocks ?? []) as unknown[]) if (typeof n === 'string') netblocks.add(n);
  const asns = new Map<number, { number: number; name?: string }>();
  for (const m of members) for (const a of m.asns) if (!asns.has(a.number) || (!asns.get(a.number)!.name && a.name)) asns.set(a.number, { number: a.number, ...(a.name ? { name: a.name } : {}) });
  const tool = (attacks[0] ?? members.find((m) => m.fingerprint))?.fingerprint;
  const reasons: Record<string, number> = {};
  for (const m of attacks) for (const [k, v] of Object.entries(m.reasons ?? {})) reasons[k] = (reasons[k] ?? 0) + (Number(v) || 0);
  const rate = median(attacks.flatMap((m) => (m.rate ? [m.rate] : [])));
  const techniques = new Map<string, { uid: string; name: string }>();
  for (const m of members) for (const t of m.techniques) techniques.set(t.uid, t);
  const sectorOf = new Map((orgs?.organisations ?? []).map((o) => [o.id, o.sector]));
  const sectors: Record<string, number> = {};
  for (const t of tenants) {
    const s = sectorOf.get(t);
    if (s) sectors[s] = (sectors[s] ?? 0) + 1;
  }
  const sightings = tenants.map((tenant) => {
    const mine = members.filter((m) => m.tenant === tenant);
    return {
      tenant,
      first_seen_time: Math.min(...mine.map((m) => m.first)),
      last_seen_time: Math.max(...mine.map((m) => m.last)),
      findings: mine.length,
      attempts: mine.reduce((n, m) => n + (m.attempts ?? 1), 0),
    };
  });
  const base = {
    types: [...new Set(members.map((m) => m.type))].sort(),
    first_seen_time: Math.min(...members.map((m) => m.first)),
    last_seen_time: Math.max(...members.map((m) => m.last)),
    organisations: { count: tenants.length, ids: tenants, ...(Object.keys(sectors).length ? { sectors } : {}) },
    accounts_targeted: accountsOf(members.flatMap((m) => m.accounts.map((name) => ({ tenant: m.tenant, name })))),
    accounts_compromised: accountsOf(members.flatMap((m) => m.compromised.map((name) => ({ tenant: m.tenant, name })))),
    source_addresses: { count: ips.length, addresses: ips, shared, shared_why: sharedWhy },
    netblocks: [...netblocks].sort(),
    asns: [...asns.values()].sort((a, b) => a.number - b.number),
    fingerprint: tool ? { ...tool, ...(rate !== undefined ? { attempts_per_account_hour: rate } : {}), ...(Object.keys(reasons).length ? { reasons } : {}) } : null,
    techniques: [...techniques.values()].sort((a, b) => (a.uid < b.uid ? -1 : 1)),
    sightings,
    findings: { count: members.length, uids: members.map((m) => m.uid) },
    joined_by: cluster.joins,
  };
  return { id: campaignUid(members[0].uid), name: campaignName(base), ...base };
}
