/**
 * The reorder buffer against the rule it must keep: events leave in (time, content) order whatever order they came
 * in within the lateness bound, equal events in the order they came; later-than-bound events leave at once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReorderBuffer } from './reorder.js';
import { signalOrderKey, type Signal } from './signal.js';

/** A small deterministic generator (tests must not depend on Math.random). */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function signal(t: number, user: string, line: number): Signal {
  return { t, tenant: 'org', user, userKey: user, ip: '', reason: '', mfaEvent: '', fp: '', ok: false, source: { file: 'f', line } } as unknown as Signal;
}

/** The expected order: by time, then content key, then arrival (a stable sort). */
function expected(events: Signal[]): number[] {
  return events
    .map((s, i) => ({ s, i, k: signalOrderKey(s) }))
    .sort((a, b) => a.s.t - b.s.t || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0) || a.i - b.i)
    .map((x) => x.s.source!.line);
}

test('events shuffled within the lateness bound leave in time and content order, ties in arrival order', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const r = rng(seed);
    const lateness = 60_000;
    // Times on whole seconds, many equal (as Entra writes them), arriving up to 50 s out of order.
    const events: Signal[] = [];
    for (let i = 0; i < 600; i++) events.push(signal(Math.floor(i / 3) * 1000 + Math.floor(r() * 50) * 1000, `u${Math.floor(r() * 4)}`, i + 1));
    const buf = new ReorderBuffer(lateness);
    const out: Signal[] = [];
    let maxHeld = 0;
    for (const s of events) {
      buf.push(s, out);
      maxHeld = Math.max(maxHeld, buf.size);
    }
    assert.equal(buf.late, 0);
    assert.ok(out.length > 0 && out.length < events.length, 'some events are released before the end, some held');
    const held = buf.held().map((s) => s.source!.line);
    buf.drain(out);
    assert.equal(buf.size, 0);
    assert.deepEqual(out.map((s) => s.source!.line), expected(events), `seed ${seed}`);
    // What held() showed is exactly what drain released, in that order.
    assert.deepEqual(out.slice(out.length - held.length).map((s) => s.source!.line), held);
    assert.ok(maxHeld < 200, `at most the lateness window is held (held ${maxHeld})`);
  }
});

test('an event later than the bound leaves at once, before the events held', () => {
  const buf = new ReorderBuffer(10_000);
  const out: Signal[] = [];
  buf.push(signal(100_000, 'a', 1), out);
  buf.push(signal(105_000, 'b', 2), out);
  assert.equal(out.length, 0);
  buf.push(signal(50_000, 'c', 3), out); // 50 s before the newest: past the 10 s bound
  assert.deepEqual(out.map((s) => s.source!.line), [3]);
  assert.equal(buf.late, 1);
  buf.push(signal(120_000, 'd', 4), out); // releases 100 s and 105 s
  assert.deepEqual(out.map((s) => s.source!.line), [3, 1, 2]);
  assert.equal(buf.size, 1);
});

test('a long stream keeps only the window (released slots are let go)', () => {
  const buf = new ReorderBuffer(5_000);
  const out: Signal[] = [];
  for (let i = 0; i < 50_000; i++) {
    buf.push(signal(i * 1000, 'a', i + 1), out);
    assert.ok(buf.size <= 6);
    assert.ok((buf as unknown as { items: unknown[] }).items.length <= 2 * 1024 + 6, 'released slots are dropped');
  }
  assert.equal(out.length, 50_000 - 5); // the last 5 s are held
});
