/**
 * The capped recency map against the plain Map it replaced (delete and re-insert on every set, evict the first
 * key): the same entries in the same order after any mix of operations, which is what keeps detector output and
 * checkpoints unchanged.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoundedMap, remember, remembered } from './lru.js';

/** The previous implementation, as the reference. */
class ReferenceMap<K, V> {
  readonly map = new Map<K, V>();
  constructor(readonly cap: number) {}
  set(k: K, v: V): void {
    if (this.map.has(k)) this.map.delete(k);
    this.map.set(k, v);
    if (this.map.size > this.cap) this.map.delete(this.map.keys().next().value as K);
  }
}

/** A small deterministic pseudo-random sequence (the test must fail the same way every time). */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

test('set, get, delete and restore-style map.set keep the order and evictions of the reference', () => {
  for (const cap of [1, 3, 50]) {
    const next = random(cap);
    const ours = new BoundedMap<string, number>(cap);
    const ref = new ReferenceMap<string, number>(cap);
    for (let i = 0; i < 5000; i++) {
      const k = `k${Math.floor(next() * cap * 2)}`;
      const op = next();
      if (op < 0.5) {
        ours.set(k, i);
        ref.set(k, i);
      } else if (op < 0.7) {
        // The usual get-then-set of one key (the set reuses the entry the get found).
        const v = ours.get(k);
        assert.equal(v, ref.map.get(k));
        ours.set(k, (v ?? 0) + 1);
        ref.set(k, (v ?? 0) + 1);
      } else if (op < 0.8) {
        ours.get(k);
        ours.delete(k);
        ref.map.delete(k);
        ours.set(k === 'k0' ? 'k1' : 'k0', i); // a set right after deleting the key just looked up
        ref.set(k === 'k0' ? 'k1' : 'k0', i);
      } else if (op < 0.9) {
        // Restoring from a checkpoint: Map semantics, a known key keeps its place.
        ours.map.set(k, -i);
        ref.map.set(k, -i);
      } else {
        assert.equal(ours.has(k), ref.map.has(k));
      }
      assert.equal(ours.size, ref.map.size);
    }
    assert.deepEqual([...ours.entries()], [...ref.map.entries()]);
    assert.deepEqual([...ours.map.keys()], [...ref.map.keys()]);
    assert.deepEqual(ours.map.keysArray(), [...ref.map.keys()]);
    assert.deepEqual([...ours.map.values()], [...ref.map.values()]);
    assert.equal(ours.map.oldestKey(), ref.map.keys().next().value);
    const seen: [string, number][] = [];
    ours.map.forEach((v, k) => seen.push([k, v]));
    assert.deepEqual(seen, [...ref.map.entries()]);
  }
});

test('deleting entries while iterating goes on with the entries after them, as a Map does', () => {
  const ours = new BoundedMap<number, number>(100);
  const ref = new Map<number, number>();
  for (let i = 0; i < 20; i++) {
    ours.set(i, i);
    ref.set(i, i);
  }
  const visit = (m: { delete(k: number): unknown }, it: Iterable<[number, number]>) => {
    const out: number[] = [];
    for (const [k] of it) {
      out.push(k);
      if (k % 3 === 0) m.delete(k); // the current entry
      if (k % 4 === 1) m.delete(k + 1); // the next one
    }
    return out;
  };
  assert.deepEqual(visit(ours, ours.entries()), visit(ref, ref.entries()));
  assert.deepEqual([...ours.entries()], [...ref.entries()]);
});

test('remember keeps a duplicate-free recency list of at most cap entries', () => {
  const list: string[] = [];
  for (const v of ['a', 'b', 'a', 'a', 'c', 'd', 'b']) remember(list, v, 3);
  assert.deepEqual(list, ['c', 'd', 'b']);
});

test('remembered gives the list remember makes, as a new list, and the same list when nothing changes', () => {
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 6;
  let mutable: number[] = [];
  let fresh: number[] = [];
  for (let i = 0; i < 500; i++) {
    const v = rand();
    const before = fresh;
    remember(mutable, v, 4);
    fresh = remembered(fresh, v, 4);
    assert.deepEqual(fresh, mutable);
    if (before.length && before[before.length - 1] === v) assert.equal(fresh, before);
    else assert.notEqual(fresh, before);
  }
});

test('an entry kept by a caller stands for its key until removed: setEntry and deleteEntry do what set and delete do', () => {
  // The same random operations on two maps, one through kept entries where the caller has one, one by key.
  let seed = 11;
  const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  const byEntry = new BoundedMap<string, number>(20);
  const byKey = new BoundedMap<string, number>(20);
  const kept = new Map<string, ReturnType<typeof byEntry.entry>>();
  for (let i = 0; i < 3000; i++) {
    const k = `k${rand(40)}`;
    const op = rand(3);
    let e = kept.get(k);
    if (e === undefined || e.removed) kept.set(k, (e = byEntry.entry(k)));
    if (op === 0) {
      assert.equal(e?.v, byKey.get(k));
    } else if (op === 1) {
      if (e) byEntry.setEntry(e, i);
      else kept.set(k, byEntry.set(k, i));
      byKey.set(k, i);
    } else {
      if (e) byEntry.deleteEntry(e);
      byKey.delete(k);
      assert.ok(!e || e.removed, 'a deleted entry says so');
    }
    assert.deepEqual([...byEntry.entries()], [...byKey.entries()]);
  }
  // Entries pushed out by the cap say so too.
  const evicted = [...kept.values()].filter((e) => e && !byEntry.map.has(e.k));
  assert.ok(evicted.length > 0 && evicted.every((e) => e!.removed));
});
