/**
 * @module detect/profiles
 * What is normal for each organisation and account, learned from successful sign-ins: the addresses, networks,
 * countries and anonymisers an account really uses, and the addresses the organisation's people sign in from
 * (office NAT, VPN gateway). Detectors ask "is this source familiar?" to keep typos, stale phones and travellers
 * quiet while unfamiliar infrastructure counts. Memory is bounded: small recency lists per account, a capped
 * address map per organisation, and accounts idle beyond the retention are forgotten.
 *
 * A profile is kept for every account that signed in (100,000 and more on a large stream), so it is kept small:
 * IPv4 addresses and their /24 netblocks are numbers in the lists rather than strings of their own, a list never
 * filled is one shared empty list, and the last success lives in the profile's own fields. Checkpoints hold the
 * readable form (the one earlier versions saved, which restores as well).
 */
import { interned } from './intern.js';
import { KnownAddresses } from './known-addresses.js';
import { BoundedMap, type Entry } from './lru.js';
import type { Signal } from './signal.js';

/** The last successful sign-in of an account, as impossible travel and anonymiser sign-ins compare it. */
export interface LastSuccess {
  t: number;
  ip: string;
  lat?: number;
  lon?: number;
  country: string;
  anon: string;
  /** Its network (autonomous system number; 0 unknown). */
  asn: number;
}

/** The detectors' per-account memories a profile's `watch` bits stand for. */
export const Watch = {
  /** The attempt tracker's groups per account (resolved failures, compromise checks). */
  groups: 1,
  /** Slow guessing's failure tallies. */
  slowGuessing: 2,
  /** MFA fatigue's prompt counts. */
  mfa: 4,
} as const;
/** Every bit: a memory added to `Watch` is covered from the start (a bit left clear would skip its lookups). */
const WATCH_ALL = Object.values(Watch).reduce((all, bit) => all | bit, 0);

/** The profile fields that keep an account's entry in a per-account map: slow guessing's, the attempt tracker's, account compromise's. */
export type EntrySlot = 'slowGuessingEntry' | 'groupsEntry' | 'compromiseEntry';

/** An address or netblock in a profile's lists: a number for IPv4 in its usual written form, else the text. */
export type SourceKey = number | string;

/** A list never filled: one frozen array shared by all profiles (an empty list is replaced, never changed). */
const NONE: readonly never[] = Object.freeze([]);

export class UserProfile {
  /** Addresses and netblocks the account succeeded from, most recent last (see `addressKey`, `netKey`). */
  ips: readonly SourceKey[] = NONE;
  nets: readonly SourceKey[] = NONE;
  /**
   * One bit per key of `ips` and of `nets` (`sourceBit`), kept with every change of a list: a clear bit proves the
   * key is not in it, so an unfamiliar source (most failures of an attack) is told from the profile alone, without
   * reaching the two lists (four more objects, cold in the cache).
   */
  ipBits = 0;
  netBits = 0;
  /** Countries and anonymiser kinds it succeeded from, most recent last. */
  countries: readonly string[] = NONE;
  anon: readonly string[] = NONE;
  successes = 0;
  /**
   * Which per-account memories of the detectors may hold this account (`Watch` bits). A bit is cleared only by a
   * lookup that found nothing, and set again by every entry made while this profile exists; a new or restored
   * profile starts with all set. So a clear bit proves the memory has no entry, and a success of an account nobody
   * attacked skips those lookups (each a probe into a map of 100,000 accounts, cold in the cache).
   */
  watch: number = WATCH_ALL;
  /**
   * The account's entries in detectors' per-account maps when last looked up (see `Profiles.accountEntry`), by slot
   * (`EntrySlot`). A cache, never saved.
   */
  slowGuessingEntry: Entry<string, unknown> | undefined = undefined;
  groupsEntry: Entry<string, unknown> | undefined = undefined;
  compromiseEntry: Entry<string, unknown> | undefined = undefined;
  /**
   * The last success, field by field (no object per success); `okT` is NaN before the first. Its address is the
   * last of `ips` (`okIp` undefined) unless it had none ('').
   */
  private okT = NaN;
  private okIp: string | undefined = '';
  private okLat: number | undefined = undefined;
  private okLon: number | undefined = undefined;
  private okCountry = '';
  private okAnon = '';
  private okAsn = 0;

  constructor(public lastSeen: number) {}

  get lastOk(): LastSuccess | undefined {
    if (Number.isNaN(this.okT)) return undefined;
    const ip = this.okIp ?? addressText(this.ips[this.ips.length - 1]);
    return { t: this.okT, ip, lat: this.okLat, lon: this.okLon, country: this.okCountry, anon: this.okAnon, asn: this.okAsn };
  }

  /** Record the last success; `ip` undefined: its address is the last of `ips`. */
  setLastOk(t: number, ip: string | undefined, lat: number | undefined, lon: number | undefined, country: string, anon: string, asn: number): void {
    this.okT = t;
    this.okAsn = asn;
    this.okIp = ip;
    this.okLat = lat;
    this.okLon = lon;
    this.okCountry = country;
    this.okAnon = anon;
  }

  /**
   * Has the account succeeded from this country? Its last success's country, a field of the profile itself, answers
   * most sign-ins (people sign in from where they did last) without reaching the list, cold in the cache.
   */
  knowsCountry(country: string): boolean {
    return (country === this.okCountry && country !== '') || this.countries.includes(country);
  }

  /** Checkpoints: the readable form, as versions before this one saved it (less the ASN list nothing read). */
  toJSON(): unknown {
    return {
      ips: this.ips.map(addressText),
      nets: this.nets.map(netText),
      countries: this.countries,
      anon: this.anon,
      lastSeen: this.lastSeen,
      successes: this.successes,
      lastOk: this.lastOk,
    };
  }

  /** A profile saved by `toJSON`, or by earlier versions (the same form, with an ASN list). */
  static restored(p: any): UserProfile {
    const u = new UserProfile(p.lastSeen);
    u.successes = p.successes ?? 0;
    u.ips = rebuilt(p.ips, addressKey);
    u.nets = rebuilt(p.nets, netKey);
    u.ipBits = sourceBits(u.ips);
    u.netBits = sourceBits(u.nets);
    u.countries = rebuilt(p.countries, interned);
    u.anon = rebuilt(p.anon, interned);
    const ok = p.lastOk;
    if (ok) {
      const last = u.ips.length ? u.ips[u.ips.length - 1] : undefined;
      u.setLastOk(ok.t, ok.ip !== '' && last === addressKey(ok.ip) ? undefined : ok.ip, ok.lat, ok.lon, interned(ok.country), interned(ok.anon), ok.asn ?? 0);
    }
    return u;
  }
}

export interface TenantProfile {
  /** Addresses any account of the organisation signed in from, with the time of the latest success. */
  knownIps: KnownAddresses;
  users: Map<string, UserProfile>;
  /** Tool fingerprint -> routine successes with it (from sources the account knows): the tools staff use. */
  routineTools: BoundedMap<string, number>;
  firstSeen: number;
}

/**
 * Organisation -> profile. An organisation set from outside (a restored checkpoint, whose accounts are plain data)
 * has its accounts brought to the working form here: `Engine.restore` sets the saved organisations as they are.
 */
class TenantMap extends Map<string, TenantProfile> {
  override set(id: string, p: TenantProfile): this {
    for (const [k, u] of p.users) if (!(u instanceof UserProfile)) p.users.set(k, UserProfile.restored(u));
    if (!(p.knownIps instanceof KnownAddresses)) p.knownIps = KnownAddresses.restored(p.knownIps, TENANT_IP_CAP, addressKey);
    return super.set(id, p);
  }
}

const USER_LIST_CAP = 8;
const TENANT_IP_CAP = 20000;
const RETENTION_MS = 30 * 86400_000;
/** Routine successes with a tool before it counts as the staff's own (and stops identifying an attacker). */
const ROUTINE_TOOL_SUCCESSES = 3;

export class Profiles {
  readonly tenants: Map<string, TenantProfile> = new TenantMap();
  private lastSweep = 0;
  /**
   * The signal last looked up and its organisation's and account's profiles: detectors ask about the same signal
   * in turn, and nothing changes the profiles until `observe` (which forgets this).
   */
  private looked: Signal | undefined;
  private lookedTenant: TenantProfile | undefined;
  private lookedUser: UserProfile | undefined;
  /** The signal whose address was last made into a list key, and the key (a signal carries its netblock's key). */
  private keyed: Signal | undefined;
  private ipKey: SourceKey = '';

  /**
   * The signal's account's entry in `map`, which is keyed by `key(s)`: kept in the account's profile (`slot`) between
   * its events, so that a success or failure of a known account finds it without a key made and hashed for the event
   * (an entry stands for its key until `removed`, see `BoundedMap.entry`); looked up, and kept, otherwise.
   */
  accountEntry<V>(s: Signal, slot: EntrySlot, map: BoundedMap<string, V>, key: (s: Signal) => string): Entry<string, V> | undefined {
    const u = this.user(s);
    const kept = u?.[slot] as Entry<string, V> | undefined;
    if (kept !== undefined && !kept.removed) return kept;
    const e = map.entry(key(s));
    if (u !== undefined) u[slot] = e;
    return e;
  }

  /** Keep an entry just made for the signal's account (by `set`) in its profile's `slot` (see `accountEntry`). */
  keepEntry(s: Signal, slot: EntrySlot, e: Entry<string, unknown>): void {
    const u = this.user(s);
    if (u !== undefined) u[slot] = e;
  }

  private lookUp(s: Signal): void {
    this.looked = s;
    this.lookedTenant = this.tenants.get(s.tenant);
    this.lookedUser = this.lookedTenant?.users.get(s.userKey);
  }

  tenant(id: string, t: number): TenantProfile {
    let p = this.tenants.get(id);
    if (!p) {
      p = { knownIps: new KnownAddresses(TENANT_IP_CAP), users: new Map(), routineTools: new BoundedMap(5000), firstSeen: t };
      this.tenants.set(id, p);
    }
    return p;
  }

  user(s: Signal): UserProfile | undefined {
    if (s !== this.looked) this.lookUp(s);
    return this.lookedUser;
  }

  /**
   * May the memory of `bit` (see `Watch`) hold the signal's account? false only when a lookup since the account's
   * last entry there found nothing; always true for an account without a profile (only a profile carries the bits).
   */
  mayHold(s: Signal, bit: number): boolean {
    const u = this.user(s);
    return u === undefined || (u.watch & bit) !== 0;
  }

  /** The memory of `bit` now holds the signal's account, or a lookup found that it does not. */
  held(s: Signal, bit: number, holds: boolean): void {
    const u = this.user(s);
    if (u !== undefined) u.watch = holds ? u.watch | bit : u.watch & ~bit;
  }

  /** Has anyone of this organisation signed in successfully from this address within the retention? */
  tenantKnowsIp(s: Signal): boolean {
    if (s !== this.looked) this.lookUp(s);
    if (s !== this.keyed) this.keyOf(s);
    const seen = this.lookedTenant?.knownIps.lastSuccess(this.ipKey);
    return seen !== undefined && s.t - seen < RETENTION_MS;
  }

  /** The same question for an address and time of the organisation (a remembered event rather than a signal). */
  tenantKnowsAddress(tenant: string, ip: string, t: number): boolean {
    const seen = this.tenants.get(tenant)?.knownIps.lastSuccess(addressKey(ip));
    return seen !== undefined && t - seen < RETENTION_MS;
  }

  /** Is the source one this account has succeeded from (same address, or same /24 and network)? */
  userKnowsSource(s: Signal): boolean {
    const u = this.user(s);
    return u !== undefined && this.knows(u, s);
  }

  /** Makes the signal's address into a list key (once per signal). */
  private keyOf(s: Signal): void {
    this.keyed = s;
    this.ipKey = addressKey(s.ip);
  }

  private knows(u: UserProfile, s: Signal): boolean {
    if (s !== this.keyed) this.keyOf(s);
    const ip = this.ipKey;
    if ((u.ipBits & sourceBit(ip)) !== 0 && u.ips.includes(ip)) return true;
    const net = s.netKey;
    return net !== '' && (u.netBits & sourceBit(net)) !== 0 && u.nets.includes(net);
  }

  /** Is this tool fingerprint one the organisation's staff routinely sign in with (so it identifies no attacker)? */
  routineTool(tenant: string, fp: string): boolean {
    return (this.tenants.get(tenant)?.routineTools.get(fp) ?? 0) >= ROUTINE_TOOL_SUCCESSES;
  }

  /** Learn from the event after detectors have judged it. */
  observe(s: Signal): void {
    if (s !== this.looked) this.lookUp(s);
    const tp = this.lookedTenant ?? this.tenant(s.tenant, s.t);
    let u = this.lookedUser;
    this.looked = undefined; // what follows may add or forget profiles
    if (!u) {
      if (!s.passwordValid) return; // failed attempts on never-seen names teach nothing and must not grow memory
      u = new UserProfile(s.t);
      tp.users.set(s.userKey, u);
    }
    u.lastSeen = Math.max(u.lastSeen, s.t);
    if (!s.ok) return;
    u.successes++;
    if (this.knows(u, s)) tp.routineTools.set(s.fp, (tp.routineTools.get(s.fp) ?? 0) + 1);
    if (s.ip) {
      if (s !== this.keyed) this.keyOf(s);
      u.ips = withLast(u.ips, this.ipKey, USER_LIST_CAP);
      u.ipBits = sourceBits(u.ips);
      tp.knownIps.succeeded(this.ipKey, s.t);
    }
    if (s.netKey !== '') {
      u.nets = withLast(u.nets, s.netKey, USER_LIST_CAP);
      u.netBits = sourceBits(u.nets);
    }
    const country = interned(s.country);
    if (s.country) u.countries = withLast(u.countries, country, USER_LIST_CAP);
    if (s.anon) u.anon = withLast(u.anon, s.anon, USER_LIST_CAP);
    u.setLastOk(s.t, s.ip === '' ? '' : undefined, s.lat, s.lon, country, s.anon, s.asn); // an address is the last of `ips` now
    if (s.t - this.lastSweep > 86400_000) this.sweep(s.t);
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const tp of this.tenants.values()) {
      for (const [k, u] of tp.users) if (now - u.lastSeen > RETENTION_MS) tp.users.delete(k);
    }
  }
}

/**
 * `list` with `v` moved (or added) last, at most `cap` long: `list` itself, changed in place, when its length stays
 * (`v` was in it, or it is full and its oldest gives way); else a new exact-size list. A profile's lists are its
 * own (no other holds them) and read only while an event is judged, so changing them in place is safe; a new list
 * for every success from another address was most of what learning allocated, each promoted with its profile.
 * Filled element by element (not concatenated), so that numbers are stored unboxed.
 */
export function withLast<T>(list: readonly T[], v: T, cap: number): readonly T[] {
  const n = list.length;
  if (n && list[n - 1] === v) return list;
  const at = list.indexOf(v);
  if (n > 0 && n <= cap && (at >= 0 || n === cap)) {
    const own = list as T[];
    for (let i = at >= 0 ? at : 0; i < n - 1; i++) own[i] = own[i + 1];
    own[n - 1] = v;
    return own;
  }
  const others = at >= 0 ? n - 1 : n;
  const out: T[] = new Array(Math.min(others + 1, cap));
  let skip = others + 1 - out.length; // the oldest ones beyond the cap
  let j = 0;
  for (let i = 0; i < n; i++) {
    if (i === at) continue;
    if (skip > 0) skip--;
    else out[j++] = list[i];
  }
  out[j] = v;
  return out;
}

/**
 * A source key's bit among 30 (a small integer to V8, kept in the profile itself): IPv4 addresses and /24s by a mix
 * of their bytes; any other key (text, rare) has every bit, so a list holding one is always searched.
 */
export function sourceBit(k: SourceKey): number {
  if (typeof k !== 'number') return ALL_SOURCE_BITS;
  return 1 << ((k ^ (k >>> 8) ^ (k >>> 16) ^ (k >>> 24)) & 0xff) % 30;
}
const ALL_SOURCE_BITS = (1 << 30) - 1;

/** The bits of every key of a list (see `sourceBit`). */
function sourceBits(list: readonly SourceKey[]): number {
  let bits = 0;
  for (let i = 0; i < list.length; i++) bits |= sourceBit(list[i]);
  return bits;
}

/** A saved list in the working form (the shared empty list when empty). */
function rebuilt<T>(saved: string[] | undefined, key: (x: string) => T): readonly T[] {
  if (!saved?.length) return NONE;
  const out: T[] = new Array(saved.length);
  for (let i = 0; i < saved.length; i++) out[i] = key(saved[i]);
  return out;
}

/**
 * The number of `parts` dot-separated decimal bytes in their usual form (no sign, no leading zero, at most 255)
 * that make up `text` up to `end`, or -1 when it is anything else. Only the usual form becomes a number, so a
 * number stands for exactly one text and comparing keys is comparing texts.
 */
function dottedBytes(text: string, end: number, parts: number): number {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots === parts) return -1;
      n = n * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return -1;
      part = part * 10 + (c - 48);
      if (part > 255) return -1;
      digits++;
    } else return -1;
  }
  return dots === parts - 1 && digits > 0 ? n * 256 + part : -1;
}

/**
 * An address as a list key: an IPv4 address in its usual form as its 32 bits read as a signed integer, anything
 * else as it is. Signed, every IPv4 key is a small integer to V8: a map compares it in place, while an unsigned
 * one from 128.0.0.0 up is a boxed number that each lookup must load to compare (about twice as slow) and that
 * costs memory of its own.
 */
export function addressKey(ip: string): SourceKey {
  const n = dottedBytes(ip, ip.length, 4);
  return n < 0 ? ip : n | 0;
}

/** A netblock as a list key: an IPv4 /24 as `netblockOf` writes it ('a.b.c.0/24') as a.b.c's number, else as it is. */
export function netKey(net: string): SourceKey {
  if (!net.endsWith('.0/24')) return net;
  const n = dottedBytes(net, net.length - 5, 3);
  return n < 0 ? net : n;
}

export function addressText(k: SourceKey): string {
  return typeof k === 'string' ? k : `${k >>> 24}.${(k >>> 16) & 255}.${(k >>> 8) & 255}.${k & 255}`;
}

export function netText(k: SourceKey): string {
  return typeof k === 'string' ? k : `${k >>> 16}.${(k >>> 8) & 255}.${k & 255}.0/24`;
}
