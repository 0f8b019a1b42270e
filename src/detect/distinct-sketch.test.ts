/**
 * The distinct-count sketch must count what an exact set would, within its error, for the keys detectors give it
 * (IPv4 netblock numbers in runs, IPv6 netblock texts), ignore repeats and order, and come back whole from a checkpoint.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DistinctSketch } from './distinct-sketch.js';

/** IPv4 /24 netblocks as profiles key them (a number per netblock), from a seeded generator: a rotating pool. */
function netblocks(n: number, seed: number): number[] {
  let x = seed >>> 0;
  const out = new Set<number>();
  while (out.size < n) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out.add(x >>> 8);
  }
  return [...out];
}

test('the sketch counts distinct keys within a few percent, from a handful to millions', () => {
  for (const n of [0, 1, 10, 300, 4_000, 20_000, 150_000, 1_000_000]) {
    const sketch = DistinctSketch.empty();
    for (const k of netblocks(n, n + 7)) sketch.add(k);
    const est = sketch.estimate();
    // About 1.6% standard error; small counts are nearly exact (linear counting).
    const allowed = n < 1000 ? Math.max(1, n * 0.02) : n * 0.05;
    assert.ok(Math.abs(est - n) <= allowed, `${n} distinct keys estimated as ${est.toFixed(1)}`);
  }
});

test('consecutive netblocks (one provider\'s range) and texts are counted as well as scattered ones', () => {
  const consecutive = DistinctSketch.empty();
  for (let k = 0; k < 50_000; k++) consecutive.add(0x0a0000 + k);
  assert.ok(Math.abs(consecutive.estimate() - 50_000) <= 2_500, `consecutive: ${consecutive.estimate()}`);
  const texts = DistinctSketch.empty();
  for (let k = 0; k < 30_000; k++) texts.add(`2001:db8:${k.toString(16)}::/48`);
  assert.ok(Math.abs(texts.estimate() - 30_000) <= 1_500, `IPv6 texts: ${texts.estimate()}`);
});

test('repeats and order do not change the sketch', () => {
  const keys = netblocks(25_000, 3);
  const once = DistinctSketch.empty();
  for (const k of keys) once.add(k);
  const again = DistinctSketch.empty();
  for (const k of [...keys].reverse()) {
    again.add(k);
    again.add(k);
  }
  for (const k of keys.slice(0, 5000)) again.add(k);
  assert.equal(again.toJSON(), once.toJSON());
  assert.equal(again.estimate(), once.estimate());
});

test('a saved sketch comes back whole, and text that is not one is refused', () => {
  const sketch = DistinctSketch.empty();
  for (const k of netblocks(70_000, 11)) sketch.add(k);
  const restored = DistinctSketch.fromJSON(JSON.parse(JSON.stringify(sketch)));
  assert.ok(restored);
  assert.equal(restored.estimate(), sketch.estimate());
  for (const k of netblocks(1000, 12)) {
    sketch.add(k);
    restored.add(k);
  }
  assert.equal(restored.toJSON(), sketch.toJSON());
  for (const bad of [undefined, 42, '', 'AAAA', Buffer.alloc(4096, 64).toString('base64')]) assert.equal(DistinctSketch.fromJSON(bad), undefined, String(bad).slice(0, 20));
});
