/**
 * Data-driven detector tests: every folder in src/detect/fixtures is a situation with input events and the
 * findings it must raise (or none, for the benign ones). Each is also run with its input shuffled within the
 * lateness bound, in small chunks through a checkpoint/restore, to prove the findings do not depend on either.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { AuthEvent } from '../ocsf/authentication.js';
import { replay } from './fixtures/replay.js';
import { loadRules } from './rules.js';

const dir = new URL('./fixtures/', import.meta.url);
const rules = await loadRules();

interface Expected {
  type: string;
  tenant: string;
  accounts: string[];
  compromised: string[];
  min_ips: number;
}

function load(name: string): { events: AuthEvent[]; expected: Expected[] } {
  const events = readFileSync(new URL(`${name}/events.jsonl`, dir), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  return { events, expected: JSON.parse(readFileSync(new URL(`${name}/expected.json`, dir), 'utf8')).findings };
}

/** Final content of each finding (the last line per uid). */
function finalFindings(lines: any[]): any[] {
  const byUid = new Map<string, any>();
  for (const f of lines) byUid.set(f.finding_info.uid, f);
  return [...byUid.values()];
}

function summary(f: any): Expected & { ips: number } {
  const obs = f.observables as { type_id: number; value: string }[];
  return {
    type: f.finding_info.types[0],
    tenant: f.metadata.tenant_uid,
    accounts: obs.filter((o) => o.type_id === 4).map((o) => o.value).sort(),
    compromised: [...f.unmapped.compromised_accounts].sort(),
    min_ips: 0,
    ips: obs.filter((o) => o.type_id === 2).length,
  };
}

function check(name: string, lines: any[], expected: Expected[]) {
  const got = finalFindings(lines).map(summary);
  const key = (x: { type: string; accounts: string[] }) => `${x.type} ${x.accounts.join(',')}`;
  assert.deepEqual(got.map(key).sort(), expected.map(key).sort(), `${name}: findings (type + accounts) differ`);
  for (const e of expected) {
    const g = got.find((x) => key(x) === key(e))!;
    assert.equal(g.tenant, e.tenant, `${name}: tenant`);
    assert.deepEqual(g.compromised, [...e.compromised].sort(), `${name}: compromised accounts of ${e.type}`);
    assert.ok(g.ips >= e.min_ips, `${name}: ${e.type} names ${g.ips} addresses, expected at least ${e.min_ips}`);
  }
  for (const f of lines) {
    assert.equal(f.class_uid, 2004);
    assert.ok([1, 2].includes(f.activity_id));
    assert.ok(f.finding_info.attacks.length > 0);
    assert.match(f.finding_info.desc, /\d/, 'a description states its numbers');
  }
}

/** Shuffle inside windows shorter than the lateness bound: arrival order changes, event times don't. */
function shuffleWithinMinutes(events: AuthEvent[], minutes: number, seed: number): AuthEvent[] {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const keyed = events.map((e) => ({ e, k: e.time + rnd() * minutes * 60_000 }));
  return keyed.sort((a, b) => a.k - b.k).map((x) => x.e);
}

for (const name of readdirSync(dir).filter((n) => !n.includes('.')).sort()) {
  test(`detector fixture ${name}`, () => {
    const { events, expected } = load(name);
    const lines = replay(events, rules);
    check(name, lines, expected);
    const shuffled = replay(shuffleWithinMinutes(events, 5, 7), rules, 97);
    assert.deepEqual(shuffled.map((f) => JSON.stringify(f)), lines.map((f) => JSON.stringify(f)), `${name}: shuffled + chunked + restored run differs`);
  });
}

test('a stuffing wave says how many addresses and netblocks it came from, and hosts the log names only by name', () => {
  const { events } = load('stuffing-inside-spray');
  const waveDesc = (evs: AuthEvent[]) => {
    const wave = finalFindings(replay(evs, rules)).find((f) => f.finding_info.types[0] === 'credential_stuffing');
    return wave?.finding_info.desc as string;
  };
  assert.match(waveDesc(events), / from \d+ address\(es\) in \d+ netblock\(s\), /);
  // The same log from a host that wrote names for its sources (sshd's rhost=host): no address, no netblock.
  const byName = events.map((e) => {
    const { ip, ...rest } = e.src_endpoint;
    return { ...e, src_endpoint: ip ? { ...rest, hostname: `h${ip.replaceAll('.', '-')}.example.net` } : rest };
  });
  assert.match(waveDesc(byName), / from \d+ host\(s\) the log names only by host name, /);
});
