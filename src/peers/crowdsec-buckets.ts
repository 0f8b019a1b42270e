/**
 * @module peers/crowdsec-buckets
 * CrowdSec's SSH brute-force scenarios (crowdsecurity/hub, scenarios/crowdsecurity/ssh-bf.yaml and
 * ssh-slow-bf.yaml), re-implemented from the published scenarios and the leaky-bucket engine
 * (crowdsecurity/crowdsec, pkg/leakybucket) to score them on Vigil's worlds, replayed in event time:
 *
 * - one bucket per source address (`groupby: evt.Meta.source_ip`) and scenario, fed with failed authentications;
 * - the bucket is a token bucket of `capacity` tokens refilled one per `leakspeed` (Go's rate.Limiter, as CrowdSec
 *   uses it): an event that finds no token overflows the bucket, i.e. capacity + 1 events faster than the leak;
 * - an overflow raises an alert and ends the bucket; an overflow of the same address and scenario within the
 *   `blackhole` (1 minute) of the last reported one is not reported;
 * - a bucket with no event poured for (capacity + 1) x leakspeed has drained and is forgotten;
 * - the user-enumeration variants (`distinct: evt.Meta.target_user`) pour an event only when its account is new to
 *   the bucket, so they count distinct accounts per address.
 *
 * CrowdSec reads sshd logs; it has no parser for Entra ID, Okta or Google Workspace. On those worlds the scenarios
 * are applied to the normalised failures as if a parser existed (the best case for CrowdSec). The alert names the
 * accounts of the events in the bucket's queue (its last `capacity` events, as CrowdSec's alert does).
 */
import type { AttackType } from '../simulate/scenarios.js';
import { accountKey, byTime, isCredentialFailure, type PeerAlert, type PeerEvent } from './types.js';

export interface LeakyScenario {
  name: string;
  capacity: number;
  leakMs: number;
  blackholeMs: number;
  /** Count distinct accounts instead of events. */
  distinctUser: boolean;
  type: AttackType;
}

export const CROWDSEC_SSH: LeakyScenario[] = [
  { name: 'crowdsecurity/ssh-bf', capacity: 5, leakMs: 10_000, blackholeMs: 60_000, distinctUser: false, type: 'brute_force' },
  { name: 'crowdsecurity/ssh-bf_user-enum', capacity: 5, leakMs: 10_000, blackholeMs: 60_000, distinctUser: true, type: 'password_spray' },
  { name: 'crowdsecurity/ssh-slow-bf', capacity: 10, leakMs: 60_000, blackholeMs: 60_000, distinctUser: false, type: 'brute_force' },
  { name: 'crowdsecurity/ssh-slow-bf_user-enum', capacity: 10, leakMs: 60_000, blackholeMs: 60_000, distinctUser: true, type: 'password_spray' },
];

interface Bucket {
  tokens: number;
  /** Time the tokens were last computed for (the limiter's `last`). */
  at: number;
  lastPour: number;
  first: number;
  seen: Set<string>;
  queue: string[];
}

/** Alerts of one scenario over events in time order. */
export function leakyBucket(events: readonly PeerEvent[], s: LeakyScenario): PeerAlert[] {
  const buckets = new Map<string, Bucket>();
  const blackholeUntil = new Map<string, number>();
  const lifetime = (s.capacity + 1) * s.leakMs;
  const alerts: PeerAlert[] = [];
  for (const ev of byTime(events)) {
    const ip = ev.src_endpoint.ip;
    if (!ip || !isCredentialFailure(ev)) continue;
    const tenant = ev.metadata.tenant_uid;
    const key = `${tenant}\u0000${ip}`;
    const t = ev.time;
    let b = buckets.get(key);
    if (b && t - b.lastPour >= lifetime) b = undefined; // drained (underflow): a new bucket starts
    if (!b) buckets.set(key, (b = { tokens: s.capacity, at: t, lastPour: t, first: t, seen: new Set(), queue: [] }));
    const account = accountKey(ev);
    if (s.distinctUser) {
      if (b.seen.has(account)) continue; // not poured: the bucket's timer is not reset either
      b.seen.add(account);
    }
    b.lastPour = t;
    b.queue.push(account);
    if (b.queue.length > s.capacity) b.queue.shift();
    const tokens = Math.min(s.capacity, b.tokens + (t - b.at) / s.leakMs);
    if (tokens >= 1) {
      b.tokens = tokens - 1;
      b.at = t;
      continue;
    }
    // Overflow: the bucket ends; the alert is reported unless the address is still in the blackhole.
    buckets.delete(key);
    if ((blackholeUntil.get(key) ?? -Infinity) > t) continue;
    blackholeUntil.set(key, t + s.blackholeMs);
    alerts.push({ peer: 'crowdsec', rule: s.name, tenant, ips: [ip], accounts: [...new Set(b.queue)].sort(), first: b.first, last: t, time: t, type: s.type });
  }
  return alerts;
}

/** Alerts of every scenario, in time order. */
export function crowdsecBuckets(events: readonly PeerEvent[], scenarios: LeakyScenario[] = CROWDSEC_SSH): PeerAlert[] {
  const sorted = byTime(events);
  return scenarios.flatMap((s) => leakyBucket(sorted, s)).sort((a, b) => a.time - b.time || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
}
