/**
 * Account profiles keep addresses and netblocks as numbers and share empty lists: they must still answer exactly
 * as the string lists did (checked against a plain re-statement of the rules on a random stream), write the same
 * readable checkpoints, and restore checkpoints of the version before (fixtures/slow-spray/old-state.json).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { decodeState, encodeState } from './state-codec.js';
import { remembered } from './lru.js';
import { addressKey, addressText, netKey, netText, Profiles, withLast, type LastSuccess } from './profiles.js';
import { netblockOf, netKeyOf, type Signal } from './signal.js';

const ADDRESSES = [
  '0.0.0.0', '1.2.3.4', '10.0.0.1', '127.255.255.255', '128.0.0.0', '203.0.113.7', '255.255.255.255',
  // Not IPv4 in its usual form: kept as text.
  '01.2.3.4', '1.2.3.04', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '1.2.3.', '.1.2.3', ' 1.2.3.4', '1.2.3.4 ', '+1.2.3.4',
  '::1', '2001:db8::7', '::ffff:1.2.3.4', '', 'unknown',
];
const NETS = ['1.2.3.0/24', '255.255.255.0/24', '0.0.0.0/24', '01.2.3.0/24', '1.2.3.1/24', '1.2.0/24', '2001:db8:0::/48', '', '.0/24'];

test('addresses and netblocks become keys that stand for exactly one text each', () => {
  for (const [key, text, all, usual] of [
    [addressKey, addressText, ADDRESSES, 7],
    [netKey, netText, NETS, 3],
  ] as const) {
    const keys = all.map((x) => key(x));
    assert.deepEqual(keys.map((k) => text(k)), all, 'the text comes back');
    assert.equal(keys.filter((k) => typeof k === 'number').length, usual, 'the usual IPv4 forms are numbers');
    assert.equal(new Set(keys).size, new Set(all).size, 'different texts, different keys');
  }
});

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function signals(n: number, seed: number): Signal[] {
  const r = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  // Enough addresses per account to go past the lists' cap of eight, with shared /24s, IPv6 and odd forms.
  const ips = [...Array.from({ length: 14 }, (_, i) => `198.51.${i % 3}.${i}`), '10.1.1.1', '2001:db8::1', '2001:db8:1::2', '01.2.3.4', ''];
  const out: Signal[] = [];
  for (let i = 0; i < n; i++) {
    const user = `user${Math.floor(r() * 4)}@org.example`;
    const ip = pick(ips);
    const ok = r() < 0.6;
    const city = r() < 0.5;
    out.push({
      t: 1_700_000_000_000 + i * 60_000, tenant: pick(['org-1', 'org-2']), user, userKey: user, ip, netKey: ip ? netKeyOf(ip) : '',
      asn: pick([0, 64500]), asOrg: '', country: pick(['NL', 'DE', '']), lat: city ? r() * 90 : undefined, lon: city ? r() * 180 : undefined,
      anon: pick(['', '', '', 'tor', 'vpn']), ok, status: ok ? 1 : 2, passwordValid: ok || r() < 0.3, reason: ok ? '' : 'bad_password',
      legacy: false, mfaEvent: '', ua: 'ua', app: '', proto: '', fp: 'ua||', source: undefined, format: 'test',
    });
  }
  return out;
}

/** The rules of an account profile as plain string lists (as the version before this one kept them). */
class Reference {
  users = new Map<string, { ips: string[]; nets: string[]; countries: string[]; anon: string[]; lastOk?: LastSuccess }>();
  knows(s: Signal): boolean {
    const u = this.users.get(`${s.tenant}/${s.userKey}`);
    const net = s.ip ? netblockOf(s.ip) : '';
    return !!u && (u.ips.includes(s.ip) || (net !== '' && u.nets.includes(net)));
  }
  observe(s: Signal): void {
    const key = `${s.tenant}/${s.userKey}`;
    let u = this.users.get(key);
    if (!u) {
      if (!s.passwordValid) return;
      this.users.set(key, (u = { ips: [], nets: [], countries: [], anon: [] }));
    }
    if (!s.ok) return;
    if (s.ip) u.ips = remembered(u.ips, s.ip, 8);
    const net = s.ip ? netblockOf(s.ip) : '';
    if (net) u.nets = remembered(u.nets, net, 8);
    if (s.country) u.countries = remembered(u.countries, s.country, 8);
    if (s.anon) u.anon = remembered(u.anon, s.anon, 8);
    u.lastOk = { t: s.t, ip: s.ip, lat: s.lat, lon: s.lon, country: s.country, anon: s.anon, asn: s.asn };
  }
}

test('profiles answer as the plain lists do, event after event', () => {
  const profiles = new Profiles();
  const ref = new Reference();
  for (const s of signals(3000, 7)) {
    assert.equal(profiles.userKnowsSource(s), ref.knows(s), `familiar source at ${s.t}`);
    profiles.observe(s);
    ref.observe(s);
    const u = profiles.user(s);
    const want = ref.users.get(`${s.tenant}/${s.userKey}`);
    assert.equal(u === undefined, want === undefined);
    if (!u || !want) continue;
    const saved = u.toJSON() as any;
    assert.deepEqual([saved.ips, saved.nets, u.countries, u.anon], [want.ips, want.nets, want.countries, want.anon]);
    assert.deepEqual(u.lastOk, want.lastOk);
  }
});

test('profiles restored from a checkpoint go on exactly as the profiles that were saved', () => {
  const stream = signals(3000, 13);
  const live = new Profiles();
  for (const s of stream.slice(0, 1500)) live.observe(s);
  const restored = new Profiles();
  for (const [k, v] of decodeState(encodeState({ tenants: live.tenants })).tenants) restored.tenants.set(k, v);
  // First successes of every account from the oldest address, netblock and country it knows, one at a time (each
  // moves last), then the rest of the stream.
  const oldest: Signal[] = [];
  for (const [tenant, tp] of live.tenants) {
    for (const [userKey, u] of tp.users) {
      const saved = u.toJSON() as { ips: string[]; nets: string[]; countries: string[] };
      const success = (ip: string, net: string, country: string): Signal => ({
        ...stream[0], t: stream[1499].t + 1, tenant, user: userKey, userKey, ip, netKey: net ? netKey(net) : '', country, ok: true, status: 1, passwordValid: true,
      });
      if (saved.ips.length) oldest.push(success(saved.ips[0], '', ''));
      if (saved.nets.length) oldest.push(success('', saved.nets[0], ''));
      if (saved.countries.length) oldest.push(success('', '', saved.countries[0]));
    }
  }
  assert.ok(oldest.length >= 6, `${oldest.length} accounts`);
  for (const s of [...oldest, ...stream.slice(1500)]) {
    assert.equal(restored.userKnowsSource(s), live.userKnowsSource(s), `familiar source at ${s.t}`);
    assert.equal(restored.user(s)?.knowsCountry(s.country), live.user(s)?.knowsCountry(s.country), `known country at ${s.t}`);
    restored.observe(s);
    live.observe(s);
    assert.deepEqual(restored.user(s)?.toJSON(), live.user(s)?.toJSON(), `profile at ${s.t}`);
  }
});

test('accounts that never used an anonymiser share one empty list', () => {
  const profiles = new Profiles();
  const plain = signals(200, 3).filter((s) => s.ok && !s.anon);
  for (const s of plain) profiles.observe(s);
  const users = [...profiles.tenants.values()].flatMap((t) => [...t.users.values()]);
  assert.ok(users.length > 2);
  for (const u of users) {
    assert.equal(u.anon, users[0].anon);
    assert.ok(Object.isFrozen(u.anon));
  }
});

test('a checkpoint of the version before restores to the same answers, and saves the same lists', () => {
  const saved = readFileSync(new URL('./detectors/fixtures/slow-spray/old-state.json', import.meta.url), 'utf8');
  const old = decodeState(saved).profiles.tenants as Map<string, any>;
  const profiles = new Profiles();
  for (const [k, v] of decodeState(saved).profiles.tenants) profiles.tenants.set(k, v); // as Engine.restore does
  let checked = 0;
  for (const [tenant, tp] of old) {
    for (const [userKey, u] of tp.users as Map<string, any>) {
      const { asns: _unread, ...rest } = u;
      // Older checkpoints did not keep the last success's network: it comes back unknown (0).
      const want = rest.lastOk ? { ...rest, lastOk: { ...rest.lastOk, asn: 0 } } : rest;
      assert.deepEqual(JSON.parse(JSON.stringify(profiles.tenants.get(tenant)!.users.get(userKey))), want);
      for (const ip of u.ips) {
        const s = { tenant, userKey, ip, netKey: netKeyOf(ip), t: u.lastSeen } as Signal;
        assert.equal(profiles.userKnowsSource(s), true);
        assert.equal(profiles.userKnowsSource({ ...s, ip: '100.64.9.9', netKey: netKeyOf('100.64.9.9') }), false);
      }
      checked++;
    }
  }
  assert.ok(checked >= 9, 'the saved state has the accounts of the scenario');
});

test('withLast moves or adds a value last within the cap, in place exactly when the length stays', () => {
  let seed = 5;
  const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  const empty = Object.freeze([]) as readonly number[];
  for (let round = 0; round < 2000; round++) {
    const cap = 1 + rand(5);
    // Distinct values, sometimes more than the cap (lists saved by other versions).
    const start = [...new Set(Array.from({ length: rand(cap + 3) }, () => rand(9)))];
    const list: readonly number[] = start.length ? start.slice() : empty;
    const v = rand(9);
    const out = withLast(list, v, cap);
    if (start.length && start.at(-1) === v) {
      assert.equal(out, list, 'already last: the list itself, unchanged');
      assert.deepEqual(out, start);
      continue;
    }
    assert.deepEqual(out, [...start.filter((x) => x !== v), v].slice(-cap), `cap ${cap}, ${JSON.stringify(start)} + ${v}`);
    const staysLong = start.length > 0 && start.length <= cap && (start.includes(v) || start.length === cap);
    assert.equal(out === list, staysLong, 'the same list exactly when its length stays');
  }
  assert.deepEqual(empty, [], 'the shared empty list is never changed');
});
