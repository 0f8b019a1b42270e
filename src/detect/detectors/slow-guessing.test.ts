/**
 * The slow-guessing detector keeps its memory per account in a compact form (flat sample, days and attempts as
 * numbers, addresses as one string). These tests hold that this changes nothing a user sees: a kept sample shows
 * exactly as the evidence of its attempt, and a run continued from a checkpoint (of this version, or of the version
 * before the compact form) writes exactly the finding lines of an uninterrupted run.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { AuthEvent } from '../../ocsf/authentication.js';
import { Engine } from '../engine.js';
import { evidenceOf } from '../findings.js';
import { loadRules } from '../rules.js';
import { toSignal, type Signal } from '../signal.js';
import { decodeState, encodeState } from '../state-codec.js';
import { evidenceOfSample, sampleOf, sampleOfEvidence } from './slow-guessing.js';

const rules = await loadRules();
const ruleId = rules.find((r) => r.detector === 'slow_guessing')!.id;
const fixtures = new URL('../fixtures/', import.meta.url);
const eventsOf = (name: string): AuthEvent[] =>
  readFileSync(new URL(`${name}/events.jsonl`, fixtures), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

/**
 * Every finding line of a run over `events`; with `cut`, the run is saved after that many events and continued by a
 * new engine from the saved text (which `edit` may change first). `linesBeforeCut` tells how many came before.
 */
let linesBeforeCut = 0;
function run(events: AuthEvent[], cut?: number, edit?: (state: any) => void): string[] {
  let engine = new Engine({ rules });
  const lines: string[] = [];
  const drain = () => lines.push(...engine.drainFindings().map((f) => JSON.stringify(f)));
  events.forEach((e, i) => {
    engine.push(structuredClone(e));
    if (i + 1 !== cut) return;
    drain();
    linesBeforeCut = lines.length;
    let saved = engine.snapshot();
    if (edit) {
      const state = decodeState(saved);
      edit(state);
      saved = encodeState(state);
    }
    engine = new Engine({ rules });
    engine.restore(saved);
  });
  engine.flush();
  drain();
  return lines;
}

const slowLines = (lines: string[]) => lines.filter((l) => JSON.parse(l).finding_info.analytic.uid === ruleId);

test('a kept sample shows as the evidence of its attempt, also when saved by the version before', () => {
  const failures = eventsOf('slow-guessing').filter((e) => e.status_id === 2).map(toSignal);
  const full: Signal = {
    ...failures[0], asn: 64496, asOrg: 'Example Hosting', country: 'NL', ua: 'curl/8.0', app: 'Browser', reason: 'bad_password',
    source: { file: 'logs/signins.jsonl', line: 42 },
  };
  const bare: Signal = { ...failures[0], ip: '', asn: 0, asOrg: 'Orphan Org', country: '', ua: '', app: '', reason: 'other', source: undefined };
  for (const s of [full, bare, ...failures]) {
    const shown = JSON.stringify(evidenceOf(s));
    assert.equal(JSON.stringify(evidenceOfSample(sampleOf(s), s.user)), shown);
    // Saved by the version before: the Evidence object itself, through a checkpoint's JSON.
    assert.equal(JSON.stringify(evidenceOfSample(sampleOfEvidence(JSON.parse(shown)), s.user)), shown);
  }
});

test('a run continued from a checkpoint writes the lines of an uninterrupted run', () => {
  for (const name of ['slow-guessing', 'benign-slow-retry-loop', 'benign-slow-stale-device']) {
    const events = eventsOf(name);
    const whole = run(events);
    if (name === 'slow-guessing') assert.ok(slowLines(whole).length > 1, 'the fixture raises and updates a slow-guessing finding');
    let remembered = 0;
    for (let cut = 20; cut < events.length; cut += 40) {
      assert.deepEqual(run(events, cut, (st) => (remembered += st.detectors[ruleId].accounts.size)), whole, `${name}: continued after event ${cut}`);
    }
    assert.ok(remembered > 0, `${name}: checkpoints hold accounts`);
  }
});

test('a checkpoint saved before the compact form restores and continues exactly', () => {
  const events = eventsOf('slow-guessing');
  const old = decodeState(OLD_STATE_AFTER_150);
  // The saved state is of the earlier form, with a finding's members (its own copies of the tallies) among it.
  assert.ok([...old.accounts.map.values()].every((a: any) => Array.isArray(a.perDay) && !Array.isArray(a.sample)));
  assert.equal([...old.episodes.map.values()][0].members.size, 3);
  const whole = run(events);
  const lines = run(events, 150, (st) => (st.detectors[ruleId] = old));
  assert.ok(slowLines(lines.slice(linesBeforeCut)).length > 0, 'the finding is updated after the restore');
  assert.deepEqual(lines, whole);
});

/**
 * The detector's state after event 150 of fixtures/slow-guessing, as saved by the version before the compact form
 * (git 7ebca2f): samples as Evidence objects, days and their attempts in two lists, addresses as lists. An episode
 * with its three accounts is open and is updated by the events that follow.
 */
const OLD_STATE_AFTER_150 = String.raw`
{"accounts":{"$b":100000,"e":[
  ["org-c\u0001user05@org-c.example",{"user":"user05@org-c.example","first":1598337884149,"last":1598531718767,"days":[18499,18500,18501],"perDay":[4,5,4],"ips":["37.120.217.12","64.43.117.161","45.85.111.39","5.157.132.190","37.120.216.24"],"dayIps":["37.120.216.24","45.85.111.39","5.157.132.190","37.120.217.12"],"tool":["Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) Safari/605.1.15","Browser",""],"sample":{"time":1598337884149,"src_endpoint":{"ip":"37.120.217.12","location":{"country":"NL"}},"user":{"name":"user05@org-c.example"},"status_id":2,"data":{"reason":"bad_password","user_agent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) Safari/605.1.15","client_app":"Browser"}}}],
  ["org-c\u0001user02@org-c.example",{"user":"user02@org-c.example","first":1598345973532,"last":1598539075662,"days":[18499,18500,18501],"perDay":[4,4,5],"ips":["37.120.216.24","37.120.217.12","5.157.132.190","45.85.111.39","64.43.117.161"],"dayIps":["64.43.117.161","45.85.111.39","37.120.217.12","5.157.132.190","37.120.216.24"],"tool":["Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) Safari/605.1.15","Browser",""],"sample":{"time":1598345973532,"src_endpoint":{"ip":"37.120.216.24","location":{"country":"NL"}},"user":{"name":"user02@org-c.example"},"status_id":2,"data":{"reason":"bad_password","user_agent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) Safari/605.1.15","client_app":"Browser"}}}],
  ["org-c\u0001user09@org-c.example",{"user":"user09@org-c.example","first":1598337325228,"last":1598597504973,"days":[18499,18500,18501,18502],"perDay":[3,5,5,1],"ips":["5.157.132.190","64.43.117.161","45.85.111.39","37.120.217.12","37.120.216.24"],"dayIps":["5.157.132.190"],"tool":["Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) Safari/605.1.15","Browser",""],"sample":{"time":1598337325228,"src_endpoint":{"ip":"37.120.216.24","location":{"country":"NL"}},"user":{"name":"user09@org-c.example"},"status_id":2,"data":{"reason":"bad_password","user_agent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) Safari/605.1.15","client_app":"Browser"}}}]
]},
"candidates":{"$b":100000,"e":[]},
"tenantDay":{"$b":100000,"e":[["org-c",18502]]},
"lastSweep":1598513409861,
"episodes":{"$b":100000,"e":[
  ["org-c",{"members":{"$m":[
    ["user02@org-c.example",{"user":"user02@org-c.example","first":1598345973532,"last":1598539075662,"days":[18499,18500,18501],"perDay":[4,4,5],"ips":["37.120.216.24","37.120.217.12","5.157.132.190","45.85.111.39","64.43.117.161"],"dayIps":["64.43.117.161","45.85.111.39","37.120.217.12","5.157.132.190","37.120.216.24"],"tool":["Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) Safari/605.1.15","Browser",""]}],
    ["user05@org-c.example",{"user":"user05@org-c.example","first":1598337884149,"last":1598531718767,"days":[18499,18500,18501],"perDay":[4,5,4],"ips":["37.120.217.12","64.43.117.161","45.85.111.39","5.157.132.190","37.120.216.24"],"dayIps":["37.120.216.24","45.85.111.39","5.157.132.190","37.120.217.12"],"tool":["Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) Safari/605.1.15","Browser",""]}],
    ["user09@org-c.example",{"user":"user09@org-c.example","first":1598337325228,"last":1598597504973,"days":[18499,18500,18501,18502],"perDay":[3,5,5,1],"ips":["5.157.132.190","64.43.117.161","45.85.111.39","37.120.217.12","37.120.216.24"],"dayIps":["5.157.132.190"],"tool":["Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) Safari/605.1.15","Browser",""]}]
  ]},"key":"18499","first":1598337325228,"last":1598597504973,"samples":[{"time":1598345973532,"src_endpoint":{"ip":"37.120.216.24","location":{"country":"NL"}},"user":{"name":"user02@org-c.example"},"status_id":2,"data":{"reason":"bad_password","user_agent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) Safari/605.1.15","client_app":"Browser"}},{"time":1598337884149,"src_endpoint":{"ip":"37.120.217.12","location":{"country":"NL"}},"user":{"name":"user05@org-c.example"},"status_id":2,"data":{"reason":"bad_password","user_agent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) Safari/605.1.15","client_app":"Browser"}},{"time":1598337325228,"src_endpoint":{"ip":"37.120.216.24","location":{"country":"NL"}},"user":{"name":"user09@org-c.example"},"status_id":2,"data":{"reason":"bad_password","user_agent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) Safari/605.1.15","client_app":"Browser"}}],"dirty":true,"raisedAt":1598597504973}]
]}}
`;
