import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedCache } from './bounded-cache.js';

test('entries used recently survive; entries unused for a while are dropped', () => {
  const c = new BoundedCache<string, number>(4); // two generations of 2
  c.set('a', 1);
  c.set('b', 2); // young full: a, b become old
  assert.equal(c.get('a'), 1); // a is copied back into the young generation
  c.set('c', 3); // young (a, c) full: it becomes old, b is dropped
  assert.equal(c.get('b'), undefined);
  assert.deepEqual([c.get('a'), c.get('c')], [1, 3]);
  assert.deepEqual([c.hits, c.misses], [3, 1]);
});

test('a new value replaces the old one in either generation', () => {
  const c = new BoundedCache<string, number>(4);
  c.set('a', 1);
  c.set('b', 2); // a now old
  c.set('a', 10);
  assert.equal(c.get('a'), 10);
  c.set('x', 0);
  c.set('y', 0);
  c.set('z', 0);
  assert.equal(c.get('a'), undefined, 'eventually dropped, never the stale 1');
});

test('stays bounded over a long stream of distinct keys, and stays fast', () => {
  const c = new BoundedCache<number, number>(20_000);
  const t0 = performance.now();
  for (let i = 0; i < 200_000; i++) {
    c.get(i);
    c.set(i, i);
    assert.ok(c.size <= 20_000);
  }
  // 400,000 operations take tens of ms; an O(capacity) eviction (the trap this class avoids) takes minutes.
  assert.ok(performance.now() - t0 < 5000, `took ${performance.now() - t0} ms`);
  assert.equal(c.get(199_999), 199_999);
  assert.equal(c.get(0), undefined);
});

test('refuses a capacity below two', () => {
  assert.throws(() => new BoundedCache(1), /at least 2/);
});
