/**
 * @module notify/view
 * What one organisation is told about one campaign, in no language yet: built only from that organisation's own
 * findings in the campaign, plus the campaign's attribution with its reasons scrubbed (notify/privacy). The
 * `reported` digest (attack types, compromised and valid-password accounts, protected accounts targeted, actor)
 * is what a later run compares with to decide whether an escalation deserves a follow-up.
 */
import { createHash } from 'node:crypto';
import { isLegacyProtocol } from '../ocsf/authentication.js';
import type { Organisation } from '../orgs/organisations.js';
import type { Attribution, CampaignGroup, StoredFinding } from './campaign-groups.js';
import { scrubAliases, scrubReasons, type IdentifyingTerm } from './privacy.js';

/** Attack types in the order a reader should meet them; unknown future types come last as "other". */
export const ATTACK_TYPES = ['password_spray', 'brute_force', 'credential_stuffing', 'mfa_fatigue', 'impossible_travel', 'anonymizer_signin', 'account_compromise'] as const;

export interface AttackSummary {
  type: string;
  accounts: number;
  attempts?: number;
  ips: number;
  /** Accounts to name for types whose advice is "ask the person" (travel, anonymiser sign-ins). */
  named: string[];
}

export interface AttackerSignIn {
  time: number;
  account: string;
  how: string;
  ip?: string;
  country?: string;
  asn?: string;
  userAgent?: string;
}

export interface FindingRef {
  uid: string;
  rule: string;
  type: string;
  severity: string;
  first: number;
  last: number;
}

export interface Reported {
  types: string[];
  compromised: string[];
  valid: string[];
  protected: string[];
  actor: string | null;
}

export interface View {
  tenant: string;
  orgName: string;
  campaignKey: string;
  /** Shown to the organisation; derived from organisation and campaign so two victims' references differ. */
  reference: string;
  first: number;
  last: number;
  types: string[];
  attacks: AttackSummary[];
  accountsTargeted: number;
  /** Accounts the attacker signed in to. */
  compromised: string[];
  /** Accounts whose password proved right but whose sign-in was stopped. */
  valid: string[];
  protectedTargeted: string[];
  attribution: Attribution | null;
  legacySeen: boolean;
  appendix: {
    attempts: number;
    ips: number;
    addresses: string[];
    netblocks: string[];
    asns: string[];
    countries: string[];
    anonymised: { kind: string; percent: number }[];
    tools: string[];
    signIns: AttackerSignIn[];
    findings: FindingRef[];
  };
  findingUids: string[];
}

/** The per-organisation reference: stable for the campaign, different for every organisation in it. */
export function referenceFor(tenant: string, campaignKey: string): string {
  const h = createHash('sha256').update(`vigil-reference\u0000${tenant}\u0000${campaignKey}`).digest('hex').toUpperCase();
  return `VGL-${h.slice(0, 4)}-${h.slice(4, 8)}-${h.slice(8, 12)}`;
}

const lower = (s: string) => s.toLowerCase();
const sortedUnique = (xs: Iterable<string>) => [...new Set(xs)].sort();

function accountsOf(f: StoredFinding): string[] {
  return (Array.isArray(f.json?.observables) ? f.json.observables : []).filter((o: any) => o?.type_id === 4 && typeof o.value === 'string').map((o: any) => o.value as string);
}
function ipsOf(f: StoredFinding): string[] {
  return (Array.isArray(f.json?.observables) ? f.json.observables : []).filter((o: any) => o?.type_id === 2 && typeof o.value === 'string').map((o: any) => o.value as string);
}
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** A protected entry matches a full address, or the local part when the entry has no domain. */
function isProtected(account: string, protectedAccounts: readonly string[]): boolean {
  const a = lower(account);
  return protectedAccounts.some((p) => {
    const q = lower(p.trim());
    return q.includes('@') ? q === a : a.split('@')[0] === q;
  });
}

export function buildView(org: Organisation, group: CampaignGroup, withheld: readonly IdentifyingTerm[]): View {
  // Defensive: a group is one organisation's by construction; anything else never enters its view.
  const findings = group.findings.filter((f) => f.tenant === org.id && (f.json?.metadata?.tenant_uid ?? org.id) === org.id);
  if (!findings.length) throw new Error(`no finding of ${org.id} in ${group.key} says it is that organisation's (metadata.tenant_uid differs)`);
  const byType = new Map<string, StoredFinding[]>();
  for (const f of findings) {
    const t = (ATTACK_TYPES as readonly string[]).includes(f.type) ? f.type : 'other';
    byType.set(t, [...(byType.get(t) ?? []), f]);
  }
  const types = [...ATTACK_TYPES, 'other'].filter((t) => byType.has(t));

  // Compromised: the attacker signed in (a compromise finding that says so, an approved MFA push). Valid: the
  // password proved right but something stopped the sign-in; attack findings' compromised lists mean at least that.
  const compromised = new Set<string>();
  const valid = new Set<string>();
  const signIns: AttackerSignIn[] = [];
  for (const f of findings) {
    const u = f.json?.unmapped ?? {};
    const listed = strs(u.compromised_accounts);
    if (f.type === 'account_compromise') {
      const how = typeof u.how === 'string' ? u.how : 'success';
      for (const a of listed) (how === 'password_valid' ? valid : compromised).add(a);
      for (const e of Array.isArray(f.json?.evidences) ? f.json.evidences : []) {
        const account = e?.user?.name;
        if (typeof account !== 'string' || typeof e.time !== 'number') continue;
        const asn = e.src_endpoint?.autonomous_system;
        signIns.push({
          time: e.time,
          account,
          how,
          ip: e.src_endpoint?.ip,
          country: e.src_endpoint?.location?.country,
          asn: asn?.number ? `AS${asn.number}${asn.name ? ` ${asn.name}` : ''}` : undefined,
          userAgent: e.data?.user_agent,
        });
      }
    } else if (f.type === 'mfa_fatigue') for (const a of listed) compromised.add(a);
    else for (const a of listed) valid.add(a);
  }
  for (const a of compromised) valid.delete(a);

  const targeted = new Set<string>();
  const allIps = new Set<string>();
  let ipsCounted = 0;
  const attacks: AttackSummary[] = [];
  for (const t of types) {
    const fs = byType.get(t)!;
    const accounts = new Set<string>();
    const ips = new Set<string>();
    let attempts: number | undefined;
    let accountCount = 0;
    let ipCount = 0;
    for (const f of fs) {
      for (const a of accountsOf(f)) accounts.add(a);
      for (const ip of ipsOf(f)) ips.add(ip);
      accountCount = Math.max(accountCount, num(f.json?.unmapped?.accounts_count) ?? 0);
      ipCount = Math.max(ipCount, num(f.json?.unmapped?.ips_count) ?? 0);
      const n = num(f.json?.unmapped?.attempts);
      if (n !== undefined && t !== 'mfa_fatigue') attempts = (attempts ?? 0) + n;
    }
    for (const a of accounts) targeted.add(a);
    for (const ip of ips) allIps.add(ip);
    ipsCounted = Math.max(ipsCounted, ipCount);
    attacks.push({
      type: t,
      accounts: Math.max(accounts.size, accountCount),
      attempts,
      ips: Math.max(ips.size, ipCount),
      named: t === 'impossible_travel' || t === 'anonymizer_signin' ? sortedUnique(accounts) : [],
    });
  }

  const netblocks: string[] = [];
  const asns = new Map<string, string>();
  const countries: string[] = [];
  const anon = new Map<string, number>();
  const tools = new Set<string>();
  let attempts = 0;
  let legacySeen = false;
  for (const f of findings) {
    const u = f.json?.unmapped ?? {};
    for (const n of strs(u.netblocks)) if (!netblocks.includes(n)) netblocks.push(n);
    for (const a of Array.isArray(u.asns) ? u.asns : []) if (num(a?.number)) asns.set(String(a.number), `AS${a.number}${typeof a.name === 'string' && a.name ? ` ${a.name}` : ''}`);
    if (num(u.asn)) asns.set(String(u.asn), asns.get(String(u.asn)) ?? `AS${u.asn}`);
    for (const c of strs(u.countries)) if (!countries.includes(c)) countries.push(c);
    for (const c of [u.from_country, u.to_country]) if (typeof c === 'string' && !countries.includes(c)) countries.push(c);
    if (f.type !== 'mfa_fatigue') attempts += num(u.attempts) ?? 0;
    if (u.anonymizers && typeof u.anonymizers === 'object') for (const [k, v] of Object.entries(u.anonymizers)) if (num(v)) anon.set(k, (anon.get(k) ?? 0) + (v as number));
    const fp = u.fingerprint;
    if (fp && typeof fp === 'object') {
      const tool = [fp.user_agent, fp.client_app, fp.protocol].filter((x) => typeof x === 'string' && x).join(', ');
      if (tool) tools.add(tool);
      if (isLegacyProtocol(fp.client_app, fp.protocol) || /ropc/i.test(fp.user_agent ?? '')) legacySeen = true;
    }
    for (const e of Array.isArray(f.json?.evidences) ? f.json.evidences : []) {
      const app = e?.data?.client_app;
      const ua = e?.data?.user_agent;
      if (e?.src_endpoint?.autonomous_system?.number) {
        const a = e.src_endpoint.autonomous_system;
        if (!asns.has(String(a.number))) asns.set(String(a.number), `AS${a.number}${a.name ? ` ${a.name}` : ''}`);
      }
      if (e?.src_endpoint?.location?.country && !countries.includes(e.src_endpoint.location.country)) countries.push(e.src_endpoint.location.country);
      if (f.type !== 'account_compromise' && (isLegacyProtocol(app) || /ropc/i.test(ua ?? ''))) legacySeen = true;
    }
  }
  const totalAnon = [...anon.values()].reduce((a, b) => a + b, 0);
  const anonymised = [...anon.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => ({ kind, percent: Math.min(100, Math.round((n / Math.max(attempts, totalAnon, 1)) * 100)) }));

  let attribution: Attribution | null = null;
  if (group.attribution?.actor) {
    attribution = {
      ...group.attribution,
      aliases: scrubAliases(group.attribution.aliases.filter((a) => lower(a) !== lower(group.attribution!.actor!)), withheld),
      reasons: scrubReasons(group.attribution.reasons, withheld),
    };
  }

  const first = Math.min(...findings.map((f) => num(f.json?.finding_info?.first_seen_time) ?? f.first));
  const last = Math.max(...findings.map((f) => num(f.json?.finding_info?.last_seen_time) ?? f.last));
  return {
    tenant: org.id,
    orgName: org.name,
    campaignKey: group.key,
    reference: referenceFor(org.id, group.key),
    first,
    last,
    types,
    attacks,
    accountsTargeted: Math.max(targeted.size, ...attacks.map((a) => a.accounts)),
    compromised: sortedUnique(compromised),
    valid: sortedUnique(valid),
    protectedTargeted: sortedUnique([...targeted, ...compromised, ...valid].filter((a) => isProtected(a, org.protected_accounts))),
    attribution,
    legacySeen,
    appendix: {
      attempts,
      ips: Math.max(allIps.size, ipsCounted),
      addresses: [...allIps].sort(compareIps),
      netblocks,
      asns: [...asns.values()],
      countries,
      anonymised,
      tools: [...tools].sort(),
      signIns: signIns.sort((a, b) => a.time - b.time || (a.account < b.account ? -1 : 1)).filter((s, i, all) => i === 0 || JSON.stringify(s) !== JSON.stringify(all[i - 1])),
      findings: findings
        .map((f) => ({
          uid: f.uid,
          rule: f.json?.finding_info?.analytic?.uid ?? '',
          type: f.type,
          severity: typeof f.json?.severity === 'string' ? f.json.severity : String(f.severityId),
          first: num(f.json?.finding_info?.first_seen_time) ?? f.first,
          last: num(f.json?.finding_info?.last_seen_time) ?? f.last,
        }))
        .sort((a, b) => a.first - b.first || (a.uid < b.uid ? -1 : 1)),
    },
    findingUids: findings.map((f) => f.uid).sort(),
  };
}

export function reportedOf(v: View): Reported {
  return { types: v.types, compromised: v.compromised, valid: v.valid, protected: v.protectedTargeted, actor: v.attribution?.actor ?? null };
}

/** What the current state adds to everything reported before; undefined when nothing would merit a follow-up. */
export function escalation(current: Reported, before: readonly Reported[]): Reported | undefined {
  const seen = (pick: (r: Reported) => string[]) => new Set(before.flatMap(pick));
  const fresh = (pick: (r: Reported) => string[]) => pick(current).filter((x) => !seen(pick).has(x));
  const lastActor = before.length ? before[before.length - 1].actor : null;
  const news: Reported = {
    types: fresh((r) => r.types),
    compromised: fresh((r) => r.compromised),
    // A valid password already reported as such, or an account already reported compromised, is not news.
    valid: fresh((r) => [...r.valid, ...r.compromised]).filter((a) => current.valid.includes(a)),
    protected: fresh((r) => r.protected),
    actor: current.actor && current.actor !== lastActor ? current.actor : null,
  };
  const any = news.types.length || news.compromised.length || news.valid.length || news.protected.length || news.actor;
  return any ? news : undefined;
}

function compareIps(a: string, b: string): number {
  const key = (ip: string) => (ip.includes(':') ? `6:${ip}` : `4:${ip.split('.').map((x) => x.padStart(3, '0')).join('.')}`);
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}
