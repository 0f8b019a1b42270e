/**
 * The fast way for Entra lines must give detection exactly what the full way gives: for every line it answers,
 * the detection signal of its flat sign-in (after enrichment) equals the signal of `JSON.parse` + `normalize`, and
 * the flat sign-in packed directly equals that signal packed. Checked on
 * the fixtures, on a simulated world, and on thousands of mutated lines (nulls, missing and unknown keys, other
 * types, escapes, whitespace, duplicates, cut lines, flipped bytes), where it must also leave alone every line the
 * full way rejects.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { packSignals, SignalPacker } from '../detect/signal-pack.js';
import { readSignal, signInSignal, toSignal } from '../detect/signal.js';
import { Enricher } from '../enrich/index.js';
import type { AuthEvent } from '../ocsf/authentication.js';
import { DEFAULT_START } from '../simulate/clock.js';
import { Rng } from '../simulate/rng.js';
import { resolveScenarios } from '../simulate/scenarios.js';
import { generateWorld } from '../simulate/world.js';
import { entra } from './entra.js';
import { EntraScanner } from './entra-scan.js';
import type { NormalizeContext } from './types.js';

const tmp = mkdtempSync(join(tmpdir(), 'vigil-entra-scan-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let enricher: Enricher;
let simulated: string[] = [];

before(async () => {
  const tor = join(tmp, 'tor.txt');
  generateWorld({ seed: 5, days: 2, orgs: 4, scale: 0.1, format: 'entra', start: DEFAULT_START, scenarios: resolveScenarios([]), out: join(tmp, 'world') });
  simulated = linesUnder(join(tmp, 'world', 'logs'));
  // Sources on an intel list exercise the anonymiser fields of the signal.
  const ips = simulated.slice(0, 400).map((l) => /"ipAddress":"([^"]+)"/.exec(l)?.[1]).filter(Boolean);
  (await import('node:fs')).writeFileSync(tor, ips.filter((_, i) => i % 3 === 0).join('\n') + '\n');
  enricher = await Enricher.create({ intel: [{ kind: 'tor', path: tor }] });
});

function linesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir).sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out.push(...linesUnder(p));
    else if (n.endsWith('.jsonl')) out.push(...readFileSync(p, 'utf8').split('\n').filter((l) => l.trim()));
  }
  return out;
}

const ctx = (tenant?: string): NormalizeContext => ({ file: 'x.jsonl', line: 7, tenant });

/** The full way's signal for a line: undefined when it would quarantine or skip the line. */
function fullSignal(line: string, tenant?: string) {
  let rec: any;
  try {
    rec = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof rec !== 'object' || rec === null || Array.isArray(rec) || !entra.matches(rec)) return undefined;
  let evs: AuthEvent[];
  try {
    evs = entra.normalize(rec, ctx(tenant));
  } catch {
    return undefined;
  }
  assert.equal(evs.length, 1);
  return signalOf(evs[0]);
}

function signalOf(ev: AuthEvent) {
  ev.unmapped.format = 'entra';
  ev.unmapped.source = { file: 'x.jsonl', line: 7 };
  enricher.enrich(ev);
  return toSignal(ev);
}

/** Compares the two ways on a line; returns whether the fast way answered. */
function agree(line: string, tenant?: string): boolean {
  const fast = entra.detectionSignIn!(line, ctx(tenant));
  if (!fast) return false;
  const full = fullSignal(line, tenant);
  assert.ok(full, `fast way answered a line the full way rejects: ${line.slice(0, 300)}`);
  assert.deepEqual(readSignal(fast, enricher), full, line.slice(0, 300));
  // The reading thread packs the flat sign-in without making its signal: the same batch.
  const direct = new SignalPacker(1);
  direct.addSignIn(fast);
  assert.deepEqual(direct.finish(), packSignals([signInSignal(fast)]), line.slice(0, 300));
  return true;
}

test('simulated Graph sign-ins: the fast way answers nearly every line, with the full way\'s signal', () => {
  assert.ok(simulated.length > 1000, `simulated ${simulated.length} lines`);
  let answered = 0;
  for (const l of simulated) if (agree(l)) answered++;
  assert.ok(answered / simulated.length > 0.99, `answered ${answered} of ${simulated.length}`);
});

test('fixtures: every Entra sample line agrees or is left to the full way (envelopes, Log Analytics rows)', () => {
  const dir = 'src/formats/fixtures/entra';
  let answered = 0;
  let total = 0;
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.jsonl') && !n.includes('expected'))) {
    for (const l of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!l.trim()) continue;
      total++;
      if (agree(l.trim(), 'fallback-tenant')) answered++;
    }
  }
  assert.ok(answered >= 10, `answered ${answered} of ${total}`);
  // A diagnostic-settings record (the sign-in under `properties`) is never read the fast way.
  const envelope = readFileSync(join(dir, 'panther-azure-signin-and-audit.jsonl'), 'utf8').split('\n').find((l) => l.includes('"properties"'))!;
  assert.equal(entra.detectionSignIn!(envelope.trim(), ctx()), undefined);
});

test('every scanned field comes from the key of its name, in any key order (a field read from another would go unseen where values agree)', () => {
  const top: Record<string, string | number> = {
    createdDateTime: 'v-created', userPrincipalName: 'v-upn', userDisplayName: 'v-display', resourceTenantId: 'v-resource',
    homeTenantId: 'v-home', ipAddress: 'v-ip', clientAppUsed: 'v-app', authenticationProtocol: 'v-proto', userAgent: 'v-ua',
    autonomousSystemNumber: 64501,
  };
  const rec = {
    ...top,
    status: { errorCode: 50126 },
    location: { city: 'v-city', state: 'v-state', countryOrRegion: 'v-country', geoCoordinates: { latitude: 1.25, longitude: -2.5 } },
    deviceDetail: { browser: 'v-browser' },
  };
  const expected = { ...top, errorCode: 50126, city: 'v-city', state: 'v-state', countryOrRegion: 'v-country', latitude: 1.25, longitude: -2.5, browser: 'v-browser' };
  const keys = Object.keys(rec) as (keyof typeof rec)[];
  // The layout is learned from each line's own key order: forwards, backwards, and the nested objects first.
  for (const order of [keys, [...keys].reverse(), [...keys.slice(-3), ...keys.slice(0, -3)]]) {
    const line = JSON.stringify(Object.fromEntries(order.map((k) => [k, rec[k]])));
    assert.deepEqual({ ...new EntraScanner().scan(line) }, expected, line);
  }
});

test('the scanner reads nested fields, learns a layout once, and refuses what it does not know', () => {
  const base = '{"createdDateTime":"2024-01-02T03:04:05Z","userPrincipalName":"a@b.example","resourceTenantId":"t1","status":{"errorCode":50126},"location":{"city":"Oslo","countryOrRegion":"NO","geoCoordinates":{"latitude":59.9,"longitude":10.7}},"appliedConditionalAccessPolicies":[{"id":"p","enforcedGrantControls":["Mfa"]}]}';
  const scanner = new EntraScanner();
  const f = scanner.scan(base)!;
  assert.equal(f.errorCode, 50126);
  assert.equal(f.city, 'Oslo');
  assert.equal(f.longitude, 10.7);
  // The same layout with other values, and with an opened object null, matches what was learned.
  assert.equal(scanner.scan(base.replace('Oslo', 'Bergen'))!.city, 'Bergen');
  assert.equal(scanner.scan(base.replace(/"location":\{.*?\}\},/, '"location":null,'))?.city, undefined);
  for (const other of [
    base.replace('"t1"', '"t1","resourceTenantId":"t2"'), // duplicate key
    base.replace('{"createdDateTime"', '{"category":"SignInLogs","createdDateTime"'), // an envelope's key
    base.replace('"userPrincipalName"', '"UserPrincipalName"'), // another spelling
    base.replace('a@b.example', 'a\\u0040b.example'), // an escape
    base.replace('50126', '050126'), // not a JSON number
    base.replace('"Oslo"', '{"name":"Oslo"}'), // an object where a field is read
    base.replace(',"status"', ', "status"'), // whitespace
    base + ' x',
    base.slice(0, -1),
  ]) assert.equal(scanner.scan(other), undefined, other);
});

const USED = new Set(['createdDateTime', 'userPrincipalName', 'userDisplayName', 'resourceTenantId', 'homeTenantId', 'ipAddress', 'clientAppUsed',
  'authenticationProtocol', 'userAgent', 'autonomousSystemNumber', 'status', 'errorCode', 'location', 'city', 'state', 'countryOrRegion',
  'geoCoordinates', 'latitude', 'longitude', 'deviceDetail', 'browser']);

/** Mutations of real-looking lines, each a way a log can differ from the plain shape. */
function mutate(line: string, rng: Rng): string {
  const keys = [...line.matchAll(/"([A-Za-z_]+)":/g)];
  if (!keys.length) return line;
  // Half the time one of the keys detection reads, where a difference would matter.
  const used = keys.filter((k) => USED.has(k[1]));
  const pick = used.length && rng.chance(0.5) ? rng.pick(used) : keys[rng.range(0, keys.length - 1)];
  const at = pick.index!;
  const valueAt = at + pick[0].length;
  switch (rng.range(0, 13)) {
    case 12: // values the format reads specially
      return line.slice(0, valueAt) + JSON.stringify(rng.pick(['Unknown', 'unknown', ' ', '', 'none', 'NONE', 'ROPC', 'BAV2ROPC', 'IMAP4', 'Exchange ActiveSync', '0'])) + line.slice(skipValue(line, valueAt));
    case 13: // an autonomous system number, as Graph beta gives it
      return line.slice(0, line.length - 1) + `,"autonomousSystemNumber":${rng.pick(['0', '64500', '"64500"', 'null', '"x"', '-1'])}}`;
    case 0: // a value set to null
      return line.slice(0, valueAt) + 'null' + line.slice(skipValue(line, valueAt));
    case 1: // a key removed
      return removeMember(line, at);
    case 2: // an unknown key
      return line.slice(0, at) + '"Extra":1,' + line.slice(at);
    case 3: // another type
      return line.slice(0, valueAt) + rng.pick(['123', '"123"', '[]', '{}', 'true', '" "', '"Unknown"', '"none"', '-0', '1e3', '"50126"']) + line.slice(skipValue(line, valueAt));
    case 4: // an escape
      return line.slice(0, valueAt) + '"a\\"b"' + line.slice(skipValue(line, valueAt));
    case 5: // whitespace between tokens
      return line.slice(0, valueAt) + ' ' + line.slice(valueAt).replace(',', ' , ');
    case 6: // a duplicate key with another value
      return line.slice(0, line.length - 1) + `,${pick[0]}"dup"}`;
    case 7: // cut short
      return line.slice(0, rng.range(1, line.length - 1));
    case 8: { // a flipped byte
      const i = rng.range(0, line.length - 1);
      return line.slice(0, i) + String.fromCharCode(rng.range(0, 127)) + line.slice(i + 1);
    }
    case 9: // key spelled another way
      return line.slice(0, at + 1) + pick[1][0].toUpperCase() + line.slice(at + 2);
    case 10: // padded strings (trimmed by the format) and odd numbers
      return line.replace(/"([^"]*)"(?=,|\})/, '"  $1  "').replace(/:(\d+)/, ':$1.0');
    default: // an IP with a port, or a mapped IPv6
      return line.replace(/"ipAddress":"([^"]+)"/, (_, ip) => `"ipAddress":"${rng.pick([`${ip}:443`, `::ffff:${ip}`, `[${ip}]`, 'AWS Internal', ''])}"`);
  }
}

function skipValue(line: string, i: number): number {
  const fast = JSON.parse; // find the shortest prefix from i that parses as one value followed by , or }
  for (let j = i + 1; j <= line.length; j++) {
    const c = line[j];
    if (c !== ',' && c !== '}') continue;
    try {
      fast(line.slice(i, j));
      return j;
    } catch {
      /* keep looking */
    }
  }
  return line.length;
}

function removeMember(line: string, at: number): string {
  const end = skipValue(line, line.indexOf(':', at) + 1);
  return line[end] === ',' ? line.slice(0, at) + line.slice(end + 1) : line.slice(0, at).replace(/,$/, '') + line.slice(end);
}

test('fuzz: mutated lines agree with the full way or are left to it', () => {
  const rng = Rng.from(11, 'entra-scan-fuzz');
  let answered = 0;
  const n = 6000;
  for (let i = 0; i < n; i++) {
    let line = simulated[rng.range(0, simulated.length - 1)];
    for (let k = rng.range(1, 3); k > 0; k--) line = mutate(line, rng);
    if (agree(line, i % 2 ? 'fallback-tenant' : undefined)) answered++;
  }
  // Many mutations keep the line plain (a null, a type change the format tolerates): those must still be answered.
  assert.ok(answered > n / 10, `answered ${answered} of ${n}`);
});
