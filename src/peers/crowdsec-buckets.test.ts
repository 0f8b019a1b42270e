import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crowdsecBuckets } from './crowdsec-buckets.js';
import { many, MIN, SEC, type EventSpec } from './fixtures/events.js';
import type { PeerEvent } from './types.js';

/** Failures of `n` accounts (or one when `sameUser`) from one address, `gap` ms apart, starting at `from`. */
const burst = (n: number, gap: number, from = 0, sameUser = true, extra: Partial<EventSpec> = {}) =>
  many(n, (i) => ({ at: from + i * gap, user: sameUser ? 'root' : `user${i}`, reason: 'bad_password', ...extra }));

const count = (events: PeerEvent[]) => {
  const out: Record<string, number> = {};
  for (const a of crowdsecBuckets(events)) out[a.rule.replace('crowdsecurity/', '')] = (out[a.rule.replace('crowdsecurity/', '')] ?? 0) + 1;
  return out;
};

const cases: { name: string; events: PeerEvent[]; alerts: Record<string, number> }[] = [
  { name: '5 failures in a second fill ssh-bf without overflowing it', events: burst(5, 100), alerts: {} },
  { name: 'the 6th failure a second apart overflows ssh-bf (capacity 5)', events: burst(6, SEC), alerts: { 'ssh-bf': 1 } },
  { name: 'a failure every 10 s never fills ssh-bf; ssh-slow-bf overflows at the 12th', events: burst(12, 10 * SEC), alerts: { 'ssh-slow-bf': 1 } },
  { name: 'a failure every 10 s: 11 fit in ssh-slow-bf', events: burst(11, 10 * SEC), alerts: {} },
  { name: 'a failure every 60 s leaks as fast as ssh-slow-bf fills: nothing, ever', events: burst(100, 60 * SEC), alerts: {} },
  { name: '11 failures a second apart overflow ssh-slow-bf (capacity 10) too', events: burst(11, SEC), alerts: { 'ssh-bf': 1, 'ssh-slow-bf': 1 } },
  { name: 'a failure every 30 s overflows only ssh-slow-bf (leak 60 s)', events: burst(25, 30 * SEC), alerts: { 'ssh-slow-bf': 1 } },
  { name: 'one account tried 6 times is not user enumeration', events: burst(6, SEC), alerts: { 'ssh-bf': 1 } },
  { name: '6 distinct accounts overflow ssh-bf and ssh-bf_user-enum', events: burst(6, SEC, 0, false), alerts: { 'ssh-bf': 1, 'ssh-bf_user-enum': 1 } },
  { name: 'a drained bucket is forgotten: 5, a minute of quiet, 5 more', events: [...burst(5, 100), ...burst(5, 100, MIN + 1000)], alerts: {} },
  { name: 'a second overflow within the 1-minute blackhole is not reported', events: burst(12, 100), alerts: { 'ssh-bf': 1, 'ssh-slow-bf': 1 } },
  { name: 'after the blackhole the address is reported again', events: [...burst(6, 100), ...burst(6, 100, 61 * SEC)], alerts: { 'ssh-bf': 2, 'ssh-slow-bf': 1 } },
  { name: 'MFA denials are not failed authentications', events: burst(6, SEC, 0, true, { reason: 'mfa_denied' }), alerts: {} },
  { name: 'addresses have their own buckets', events: [...burst(3, SEC), ...burst(3, SEC, 0, true, { ip: '203.0.113.9' })], alerts: {} },
];

for (const c of cases) {
  test(`crowdsec: ${c.name}`, () => assert.deepEqual(count(c.events), c.alerts));
}

test('crowdsec: an alert names its address, the accounts in the bucket and the overflow time', () => {
  const events = burst(6, SEC, 0, false);
  const a = crowdsecBuckets(events).find((x) => x.rule === 'crowdsecurity/ssh-bf')!;
  assert.deepEqual(a.ips, ['198.51.100.7']);
  assert.deepEqual(a.accounts, ['user1', 'user2', 'user3', 'user4', 'user5']);
  assert.equal(a.time, events[5].time);
  assert.equal(a.first, events[0].time);
  assert.equal(a.type, 'brute_force');
});
