/**
 * The finding sink's memory: an update too small to write waits for the end of input, unless the attack behind it
 * ends first; then `settle` writes it (only if it changed what was shown) and forgets the finding.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FindingSink, type FindingDraft } from './findings.js';
import { loadRules } from './rules.js';

const rule = loadRules().find((r) => r.detector === 'password_spray')!;

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
