import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeAuthEvent, type AuthEvent, type AutonomousSystem, type Location } from '../ocsf/authentication.js';
import { Enricher, parseIntelSpec, SharedFacts, type IntelSpec } from './index.js';
import { seededRandom } from './fixtures/seeded-random.js';

const HERE = import.meta.dirname ?? new URL('.', import.meta.url).pathname;
const FIXTURES = join(HERE, 'fixtures');
const INTEL = join(process.cwd(), '..', 'shared', 'data', 'intel');

const LISTS: IntelSpec[] = [
  parseIntelSpec(`tor:${join(INTEL, 'tor-exit-nodes-2024-02-27.txt')}`),
  parseIntelSpec(`vpn:${join(INTEL, 'vpn-ipv4.txt')}`),
  parseIntelSpec(`vpn:${join(INTEL, 'vpn-ipv6.txt')}`),
  parseIntelSpec(`hosting:${join(INTEL, 'datacenter-ipv4.txt')}`),
  parseIntelSpec(`hosting:${join(INTEL, 'datacenter-ipv6.txt')}`),
  parseIntelSpec(`malicious:${join(FIXTURES, 'intel', 'mixed.txt')}`),
  parseIntelSpec(`malicious:${join(FIXTURES, 'intel', 'known-bad.txt')}`),
];

function event(ip?: string, vendor: { location?: Location; autonomous_system?: AutonomousSystem } = {}): AuthEvent {
  const ev = makeAuthEvent({ time: Date.UTC(2024, 1, 27), success: false, tenant: 't1', user: { name: 'alice@example.com' }, product: { name: 'Test', vendor_name: 'Test' }, ...vendor });
  if (ip !== undefined) ev.src_endpoint.ip = ip;
  return ev;
}

/** `expected` as a subset of `actual`; a null member in `expected` must be absent from `actual`. */
function assertSubset(actual: unknown, expected: unknown, where: string): void {
  if (expected === null) return assert.equal(actual, undefined, `${where} should be absent`);
  if (typeof expected !== 'object' || Array.isArray(expected)) return assert.deepEqual(actual, expected, where);
  assert.equal(typeof actual, 'object', `${where} should be present`);
  for (const [k, v] of Object.entries(expected as object)) assertSubset((actual as any)?.[k], v, `${where}.${k}`);
}

let shared: Promise<Enricher> | undefined;
const enricher = () => (shared ??= Enricher.create({ intel: LISTS, warn: () => {} }));

test('data-driven cases: geo, AS and intel kinds, vendor fields kept (fixtures/enrich/cases.json)', async () => {
  const e = await enricher();
  const { cases } = JSON.parse(readFileSync(join(FIXTURES, 'enrich', 'cases.json'), 'utf8'));
  for (const c of cases) {
    const ev = event(c.ip, c.vendor);
    e.enrich(ev);
    const got = {
      location: ev.src_endpoint.location,
      autonomous_system: ev.src_endpoint.autonomous_system,
      intel: ev.unmapped.intel,
      type: ev.src_endpoint.type,
    };
    assertSubset(got, c.expect, c.name);
  }
});

test('kinds the event already had are kept and merged', async () => {
  const e = await enricher();
  const ev = event('101.99.92.179');
  ev.unmapped.intel = ['malicious'];
  e.enrich(ev);
  assert.deepEqual(ev.unmapped.intel, ['malicious', 'tor']);
  assert.equal(ev.src_endpoint.type, 'malicious');
});

test('cached answers equal fresh ones and are not shared between events', async () => {
  const e = await enricher();
  const first = event('81.2.69.142');
  e.enrich(first);
  first.src_endpoint.location!.city = 'changed by a later stage';
  first.src_endpoint.autonomous_system!.name = 'changed';
  const before = e.cacheStats.hits;
  const second = event('81.2.69.142');
  e.enrich(second);
  assert.equal(e.cacheStats.hits, before + 1, 'second lookup came from the cache');
  const fresh = event('81.2.69.142');
  (await Enricher.create({ intel: [] })).enrich(fresh);
  assert.deepEqual(second.src_endpoint, fresh.src_endpoint);
});

test('the cache stays bounded over many distinct addresses', async () => {
  const e = await Enricher.create({ intel: [], cacheSize: 64 });
  const rnd = seededRandom(99);
  for (let i = 0; i < 5000; i++) {
    const v = rnd.u32();
    e.enrich(event(`${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`));
  }
  assert.ok(e.cacheStats.size > 0 && e.cacheStats.size <= 64, `cache holds ${e.cacheStats.size}`);
  assert.ok(e.cacheStats.misses >= 4900);
});

test('recent addresses answered from the small table in front of the cache equal fresh lookups', async () => {
  // A cache of 8: the table has 8 slots, so addresses keep overwriting each other's slots and the cache's.
  const small = await Enricher.create({ intel: LISTS, cacheSize: 8 });
  const fresh = await Enricher.create({ intel: LISTS });
  const rnd = seededRandom(7);
  const pool = ['81.2.69.142', '101.99.92.179', '8.8.8.8', '10.1.2.3', '2001:db8::1', ...Array.from({ length: 40 }, () => {
    const v = rnd.u32();
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  })];
  for (let i = 0; i < 600; i++) {
    const ip = pool[rnd.u32() % pool.length];
    const a = event(ip);
    small.enrich(a);
    const b = event(ip);
    fresh.enrich(b);
    assert.deepEqual(a, b, ip);
  }
  assert.ok(small.cacheStats.hits > 0 && small.cacheStats.size <= 8);
});

test('geo: false skips geo and AS but still applies the lists', async () => {
  const e = await Enricher.create({ intel: LISTS.slice(0, 1), geo: false });
  const ev = event('101.99.92.179');
  e.enrich(ev);
  assert.equal(ev.src_endpoint.location, undefined);
  assert.equal(ev.src_endpoint.autonomous_system, undefined);
  assert.deepEqual(ev.unmapped.intel, ['tor']);
  assert.equal(ev.src_endpoint.type, 'tor');
  // Each event gets a list of its own: changing one event's kinds changes no other's.
  const next = event('101.99.92.179');
  e.enrich(next);
  ev.unmapped.intel!.push('vpn');
  assert.deepEqual(next.unmapped.intel, ['tor']);
});

test('bad list lines are warned about (count and first lines), not fatal', async () => {
  const warnings: string[] = [];
  const e = await Enricher.create({ intel: [parseIntelSpec(`malicious:${join(FIXTURES, 'intel', 'mixed.txt')}`)], geo: false, warn: (m) => warnings.push(m) });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /mixed\.txt: 5 unreadable lines skipped \(line 8: "not-an-address"/);
  assert.deepEqual(e.intelLists.map((l) => [l.kind, l.entries, l.badLines]), [['malicious', 5, 5]]);
});

test('a missing list or database is an Error whose one-line message names the file', async () => {
  const missing = join(FIXTURES, 'intel', 'nope.txt');
  await assert.rejects(Enricher.create({ intel: [parseIntelSpec(`vpn:${missing}`)] }), { message: `cannot read intel list ${missing}: no such file` });
  const db = join(FIXTURES, 'no-such.mmdb');
  await assert.rejects(
    Enricher.create({ intel: [], databases: { geo: { v4: db, v6: db } } }),
    (err: Error) => err.message.includes(db) && !err.message.includes('\n'),
  );
});

test('STIX / MISP specs (no KIND) are accepted and left to the intel module', async () => {
  const spec = parseIntelSpec(join(INTEL, 'mitre-attack-apt28-apt31-apt35.stix.json'));
  assert.equal(spec.kind, undefined);
  const e = await Enricher.create({ intel: [spec], geo: false });
  const ev = event('101.99.92.179');
  e.enrich(ev);
  assert.equal(ev.unmapped.intel, undefined);
});

test('parseIntelSpec: KIND:PATH for the four kinds, anything else is a path', () => {
  assert.deepEqual(parseIntelSpec('tor:lists/tor.txt'), { kind: 'tor', path: 'lists/tor.txt' });
  assert.deepEqual(parseIntelSpec('malicious:/a:b.txt'), { kind: 'malicious', path: '/a:b.txt' });
  assert.deepEqual(parseIntelSpec('bundle.json'), { path: 'bundle.json' });
  assert.deepEqual(parseIntelSpec('C:\\intel\\x.json'), { path: 'C:\\intel\\x.json' });
});

test('addresses with the same location, network and intel kinds share one facts object, until the table is full', () => {
  const facts = new SharedFacts(3);
  const berlin: Location = { country: 'DE', city: 'Berlin', lat: 52.52, long: 13.405 };
  const net: AutonomousSystem = { number: 3320, name: 'Deutsche Telekom AG' };
  const a = facts.of(berlin, net, 0);
  assert.deepEqual(a, { intelBits: 0, location: berlin, as: net });
  assert.equal(facts.of(berlin, net, 0), a, 'found again');
  assert.deepEqual(facts.of(berlin, net, 2), { intelBits: 2, location: berlin, as: net });
  assert.deepEqual(facts.of(undefined, undefined, 1), { intelBits: 1 }, 'nothing known but an intel kind');
  assert.equal(facts.of(berlin, net, 0), a, 'three kept');
  // A fourth empties the table: the next asking makes a new (equal) object.
  assert.deepEqual(facts.of(berlin, undefined, 0), { intelBits: 0, location: berlin });
  const again = facts.of(berlin, net, 0);
  assert.notEqual(again, a);
  assert.deepEqual(again, a);
});
