/**
 * Checkpoint text in pieces must be exactly the whole text: a state written in pieces restores to the same engine.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Engine } from './engine.js';
import { loadRules } from './rules.js';
import { BoundedMap } from './lru.js';
import { encodeState, encodeStateChunks, decodeState, Lazy } from './state-codec.js';

test('pieces of a large mixed state join to the whole text', () => {
  const big = new BoundedMap<string, unknown>(5000);
  for (let i = 0; i < 3000; i++) big.set(`k${i}`, { n: i, list: [i, `x"${i}`], nested: new Map([[i, new Set([i])]]) });
  const value = {
    a: 1,
    skip: undefined,
    inf: -Infinity,
    big,
    arr: Array.from({ length: 300 }, (_, i) => (i % 7 === 0 ? undefined : { i, s: '\u2028é\n' })),
    lazy: new Lazy(function* () { for (let i = 0; i < 200; i++) yield [i, { deep: new Map([['a', Infinity]]) }]; }),
    wide: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`f${i}`, i % 2 ? new Set([i]) : undefined])),
  };
  const whole = encodeState(value);
  const pieces: string[] = [];
  encodeStateChunks(value, (t) => pieces.push(t), 1000);
  assert.ok(pieces.length > 10, `expected many pieces, got ${pieces.length}`);
  assert.equal(pieces.join(''), whole);
  assert.deepEqual(decodeState(pieces.join('')).lazy.length, 200);
});

test('runs of small elements are written alike with or without what the replacer changes, however deep', () => {
  class Saved {
    constructor(readonly n: number) {}
    toJSON() {
      return { saved: this.n };
    }
  }
  // Most tuples are plain (written without the replacer); some hide an infinity, a set, a map or a class with toJSON
  // three levels down (written with it), in runs that mix the two.
  const odd = (i: number): unknown =>
    i % 9 === 1 ? [[Infinity]] : i % 9 === 2 ? [[new Saved(i)]] : i % 9 === 3 ? [{ s: new Set([i]) }] : i % 9 === 4 ? [[new Map([[i, -Infinity]])]] : [[i, `v${i}`, null, -0, NaN]];
  const value = { tuples: new Lazy(function* () { for (let i = 0; i < 2000; i++) yield [i, `u${i}`, odd(i), { t: i * 1.5, ok: i % 2 === 0 }]; }) };
  const pieces: string[] = [];
  encodeStateChunks(value, (t) => pieces.push(t), 500);
  assert.equal(pieces.join(''), encodeState(value));
  const back = decodeState(pieces.join(''));
  assert.equal(back.tuples[1][2][0][0], Infinity);
  assert.deepEqual(back.tuples[2][2][0][0], { saved: 2 });
  assert.ok(back.tuples[3][2][0].s instanceof Set);
  assert.equal(back.tuples[4][2][0][0].get(4), -Infinity);
});

test("an engine's checkpoint in pieces equals its whole checkpoint and restores the same", async () => {
  const rules = await loadRules();
  const events = readFileSync(new URL('./fixtures/spray-distributed/events.jsonl', import.meta.url), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const engine = new Engine({ rules });
  for (const e of events.slice(0, Math.floor(events.length * 0.7))) engine.push(e);
  engine.drainFindings();
  const whole = engine.snapshot();
  const pieces: string[] = [];
  engine.snapshotChunks((t) => pieces.push(t), 2000);
  assert.ok(pieces.length > 5, `expected several pieces, got ${pieces.length}`);
  assert.equal(pieces.join(''), whole);
  const again = new Engine({ rules });
  again.restore(pieces.join(''));
  assert.equal(again.snapshot(), whole);
});

test('an object with toJSON is written by it in pieces too, however large what it holds', () => {
  // A profile-like class keeping a large map of its own: JSON.stringify writes what toJSON returns, and so must the
  // pieces (walking its fields wrote the map instead); as a map's values, its toJSON output joins the plain runs.
  class Kept {
    readonly seen = new Map(Array.from({ length: 200 }, (_, i) => [`a${i}`, i]));
    constructor(readonly n: number) {}
    toJSON() {
      return { n: this.n, seen: this.seen.size };
    }
  }
  const many = new Map(Array.from({ length: 300 }, (_, i) => [`k${i}`, new Kept(i)]));
  const value = { one: new Kept(-1), many, tuples: Array.from({ length: 100 }, (_, i) => [i, new Kept(i), [new Kept(i)]]) };
  const pieces: string[] = [];
  encodeStateChunks(value, (t) => pieces.push(t), 100);
  assert.ok(pieces.length >= 3, `expected pieces, got ${pieces.length}`);
  assert.equal(pieces.join(''), encodeState(value));
  assert.deepEqual(decodeState(pieces.join('')).one, { n: -1, seen: 200 });
});
