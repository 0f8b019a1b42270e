/**
 * An organisation's known addresses: what is remembered and for how long, and that a checkpoint restores a map
 * that forgets exactly when the original does.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KnownAddresses } from './known-addresses.js';
import { BoundedMap } from './lru.js';
import { addressKey } from './profiles.js';
import { decodeState, encodeState, encodeStateChunks } from './state-codec.js';

const T0 = Date.UTC(2026, 10, 2, 9, 0, 0);

test('the latest success from an address is remembered to the minute', () => {
  const k = new KnownAddresses(10);
  k.succeeded(addressKey('203.0.113.7'), T0 + 59_999);
  assert.equal(k.lastSuccess(addressKey('203.0.113.7')), T0);
  k.succeeded(addressKey('203.0.113.7'), T0 + 3 * 60_000 + 5);
  assert.equal(k.lastSuccess(addressKey('203.0.113.7')), T0 + 3 * 60_000);
  k.succeeded(addressKey('2001:db8::1'), T0);
  assert.equal(k.lastSuccess('2001:db8::1'), T0);
  assert.equal(k.lastSuccess(addressKey('203.0.113.8')), undefined);
  assert.equal(k.size, 2);
});

test('at least the cap most recent addresses are known, at most twice the cap', () => {
  const cap = 5;
  const k = new KnownAddresses(cap);
  for (let i = 0; i < 23; i++) {
    k.succeeded(i, T0 + i * 60_000);
    assert.ok(k.size <= 2 * cap, `size ${k.size}`);
    for (let j = Math.max(0, i - cap + 1); j <= i; j++) assert.equal(k.lastSuccess(j), T0 + j * 60_000, `address ${j} after ${i}`);
  }
  assert.equal(k.lastSuccess(0), undefined, 'the oldest are forgotten');
});

test('a success renews an address of the old generation; a lookup does not', () => {
  const k = new KnownAddresses(3);
  for (const a of [1, 2, 3]) k.succeeded(a, T0); // the young generation fills and becomes the old one
  k.lastSuccess(1);
  k.succeeded(2, T0 + 60_000); // renewed: back in the young generation
  for (const a of [4, 5]) k.succeeded(a, T0 + 120_000); // young is full again: the old generation (1, 3) is forgotten
  assert.equal(k.lastSuccess(1), undefined);
  assert.equal(k.lastSuccess(3), undefined);
  assert.equal(k.lastSuccess(2), T0 + 60_000);
});

test('restored from a checkpoint (whole or in chunks), it forgets exactly when the original does', () => {
  // Generations larger than the codec writes in one piece (64 entries), so the chunked writer walks them.
  const cap = 70;
  const build = () => {
    const k = new KnownAddresses(cap);
    for (let i = 0; i < 150; i++) k.succeeded(addressKey(`198.51.${i >> 8}.${i & 255}`), T0 + i * 60_000);
    // Renewed from the old generation: the old one is no longer full, which a replay of the entries would not keep.
    for (let i = 75; i < 85; i++) k.succeeded(addressKey(`198.51.0.${i}`), T0 + 150 * 60_000);
    k.succeeded('2001:db8::9', T0);
    return k;
  };
  let chunked = '';
  encodeStateChunks({ knownIps: build() }, (c) => (chunked += c), 256);
  for (const text of [encodeState({ knownIps: build() }), chunked]) {
    const original = build();
    const copy = KnownAddresses.restored(decodeState(text).knownIps, cap, addressKey);
    for (let i = 150; i < 300; i++) {
      const k = i % 2 ? addressKey(`198.51.${i >> 8}.${i & 255}`) : '2001:db8::9';
      original.succeeded(k, T0 + i * 60_000);
      copy.succeeded(k, T0 + i * 60_000);
      assert.deepEqual([...copy.young], [...original.young]);
      assert.deepEqual([...copy.old], [...original.old]);
    }
  }
});

test('a checkpoint of an earlier version (a capped map of address text to time) is read', () => {
  const saved = new BoundedMap<string, number>(100);
  saved.set('192.0.2.1', T0);
  saved.set('2001:db8::2', T0 + 90_000);
  const k = KnownAddresses.restored(decodeState(encodeState(saved)), 100, addressKey);
  assert.equal(k.lastSuccess(addressKey('192.0.2.1')), T0);
  assert.equal(k.lastSuccess('2001:db8::2'), T0 + 60_000);
});

test('IPv4 keys are small integers, and a checkpoint that holds them unsigned (as earlier versions saved them) still matches', () => {
  const high = ['203.0.113.7', '255.255.255.255', '128.0.0.0'];
  for (const ip of high) assert.ok(Number.isInteger(addressKey(ip)) && (addressKey(ip) as number) < 0x80000000, ip);
  assert.notEqual(addressKey('203.0.113.7'), addressKey('203.0.113.8'));
  // Unsigned keys, as earlier versions saved them: 203.0.113.7 is 3405803783.
  const saved = { cap: 100, young: new Map<number | string, number>([[3405803783, T0 / 60_000], [3232235521, T0 / 60_000 + 1]]), old: new Map([['2001:db8::2', T0 / 60_000]]) };
  const k = KnownAddresses.restored(decodeState(encodeState(saved)), 100, addressKey);
  assert.equal(k.lastSuccess(addressKey('203.0.113.7')), T0);
  assert.equal(k.lastSuccess(addressKey('192.168.0.1')), T0 + 60_000);
  assert.equal(k.lastSuccess('2001:db8::2'), T0);
  assert.deepEqual([...k.young.keys()], [addressKey('203.0.113.7'), addressKey('192.168.0.1')], 'in their saved order');
});
