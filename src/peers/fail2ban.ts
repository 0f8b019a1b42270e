/**
 * @module peers/fail2ban
 * fail2ban's default sshd jail (jail.conf: maxretry 5, findtime 10m, bantime 10m), re-implemented to score it on
 * Vigil's worlds, replayed in event time: an address is banned when it has `maxretry` failures within `findtime`;
 * each ban is an alert. While banned, its failures are not counted (fail2ban reports "already banned"); after the
 * ban its count starts again. Applied to the normalised failures of every format (fail2ban reads any log it has a
 * filter for; this is its best case outside sshd).
 */
import { accountKey, byTime, isCredentialFailure, type PeerAlert, type PeerEvent } from './types.js';

export const FAIL2BAN_SSHD = { maxretry: 5, findtimeMs: 10 * 60_000, bantimeMs: 10 * 60_000 };

interface Address {
  failures: { t: number; account: string }[];
  bannedUntil: number;
}

export function fail2ban(events: readonly PeerEvent[], p = FAIL2BAN_SSHD): PeerAlert[] {
  const addresses = new Map<string, Address>();
  const alerts: PeerAlert[] = [];
  for (const ev of byTime(events)) {
    const ip = ev.src_endpoint.ip;
    if (!ip || !isCredentialFailure(ev)) continue;
    const tenant = ev.metadata.tenant_uid;
    const key = `${tenant}\u0000${ip}`;
    let a = addresses.get(key);
    if (!a) addresses.set(key, (a = { failures: [], bannedUntil: -Infinity }));
    if (ev.time < a.bannedUntil) continue;
    a.failures.push({ t: ev.time, account: accountKey(ev) });
    while (a.failures.length && a.failures[0].t <= ev.time - p.findtimeMs) a.failures.shift();
    if (a.failures.length < p.maxretry) continue;
    alerts.push({
      peer: 'fail2ban',
      rule: 'sshd',
      tenant,
      ips: [ip],
      accounts: [...new Set(a.failures.map((f) => f.account))].sort(),
      first: a.failures[0].t,
      last: ev.time,
      time: ev.time,
      type: 'brute_force',
    });
    a.failures = [];
    a.bannedUntil = ev.time + p.bantimeMs;
  }
  return alerts;
}
