/**
 * @module peers/elastic-bruteforce
 * Elastic's prebuilt rule "Entra ID User Sign-in Brute Force Attempted" (elastic/detection-rules,
 * rules/integrations/azure/credential_access_entra_id_brute_force_activity.toml, ES|QL), re-implemented from its
 * published logic to score it on Vigil's worlds:
 *
 * - events: failed single-factor sign-ins (not an MFA step) with one of the rule's result codes, a user name, not
 *   the MSAL PKeyAuth user agent and not from Microsoft's own AS;
 * - 15-minute buckets (`date_trunc`); per bucket: distinct users, distinct error kinds (the rule counts distinct
 *   result descriptions, one per result code), distinct addresses, events, and the seconds from first to last;
 * - classified in the rule's order: credential stuffing (>= 10 users, >= 30 events, <= 3 error kinds, >= 5
 *   addresses, <= 10 minutes, more users than addresses), password spraying (>= 15 users, 1 error kind, >= 15
 *   events, <= 30 minutes), password guessing (1 user, 1 error kind, >= 30 events, <= 5 minutes; or <= 3 users from
 *   more than 30 addresses with >= 100 events); one alert per classified bucket.
 *
 * The published rule buckets by time alone (one Elastic index per organisation is the common deployment); here
 * buckets are per tenant, so organisations in one world do not add up. Users are counted by name (the rule counts
 * user ids, which unknown names lack: counting names can only help the rule). The rule runs every hour; `time` is the
 * bucket's last event, the earliest it could have been reported.
 */
import type { AttackType } from '../simulate/scenarios.js';
import { accountKey, entraCode, type PeerAlert, type PeerEvent } from './types.js';

export const ELASTIC_BRUTEFORCE = {
  bucketMs: 15 * 60_000,
  codes: new Set([50034, 50126, 50055, 50056, 50057, 50064, 50076, 50079, 50105, 70000, 70008, 70043, 80002, 80005, 50144, 50135, 50142, 120000, 120002, 120020]),
  ignoredUserAgent: 'Mozilla/5.0 (compatible; MSAL 1.0) PKeyAuth/1.0',
  ignoredAsOrg: 'microsoft-corp-msn-as-block',
};

interface Bucket {
  tenant: string;
  start: number;
  users: Set<string>;
  kinds: Set<number>;
  ips: Set<string>;
  events: number;
  first: number;
  last: number;
}

/** The rule's CASE: the first kind whose conditions the bucket meets, or undefined ("other", not reported). */
export function classifyBucket(b: { users: number; kinds: number; ips: number; events: number; seconds: number }): 'credential_stuffing' | 'password_spraying' | 'password_guessing' | undefined {
  if (b.users >= 10 && b.events >= 30 && b.kinds <= 3 && b.ips >= 5 && b.seconds <= 600 && b.users > b.ips) return 'credential_stuffing';
  if (b.users >= 15 && b.kinds === 1 && b.events >= 15 && b.seconds <= 1800) return 'password_spraying';
  if ((b.users === 1 && b.kinds === 1 && b.events >= 30 && b.seconds <= 300) || (b.users <= 3 && b.ips > 30 && b.events >= 100)) return 'password_guessing';
  return undefined;
}

const TYPE_OF: Record<NonNullable<ReturnType<typeof classifyBucket>>, AttackType> = {
  credential_stuffing: 'credential_stuffing',
  password_spraying: 'password_spray',
  password_guessing: 'brute_force',
};

export function elasticBruteForce(events: readonly PeerEvent[], p = ELASTIC_BRUTEFORCE): PeerAlert[] {
  const buckets = new Map<string, Bucket>();
  for (const ev of events) {
    if (ev.status_id !== 2 || ev.is_mfa === true) continue;
    const code = entraCode(ev);
    if (code === undefined || !p.codes.has(code)) continue;
    if (!ev.user.name) continue;
    if (ev.http_request?.user_agent === p.ignoredUserAgent) continue;
    if (ev.src_endpoint.autonomous_system?.name?.toLowerCase() === p.ignoredAsOrg) continue;
    const tenant = ev.metadata.tenant_uid;
    const start = Math.floor(ev.time / p.bucketMs) * p.bucketMs;
    const key = `${tenant}\u0000${start}`;
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = { tenant, start, users: new Set(), kinds: new Set(), ips: new Set(), events: 0, first: Infinity, last: -Infinity }));
    b.users.add(accountKey(ev));
    b.kinds.add(code);
    if (ev.src_endpoint.ip) b.ips.add(ev.src_endpoint.ip);
    b.events++;
    b.first = Math.min(b.first, ev.time);
    b.last = Math.max(b.last, ev.time);
  }
  const alerts: PeerAlert[] = [];
  for (const b of buckets.values()) {
    const kind = classifyBucket({ users: b.users.size, kinds: b.kinds.size, ips: b.ips.size, events: b.events, seconds: Math.floor((b.last - b.first) / 1000) });
    if (!kind) continue;
    alerts.push({
      peer: 'elastic',
      rule: `entra-brute-force:${kind}`,
      tenant: b.tenant,
      ips: [...b.ips].sort(),
      accounts: [...b.users].sort(),
      first: b.first,
      last: b.last,
      time: b.last,
      type: TYPE_OF[kind],
    });
  }
  return alerts.sort((x, y) => x.time - y.time || (x.tenant < y.tenant ? -1 : x.tenant > y.tenant ? 1 : 0));
}
