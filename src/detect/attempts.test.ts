/**
 * The attempt groups' derived facts against straightforward recomputations: the netblock and country rankings
 * (kept up to date rather than sorted anew), the accounts' recent addresses and attempt times (updated in place),
 * and the settled-account numbers, over a long pseudo-random attack with judgements in between.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AttemptTracker, groupFacts, settledAccounts, settledCounts, type AttemptGroup } from './attempts.js';
import type { Signal } from './signal.js';

function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

function failure(t: number, user: string, ip: string, unknown: boolean): Signal {
  const net = ip.slice(0, ip.lastIndexOf('.')) + '.0/24';
  return {
    t, tenant: 'org', user, userKey: user.toLowerCase(), ip, net, asn: 0, asOrg: '', country: ['DE', 'US', 'NL', 'BR'][ip.length % 4],
    lat: undefined, lon: undefined, anon: '', ok: false, status: 2, passwordValid: false, reason: unknown ? 'unknown_user' : 'bad_password',
    legacy: false, mfaEvent: '', ua: 'python-requests/2.31.0', app: '', proto: '', fp: 'python-requests/2.31.0||', source: undefined, format: 'ocsf',
  } as Signal;
}

/** The ranking as first written: sort everything by count (descending), then key. */
function referenceTop(m: Map<string, number>, n: number): string[] {
  return [...m.entries()].sort((a, b) => b[1] - a[1] || (String(a[0]) < String(b[0]) ? -1 : 1)).slice(0, n).map((e) => e[0]);
}

test('facts, recent addresses and times, and settled numbers match their plain recomputation', () => {
  const next = random(7);
  const tracker = new AttemptTracker(48 * 3600_000, 3600_000);
  const ips = new Map<string, string[]>();
  const times = new Map<string, number[]>();
  let g: AttemptGroup | undefined;
  let t = Date.UTC(2026, 0, 1);
  for (let i = 0; i < 6000; i++) {
    t += Math.floor(next() * 20_000);
    const user = `user${Math.floor(next() ** 2 * 300)}`;
    const ip = `10.${Math.floor(next() * 3)}.${Math.floor(next() ** 3 * 200)}.${Math.floor(next() * 4)}`;
    g = tracker.add(failure(t, user, ip, next() < 0.3));
    // Reference: the last four distinct addresses and the times of the last hour (at most 64).
    const list = (ips.get(user) ?? []).filter((x) => x !== ip).concat(ip).slice(-4);
    ips.set(user, list);
    const recent = (times.get(user) ?? []).concat(t).filter((x) => t - x <= 3600_000).slice(-64);
    times.set(user, recent);
    const a = g.accounts.get(user)!;
    assert.deepEqual(a.ips, list);
    assert.deepEqual(a.recent, recent);
    if (i % 97 === 0) {
      const facts = groupFacts(g);
      assert.deepEqual(facts.netblocks, referenceTop(g.nets, 1000));
      assert.deepEqual(facts.countries, referenceTop(g.countries, 50));
      assert.deepEqual(groupFacts(g).netblocks, referenceTop(g.nets, 1000)); // asked twice for one attempt
      assert.deepEqual(referenceTop(g.nets, 7), groupFacts(g).netblocks.slice(0, 7));
      const settled = settledAccounts(g, t, 120_000);
      const c = settledCounts(g, t, 120_000);
      assert.equal(c.accounts, settled.length);
      assert.equal(c.unknown, settled.filter((x) => x.unknown).length);
      assert.equal(c.attempts, settled.reduce((n, x) => n + x.n, 0));
    }
  }
  assert.ok(g && g.nets.size > 100, 'the attack spans many netblocks');
});
