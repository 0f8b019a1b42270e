import assert from 'node:assert/strict';
import { test } from 'node:test';
import { many, MIN, SEC, T0, type EventSpec } from './fixtures/events.js';
import { sentinelSpray } from './sentinel-spray.js';
import type { PeerEvent } from './types.js';

const user = (i: number) => `user${i}@org.example`;
/** `n` accounts failing with `code` from one address, 30 s apart, starting at `from`. */
const failures = (n: number, code = 50126, from = 0, extra: Partial<EventSpec> = {}) => many(n, (i) => ({ at: from + i * 30 * SEC, user: user(i), code, ...extra }));

const cases: { name: string; events: PeerEvent[]; alerts: number }[] = [
  { name: '5 accounts failing 50126 in one 20-minute bin fire', events: failures(5), alerts: 1 },
  { name: '4 accounts do not', events: failures(4), alerts: 0 },
  { name: 'locked (50053) and expired (50055) count as failures', events: [...failures(3, 50053), ...failures(2, 50055, 0).map((e, i) => ({ ...e, user: { name: user(10 + i) } }))], alerts: 1 },
  { name: 'unknown names (50034) do not count', events: failures(5, 50034), alerts: 0 },
  { name: 'MFA denials (500121) do not count', events: failures(5, 500121), alerts: 0 },
  { name: '5 accounts split over two bins (3 before 09:20, 2 after) do not fire', events: [...failures(3, 50126, 17 * MIN), ...many(2, (i) => ({ at: 21 * MIN + i * SEC, user: user(3 + i), code: 50126 }))], alerts: 0 },
  { name: '5 accounts over two applications in one bin do not fire', events: [...failures(3, 50126, 0, { app: 'Exchange' }), ...many(2, (i) => ({ at: 5 * MIN + i * SEC, user: user(3 + i), code: 50126, app: 'Teams' }))], alerts: 0 },
  { name: 'an office NAT with as many successful accounts as failed ones does not fire', events: [...failures(5), ...many(5, (i) => ({ at: 40 * MIN + i * SEC, user: user(i), code: 0 }))], alerts: 0 },
  { name: 'one successful account fewer than failed ones fires', events: [...failures(5), ...many(4, (i) => ({ at: 40 * MIN + i * SEC, user: user(i), code: 0 }))], alerts: 1 },
  { name: 'MFA interrupts (50074) count as successes', events: [...failures(5), ...many(5, (i) => ({ at: 40 * MIN + i * SEC, user: user(i), code: 50074 }))], alerts: 0 },
  { name: 'other formats: bad passwords count through the derived code', events: many(5, (i) => ({ at: i * SEC, user: user(i), reason: 'bad_password' })), alerts: 1 },
  { name: 'other formats: unknown users do not', events: many(5, (i) => ({ at: i * SEC, user: user(i), reason: 'unknown_user' })), alerts: 0 },
  { name: 'two organisations do not add up', events: [...failures(3, 50126, 0, { tenant: 'a' }), ...many(2, (i) => ({ at: i * SEC, user: user(3 + i), code: 50126, tenant: 'b' }))], alerts: 0 },
];

for (const c of cases) {
  test(`sentinel spray: ${c.name}`, () => {
    assert.equal(sentinelSpray(c.events).length, c.alerts);
  });
}

test('sentinel spray: the alert is raised at the fifth account, names at most 20 accounts, and spans every failure of the address', () => {
  const events = failures(25);
  const [a] = sentinelSpray(events);
  assert.equal(a.time, T0 + 4 * 30 * SEC);
  assert.equal(a.accounts.length, 20);
  assert.equal(a.first, T0);
  assert.equal(a.last, T0 + 24 * 30 * SEC);
  assert.deepEqual(a.ips, ['198.51.100.7']);
  assert.equal(a.type, 'password_spray');
});

test('sentinel spray: input order does not matter', () => {
  const events = failures(6);
  assert.deepEqual(sentinelSpray(events.slice().reverse()), sentinelSpray(events));
});
