import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyBucket, elasticBruteForce } from './elastic-bruteforce.js';
import { many, MIN, SEC } from './fixtures/events.js';

// The rule's three classes at and just past each threshold (users, error kinds, addresses, events, seconds).
const buckets: { name: string; b: Parameters<typeof classifyBucket>[0]; kind: ReturnType<typeof classifyBucket> }[] = [
  { name: 'stuffing at its thresholds', b: { users: 10, kinds: 3, ips: 5, events: 30, seconds: 600 }, kind: 'credential_stuffing' },
  { name: 'stuffing needs 30 events', b: { users: 10, kinds: 3, ips: 5, events: 29, seconds: 600 }, kind: undefined },
  { name: 'stuffing needs 5 addresses', b: { users: 10, kinds: 3, ips: 4, events: 30, seconds: 600 }, kind: undefined },
  { name: 'stuffing allows 3 error kinds, not 4', b: { users: 12, kinds: 4, ips: 5, events: 30, seconds: 600 }, kind: undefined },
  { name: 'stuffing needs more users than addresses', b: { users: 10, kinds: 1, ips: 10, events: 30, seconds: 600 }, kind: undefined },
  { name: 'stuffing within 10 minutes', b: { users: 10, kinds: 3, ips: 5, events: 30, seconds: 601 }, kind: undefined },
  { name: 'spraying at its thresholds', b: { users: 15, kinds: 1, ips: 1, events: 15, seconds: 1800 }, kind: 'password_spraying' },
  { name: 'spraying needs 15 users', b: { users: 14, kinds: 1, ips: 1, events: 15, seconds: 60 }, kind: undefined },
  { name: 'spraying needs a single error kind', b: { users: 15, kinds: 2, ips: 1, events: 15, seconds: 60 }, kind: undefined },
  { name: 'stuffing wins over spraying', b: { users: 20, kinds: 1, ips: 5, events: 40, seconds: 300 }, kind: 'credential_stuffing' },
  { name: 'guessing one user: 30 events in 5 minutes', b: { users: 1, kinds: 1, ips: 1, events: 30, seconds: 300 }, kind: 'password_guessing' },
  { name: 'guessing one user: 29 events are not enough', b: { users: 1, kinds: 1, ips: 1, events: 29, seconds: 300 }, kind: undefined },
  { name: 'guessing one user: more than 5 minutes is not', b: { users: 1, kinds: 1, ips: 1, events: 30, seconds: 301 }, kind: undefined },
  { name: 'guessing distributed: 3 users, 31 addresses, 100 events', b: { users: 3, kinds: 2, ips: 31, events: 100, seconds: 900 }, kind: 'password_guessing' },
  { name: 'guessing distributed: 30 addresses are not enough', b: { users: 3, kinds: 2, ips: 30, events: 100, seconds: 900 }, kind: undefined },
  { name: 'guessing distributed: 4 users are too many', b: { users: 4, kinds: 2, ips: 31, events: 100, seconds: 900 }, kind: undefined },
];
for (const c of buckets) {
  test(`elastic classification: ${c.name}`, () => assert.equal(classifyBucket(c.b), c.kind));
}

const user = (i: number) => `user${i}@org.example`;

test('elastic: 15 users failing 50126 within one 15-minute bucket is a password spray', () => {
  const alerts = elasticBruteForce(many(15, (i) => ({ at: i * 30 * SEC, user: user(i), code: 50126 })));
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0].type, 'password_spray');
  assert.equal(alerts[0].accounts.length, 15);
  assert.equal(alerts[0].time, alerts[0].last);
});

test('elastic: the same 15 users across a bucket boundary (8 + 7) raise nothing', () => {
  assert.equal(elasticBruteForce(many(15, (i) => ({ at: 11 * MIN + i * 30 * SEC, user: user(i), code: 50126 }))).length, 0);
});

test('elastic: MFA steps, lock-outs (50053) and other organisations are not counted', () => {
  const spray = (extra: object) => many(15, (i) => ({ at: i * 30 * SEC, user: user(i), code: 50126, ...extra }));
  assert.equal(elasticBruteForce(spray({ mfa: true })).length, 0);
  assert.equal(elasticBruteForce(many(15, (i) => ({ at: i * 30 * SEC, user: user(i), code: 50053 }))).length, 0);
  const split = [...many(8, (i) => ({ at: i * SEC, user: user(i), code: 50126, tenant: 'a' })), ...many(7, (i) => ({ at: i * SEC, user: user(8 + i), code: 50126, tenant: 'b' }))];
  assert.equal(elasticBruteForce(split).length, 0);
});

test('elastic: an unknown name among the sprayed ones adds an error kind and stops the spray class', () => {
  const events = [...many(15, (i) => ({ at: i * 30 * SEC, user: user(i), code: 50126 })), ...many(1, () => ({ at: 9 * MIN, user: 'nobody@org.example', code: 50034 }))];
  assert.equal(elasticBruteForce(events).length, 0);
});

test('elastic: one account tried 30 times in 5 minutes is password guessing; other formats through the derived code', () => {
  const alerts = elasticBruteForce(many(30, (i) => ({ at: i * 10 * SEC, user: user(0), reason: 'bad_password' })));
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0].type, 'brute_force');
  assert.equal(alerts[0].rule, 'entra-brute-force:password_guessing');
});
