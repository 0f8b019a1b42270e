/**
 * The STRONTIUM spray scenario against Microsoft's published figures, measured on the generated Entra events read
 * back through the real reader: about 4 attempts per account per hour, each from another address, a pool of about
 * 1,100 addresses (scaled) mostly Tor with about 20 swapped a day, about a fifth of each targeted organisation's
 * accounts plus guessed names, one tool fingerprint, and at most one password found (stopped by MFA).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Quarantine } from '../ingest/quarantine.js';
import { newStats, readSource } from '../ingest/reader.js';
import { expandInputs } from '../ingest/sources.js';
import type { AuthEvent } from '../ocsf/authentication.js';
import { DEFAULT_START, HOUR } from './clock.js';
import { loadScenarioFile, type GuessingScenario } from './scenarios.js';
import type { AttackTruth } from './truth.js';
import { generateWorld } from './world.js';

const SCENARIO = fileURLToPath(new URL('../../scenarios/strontium-spray.yaml', import.meta.url));
const SCALE = 0.25;
const tmp = mkdtempSync(join(tmpdir(), 'vigil-strontium-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

let spray: AttackTruth;
let attempts: AuthEvent[];
let torExits: Set<string>;
let orgSizes: Map<string, number>;
const scenario = loadScenarioFile(SCENARIO) as GuessingScenario;

before(async () => {
  const world = generateWorld({ seed: 11, days: 7, orgs: 12, scale: SCALE, format: 'entra', start: DEFAULT_START, scenarios: [scenario], out: tmp });
  spray = world.truth.attacks[0];
  orgSizes = new Map(world.orgs.map((o) => [o.id, o.size]));
  const sources = new Set(spray.sources);
  attempts = [];
  const q = new Quarantine(undefined);
  for (const src of expandInputs([join(tmp, 'logs')])) {
    for await (const batch of readSource(src, {}, q, newStats())) for (const e of batch) if (sources.has(e.src_endpoint.ip!)) attempts.push(e);
  }
  torExits = new Set(readFileSync(join(tmp, 'intel', 'tor-exits.txt'), 'utf8').split('\n'));
});

describe('strontium-spray matches the published figures', () => {
  test('the benign population never uses the pool: every event from it is the attack', () => {
    assert.equal(attempts.length, spray.events);
  });

  test('about 4 attempts per account per hour, each from another address', () => {
    const hours = (Date.parse(spray.end!) - Date.parse(spray.start!)) / HOUR;
    assert.ok(hours > 100, `ran ${hours} hours, expected days`);
    const perAccount = new Map<string, AuthEvent[]>();
    for (const e of attempts) {
      const k = `${e.metadata.tenant_uid} ${e.user.name}`;
      perAccount.set(k, [...(perAccount.get(k) ?? []), e]);
    }
    const rates = [...perAccount.values()].filter((list) => list.every((e) => e.unmapped.password_valid === false)).map((list) => list.length / hours);
    const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
    assert.ok(mean > 3.6 && mean < 4.4, `mean ${mean.toFixed(2)} attempts per account per hour`);
    // Within an hour, one account's attempts come from as many addresses as attempts (rotation about once a second).
    let sameAddress = 0;
    let pairs = 0;
    for (const list of perAccount.values()) {
      list.sort((a, b) => a.time - b.time);
      for (let i = 1; i < list.length; i++, pairs++) if (list[i].src_endpoint.ip === list[i - 1].src_endpoint.ip) sameAddress++;
    }
    assert.equal(sameAddress, 0, `${sameAddress} of ${pairs} consecutive attempts reused an address`);
  });

  test('a pool of about 1,100 (scaled) mostly-Tor addresses, about 20 (scaled) swapped a day', () => {
    const pool = Math.round(1100 * SCALE);
    const churn = Math.round(20 * SCALE);
    const byDay = new Map<number, Set<string>>();
    for (const e of attempts) {
      const d = Math.floor(e.time / (24 * HOUR));
      if (!byDay.has(d)) byDay.set(d, new Set());
      byDay.get(d)!.add(e.src_endpoint.ip!);
    }
    for (const [d, ips] of byDay) assert.ok(ips.size > pool * 0.9 && ips.size <= pool, `day ${d}: ${ips.size} addresses, pool ${pool}`);
    const days = byDay.size;
    assert.ok(spray.sources.length <= pool + churn * (days + 1) && spray.sources.length >= pool, `${spray.sources.length} addresses in ${days} days`);
    const tor = spray.sources.filter((ip) => torExits.has(ip)).length / spray.sources.length;
    assert.ok(tor > 0.75 && tor < 0.95, `${(tor * 100).toFixed(0)}% Tor`);
  });

  test('about a fifth of each targeted organisation plus guessed names, at up to nine organisations', () => {
    assert.equal(spray.organisations.length, 9);
    for (const tenant of spray.organisations) {
      const known = new Set(attempts.filter((e) => e.metadata.tenant_uid === tenant && e.unmapped.reason !== 'unknown_user').map((e) => e.user.name));
      const guessed = new Set(attempts.filter((e) => e.metadata.tenant_uid === tenant && e.unmapped.reason === 'unknown_user').map((e) => e.user.name));
      const size = orgSizes.get(tenant)!;
      assert.equal(known.size, Math.max(1, Math.round(0.2 * size)), `${tenant}: ${known.size} of ${size} accounts`);
      assert.ok(guessed.size > 0, `${tenant}: no guessed names`);
    }
  });

  test('one tool fingerprint: one user agent, one legacy client, the spray error mix', () => {
    assert.deepEqual([...new Set(attempts.map((e) => e.http_request?.user_agent))], [scenario.tool.user_agent]);
    assert.ok(attempts.every((e) => e.unmapped.client_app === 'Exchange ActiveSync' && e.unmapped.legacy_protocol));
    const codes = new Map<string, number>();
    for (const e of attempts) codes.set(e.status_code!, (codes.get(e.status_code!) ?? 0) + 1);
    assert.deepEqual([...codes.keys()].sort(), ['50034', '50053', '50076', '50126']);
    assert.ok(codes.get('50126')! > attempts.length * 0.6);
    assert.ok(codes.get('50053')! < attempts.length * 0.05);
  });

  test('no compromise; one password found and stopped by MFA (50076)', () => {
    assert.equal(spray.compromised.length, 0);
    assert.equal(spray.password_valid.length, 1);
    const found = attempts.filter((e) => e.status_code === '50076');
    assert.equal(found.length, 1);
    assert.equal(found[0].user.name, spray.password_valid[0].name);
    assert.ok(attempts.every((e) => e.status_id === 2));
    // The tool stops guessing an account once its password is found.
    assert.ok(!attempts.some((e) => e.user.name === found[0].user.name && e.time > found[0].time));
  });
});
