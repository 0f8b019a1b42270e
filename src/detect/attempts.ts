/**
 * @module detect/attempts
 * The shared memory of the spray, brute-force and stuffing detectors: failed attempts from unfamiliar sources,
 * grouped by organisation and tool fingerprint (user agent, client app, protocol) rather than by source address,
 * because distributed attacks rotate addresses on nearly every attempt while the tool stays the same.
 * A group is one "episode": it ends after a quiet period as long as its window, and the next attempt starts a new
 * one. Failures later followed by a success of the same account from the same address are "resolved" (a typo, a
 * forgotten password), which keeps office NAT mornings and lockouts quiet. All maps are capped.
 */
import { BoundedMap } from './lru.js';
import type { Profiles } from './profiles.js';
import { asEvidence, evidenceOf, type Evidence } from './findings.js';
import type { Signal } from './signal.js';

export interface AccountAttempts {
  user: string;
  first: number;
  last: number;
  n: number;
  unknown: boolean;
  resolved: boolean;
  /** The password proved valid (success or an MFA/policy stop) from this group's sources. */
  valid: boolean;
  ips: string[];
  /** Recent attempt times (at most RECENT), for rates. */
  recent: number[];
}

export interface AttemptGroup {
  id: string;
  tenant: string;
  fp: string;
  ua: string;
  app: string;
  proto: string;
  episode: number;
  first: number;
  last: number;
  attempts: number;
  accounts: BoundedMap<string, AccountAttempts>;
  /** Account keys in the order they first joined (the compromise check walks only the ones new since its last look). */
  order: string[];
  /** Per address: attempts and (up to three) accounts tried, to tell attack infrastructure from a user's own typo. */
  ipInfo: BoundedMap<string, IpAttempts>;
  nets: Map<string, number>;
  asns: Map<number, string>;
  countries: Map<string, number>;
  anon: Map<string, number>;
  reasons: Map<string, number>;
  /** Detector id -> finding uid raised for this episode. */
  findings: Record<string, string>;
  /** Detector id -> last evaluation time (throttling). */
  evaluated: Record<string, number>;
  /** Detector id -> the group's attempts at its last evaluation (a raised group is judged again as it grows). */
  evaluatedAttempts: Record<string, number>;
  /** Finding uid -> how far along `order` the compromise check has looked. */
  scanned: Record<string, number>;
  /** The group's first attempts and its latest ones, as findings show them (independent of when it was judged). */
  head: Evidence[];
  tail: (Signal | Evidence)[];
}

export interface IpAttempts {
  n: number;
  users: string[];
  first: number;
  last: number;
}

const RECENT = 64;
const MAX_ACCOUNTS = 20000;
const MAX_IPS = 20000;
const MAX_GROUPS = 100000;
/**
 * Account and address entries kept across all groups. Beyond it the least recently active groups are judged and
 * forgotten first: an endless stream with millions of addresses stays within a fixed memory (~250 bytes an entry).
 */
export const MAX_TRACKED_ENTRIES = 600_000;

export class AttemptTracker {
  readonly groups = new BoundedMap<string, AttemptGroup>(MAX_GROUPS);
  /** tenant \u0001 user -> group ids the account appears in. */
  private readonly byUser = new BoundedMap<string, string[]>(250_000);
  private lastSweep = 0;
  /** Account and address entries held by all groups. */
  entries = 0;

  /** Called with a group about to be forgotten (its episode ended), so detectors can judge its last attempts. */
  onExpire: ((g: AttemptGroup) => void) | undefined;

  /**
   * @param windowMs quiet time that ends a group's episode
   * @param recentMs how far back per-account attempt times are kept (the longest rate window of the rules)
   */
  constructor(
    readonly windowMs: number,
    readonly recentMs = 3600_000,
  ) {}

  /** Is this failure worth counting: from a source neither the organisation nor the account has succeeded from? */
  counts(s: Signal, profiles: Profiles): boolean {
    if (s.status !== 2) return false;
    if (s.reason === 'mfa_denied' && !s.passwordValid) return false;
    if (profiles.userKnowsSource(s)) return false;
    if (s.anon !== 'tor' && s.anon !== 'malicious' && s.ip && profiles.tenantKnowsIp(s)) return false;
    return true;
  }

  /** Record a counted failure; returns its group. */
  add(s: Signal): AttemptGroup {
    const id = `${s.tenant}\u0001${s.fp}`;
    let g = this.groups.get(id);
    if (!g || s.t - g.last > this.windowMs) {
      if (g) this.forget(g);
      g = newGroup(id, s);
      this.groups.set(id, g);
    } else this.groups.set(id, g); // touch for recency
    const size0 = g.accounts.size + g.ipInfo.size;
    g.last = Math.max(g.last, s.t);
    g.attempts++;
    if (g.head.length < 3) g.head.push(evidenceOf(s));
    else {
      g.tail.push(s);
      if (g.tail.length > 2) g.tail.shift();
    }
    let a = g.accounts.get(s.userKey);
    if (!a) {
      a = { user: s.user, first: s.t, last: s.t, n: 0, unknown: false, resolved: false, valid: false, ips: [], recent: [] };
      const ukey = `${s.tenant}\u0001${s.userKey}`;
      const list = this.byUser.get(ukey) ?? [];
      if (!list.includes(id)) list.push(id);
      this.byUser.set(ukey, list);
      g.order.push(s.userKey);
      if (g.order.length > 2 * MAX_ACCOUNTS) compactOrder(g);
    }
    g.accounts.set(s.userKey, a);
    a.n++;
    a.last = s.t;
    if (s.reason === 'unknown_user') a.unknown = true;
    if (s.passwordValid) a.valid = true;
    // Arrays are replaced by exact-size copies rather than grown in place: a pushed-to array reserves room for
    // 17 elements, and a million small lists would spend most of their memory on that room.
    if (s.ip && a.ips[a.ips.length - 1] !== s.ip) a.ips = a.ips.filter((x) => x !== s.ip).concat(s.ip).slice(-4);
    // Only the rate windows look at these times: older ones are dropped (the checkpoints stay small).
    let from = Math.max(0, a.recent.length + 1 - RECENT);
    while (from < a.recent.length && s.t - a.recent[from] > this.recentMs) from++;
    a.recent = (from ? a.recent.slice(from) : a.recent).concat(s.t);
    if (s.ip) {
      const info = g.ipInfo.get(s.ip) ?? { n: 0, users: [], first: s.t, last: s.t };
      info.last = Math.max(info.last, s.t);
      info.n++;
      if (info.users.length < 3 && !info.users.includes(s.userKey)) info.users = info.users.concat(s.userKey);
      g.ipInfo.set(s.ip, info);
    }
    if (s.net) g.nets.set(s.net, (g.nets.get(s.net) ?? 0) + 1);
    if (s.asn && g.asns.size < 2000) g.asns.set(s.asn, s.asOrg);
    if (s.country) g.countries.set(s.country, (g.countries.get(s.country) ?? 0) + 1);
    if (s.anon) g.anon.set(s.anon, (g.anon.get(s.anon) ?? 0) + 1);
    g.reasons.set(s.reason, (g.reasons.get(s.reason) ?? 0) + 1);
    this.entries += g.accounts.size + g.ipInfo.size - size0;
    if (s.t - this.lastSweep > 3600_000) this.sweep(s.t);
    while (this.entries > MAX_TRACKED_ENTRIES && this.groups.size > 1) {
      const oldest = this.groups.map.values().next().value as AttemptGroup;
      if (oldest === g) break;
      this.forget(oldest);
    }
    return g;
  }

  /** Judge a group's last attempts (onExpire) and drop it. */
  private forget(g: AttemptGroup): void {
    this.onExpire?.(g);
    if (this.groups.get(g.id) === g) this.groups.delete(g.id);
    this.entries -= g.accounts.size + g.ipInfo.size;
  }

  /** Recount the entries (after restoring a checkpoint). */
  recount(): void {
    this.entries = 0;
    for (const g of this.groups.map.values()) this.entries += g.accounts.size + g.ipInfo.size;
  }

  /** A success: failures of this account from this address were the owner's own (typo, forgotten password). */
  resolve(s: Signal): void {
    const ids = this.byUser.get(`${s.tenant}\u0001${s.userKey}`);
    if (!ids) return;
    for (const id of ids) {
      const a = this.groups.get(id)?.accounts.get(s.userKey);
      if (a && !a.resolved && a.ips.includes(s.ip)) a.resolved = true;
    }
  }

  /** Groups an account was attacked in (for compromise checks). */
  groupsOf(tenant: string, userKey: string): AttemptGroup[] {
    const ids = this.byUser.get(`${tenant}\u0001${userKey}`) ?? [];
    const out: AttemptGroup[] = [];
    for (const id of ids) {
      const g = this.groups.get(id);
      if (g && g.accounts.has(userKey)) out.push(g);
    }
    return out;
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const g of [...this.groups.map.values()]) if (now - g.last > this.windowMs) this.forget(g);
  }
}

function newGroup(id: string, s: Signal): AttemptGroup {
  return {
    id,
    tenant: s.tenant,
    fp: s.fp,
    ua: s.ua,
    app: s.app,
    proto: s.proto,
    episode: s.t,
    first: s.t,
    last: s.t,
    attempts: 0,
    accounts: new BoundedMap(MAX_ACCOUNTS),
    order: [],
    ipInfo: new BoundedMap(MAX_IPS),
    nets: new Map(),
    asns: new Map(),
    countries: new Map(),
    anon: new Map(),
    reasons: new Map(),
    findings: {},
    evaluated: {},
    evaluatedAttempts: {},
    scanned: {},
    head: [],
    tail: [],
  };
}

/** Sample attempts of a group for its findings: the first three and the latest two. */
export function groupEvidence(g: AttemptGroup): (Signal | Evidence)[] {
  return [...g.head, ...g.tail];
}

/** Drop keys of accounts the group no longer holds; the compromise check then looks at every account again. */
function compactOrder(g: AttemptGroup): void {
  g.order = [...new Set(g.order.filter((k) => g.accounts.has(k)))];
  for (const uid of Object.keys(g.scanned)) g.scanned[uid] = 0;
}

/** The group's source addresses (most recently active last). */
export function groupIps(g: AttemptGroup): string[] {
  return [...g.ipInfo.map.keys()];
}

/**
 * Did this address act as attack infrastructure in the group: tried several accounts more than a couple of times,
 * or one account at a guessing rate? A person's own address (a typo, a carrier NAT shared by two mistyping staff,
 * a stale phone retrying every 15 minutes) must not make their next sign-in a compromise.
 */
export function attackAddress(g: AttemptGroup, ip: string): boolean {
  const info = g.ipInfo.get(ip);
  if (!info) return false;
  const perHour = info.n / Math.max(1, (info.last - info.first) / 3600_000);
  return (info.users.length >= 2 && info.n >= 4) || (info.n >= 10 && perHour >= 20);
}

/** Accounts still unresolved `settleMs` after their first attempt: the ones an attacker, not a typo, explains. */
export function settledAccounts(g: AttemptGroup, now: number, settleMs: number): AccountAttempts[] {
  const out: AccountAttempts[] = [];
  for (const [, a] of g.accounts.entries()) if (!a.resolved && now - a.first >= settleMs) out.push(a);
  return out;
}

/** Attempts of one account within the last `ms` before `now`. */
export function attemptsWithin(a: AccountAttempts, now: number, ms: number): number {
  let n = 0;
  for (let i = a.recent.length - 1; i >= 0 && now - a.recent[i] <= ms; i--) n++;
  return n;
}

export function topKeys<K>(m: Map<K, number>, n: number): K[] {
  return [...m.entries()].sort((a, b) => b[1] - a[1] || (String(a[0]) < String(b[0]) ? -1 : 1)).slice(0, n).map((e) => e[0]);
}

/** The infrastructure and tool facts of a group, as findings carry them (and campaigns join on them). */
export function groupFacts(g: AttemptGroup) {
  return {
    netblocks: topKeys(g.nets, 1000),
    asns: [...g.asns.entries()].slice(0, 500).map(([number, name]) => ({ number, name: name || undefined })),
    countries: topKeys(g.countries, 50),
    anonymizers: Object.fromEntries(g.anon),
    reasons: Object.fromEntries(g.reasons),
    fingerprint: { user_agent: g.ua, client_app: g.app, protocol: g.proto },
  };
}

/**
 * A group as checkpoint data: accounts and addresses as tuples rather than objects (a third of the size, and
 * checkpoints of a million entries are written every few hundred thousand events).
 */
export function packGroup(g: AttemptGroup): unknown {
  const accounts: unknown[] = [];
  for (const [k, a] of g.accounts.map) {
    const flags = (a.unknown ? 1 : 0) | (a.resolved ? 2 : 0) | (a.valid ? 4 : 0);
    accounts.push([k, a.user === k ? 0 : a.user, a.first, a.last - a.first, a.n, flags, a.ips, a.recent.map((t) => t - a.first)]);
  }
  const ips: unknown[] = [];
  for (const [ip, x] of g.ipInfo.map) ips.push([ip, x.n, x.users, x.first, x.last - x.first]);
  const tail = g.tail.map(asEvidence);
  return { ...g, accounts, accountsCap: g.accounts.cap, ipInfo: ips, ipCap: g.ipInfo.cap, tail };
}

export function unpackGroup(p: any): AttemptGroup {
  if (p.accounts instanceof BoundedMap) return withDefaults(p); // saved before packing existed
  const accounts = new BoundedMap<string, AccountAttempts>(p.accountsCap);
  for (const [k, user, first, span, n, flags, ips, recent] of p.accounts) {
    accounts.map.set(k, { user: user === 0 ? k : user, first, last: first + span, n, unknown: !!(flags & 1), resolved: !!(flags & 2), valid: !!(flags & 4), ips, recent: recent.map((d: number) => first + d) });
  }
  const ipInfo = new BoundedMap<string, IpAttempts>(p.ipCap);
  for (const [ip, n, users, first, span] of p.ipInfo) ipInfo.map.set(ip, { n, users, first, last: first + span });
  const { accountsCap: _a, ipCap: _i, ...rest } = p;
  return withDefaults({ ...rest, accounts, ipInfo });
}

/** Members that groups saved by older versions lack. */
function withDefaults(g: any): AttemptGroup {
  return { ...g, order: g.order ?? [...g.accounts.map.keys()], evaluatedAttempts: g.evaluatedAttempts ?? {}, scanned: g.scanned ?? {}, head: g.head ?? [], tail: g.tail ?? [] };
}
