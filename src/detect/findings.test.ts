/**
 * The finding sink's memory: an update too small to write waits for the end of input, unless the attack behind it
 * ends first; then `settle` writes it (only if it changed what was shown) and forgets the finding.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FindingSink, type FindingDraft } from './findings.js';
import { loadRules } from './rules.js';

const rule = (await loadRules()).find((r) => r.detector === 'password_spray')!;

function draft(accounts: number, time: number): FindingDraft {
  return {
    rule, tenant: 'org-1', key: 'tool|episode', time, first: 1000, last: time, title: `Spray on ${accounts} accounts`, desc: `${accounts} accounts`,
    ips: ['198.51.100.7'], accounts: Array.from({ length: accounts }, (_, i) => `u${i}@org.example`), evidence: [], data: {},
  };
}

test('settle writes the latest unwritten content of a finding once, then forgets it', () => {
  const sink = new FindingSink();
  const uid = sink.upsert(draft(8, 2000));
  assert.equal(sink.drain().length, 1);
  sink.upsert(draft(9, 3000)); // an eighth more accounts: held, not written
  assert.equal(sink.drain().length, 0);
  assert.equal(sink.pending.size, 1);
  sink.settle(uid);
  const [line] = sink.drain() as any[];
  assert.equal(line.finding_info.uid, uid);
  assert.equal(line.unmapped.accounts_count, 9);
  assert.equal(line.activity_id, 2);
  assert.equal(sink.pending.size, 0);
  assert.equal(sink.open.size, 0);
  sink.flushPending();
  assert.equal(sink.drain().length, 0, 'nothing is left for the end of input');
});

test('settle of a finding with nothing new writes nothing', () => {
  const sink = new FindingSink();
  const uid = sink.upsert(draft(8, 2000));
  sink.drain();
  sink.upsert(draft(8, 2000)); // the same content again
  sink.settle(uid);
  assert.equal(sink.drain().length, 0);
  assert.equal(sink.open.size, 0);
});

test('a pending update survives a checkpoint as plain data and is written as it would have been', () => {
  const run = (checkpoint: boolean) => {
    let sink = new FindingSink();
    const uid = sink.upsert({ ...draft(8, 2000), evidence: [] });
    const first = sink.drain();
    sink.upsert({ ...draft(9, 3000), ips: ['198.51.100.9'] }); // an eighth more accounts: pending
    if (checkpoint) {
      const saved = JSON.parse(JSON.stringify({ open: [...sink.open], pending: sink.pendingState() }));
      assert.equal(typeof saved.pending[0][1].rule, 'string', 'the rule is saved by id');
      sink = new FindingSink();
      for (const [k, v] of saved.open) sink.open.set(k, v);
      sink.restorePending(saved.pending, new Map([[rule.id, rule]]));
    }
    sink.settle(uid);
    return [...first, ...sink.drain()];
  };
  const straight = run(false);
  assert.equal(straight.length, 2);
  assert.equal((straight[1] as any).unmapped.accounts_count, 9);
  assert.equal((straight[1] as any).observables[0].value, '198.51.100.9');
  assert.deepEqual(run(true), straight);
});

test('pending updates saved by older versions (rendered lines) are still written', () => {
  const sink = new FindingSink();
  const uid = sink.upsert(draft(8, 2000));
  const [line] = sink.drain() as any[];
  const older = { ...line, activity_id: 2, finding_info: { ...line.finding_info, desc: 'changed' } };
  sink.restorePending([[uid, older]], new Map());
  sink.settle(uid);
  assert.deepEqual(sink.drain(), [older]);
});

test('pending updates written a part at a time come out as written all at once, in the same order', () => {
  const fill = () => {
    const sink = new FindingSink();
    for (let k = 0; k < 25; k++) {
      const d = (n: number, t: number) => ({ ...draft(n, t), key: `tool-${(k * 7) % 25}|episode` });
      sink.upsert(d(8, 2000));
      if (k % 5) sink.upsert(d(9, 3000)); // held: four of every five findings have an update pending
    }
    sink.drain();
    return sink;
  };
  const whole = fill();
  whole.flushPending();
  const expected = whole.drain();
  assert.equal(expected.length, 20);
  const parts = fill();
  const got: unknown[] = [];
  const sizes: number[] = [];
  while (parts.flushPendingSome(6)) {
    const part = parts.drain();
    sizes.push(part.length);
    got.push(...part);
  }
  got.push(...parts.drain());
  assert.deepEqual(sizes, [6, 6, 6], 'three full parts, then the rest');
  assert.deepEqual(got, expected);
  assert.equal(parts.pending.size, 0);
  assert.equal(parts.flushPendingSome(6), false);

  // Parts bounded by the observables their lines hold: a part ends once it holds that many (a line is never split).
  const byWeight = fill();
  const weighed: unknown[] = [];
  const weights: number[] = [];
  for (;;) {
    const more = byWeight.flushPendingSome(100, 40);
    const held = byWeight.outObservables;
    const part = byWeight.drain();
    assert.equal(held, part.reduce((n: number, f: any) => n + f.observables.length, 0), 'the count is of the lines held');
    weights.push(held);
    weighed.push(...part);
    if (!more) break;
  }
  assert.deepEqual(weighed, expected);
  assert.ok(weights.length > 2 && weights.slice(0, -1).every((w) => w >= 40 && w < 40 + 20), `parts of about 40 observables (${weights})`);
});
