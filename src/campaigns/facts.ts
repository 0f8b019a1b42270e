/**
 * @module campaigns/facts
 * What a stored finding says that matters for joining and attribution: its addresses and accounts (observables),
 * its tool fingerprint (user agent, client app, protocol: `unmapped.fingerprint`, or the sample events when all
 * agree), cadence (attempts per account-hour), failure-reason mix, ATT&CK techniques, time span, and the attack
 * it follows (`unmapped.attack_finding_uid`). Findings with a fingerprint in `unmapped` are attacks (spray, brute
 * force, stuffing); the others (compromise, anonymiser sign-in, MFA fatigue, travel) follow an attack or stand alone.
 */
import { formatIp, parseIp } from '../enrich/ip-address.js';
import type { Technique } from '../intel/types.js';

export interface Fingerprint {
  user_agent: string;
  client_app: string;
  protocol: string;
}

export interface FindingFacts {
  uid: string;
  tenant: string;
  type: string;
  first: number;
  last: number;
  time: number;
  /** Normalised addresses (one text form per address). */
  ips: string[];
  accounts: string[];
  compromised: string[];
  asns: { number: number; name?: string }[];
  fingerprint?: Fingerprint;
  /** True when the finding carries its tool in `unmapped.fingerprint`: an attack of many attempts. */
  isAttack: boolean;
  rate?: number;
  attempts?: number;
  reasons?: Record<string, number>;
  /** Attempts through anonymisers, when the finding counts them. */
  anonymized?: number;
  attackRef?: string;
  techniques: Technique[];
  /** The stored finding, as last written. */
  finding: Record<string, any>;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

export function normaliseIp(ip: string): string | undefined {
  const a = parseIp(ip);
  return a ? formatIpShort(a.family, formatIp(a)) : undefined;
}

/** IPv6 in its compressed text form (formatIp writes all eight groups), IPv4 as is. */
function formatIpShort(family: number, text: string): string {
  if (family === 4) return text;
  const groups = text.split(':').map((g) => g.replace(/^0+(?=.)/, ''));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

export function fingerprintKey(fp: Fingerprint | undefined): string {
  return fp ? `${fp.user_agent}\u0000${fp.client_app}` : '';
}

/** The same tool: user agent and client app equal, and the protocol too when both sides know it. */
export function sameTool(a: Fingerprint | undefined, b: Fingerprint | undefined): boolean {
  if (!a || !b) return false;
  return a.user_agent === b.user_agent && a.client_app === b.client_app && (!a.protocol || !b.protocol || a.protocol === b.protocol);
}

function fingerprintOf(f: Record<string, any>): { fp?: Fingerprint; attack: boolean } {
  const u = f.unmapped?.fingerprint;
  if (u && typeof u === 'object') {
    const fp = { user_agent: str(u.user_agent), client_app: str(u.client_app), protocol: str(u.protocol) };
    return { fp: fp.user_agent || fp.client_app ? fp : undefined, attack: true };
  }
  // Single-event findings: the sample events' tool, only when they all agree (travel mixes the owner's and the intruder's).
  const seen = new Set<string>();
  let fp: Fingerprint | undefined;
  for (const e of Array.isArray(f.evidences) ? f.evidences : []) {
    const d = e?.data ?? {};
    const cand = { user_agent: str(d.user_agent), client_app: str(d.client_app), protocol: '' };
    if (!cand.user_agent && !cand.client_app) continue;
    seen.add(fingerprintKey(cand));
    fp = cand;
  }
  return { fp: seen.size === 1 ? fp : undefined, attack: false };
}

export function factsOf(f: Record<string, any>): FindingFacts {
  const fi = f.finding_info ?? {};
  const u = f.unmapped ?? {};
  const ips: string[] = [];
  const accounts: string[] = [];
  for (const o of Array.isArray(f.observables) ? f.observables : []) {
    if (o?.type_id === 2 && typeof o.value === 'string') {
      const ip = normaliseIp(o.value);
      if (ip) ips.push(ip);
    } else if (o?.type_id === 4 && typeof o.value === 'string') accounts.push(o.value);
  }
  const { fp, attack } = fingerprintOf(f);
  const anon = u.anonymizers && typeof u.anonymizers === 'object' ? Object.values(u.anonymizers as Record<string, number>).reduce((a, b) => a + (Number(b) || 0), 0) : undefined;
  return {
    uid: fi.uid,
    tenant: f.metadata?.tenant_uid ?? '',
    type: fi.types?.[0] ?? 'unknown',
    first: fi.first_seen_time ?? f.time,
    last: fi.last_seen_time ?? f.time,
    time: f.time,
    ips: [...new Set(ips)],
    accounts: [...new Set(accounts)],
    compromised: Array.isArray(u.compromised_accounts) ? u.compromised_accounts.filter((x: unknown) => typeof x === 'string') : [],
    asns: Array.isArray(u.asns) ? u.asns.filter((a: any) => typeof a?.number === 'number') : typeof u.asn === 'number' ? [{ number: u.asn }] : [],
    fingerprint: fp,
    isAttack: attack,
    rate: typeof u.attempts_per_account_hour === 'number' ? u.attempts_per_account_hour : undefined,
    attempts: typeof u.attempts === 'number' ? u.attempts : undefined,
    reasons: u.reasons && typeof u.reasons === 'object' ? u.reasons : undefined,
    anonymized: anon,
    attackRef: typeof u.attack_finding_uid === 'string' ? u.attack_finding_uid : undefined,
    techniques: (Array.isArray(fi.attacks) ? fi.attacks : []).flatMap((a: any) => (a?.technique?.uid ? [{ uid: a.technique.uid, name: str(a.technique.name) }] : [])),
    finding: f,
  };
}

/** The /24 (IPv4) or /48 (IPv6) an address is in: the unit of a hosting provider's allocation to one customer. */
export function netblockOf(ip: string): string {
  const a = parseIp(ip);
  if (!a) return ip;
  if (a.family === 4) {
    // The text up to its third dot (all of it with fewer), found in place: the campaigns' join asks this of every
    // address of every finding, at the end of each detection run.
    const d1 = ip.indexOf('.');
    const d2 = d1 < 0 ? -1 : ip.indexOf('.', d1 + 1);
    const d3 = d2 < 0 ? -1 : ip.indexOf('.', d2 + 1);
    return `${d3 < 0 ? ip : ip.slice(0, d3)}.0/24`;
  }
  const w = a.words;
  const g = [w[0] >>> 16, w[0] & 0xffff, w[1] >>> 16].map((x) => x.toString(16));
  return `${g.join(':')}::/48`;
}

/** Addresses sorted numerically, IPv4 before IPv6. */
export function sortIps(ips: Iterable<string>): string[] {
  const keyed = [...ips].map((ip) => {
    const a = parseIp(ip);
    const key = a ? `${a.family}${a.words.map((w) => w.toString(16).padStart(8, '0')).join('')}` : `9${ip}`;
    return { ip, key };
  });
  keyed.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  return keyed.map((k) => k.ip);
}
