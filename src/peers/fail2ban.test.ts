import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fail2ban } from './fail2ban.js';
import { many, MIN, SEC } from './fixtures/events.js';

const failures = (n: number, gap: number, from = 0) => many(n, (i) => ({ at: from + i * gap, user: `user${i % 2}`, reason: 'bad_password' }));

const cases = [
  { name: '5 failures within 10 minutes ban the address', events: failures(5, 2 * MIN), bans: 1 },
  { name: '4 failures do not', events: failures(4, SEC), bans: 0 },
  { name: '5 failures over more than 10 minutes do not', events: failures(5, 2.5 * MIN + SEC), bans: 0 },
  { name: 'failures while banned are not counted', events: failures(9, SEC), bans: 1 },
  { name: 'after the 10-minute ban, 5 more failures ban again', events: [...failures(5, SEC), ...failures(5, SEC, 11 * MIN)], bans: 2 },
  { name: 'successes do not count', events: many(5, (i) => ({ at: i * SEC, success: true })), bans: 0 },
];

for (const c of cases) {
  test(`fail2ban: ${c.name}`, () => assert.equal(fail2ban(c.events).length, c.bans));
}

test('fail2ban: the ban names the address and the accounts tried', () => {
  const [ban] = fail2ban(failures(5, SEC));
  assert.deepEqual(ban.ips, ['198.51.100.7']);
  assert.deepEqual(ban.accounts, ['user0', 'user1']);
  assert.equal(ban.type, 'brute_force');
});
