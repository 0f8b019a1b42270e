/**
 * The seeded generator: named streams are reproducible and independent, and the distributions the world relies on
 * have the right means.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Rng } from './rng.js';

const draw = (r: Rng, n: number) => Array.from({ length: n }, () => r.u32());

describe('Rng', () => {
  test('the same labels give the same stream; other labels another one', () => {
    assert.deepEqual(draw(Rng.from(1, 'benign', 3), 20), draw(Rng.from(1, 'benign', 3), 20));
    assert.notDeepEqual(draw(Rng.from(1, 'benign', 3), 20), draw(Rng.from(1, 'benign', 4), 20));
    assert.notDeepEqual(draw(Rng.from(1, 'ab', 'c'), 20), draw(Rng.from(1, 'a', 'bc'), 20));
  });

  test('ranges, samples and ids are well formed', () => {
    const r = Rng.from('shapes');
    for (let i = 0; i < 1000; i++) {
      const n = r.range(3, 7);
      assert.ok(Number.isInteger(n) && n >= 3 && n <= 7);
      assert.ok(r.next() < 1);
    }
    const s = r.sample([1, 2, 3, 4, 5, 6], 4);
    assert.equal(new Set(s).size, 4);
    assert.match(r.uuid(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('exponential gaps and Poisson counts have the asked-for means', () => {
    const r = Rng.from('means');
    const n = 20000;
    let gaps = 0;
    let counts = 0;
    let big = 0;
    for (let i = 0; i < n; i++) {
      gaps += r.exp(15);
      counts += r.poisson(4);
      big += r.poisson(335);
    }
    assert.ok(Math.abs(gaps / n - 15) < 0.5);
    assert.ok(Math.abs(counts / n - 4) < 0.1);
    assert.ok(Math.abs(big / n - 335) < 2);
  });
});
