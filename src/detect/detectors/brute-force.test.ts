/**
 * A brute-force finding says what gave the attack away (the rate that crossed a threshold, and when), not only the
 * episode's average, which reads "about 0 attempts per hour" beside a burst of ten in seconds; and it says so the
 * same after the detector's memory was saved and restored between any two events.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { AuthEvent } from '../../ocsf/authentication.js';
import { replay } from '../fixtures/replay.js';
import { loadRules } from '../rules.js';

const rules = await loadRules();
const events: AuthEvent[] = readFileSync(new URL('../fixtures/brute-rapid-burst/events.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));

/** The brute-force finding's last description, with the engine saved and restored after every `every` events. */
function lastDesc(every: number): string {
  const lines = replay(events, rules, every);
  const brute = lines.filter((f) => f.finding_info.types[0] === 'brute_force');
  assert.ok(brute.length > 0, 'a brute-force finding');
  return brute[brute.length - 1].finding_info.desc;
}

test('a brute-force finding names the burst that gave it away, also across checkpoints', () => {
  const desc = lastDesc(Infinity);
  // Ten tries 0.7 s apart: the tenth at 06:00:06.3 UTC on 25 August 2020.
  assert.match(desc, /What gave it away: user05@org-a\.example, 10 tries within 60 seconds ending 2020-08-25T06:00:06\.300Z\./);
  assert.equal(lastDesc(1), desc);
  assert.equal(lastDesc(7), desc);
});

test('a burst of unnamed attempts from one address is found the same across checkpoints', () => {
  const unnamed: AuthEvent[] = readFileSync(new URL('../fixtures/brute-unnamed-burst/events.jsonl', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  // No lateness: each attempt reaches the detector before the next save.
  const whole = replay(unnamed, rules, Infinity, 0).map((f) => JSON.stringify(f));
  assert.ok(whole.some((l) => l.includes('Brute force from 192.0.2.90')), 'the address is named');
  for (const every of [1, 3, 7]) assert.deepEqual(replay(unnamed, rules, every, 0).map((f) => JSON.stringify(f)), whole, `saved every ${every} events`);
});

test('a source the log names only by host name is named as a Hostname, not as an address', () => {
  // The unnamed burst again, from a host an old sshd PAM line gives as rhost=host, without an address.
  const byHost: AuthEvent[] = readFileSync(new URL('../fixtures/brute-unnamed-burst/events.jsonl', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .map((e: AuthEvent) => (e.src_endpoint.ip === '192.0.2.90' ? { ...e, src_endpoint: { hostname: 'scanner.example.net' } } : e));
  const lines = replay(byHost, rules, Infinity, 0);
  const f = lines.filter((l) => l.finding_info.types[0] === 'brute_force').pop();
  assert.ok(f, 'a brute-force finding');
  assert.match(f.finding_info.title, /Brute force from scanner\.example\.net/);
  assert.deepEqual(
    f.observables.filter((o: { type_id: number }) => o.type_id !== 4),
    [{ name: 'src_endpoint.hostname', type_id: 1, type: 'Hostname', value: 'scanner.example.net' }],
  );
  assert.deepEqual(JSON.parse(JSON.stringify(f.evidences[0].src_endpoint)), { hostname: 'scanner.example.net' }, 'as written');
});
