/**
 * @module detect/attempts
 * The shared memory of the spray, brute-force and stuffing detectors: failed attempts from unfamiliar sources,
 * grouped by organisation and tool fingerprint (user agent, client app, protocol) rather than by source address,
 * because distributed attacks rotate addresses on nearly every attempt while the tool stays the same.
 * A group is one "episode": it ends after a quiet period as long as its window, and the next attempt starts a new
 * one. Failures later followed by a success of the same account from the same address are "resolved" (a typo, a
 * forgotten password), which keeps office NAT mornings and lockouts quiet. All maps are capped.
 */
import { DistinctSketch } from './distinct-sketch.js';
import { BoundedMap, type Entry } from './lru.js';
import { netKey, netText, type Profiles, type SourceKey } from './profiles.js';
import { asEvidence, evidenceOf, type Evidence } from './findings.js';
import { describeSources, netKeyOf, sourcesText, type Signal } from './signal.js';

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
  /**
   * Attempts per netblock, keyed as profiles key them (`netKey`: an IPv4 /24 as a number, which a map hashes and
   * compares in place, where a netblock's text arriving with every attempt is hashed and compared character by
   * character); findings and checkpoints show the text (`netText`).
   */
  nets: Map<SourceKey, number>;
  /**
   * Once `nets` holds MAX_NETS netblocks, new ones are not added to it but counted here, with the ones it holds: a
   * rotating pool's netblocks would otherwise grow the map with every new address for as long as the episode lasts.
   */
  moreNets: DistinctSketch | undefined;
  asns: Map<number, string>;
  countries: Map<string, number>;
  anon: Map<string, number>;
  reasons: Map<string, number>;
  /** Detector id -> finding uid raised for this episode. */
  findings: Record<string, string>;
  /**
   * What the episode was first reported as, of password spray and credential stuffing ('' before either): one
   * attack whose share of unknown names hovers near the line between them gets one finding that grows, not two.
   */
  reportedAs: '' | 'password_spray' | 'credential_stuffing';
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
  /** Accounts of `users` that later signed in from this address (so it is their owners'); absent while none. */
  owners?: string[];
}

const RECENT = 64;
const MAX_ACCOUNTS = 20000;
const MAX_IPS = 20000;
const MAX_GROUPS = 100000;
/** Netblocks a group counts exactly (findings list the first 1,000 by count); beyond, their number is estimated. */
export const MAX_NETS = 5000;
/**
 * Account and address entries kept across all groups. Beyond it the least recently active groups are judged and
 * forgotten first: an endless stream with millions of addresses stays within a fixed memory (~250 bytes an entry).
 */
export const MAX_TRACKED_ENTRIES = 600_000;

/**
 * `tenant \u0001 account key`, the key of an account across organisations. Every detector asks for it with the same
 * signal in turn: made once per signal (and hashed once by the Maps), not once per detector.
 */
export function accountKey(s: Signal): string {
  if (s !== keyedSignal) {
    keyedSignal = s;
    keyOfSignal = `${s.tenant}\u0001${s.userKey}`;
  }
  return keyOfSignal;
}
let keyedSignal: Signal | undefined;
let keyOfSignal = '';

/**
 * The addresses list with `ip` moved (or added) last, at most `cap` long. In place when the length stays (the
 * list is full, or `ip` was in it); otherwise a new exact-size array.
 */
function withLastIp(ips: string[], ip: string, cap: number): string[] {
  if (ips.length <= cap) {
    const at = ips.indexOf(ip);
    if (at >= 0 || ips.length === cap) {
      // Everything after `ip` (or after the oldest, which drops out) moves down one; `ip` goes last.
      for (let i = at >= 0 ? at : 0; i < ips.length - 1; i++) ips[i] = ips[i + 1];
      ips[ips.length - 1] = ip;
      return ips;
    }
  }
  let n = 0;
  for (let i = 0; i < ips.length; i++) if (ips[i] !== ip) n++;
  const keep = Math.min(n, cap - 1);
  const out: string[] = new Array(keep + 1);
  let skip = n - keep;
  let j = 0;
  for (let i = 0; i < ips.length; i++) {
    const x = ips[i];
    if (x === ip) continue;
    if (skip > 0) {
      skip--;
      continue;
    }
    out[j++] = x;
  }
  out[j] = ip;
  return out;
}

/**
 * The times from index `from` on with `t` added: in place when at least one is dropped (the array never grows
 * then), else as one exact-size array.
 */
function withTime(times: number[], from: number, t: number): number[] {
  const n = times.length - from;
  if (from > 0) {
    for (let i = 0; i < n; i++) times[i] = times[from + i];
    times[n] = t;
    times.length = n + 1;
    return times;
  }
  const out: number[] = new Array(n + 1);
  for (let i = 0; i < n; i++) out[i] = times[from + i];
  out[n] = t;
  return out;
}

/** The groups of an account no group ever held: one shared empty list (callers only read it). */
const NO_GROUPS: readonly AttemptGroup[] = Object.freeze([]);

export class AttemptTracker {
  readonly groups = new BoundedMap<string, AttemptGroup>(MAX_GROUPS);
  /**
   * tenant \u0001 user -> ids of the groups the account appeared in (each group's own id string, shared by its
   * accounts' lists). Ids of groups that ended stay: a list's order is the order the account first joined a group of
   * each id, compromise checks follow it, and a dropped id coming back would move to the end.
   */
  private readonly byUser = new BoundedMap<string, string[]>(250_000);
  private lastSweep = 0;
  /** Account and address entries held by all groups. */
  entries = 0;

  /**
   * The profiles of the engine this tracker serves, if any: an account's entry in `byUser` is kept on its profile
   * (see `idsEntry`).
   */
  profiles: Profiles | undefined;

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

  /**
   * The account record of the signal `add` counted last: detectors that look at the attempt next need not look it
   * up again (see `accountOf`).
   */
  private lastAdded: { s: Signal | undefined; a: AccountAttempts | undefined } = { s: undefined, a: undefined };

  /**
   * The group's record of the attempt's account, as `g.accounts.get(s.userKey)`: without a lookup for the attempt
   * just counted, while its record is still the group's most recent one (a lookup per attempt into maps of
   * thousands of accounts, cold in the cache).
   */
  accountOf(g: AttemptGroup, s: Signal): AccountAttempts | undefined {
    const last = this.lastAdded;
    if (last.s === s && last.a !== undefined && g.accounts.map.newestValue() === last.a) return last.a;
    return g.accounts.get(s.userKey);
  }

  /** Record a counted failure; returns its group. */
  add(s: Signal): AttemptGroup {
    const id = this.groupId(s.tenant, s.fp);
    let g = this.groups.get(id);
    if (!g || s.t - g.last > this.windowMs) {
      if (g) this.forget(g);
      g = newGroup(id, s);
      this.groups.set(id, g);
    } else this.groups.set(id, g); // touch for recency (the entry of the get above: no second lookup)
    const size0 = g.accounts.size + g.ipInfo.size;
    g.last = Math.max(g.last, s.t);
    g.attempts++;
    if (g.head.length < 3) g.head.push(evidenceOf(s));
    else {
      g.tail.push(s);
      if (g.tail.length > 2) g.tail.shift();
    }
    let a = g.accounts.get(s.userKey);
    const tally = tallies.get(g);
    if (!a) {
      a = { user: s.user, first: s.t, last: s.t, n: 0, unknown: false, resolved: false, valid: false, ips: [], recent: [] };
      const e = this.idsEntry(s);
      const list = e?.v ?? [];
      // The group's own id string, shared by all its accounts' lists (not a copy per account).
      if (!list.includes(g.id)) list.push(g.id);
      if (e !== undefined) this.byUser.setEntry(e, list);
      else {
        const added = this.byUser.set(accountKey(s), list);
        this.profiles?.keepEntry(s, 'groupsEntry', added);
      }
      g.order.push(s.userKey);
      if (g.order.length > 2 * MAX_ACCOUNTS) compactOrder(g);
      if (tally) {
        // A full group forgets its least recently active account to make room (the set below).
        if (g.accounts.size >= g.accounts.cap) {
          const out = g.accounts.map.oldestValue();
          if (out && !out.resolved) untally(tally, out);
        }
        tally.accounts++;
        if (a.first > tally.floor) addYoung(tally, s.userKey, a);
      }
    }
    g.accounts.set(s.userKey, a);
    this.lastAdded.s = s;
    this.lastAdded.a = a;
    a.n++;
    if (tally && !a.resolved) tally.attempts++;
    a.last = s.t;
    if (s.reason === 'unknown_user' && !a.unknown) {
      a.unknown = true;
      if (tally && !a.resolved) tally.unknown++;
      if (unknownSeen.has(g)) unknownSeen.set(g, true);
    }
    if (s.passwordValid) a.valid = true;
    // Arrays never grow in place: a pushed-to array reserves room for 17 elements, and a million small lists would
    // spend most of their memory on that room. They change in place when their length stays or shrinks (most
    // attempts: no copy), else they are replaced by exact-size copies.
    if (s.ip && a.ips[a.ips.length - 1] !== s.ip) a.ips = withLastIp(a.ips, s.ip, 4);
    // Only the rate windows look at these times: older ones are dropped (the checkpoints stay small).
    let from = Math.max(0, a.recent.length + 1 - RECENT);
    while (from < a.recent.length && s.t - a.recent[from] > this.recentMs) from++;
    a.recent = withTime(a.recent, from, s.t);
    if (s.ip) {
      let info = g.ipInfo.get(s.ip);
      let named = false;
      let evicted: string | undefined;
      if (info === undefined) {
        info = { n: 0, users: [], first: s.t, last: s.t };
        if (g.ipInfo.size >= g.ipInfo.cap) evicted = g.ipInfo.map.oldestKey(); // the set below forgets it
      } else named = namedAddress(info);
      info.last = Math.max(info.last, s.t);
      info.n++;
      if (info.users.length < 3 && !info.users.includes(s.userKey)) {
        info.users = info.users.concat(s.userKey);
        addressChanged(g, s.ip);
      }
      if (named !== namedAddress(info)) standingChanged(g, s.ip, !named);
      if (evicted !== undefined) standingChanged(g, evicted, false);
      g.ipInfo.set(s.ip, info);
    }
    if (s.netKey !== '') countNet(g, s.netKey);
    if (s.asn && g.asns.size < 2000 && g.asns.get(s.asn) !== s.asOrg) {
      g.asns.set(s.asn, s.asOrg);
      asnsShown.delete(g);
    }
    if (s.country) g.countries.set(s.country, (g.countries.get(s.country) ?? 0) + 1);
    if (s.anon) g.anon.set(s.anon, (g.anon.get(s.anon) ?? 0) + 1);
    g.reasons.set(s.reason, (g.reasons.get(s.reason) ?? 0) + 1);
    this.entries += g.accounts.size + g.ipInfo.size - size0;
    if (s.t - this.lastSweep > 3600_000) this.sweep(s.t);
    while (this.entries > MAX_TRACKED_ENTRIES && this.groups.size > 1) {
      const oldest = this.groups.map.oldestValue() as AttemptGroup;
      if (oldest === g) break;
      this.forget(oldest);
    }
    return g;
  }

  /**
   * `tenant \u0001 fingerprint`, looked up rather than made: the two strings are shared by the signals of a batch (and
   * hashed once), while a new key per attempt would be a 200-character string to build and hash every time.
   */
  private groupId(tenant: string, fp: string): string {
    let byFp = this.ids.get(tenant);
    if (byFp === undefined) this.ids.set(tenant, (byFp = new Map()));
    let id = byFp.get(fp);
    if (id === undefined) {
      if (++this.idCount > MAX_GROUPS) {
        this.ids.clear(); // a cache only: start again rather than grow with every tool ever seen
        this.idCount = 1;
        this.ids.set(tenant, (byFp = new Map()));
      }
      byFp.set(fp, (id = `${tenant}\u0001${fp}`));
    }
    return id;
  }
  private readonly ids = new Map<string, Map<string, string>>();
  private idCount = 0;

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

  /**
   * A success: failures of this account from this address were the owner's own (typo, forgotten password). Whether
   * any group ever held the account (false: none, so a later success can skip this).
   */
  resolve(s: Signal): boolean {
    const ids = this.idsEntry(s)?.v;
    if (!ids) return false;
    for (const id of ids) {
      const g = this.groups.get(id);
      if (g === undefined) continue;
      // An address the group never counted cannot be among the account's failed ones. The group's address map only
      // grows until its cap and only then forgets, so while it is below the cap, not in it means never counted: one
      // lookup, where the account's record and address list are two more objects to load (an attacked account's
      // success walks every group that ever tried it).
      if (g.ipInfo.size < g.ipInfo.cap && !g.ipInfo.has(s.ip)) continue;
      const a = g.accounts.get(s.userKey);
      if (!a || !a.ips.includes(s.ip)) continue;
      const info = g!.ipInfo.map.get(s.ip);
      if (info && info.users.includes(s.userKey) && !info.owners?.includes(s.userKey)) {
        const named = namedAddress(info);
        info.owners = info.owners === undefined ? [s.userKey] : info.owners.concat(s.userKey);
        if (named !== namedAddress(info)) standingChanged(g!, s.ip, !named); // the address may be only its owners' now
      }
      if (!a.resolved) {
        a.resolved = true;
        resolvedCount++;
        const tally = tallies.get(g!);
        if (tally) untally(tally, a);
      }
    }
    return true;
  }

  /** The account's entry in `byUser` (an attacked account's every success looks here): kept on its profile. */
  private idsEntry(s: Signal): Entry<string, string[]> | undefined {
    return this.profiles ? this.profiles.accountEntry(s, 'groupsEntry', this.byUser, accountKey) : this.byUser.entry(accountKey(s));
  }

  /** Groups the signal's account was attacked in (for compromise checks; the shared empty list when none). */
  groupsOf(s: Signal): readonly AttemptGroup[] {
    const ids = this.idsEntry(s)?.v;
    if (ids === undefined) return NO_GROUPS;
    const userKey = s.userKey;
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
    moreNets: undefined,
    asns: new Map(),
    countries: new Map(),
    anon: new Map(),
    reasons: new Map(),
    findings: {},
    reportedAs: '',
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

/**
 * The group's source addresses that findings name, in no promised order (findings sort them): all but those whose
 * every account later signed in from them (the owners' own typos, as findings leave out those accounts too) and
 * stale clients, unless the address acted as attack infrastructure. Where a tool fingerprint is weak (logs without a
 * user agent), a group holds the staff's failures beside the attack's, and naming their addresses would feed
 * blocklists with innocent ones. The set is kept up to date as addresses join, leave or change standing (by
 * their attempts or their owners' sign-ins) rather than made again: a spray group with rotating addresses is judged
 * every few minutes and holds thousands of them. Shared: do not change the list.
 */
export function groupIps(g: AttemptGroup): readonly string[] {
  let named = namedIps.get(g);
  if (named === undefined) {
    const set = new Set<string>();
    g.ipInfo.map.forEachUnordered((info, ip) => {
      if (namedAddress(info)) set.add(ip);
    });
    namedIps.set(g, (named = { set, list: undefined }));
  }
  return (named.list ??= [...named.set]);
}

/** Per group: the addresses its findings name, kept up to date as addresses join, change standing or leave. */
const namedIps = new WeakMap<AttemptGroup, { set: Set<string>; list: string[] | undefined }>();

/** An address of the group became named (`on`), or stopped being named or left the group. */
function standingChanged(g: AttemptGroup, ip: string, on: boolean): void {
  const named = namedIps.get(g);
  if (named === undefined) return; // made whole when first asked for
  if (on) named.set.add(ip);
  else named.set.delete(ip);
  named.list = undefined;
}

/** Did every account tried from the address (of the three it keeps) later sign in from it? */
function ownersOnly(info: IpAttempts): boolean {
  const owners = info.owners;
  if (owners === undefined || info.users.length === 0) return false;
  for (const u of info.users) if (!owners.includes(u)) return false;
  return true;
}

/**
 * The addresses that tried any of these accounts of the group (each address keeps the first three accounts it tried;
 * an account its last four addresses), in no promised order (findings sort them): what a finding about some of a
 * group's accounts names. A brute-force finding on a spray group is rebuilt every few minutes of a days-long attack
 * while the group holds hundreds of addresses: the addresses found are kept, and only those added or changed since
 * are looked at again (the whole group only when the accounts asked for change, or a full group may have evicted some).
 */
export function accountsIps(g: AttemptGroup, accounts: readonly AccountAttempts[], keys: ReadonlySet<string>): string[] {
  let t = triedBy.get(g);
  if (t === undefined || !sameKeys(t.keys, keys) || g.ipInfo.size >= g.ipInfo.cap) {
    t = { keys: [...keys], matched: new Set(), changed: [], nets: new Set(), counted: 0, lastCounted: undefined, hosts: 0 };
    const matched = t.matched;
    g.ipInfo.map.forEachUnordered((info, ip) => {
      if (triedAny(info, keys)) matched.add(ip);
    });
    triedBy.set(g, t);
  } else {
    for (const ip of t.changed) {
      const info = g.ipInfo.map.get(ip);
      if (info !== undefined && triedAny(info, keys)) t.matched.add(ip);
    }
    t.changed.length = 0;
  }
  const out = [...t.matched];
  const more = new Set<string>();
  for (const a of accounts)
    for (const ip of a.ips)
      if (!t.matched.has(ip) && !more.has(ip)) {
        more.add(ip);
        out.push(ip);
      }
  return out;
}

/** What `accountsIps` found in a group, and the addresses added to it or given another account since. */
interface TriedBy {
  keys: string[];
  matched: Set<string>;
  changed: string[];
  /**
   * For `accountsIpsText`: the netblocks (as keys) of the first `counted` addresses of `matched`, the last of them,
   * and how many of them are host names. `matched` only grows at its end while this record is kept, so they stay
   * counted.
   */
  nets: Set<SourceKey>;
  counted: number;
  lastCounted: string | undefined;
  hosts: number;
}

/**
 * `sourcesText(ips)` for the list `accountsIps(g, ...)` has just returned: the addresses it keeps between askings
 * (the first of the list) are counted as they join, not all again each time (a brute force's finding over a spray's
 * thousands of addresses is remade every few minutes); only those it added from the accounts' own lists are counted
 * anew.
 */
export function accountsIpsText(g: AttemptGroup, ips: readonly string[]): string {
  const t = triedBy.get(g);
  const kept = t === undefined ? -1 : t.matched.size;
  // Anything but accountsIps' latest list (its kept addresses first, as counted before): the plain count.
  if (t === undefined || ips.length < kept || (t.counted > 0 && ips[t.counted - 1] !== t.lastCounted)) return sourcesText(ips);
  for (let i = t.counted; i < kept; i++) {
    const n = netKeyOf(ips[i]);
    if (n !== '') t.nets.add(n);
    else t.hosts++;
  }
  t.counted = kept;
  t.lastCounted = kept > 0 ? ips[kept - 1] : undefined;
  let hosts = t.hosts;
  let more: Set<SourceKey> | undefined;
  for (let i = kept; i < ips.length; i++) {
    const n = netKeyOf(ips[i]);
    if (n === '') hosts++;
    else if (!t.nets.has(n)) (more ??= new Set()).add(n);
  }
  return describeSources(ips.length - hosts, t.nets.size + (more?.size ?? 0), hosts);
}
const triedBy = new WeakMap<AttemptGroup, TriedBy>();

/** Note an address new to the group, or with another account tried, for `accountsIps` (when it keeps a result). */
function addressChanged(g: AttemptGroup, ip: string): void {
  const t = triedBy.get(g);
  if (t === undefined) return;
  if (t.changed.length >= 4096) triedBy.delete(g); // long unasked: cheaper to look at the whole group again
  else t.changed.push(ip);
}

function triedAny(info: IpAttempts, keys: ReadonlySet<string>): boolean {
  for (const u of info.users) if (keys.has(u)) return true;
  return false;
}

function sameKeys(had: readonly string[], keys: ReadonlySet<string>): boolean {
  if (had.length !== keys.size) return false;
  for (const k of had) if (!keys.has(k)) return false;
  return true;
}

/**
 * Did this address act as attack infrastructure in the group: tried several accounts more than a couple of times,
 * or one account at a guessing rate? A person's own address (a typo, a carrier NAT shared by two mistyping staff,
 * a stale phone retrying every 15 minutes) must not make their next sign-in a compromise.
 */
export function attackAddress(g: AttemptGroup, ip: string): boolean {
  const info = g.ipInfo.get(ip);
  return info !== undefined && attackInfo(info);
}

function attackInfo(info: IpAttempts): boolean {
  const perHour = info.n / Math.max(1, (info.last - info.first) / 3600_000);
  return (info.users.length >= 2 && info.n >= 4) || (info.n >= 10 && perHour >= 20);
}

/**
 * Failures of one account only, again and again below a guessing rate: a device with an old password (a phone
 * retrying mail every 15 minutes all day), not an attacker, who rotates addresses or moves on to other accounts.
 */
const STALE_CLIENT_RETRIES = 8;

/**
 * The accounts without those tried only by their own stale client (one address, which tried no other account, again
 * and again below a guessing rate): a phone with an old password is not a target of the attack beside it. The list
 * itself when none is (callers must not change it).
 */
export function withoutStaleOnly(g: AttemptGroup, accounts: AccountAttempts[]): AccountAttempts[] {
  let out: AccountAttempts[] | undefined;
  for (let i = 0; i < accounts.length; i++) {
    const a = accounts[i];
    // Most accounts of an attack were tried from several addresses: one length test.
    const stale = a.ips.length === 1 && staleClient(g.ipInfo.map.get(a.ips[0]));
    if (stale && out === undefined) out = accounts.slice(0, i);
    else if (!stale && out !== undefined) out.push(a);
  }
  return out ?? accounts;
}

function staleClient(info: IpAttempts | undefined): boolean {
  return info !== undefined && info.users.length === 1 && info.n >= STALE_CLIENT_RETRIES && !attackInfo(info);
}

/**
 * Does a finding about the whole group name this address: attack infrastructure always; otherwise not when its
 * every account later signed in from it (the owners' own typos) or it is a stale client. A function of the
 * address's own record only, so that the group's list changes exactly when one of them changes (see `groupIps`).
 */
function namedAddress(info: IpAttempts): boolean {
  return !staleClient(info) && (attackInfo(info) || !ownersOnly(info));
}

/**
 * Accounts still unresolved `settleMs` after their first attempt: the ones an attacker, not a typo, explains.
 * The spray and stuffing rules judge a group on the same attempt: the walk over its accounts is made once (the
 * list only changes with an attempt added to the group or an account resolved). Callers must not change it.
 */
export function settledAccounts(g: AttemptGroup, now: number, settleMs: number): AccountAttempts[] {
  const memo = settledMemo.get(g);
  if (memo && memo.now === now && memo.settleMs === settleMs && memo.attempts === g.attempts && memo.resolved === resolvedCount) return memo.list;
  const out: AccountAttempts[] = [];
  g.accounts.map.forEach((a) => {
    if (!a.resolved && now - a.first >= settleMs) out.push(a);
  });
  settledMemo.set(g, { now, settleMs, attempts: g.attempts, resolved: resolvedCount, list: out });
  return out;
}
const settledMemo = new WeakMap<AttemptGroup, { now: number; settleMs: number; attempts: number; resolved: number; list: AccountAttempts[] }>();
/** Accounts resolved so far (by any tracker): a change of it outdates every memo of settled accounts. */
let resolvedCount = 0;

/**
 * How many accounts `settledAccounts` would list, how many of them had unknown-name attempts and how many attempts
 * they made: the same numbers, without the list. For rules that usually reject a group on these numbers alone, and
 * judge large groups every few minutes: kept as running sums (see Tally), not found by a walk over the accounts.
 */
export function settledCounts(g: AttemptGroup, now: number, settleMs: number): { accounts: number; unknown: number; attempts: number } {
  let tally = tallies.get(g);
  if (tally === undefined) {
    tally = makeTally(g, now - settleMs - TALLY_SLACK_MS);
    tallies.set(g, tally);
  }
  // Accounts outside the young list have `first` <= floor, so none of them can be young when this holds (and the
  // sums then are exact); otherwise (time went far back) count the plain way.
  if (!(now - tally.floor >= settleMs)) return walkSettledCounts(g, now, settleMs);
  let { accounts, unknown, attempts } = tally;
  const { young, keys } = tally;
  const held = g.accounts.map;
  let i = young.length - 1;
  // Sorted by `first`: the young ones (first attempt less than settleMs ago) are at the end.
  for (; i >= 0; i--) {
    const a = young[i];
    if (!(now - a.first < settleMs)) break;
    if (a.resolved || held.get(keys[i]) !== a) continue; // not in the sums (resolved, or forgotten by the group)
    accounts--;
    if (a.unknown) unknown--;
    attempts -= a.n;
  }
  // Entries well before the settle time are no longer needed once most of the list is: drop them together.
  if (young.length > 256 && i + 1 > young.length / 2) {
    const floor = now - settleMs - TALLY_SLACK_MS;
    if (floor > tally.floor) {
      let cut = 0;
      while (cut < young.length && young[cut].first <= floor) cut++;
      if (cut > 0) {
        young.splice(0, cut);
        keys.splice(0, cut);
      }
      tally.floor = floor;
    }
  }
  return { accounts, unknown, attempts };
}

/** settledCounts by a walk over every account (integer sums: the order of the walk cannot change them). */
function walkSettledCounts(g: AttemptGroup, now: number, settleMs: number): { accounts: number; unknown: number; attempts: number } {
  let accounts = 0;
  let unknown = 0;
  let attempts = 0;
  g.accounts.map.forEachUnordered((a) => {
    if (a.resolved || now - a.first < settleMs) return;
    accounts++;
    if (a.unknown) unknown++;
    attempts += a.n;
  });
  return { accounts, unknown, attempts };
}

/**
 * Running sums over a group's unresolved accounts (kept by `add` and `resolve`), and the accounts that first
 * failed after `floor`, by first failure: the settled numbers at a time are the sums less the accounts still too
 * young then, which are few (the last minutes' newcomers) even when the group holds thousands. Derived from the
 * accounts on first use (after a restore too: nothing of it is saved), kept only for groups that are judged.
 */
interface Tally {
  accounts: number;
  unknown: number;
  attempts: number;
  floor: number;
  young: AccountAttempts[];
  /** The account key of each `young` entry (to tell an account the group forgot from the one it holds). */
  keys: string[];
}
const tallies = new WeakMap<AttemptGroup, Tally>();
/** How far before the settle time young accounts are kept (late events and other settle times stay cheap). */
const TALLY_SLACK_MS = 3600_000;

function makeTally(g: AttemptGroup, floor: number): Tally {
  const tally: Tally = { accounts: 0, unknown: 0, attempts: 0, floor, young: [], keys: [] };
  const young: [string, AccountAttempts][] = [];
  g.accounts.map.forEach((a, k) => {
    if (!a.resolved) {
      tally.accounts++;
      if (a.unknown) tally.unknown++;
      tally.attempts += a.n;
    }
    if (a.first > floor) young.push([k, a]);
  });
  young.sort((x, y) => x[1].first - y[1].first);
  for (const [k, a] of young) {
    tally.keys.push(k);
    tally.young.push(a);
  }
  return tally;
}

/** An account leaves the sums (resolved, or forgotten while unresolved). */
function untally(tally: Tally, a: AccountAttempts): void {
  tally.accounts--;
  if (a.unknown) tally.unknown--;
  tally.attempts -= a.n;
}

/** Insert a new account in `first` order (nearly always last: events arrive in time order). */
function addYoung(tally: Tally, key: string, a: AccountAttempts): void {
  const { young, keys } = tally;
  let j = young.length;
  while (j > 0 && young[j - 1].first > a.first) j--;
  if (j === young.length) {
    young.push(a);
    keys.push(key);
  } else {
    young.splice(j, 0, a);
    keys.splice(j, 0, key);
  }
}

/**
 * Could the group hold accounts with unknown-name attempts? False only when none of them has one: the stuffing
 * rule then knows its verdict (no unknown names) without walking the accounts. Found on first use, kept by `add`.
 */
export function mayHaveUnknownAccounts(g: AttemptGroup): boolean {
  let seen = unknownSeen.get(g);
  if (seen === undefined) {
    seen = false;
    g.accounts.map.forEach((a) => {
      if (a.unknown) seen = true;
    });
    unknownSeen.set(g, seen);
  }
  return seen;
}
const unknownSeen = new WeakMap<AttemptGroup, boolean>();

/** Attempts of one account within the last `ms` before `now`. */
export function attemptsWithin(a: AccountAttempts, now: number, ms: number): number {
  let n = 0;
  for (let i = a.recent.length - 1; i >= 0 && now - a.recent[i] <= ms; i--) n++;
  return n;
}

const byCountThenKey = (a: [unknown, number], b: [unknown, number]): number => b[1] - a[1] || (String(a[0]) < String(b[0]) ? -1 : 1);

/** The `n` keys with the highest counts, ties in key order. */
export function topKeys<K>(m: Map<K, number>, n: number): K[] {
  const first = m.keys().next().value;
  if (typeof first === 'string') return topStringKeys(m as unknown as Map<string, number>, n) as K[];
  const entries = [...m.entries()];
  entries.sort(byCountThenKey);
  const out: K[] = new Array(Math.min(n, entries.length));
  for (let i = 0; i < out.length; i++) out[i] = entries[i][0];
  return out;
}

/**
 * The first `n` of a group's netblocks in topKeys order as of its last facts (each with its count then), and the
 * netblocks counted since. A large spray has tens of thousands of netblocks and is judged again and again: sorting
 * (or even walking) them all each time cost more than everything else about it.
 */
interface NetsOrder {
  n: number;
  top: NetRank[];
  /** The entries of `top` by netblock: a changed netblock is looked up once, not each entry tested for change. */
  byKey: Map<SourceKey, NetRank>;
  changed: Set<SourceKey>;
  /** The texts of `top` as last handed out (facts share it), until the order changes. */
  out: string[] | undefined;
}
interface NetRank {
  key: SourceKey;
  /** The netblock as findings show it, which also orders netblocks of equal counts. */
  text: string;
  count: number;
  /** Where it is in `top`. */
  pos: number;
}
const netsOrder = new WeakMap<AttemptGroup, NetsOrder>();

const byNetRank = (a: NetRank, b: NetRank): number => b.count - a.count || (a.text < b.text ? -1 : 1);

/**
 * topKeys(g.nets, n), kept up to date rather than sorted anew. Counts only grow and netblocks are never removed
 * from a group, so the first `n` change only by the netblocks counted since: one already among them moves towards
 * the front (an insertion step past those it now outranks), one that was not enters if it now outranks the last
 * (which leaves; it still outranks every netblock not counted since, as it did, so the order stays the full sort's).
 * A judgement of a large spray moves a few entries a few places, where merging walked all `n` each time (3,089
 * judgements in a 1M-event Entra run: 301-307 ms of the detection thread merged, 212-222 ms moved, alternating runs).
 */
function topNets(g: AttemptGroup, n: number): string[] {
  let o = netsOrder.get(g);
  if (o === undefined || o.n !== n) {
    const texts = new Map<string, number>();
    for (const [k, c] of g.nets) texts.set(netText(k), c);
    const top = topStringKeys(texts, n).map((text, pos): NetRank => ({ key: netKey(text), text, count: texts.get(text)!, pos }));
    o = { n, top, byKey: new Map(top.map((r) => [r.key, r])), changed: new Set(), out: undefined };
    netsOrder.set(g, o);
  } else if (o.changed.size) {
    const top = o.top;
    for (const key of o.changed) {
      const count = g.nets.get(key)!;
      let r = o.byKey.get(key);
      if (r !== undefined) r.count = count;
      else {
        // Most netblocks counted since are far from the first `n`: told by their count, without making their text.
        if (top.length === n && count < top[n - 1].count) continue;
        r = { key, text: netText(key), count, pos: top.length };
        if (top.length < n) top.push(r);
        else if (byNetRank(r, top[n - 1]) < 0) {
          o.byKey.delete(top[n - 1].key);
          r.pos = n - 1;
          top[n - 1] = r;
        } else continue;
        o.byKey.set(key, r);
        o.out = undefined;
      }
      let i = r.pos;
      while (i > 0 && byNetRank(r, top[i - 1]) < 0) {
        const before = top[i - 1];
        top[i] = before;
        before.pos = i;
        i--;
      }
      if (i !== r.pos) {
        top[i] = r;
        r.pos = i;
        o.out = undefined;
      }
    }
    o.changed.clear();
  }
  if (o.out === undefined) {
    const out: string[] = new Array(o.top.length);
    for (let i = 0; i < out.length; i++) out[i] = o.top[i].text;
    o.out = out;
  }
  return o.out;
}

/**
 * topKeys for string keys (netblocks, countries), judged on every evaluation of a group: the keys are bucketed by
 * count and each bucket sorted natively (no comparator call per comparison), highest counts first, until `n` are
 * taken. The same order as sorting by (count descending, key ascending): keys are distinct.
 */
function topStringKeys(m: Map<string, number>, n: number): string[] {
  const buckets = new Map<number, string[]>();
  for (const [k, c] of m) {
    const b = buckets.get(c);
    if (b === undefined) buckets.set(c, [k]);
    else b.push(k);
  }
  const counts = [...buckets.keys()].sort((a, b) => b - a);
  const out: string[] = [];
  for (const c of counts) {
    const keys = buckets.get(c)!;
    if (keys.length > 1) keys.sort();
    for (const k of keys) {
      if (out.length >= n) return out;
      out.push(k);
    }
  }
  return out;
}

/**
 * The infrastructure and tool facts of a group, as findings carry them (and campaigns join on them). Several
 * detectors judge a group on the same attempt: the facts are made once per attempt count (only `add` changes
 * them, and it counts the attempt). Nothing changes the facts once made, so findings can share them.
 */
export function groupFacts(g: AttemptGroup): GroupFacts {
  const memo = factsMemo.get(g);
  if (memo && memo.attempts === g.attempts) return memo.facts;
  const facts = makeGroupFacts(g);
  factsMemo.set(g, { attempts: g.attempts, facts });
  return facts;
}
type GroupFacts = ReturnType<typeof makeGroupFacts>;
const factsMemo = new WeakMap<AttemptGroup, { attempts: number; facts: GroupFacts }>();

function makeGroupFacts(g: AttemptGroup) {
  return {
    netblocks: topNets(g, 1000),
    asns: firstAsns(g, 500),
    countries: topKeys(g.countries, 50),
    anonymizers: Object.fromEntries(g.anon),
    reasons: Object.fromEntries(g.reasons),
    fingerprint: { user_agent: g.ua, client_app: g.app, protocol: g.proto },
  };
}

/**
 * Counts an attempt from netblock `net`: exactly while the group knows fewer than MAX_NETS netblocks or knows this
 * one, else in the sketch (which is given the known ones as it starts, so that it counts every netblock).
 */
function countNet(g: AttemptGroup, net: SourceKey): void {
  const count = g.nets.get(net);
  if (count !== undefined || g.nets.size < MAX_NETS) {
    g.nets.set(net, (count ?? 0) + 1);
    netsOrder.get(g)?.changed.add(net);
    return;
  }
  if (g.moreNets === undefined) {
    g.moreNets = DistinctSketch.empty();
    for (const known of g.nets.keys()) g.moreNets.add(known);
  }
  g.moreNets.add(net);
}

/** How many netblocks the group's attempts came from: exact up to MAX_NETS, estimated beyond (within a few percent). */
export function netblockCount(g: AttemptGroup): number {
  return g.moreNets === undefined ? g.nets.size : Math.max(g.nets.size + 1, Math.round(g.moreNets.estimate()));
}

/** `netblockCount` as findings say it: "about N" once it is estimated. */
export function netblocksText(g: AttemptGroup): string {
  return `${g.moreNets === undefined ? '' : 'about '}${netblockCount(g)}`;
}

/**
 * The first `n` networks of a group (in the order first seen), as findings show them. Networks are only added (or
 * renamed, which drops the memo), so once `n` are listed the list stays: every finding and pending update of a
 * large spray shares one, instead of a copy of hundreds of objects per evaluation.
 */
function firstAsns(g: AttemptGroup, n: number): { number: number; name: string | undefined }[] {
  const memo = asnsShown.get(g);
  if (memo && (memo.length === n || memo.length === g.asns.size)) return memo;
  const out: { number: number; name: string | undefined }[] = [];
  for (const [number, name] of g.asns) {
    if (out.length >= n) break;
    out.push({ number, name: name || undefined });
  }
  asnsShown.set(g, out);
  return out;
}
const asnsShown = new WeakMap<AttemptGroup, { number: number; name: string | undefined }[]>();

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
  for (const [ip, x] of g.ipInfo.map) ips.push(x.owners ? [ip, x.n, x.users, x.first, x.last - x.first, x.owners] : [ip, x.n, x.users, x.first, x.last - x.first]);
  const tail = g.tail.map(asEvidence);
  const nets = new Map<string, number>();
  for (const [k, c] of g.nets) nets.set(netText(k), c);
  return { ...g, accounts, accountsCap: g.accounts.cap, ipInfo: ips, ipCap: g.ipInfo.cap, tail, nets, moreNets: g.moreNets?.toJSON() };
}

export function unpackGroup(p: any): AttemptGroup {
  if (p.accounts instanceof BoundedMap) return withDefaults(p); // saved before packing existed
  const accounts = new BoundedMap<string, AccountAttempts>(p.accountsCap);
  for (const [k, user, first, span, n, flags, ips, recent] of p.accounts) {
    accounts.map.set(k, { user: user === 0 ? k : user, first, last: first + span, n, unknown: !!(flags & 1), resolved: !!(flags & 2), valid: !!(flags & 4), ips, recent: recent.map((d: number) => first + d) });
  }
  const ipInfo = new BoundedMap<string, IpAttempts>(p.ipCap);
  for (const [ip, n, users, first, span, owners] of p.ipInfo) ipInfo.map.set(ip, owners ? { n, users, first, last: first + span, owners } : { n, users, first, last: first + span });
  const { accountsCap: _a, ipCap: _i, ...rest } = p;
  return withDefaults({ ...rest, accounts, ipInfo });
}

/** Members that groups saved by older versions lack. */
function withDefaults(g: any): AttemptGroup {
  const nets = new Map<SourceKey, number>();
  const saved: Iterable<[string, number]> = g.nets instanceof Map ? g.nets : Object.entries(g.nets ?? {});
  for (const [text, c] of saved) nets.set(netKey(text), c);
  return { ...g, nets, moreNets: DistinctSketch.fromJSON(g.moreNets), order: g.order ?? [...g.accounts.map.keys()], evaluatedAttempts: g.evaluatedAttempts ?? {}, scanned: g.scanned ?? {}, head: g.head ?? [], tail: g.tail ?? [], reportedAs: g.reportedAs ?? '' };
}
