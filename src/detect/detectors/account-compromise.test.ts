/**
 * The memory of valid-password events: remembered events are kept as long as an attack can still match them (a
 * slow spray recognised days after the password worked), forgotten by event time once nothing can, and checkpoints
 * saved by the version that kept whole signals restore to the same findings. Scenario: fixtures/slow-spray.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { AuthEvent } from '../../ocsf/authentication.js';
import { Engine } from '../engine.js';
import { loadRules } from '../rules.js';
import { CUT_AT, slowSprayEvents, T0, TRAVELLER, TRAVELLER_AT, VICTIM } from './fixtures/slow-spray/scenario.js';

const rules = await loadRules();
const H = 3600_000;
/** Findings as written (a restored sample has no undefined members, a fresh one does: the text is the same). */
const text = (f: unknown) => JSON.stringify(f);
const fixture = (name: string) => readFileSync(new URL(`./fixtures/slow-spray/${name}`, import.meta.url), 'utf8');

/** The findings written before the cut and after it (drained at the cut, as a checkpoint does). */
function runSplit(events: AuthEvent[], engine = new Engine({ rules })): { before: unknown[]; after: unknown[]; state: string } {
  const before: unknown[] = [];
  let state = '';
  for (const e of events) {
    if (!state && e.time >= CUT_AT) {
      before.push(...engine.drainFindings());
      state = engine.snapshot();
    }
    engine.push(structuredClone(e));
  }
  engine.flush();
  return { before, after: engine.drainFindings(), state };
}

function finish(engine: Engine, events: AuthEvent[]): unknown[] {
  for (const e of events) if (e.time >= CUT_AT) engine.push(structuredClone(e));
  engine.flush();
  return engine.drainFindings();
}

/** Remembered valid-password events of an account (their times), from the detector's saved state. */
function remembered(engine: Engine, tenant: string, user: string): number[] | undefined {
  const d = engine.detectors.find((x) => x.rule.detector === 'account_compromise')!;
  const st = JSON.parse(JSON.stringify(d.state!())) as { v: [string, [number, ...unknown[]][]][] };
  return st.v.find(([k]) => k === `${tenant}\u0001${user}`)?.[1].map((x) => x[0]);
}

test('the findings are those of the version that kept whole signals, the compromise included', () => {
  const { before, after } = runSplit(slowSprayEvents());
  const lines = [...before, ...after];
  assert.deepEqual(lines.map(text), fixture('expected.jsonl').trim().split('\n'));
  // The success came 24 hours in, the spray was recognised after 110: the event was 86 hours old by then.
  const compromise = lines.find((f: any) => f.finding_info.types[0] === 'account_compromise') as any;
  assert.deepEqual(compromise?.unmapped.compromised_accounts, [VICTIM]);
  assert.equal(compromise.time, T0 + 24 * H);
});

test('a remembered event is forgotten by event time once nothing can match it, and kept while an attack still can', () => {
  const events = slowSprayEvents();
  const engine = new Engine({ rules, latenessMs: 0 }); // every event is processed as it is pushed
  const upTo = (t: number) => {
    while (events.length && events[0].time <= t) engine.push(structuredClone(events.shift()!));
  };
  upTo(TRAVELLER_AT);
  assert.ok(remembered(engine, 'org-q', TRAVELLER)?.includes(TRAVELLER_AT), 'a sign-in from a new place is remembered');
  // A sweep (every 6 hours of event time, a twelfth of remember_valid_hours) up to exactly 72 hours after it keeps
  // it: the account's next sign-in would too.
  upTo(TRAVELLER_AT + 72 * H);
  assert.deepEqual(remembered(engine, 'org-q', TRAVELLER), [TRAVELLER_AT], 'older events of the list are gone, this one stays');
  // By the sweep after that it is too old, and the organisation has no attack that began before it: forgotten,
  // though the account has not signed in from anywhere new since.
  upTo(TRAVELLER_AT + 78 * H + 1);
  assert.equal(remembered(engine, 'org-q', TRAVELLER), undefined);
  // The victim's success (24 hours in) is as old, but the spray that began before it is still going: kept.
  upTo(T0 + 24 * H + 100 * H);
  assert.deepEqual(remembered(engine, 'org-s', VICTIM), [T0 + 24 * H]);
});

test('a checkpoint saved by the version that kept whole signals restores to the same findings', () => {
  const events = slowSprayEvents();
  const uninterrupted = runSplit(events);
  const engine = new Engine({ rules });
  const old = fixture('old-state.json');
  assert.match(old, /"userKey":"u01@org-s\.example"/, 'the saved state holds the victim\'s success as a whole signal');
  engine.restore(old);
  const after = finish(engine, events);
  assert.deepEqual(after.map(text), uninterrupted.after.map(text));
  assert.ok(after.some((f: any) => f.finding_info.types[0] === 'account_compromise'), 'the compromise is found after the restore');
});

test('the state restores to itself in the middle of the stream and gives the same findings', () => {
  const events = slowSprayEvents();
  const { state, after } = runSplit(events);
  const engine = new Engine({ rules });
  engine.restore(state);
  assert.equal(engine.snapshot(), state);
  assert.deepEqual(finish(engine, events).map(text), after.map(text));
});
