/**
 * @module detect/profiles
 * What is normal for each organisation and account, learned from successful sign-ins: the addresses, networks,
 * countries and anonymisers an account really uses, and the addresses the organisation's people sign in from
 * (office NAT, VPN gateway). Detectors ask "is this source familiar?" to keep typos, stale phones and travellers
 * quiet while unfamiliar infrastructure counts. Memory is bounded: small recency lists per account, a capped
 * address map per organisation, and accounts idle beyond the retention are forgotten.
 */
import { interned } from './intern.js';
import { BoundedMap, remembered } from './lru.js';
import type { Signal } from './signal.js';

export interface UserProfile {
  ips: string[];
  nets: string[];
  asns: number[];
  countries: string[];
  anon: string[];
  lastOk?: { t: number; ip: string; lat?: number; lon?: number; country: string; anon: string };
  lastSeen: number;
  successes: number;
}

export interface TenantProfile {
  /** Address -> last successful sign-in time, for any account of the organisation. */
  knownIps: BoundedMap<string, number>;
  users: Map<string, UserProfile>;
  /** Tool fingerprint -> routine successes with it (from sources the account knows): the tools staff use. */
  routineTools: BoundedMap<string, number>;
  firstSeen: number;
}

const USER_LIST_CAP = 8;
const TENANT_IP_CAP = 20000;
const RETENTION_MS = 30 * 86400_000;
/** Routine successes with a tool before it counts as the staff's own (and stops identifying an attacker). */
const ROUTINE_TOOL_SUCCESSES = 3;

export class Profiles {
  readonly tenants = new Map<string, TenantProfile>();
  private lastSweep = 0;
  /**
   * The signal last looked up and its organisation's and account's profiles: detectors ask about the same signal
   * in turn, and nothing changes the profiles until `observe` (which forgets this).
   */
  private looked: Signal | undefined;
  private lookedTenant: TenantProfile | undefined;
  private lookedUser: UserProfile | undefined;

  private lookUp(s: Signal): void {
    this.looked = s;
    this.lookedTenant = this.tenants.get(s.tenant);
    this.lookedUser = this.lookedTenant?.users.get(s.userKey);
  }

  tenant(id: string, t: number): TenantProfile {
    let p = this.tenants.get(id);
    if (!p) {
      p = { knownIps: new BoundedMap(TENANT_IP_CAP), users: new Map(), routineTools: new BoundedMap(5000), firstSeen: t };
      this.tenants.set(id, p);
    }
    return p;
  }

  user(s: Signal): UserProfile | undefined {
    if (s !== this.looked) this.lookUp(s);
    return this.lookedUser;
  }

  /** Has anyone of this organisation signed in successfully from this address within the retention? */
  tenantKnowsIp(s: Signal): boolean {
    if (s !== this.looked) this.lookUp(s);
    const seen = this.lookedTenant?.knownIps.get(s.ip);
    return seen !== undefined && s.t - seen < RETENTION_MS;
  }

  /** Is the source one this account has succeeded from (same address, or same /24 and network)? */
  userKnowsSource(s: Signal): boolean {
    const u = this.user(s);
    if (!u) return false;
    return u.ips.includes(s.ip) || (s.net !== '' && u.nets.includes(s.net));
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
      u = { ips: [], nets: [], asns: [], countries: [], anon: [], lastSeen: s.t, successes: 0 };
      tp.users.set(s.userKey, u);
    }
    u.lastSeen = Math.max(u.lastSeen, s.t);
    if (!s.ok) return;
    u.successes++;
    if (u.ips.includes(s.ip) || (s.net !== '' && u.nets.includes(s.net))) tp.routineTools.set(s.fp, (tp.routineTools.get(s.fp) ?? 0) + 1);
    if (s.ip) {
      u.ips = remembered(u.ips, s.ip, USER_LIST_CAP);
      tp.knownIps.set(s.ip, s.t);
    }
    if (s.net) u.nets = remembered(u.nets, s.net, USER_LIST_CAP);
    if (s.asn) u.asns = remembered(u.asns, s.asn, USER_LIST_CAP);
    if (s.country) u.countries = remembered(u.countries, interned(s.country), USER_LIST_CAP);
    if (s.anon) u.anon = remembered(u.anon, s.anon, USER_LIST_CAP);
    u.lastOk = { t: s.t, ip: s.ip, lat: s.lat, lon: s.lon, country: interned(s.country), anon: s.anon };
    if (s.t - this.lastSweep > 86400_000) this.sweep(s.t);
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const tp of this.tenants.values()) {
      for (const [k, u] of tp.users) if (now - u.lastSeen > RETENTION_MS) tp.users.delete(k);
    }
  }
}
