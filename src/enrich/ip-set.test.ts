import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareWords, nextAddress, previousAddress, widthOf, type Family } from './ip-address.js';
import { buildBitTable, SortedRangeBuilder, type BitRange } from './ip-set.js';
import { seededRandom } from './fixtures/seeded-random.js';

/** The OR of the bits of every range holding the address, by scanning them all. */
function bruteForce(ranges: BitRange[], words: number[]): number {
  const w = words.length;
  let bits = 0;
  for (const r of ranges) {
    if (compareWords(r.start, 0, words, 0, w) <= 0 && compareWords(r.end, 0, words, 0, w) >= 0) bits |= r.bits;
  }
  return bits;
}

/** Random ranges that overlap a lot: short spans in a narrow space, some long ones, some at the space's ends. */
function randomRanges(family: Family, rnd: ReturnType<typeof seededRandom>, count: number): BitRange[] {
  const width = widthOf(family);
  const ranges: BitRange[] = [];
  for (let i = 0; i < count; i++) {
    // A narrow space so that ranges collide: upper words 0-1, the last word below 2^26.
    const start = Array.from({ length: width }, (_, k) => (k === width - 1 ? rnd.below(1 << 26) : rnd.below(2)));
    if (i % 17 === 0) start.fill(0);
    const end = start.slice();
    const span = rnd.below(10) === 0 ? 0x7fffffff : rnd.below(1 << 22);
    end[width - 1] = Math.min(0xffffffff, end[width - 1] + span);
    if (i % 23 === 0) end.fill(0xffffffff);
    ranges.push({ family, start, end, bits: 1 << rnd.below(4) });
  }
  return ranges;
}

for (const family of [4, 6] as const) {
  test(`property: IPv${family} bit table equals a brute-force scan (seeded, overlapping ranges)`, () => {
    const rnd = seededRandom(family * 1000 + 1);
    const ranges = randomRanges(family, rnd, 300);
    const table = buildBitTable(family, ranges);
    // Pieces are sorted and disjoint, and adjacent pieces differ (else they would have been merged).
    const w = widthOf(family);
    for (let i = 1; i < table.size; i++) {
      assert.equal(compareWords(table.ends, (i - 1) * w, table.starts, i * w, w), -1, 'sorted and disjoint');
      const touching = compareWords(nextAddress(Array.from(table.ends.subarray((i - 1) * w, i * w)))!, 0, table.starts, i * w, w) === 0;
      if (touching) assert.notEqual(table.values[i - 1], table.values[i], 'adjacent equal pieces merged');
    }
    // Probes: every range edge and its neighbours (where answers change), then random addresses.
    const probes: number[][] = [];
    for (const r of ranges) probes.push(r.start, r.end, previousAddress(r.start) ?? r.start, nextAddress(r.end) ?? r.end);
    for (let i = 0; i < 2000; i++) probes.push(Array.from({ length: w }, (_, k) => (k === w - 1 ? rnd.below(1 << 27) : rnd.below(3))));
    let nonEmpty = 0;
    for (const p of probes) {
      const expected = bruteForce(ranges, p);
      if (expected) nonEmpty++;
      assert.equal(table.valueAt(p) ?? 0, expected, `address ${p.join('.')}`);
    }
    assert.ok(nonEmpty > probes.length / 4, 'probes hit ranges often enough to mean something');
    assert.ok(Array.from(table.values).some((v) => (v & (v - 1)) !== 0), 'some pieces are on several lists');
  });
}

test('an empty table finds nothing', () => {
  assert.equal(buildBitTable(6, []).valueAt([0, 0, 0, 0]), undefined);
  assert.equal(buildBitTable(4, []).valueAt([0]), undefined);
});

test('sorted builder: a later overlapping row cuts the earlier one short; out-of-order rows are skipped', () => {
  const b = new SortedRangeBuilder(4, 1); // capacity 1: growing is exercised too
  b.add([10], [20], 1);
  b.add([15], [30], 2); // overlaps: 10-14 stays 1, 15-30 is 2
  b.add([5], [8], 3); // out of order
  b.add([31], [40], 4);
  b.add([31], [35], 5); // same start: replaces the row before
  b.add([50], [45], 6); // end before start
  const t = b.build();
  assert.deepEqual([14, 15, 30, 31, 36, 6, 45].map((a) => t.valueAt([a])), [1, 2, 2, 5, undefined, undefined, undefined]);
  assert.equal(b.trimmed, 2);
  assert.equal(b.unsorted, 2);
});
