/**
 * @module peers/sentinel-spray
 * Microsoft Sentinel's analytic rule "Password spray attack against Azure AD application" (SigninPasswordSpray,
 * Azure-Sentinel, Solutions/Azure Active Directory/Analytic Rules), re-implemented from its published logic to
 * score it on Vigil's worlds:
 *
 * - failures are the result codes 50053 (locked), 50126 (bad user name or password) and 50055 (password expired);
 * - an address breaches when, in one 20-minute bin (and one application), at least 5 distinct accounts fail from it;
 * - an address that breached at least once is reported, with every failure from it, if more distinct accounts
 *   failed from it than succeeded (the rule's "success" codes include MFA interrupts and expired passwords);
 * - the alert lists at most 20 account names (the rule's `make_set(UserPrincipalName, 20)`).
 *
 * Sentinel workspaces hold one organisation's logs, so everything is also keyed by tenant. The rule runs once a day
 * over the last three days; here it is evaluated once over the whole input, and `time` is the event that completed
 * the first breaching bin's fifth account (the schedule adds up to a day to that in production).
 */
import { accountKey, byTime, entraCode, type PeerAlert, type PeerEvent } from './types.js';

export const SENTINEL_SPRAY = {
  windowMs: 20 * 60_000,
  threshold: 5,
  maxNames: 20,
  failureCodes: new Set([50053, 50126, 50055]),
  successCodes: new Set([0, 50055, 50057, 50155, 50105, 50133, 50005, 50076, 50079, 50173, 50158, 50072, 50074, 53003, 53000, 53001, 50129]),
};

interface AddressState {
  tenant: string;
  ip: string;
  failed: Set<string>;
  succeeded: Set<string>;
  /** Failed accounts in order of first failure (for the 20 names the alert shows). */
  names: string[];
  first: number;
  last: number;
  /** Distinct failed accounts per bin and application. */
  bins: Map<string, Set<string>>;
  breachedAt: number | undefined;
}

export function sentinelSpray(events: readonly PeerEvent[], p = SENTINEL_SPRAY): PeerAlert[] {
  const byAddress = new Map<string, AddressState>();
  for (const ev of byTime(events)) {
    const ip = ev.src_endpoint.ip;
    const code = entraCode(ev);
    if (!ip || ip === '127.0.0.1' || code === undefined) continue;
    const failure = p.failureCodes.has(code);
    const success = p.successCodes.has(code);
    if (!failure && !success) continue;
    const tenant = ev.metadata.tenant_uid;
    const key = `${tenant}\u0000${ip}`;
    let a = byAddress.get(key);
    if (!a) byAddress.set(key, (a = { tenant, ip, failed: new Set(), succeeded: new Set(), names: [], first: Infinity, last: -Infinity, bins: new Map(), breachedAt: undefined }));
    const account = accountKey(ev);
    if (success) a.succeeded.add(account);
    if (!failure) continue;
    if (!a.failed.has(account)) {
      a.failed.add(account);
      a.names.push(account);
    }
    a.first = Math.min(a.first, ev.time);
    a.last = Math.max(a.last, ev.time);
    const bin = `${Math.floor(ev.time / p.windowMs)}\u0000${ev.service?.name ?? ''}`;
    let accounts = a.bins.get(bin);
    if (!accounts) a.bins.set(bin, (accounts = new Set()));
    accounts.add(account);
    if (accounts.size >= p.threshold && a.breachedAt === undefined) a.breachedAt = ev.time;
  }
  const alerts: PeerAlert[] = [];
  for (const a of byAddress.values()) {
    if (a.breachedAt === undefined || a.failed.size <= a.succeeded.size) continue;
    alerts.push({
      peer: 'sentinel',
      rule: 'SigninPasswordSpray',
      tenant: a.tenant,
      ips: [a.ip],
      accounts: a.names.slice(0, p.maxNames),
      first: a.first,
      last: a.last,
      time: a.breachedAt,
      type: 'password_spray',
    });
  }
  return alerts.sort((x, y) => x.time - y.time || (x.tenant < y.tenant ? -1 : x.tenant > y.tenant ? 1 : 0) || (x.ips[0] < y.ips[0] ? -1 : 1));
}
