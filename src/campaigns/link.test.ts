/**
 * The candidate pairs campaigns compare: every pair of attacks that could link (an own address or netblock in
 * common, or two shared exits) must be among them, in ascending order, or two attacks of one campaign would stay apart.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { partnersOf, type Infra } from './link.js';

/** A small deterministic generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function sample(next: () => number, pool: string[], max: number): string[] {
  const out = new Set<string>();
  const n = Math.floor(next() * (max + 1));
  for (let i = 0; i < n; i++) out.add(pool[Math.floor(next() * pool.length)]);
  return [...out].sort();
}

const common = (a: string[], b: string[]) => a.filter((x) => b.includes(x)).length;

test('every pair that could link is a candidate, and nothing at or before the attack itself', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const next = random(seed);
    // Small pools, so that attacks often share something and often do not.
    const own = Array.from({ length: 40 }, (_, i) => `198.51.100.${i}`);
    const blocks = Array.from({ length: 10 }, (_, i) => `203.0.${i}.0/24`);
    const exits = Array.from({ length: 15 }, (_, i) => `192.0.2.${i}`);
    const infra: Infra[] = Array.from({ length: 30 }, () => ({
      dedicated: sample(next, own, 3),
      blocks: sample(next, blocks, 2),
      shared: sample(next, exits, 4),
    }));
    const partners = partnersOf(infra);
    let linkable = 0;
    for (let x = 0; x < infra.length; x++) {
      const found = partners(x);
      assert.deepEqual(found, [...found].sort((a, b) => a - b), 'ascending');
      assert.ok(found.every((y) => y > x), 'only later attacks');
      for (let y = x + 1; y < infra.length; y++) {
        const [a, b] = [infra[x], infra[y]];
        const could = common(a.dedicated, b.dedicated) > 0 || common(a.blocks, b.blocks) > 0 || common(a.shared, b.shared) >= 2;
        if (could) linkable++;
        assert.equal(found.includes(y), could, `seed ${seed}: attacks ${x} and ${y}`);
      }
    }
    assert.ok(linkable > 0 && linkable < (infra.length * (infra.length - 1)) / 2, `seed ${seed} tests both cases`);
  }
});
