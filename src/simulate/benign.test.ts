/**
 * Ordinary behaviour, read back from generated Entra logs with no attack scenario: the planted situations are there
 * (the Monday office NAT, stale phones, lock-outs, typos, MFA prompts, trips, VPNs) and look the way they should,
 * and nothing ordinary looks like an attack (no Tor, no private addresses, no address failing many accounts
 * except the office that then signs them all in).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Quarantine } from '../ingest/quarantine.js';
import { newStats, readSource } from '../ingest/reader.js';
import { expandInputs } from '../ingest/sources.js';
import type { AuthEvent } from '../ocsf/authentication.js';
import { DAY, DEFAULT_START, HOUR, MINUTE, utcOffsetMinutes } from './clock.js';
import { cidrRange, NETBLOCKS } from './netblocks.js';
import { generateWorld, type WorldSummary } from './world.js';

const tmp = mkdtempSync(join(tmpdir(), 'vigil-benign-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

let world: WorldSummary;
let events: AuthEvent[];
const byUser = new Map<string, AuthEvent[]>();
const failed = (e: AuthEvent) => e.status_id === 2;

before(async () => {
  world = generateWorld({ seed: 5, days: 7, orgs: 12, scale: 0.3, format: 'entra', start: DEFAULT_START, scenarios: [], out: tmp });
  events = [];
  const q = new Quarantine(undefined);
  for (const src of expandInputs([join(tmp, 'logs')])) for await (const batch of readSource(src, {}, q, newStats())) events.push(...batch);
  events.sort((a, b) => a.time - b.time);
  for (const e of events) {
    const list = byUser.get(e.user.name);
    if (list) list.push(e);
    else byUser.set(e.user.name, [e]);
  }
});

describe('ordinary behaviour', () => {
  test('every record of a world without scenarios is benign', () => {
    assert.equal(world.truth.attacks.length, 0);
    assert.equal(events.length, world.truth.benign_events);
  });

  test('only public addresses, never a Tor exit; some staff come through commercial VPNs', () => {
    const reserved = ['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.2.0/24', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/3'].map(cidrRange);
    const tor = new Set(readFileSync(join(tmp, 'intel', 'tor-exits.txt'), 'utf8').split('\n'));
    const vpn = NETBLOCKS.filter((b) => b.kind === 'vpn').map((b) => cidrRange(b.cidr));
    let viaVpn = 0;
    for (const e of events) {
      const n = e.src_endpoint.ip!.split('.').reduce((a, o) => a * 256 + Number(o), 0);
      assert.ok(!reserved.some((r) => n >= r.first && n < r.first + r.size), `reserved address ${e.src_endpoint.ip}`);
      assert.ok(!tor.has(e.src_endpoint.ip!), `benign sign-in from Tor exit ${e.src_endpoint.ip}`);
      if (vpn.some((r) => n >= r.first && n < r.first + r.size)) viaVpn++;
    }
    assert.ok(viaVpn > 0);
  });

  test('working hours and weekends in each organisation\'s time zone', () => {
    for (const org of world.orgs) {
      const mine = events.filter((e) => e.metadata.tenant_uid === org.id && e.unmapped.client_app === 'Browser' && e.status_id === 1);
      const local = (t: number) => new Date(t + utcOffsetMinutes(org.timeZone, t) * MINUTE);
      const weekday = mine.filter((e) => ![0, 6].includes(local(e.time).getUTCDay()));
      const office = weekday.filter((e) => local(e.time).getUTCHours() >= 6 && local(e.time).getUTCHours() < 20);
      assert.ok(office.length > weekday.length * 0.85, `${org.name}: ${office.length} of ${weekday.length} weekday sign-ins in working hours`);
      assert.ok(mine.length - weekday.length < weekday.length * 0.15, `${org.name}: too busy at the weekend`);
    }
  });

  test('typos and MFA interrupts are followed by a success within minutes; MFA prompts are answered', () => {
    let typoThenSuccess = 0;
    let interruptThenSuccess = 0;
    for (const list of byUser.values()) {
      for (let i = 0; i < list.length - 1; i++) {
        const e = list[i];
        const next = list.slice(i + 1).find((x) => x.unmapped.client_app === e.unmapped.client_app);
        const soon = next && next.status_id === 1 && next.time - e.time < 5 * MINUTE;
        if (e.unmapped.reason === 'bad_password' && soon) typoThenSuccess++;
        if (e.unmapped.reason === 'mfa_required' && soon) interruptThenSuccess++;
      }
    }
    assert.ok(typoThenSuccess > 20, `${typoThenSuccess} typos followed by a success`);
    assert.ok(interruptThenSuccess > 20, `${interruptThenSuccess} MFA interrupts followed by a success`);
    assert.ok(events.filter((e) => e.status_id === 1 && e.is_mfa).length > 100);
  });

  test('a forgotten password: failures up to the lock-out threshold, "locked", then a reset and a success', () => {
    assert.ok(world.plan.lockouts.size >= world.orgs.length);
    for (const l of world.plan.lockouts.values()) {
      const list = byUser.get(l.user.upn)!.filter((e) => e.unmapped.client_app === 'Browser');
      const firstLocked = list.findIndex((e) => e.unmapped.reason === 'locked_out');
      assert.ok(firstLocked >= l.failures, `${l.user.upn}: no lock-out after ${l.failures} failures`);
      assert.ok(list.slice(firstLocked - l.failures, firstLocked).every((e) => e.unmapped.reason === 'bad_password'));
      const reset = list.slice(firstLocked).find((e) => e.status_id === 1);
      assert.ok(reset && reset.time - list[firstLocked].time < 2 * HOUR, `${l.user.upn}: no success after the lock-out`);
    }
  });

  test('a stale phone fails every 15 minutes, day and night, over a legacy protocol, until fixed', () => {
    assert.ok(world.plan.stalePhones.length >= world.orgs.length);
    for (const s of world.plan.stalePhones) {
      const fails = byUser.get(s.user.upn)!.filter((e) => failed(e) && e.time >= s.from - MINUTE && e.time < s.to + MINUTE && e.unmapped.legacy_protocol);
      const expected = Math.floor((Math.min(s.to, world.truth.end ? Date.parse(world.truth.end) : s.to) - Math.max(s.from, DEFAULT_START)) / (15 * MINUTE));
      if (expected <= 0) continue;
      assert.ok(Math.abs(fails.length - expected) <= 2, `${s.user.upn}: ${fails.length} failures, expected about ${expected}`);
      assert.ok(fails.every((e) => e.unmapped.reason === 'bad_password'));
      const gaps = fails.slice(1).map((e, i) => e.time - fails[i].time).sort((a, b) => a - b);
      if (gaps.length) assert.ok(Math.abs(gaps[gaps.length >> 1] - 15 * MINUTE) < MINUTE, 'median gap is not 15 minutes');
      assert.ok(new Set(fails.map((e) => e.src_endpoint.ip)).size <= 2);
      assert.ok(fails.some((e) => new Date(e.time + utcOffsetMinutes(s.user.org.timeZone, e.time) * MINUTE).getUTCHours() < 6) || s.to - s.from < 20 * HOUR);
    }
  });

  test('Monday morning: many accounts fail behind one office NAT, and each then signs in from it', () => {
    const monday = world.plan.monday!;
    assert.ok(monday);
    const ip = monday.org.office.ip;
    const dayStart = DEFAULT_START + monday.day * DAY;
    const morning = events.filter((e) => e.src_endpoint.ip === ip && e.time >= dayStart && e.time < dayStart + DAY);
    const failing = new Set(morning.filter((e) => e.unmapped.reason === 'bad_password').map((e) => e.user.name));
    assert.ok(failing.size >= 8, `${failing.size} accounts failing behind ${ip}`);
    for (const name of failing) assert.ok(morning.some((e) => e.user.name === name && e.status_id === 1), `${name} never signed in`);
  });

  test('nothing else fails many accounts from one address', () => {
    const failuresByHour = new Map<string, Set<string>>();
    for (const e of events.filter(failed)) {
      const k = `${e.src_endpoint.ip} ${Math.floor(e.time / HOUR)}`;
      if (!failuresByHour.has(k)) failuresByHour.set(k, new Set());
      failuresByHour.get(k)!.add(e.user.name);
    }
    const offices = new Set(world.orgs.map((o) => o.office.ip));
    for (const [k, accounts] of failuresByHour) if (accounts.size >= 5) assert.ok(offices.has(k.split(' ')[0]), `${accounts.size} accounts failing from ${k}`);
  });

  test('trips abroad: sign-ins from the destination, well after the last one from home', () => {
    const travellers = world.orgs.flatMap((o) => o.users.filter((u) => u.trips.length));
    assert.ok(travellers.length > 0);
    let checked = 0;
    for (const u of travellers) {
      const list = byUser.get(u.upn) ?? [];
      for (const trip of u.trips) {
        const abroad = list.filter((e) => e.src_endpoint.location?.country === trip.country);
        if (!abroad.length) continue;
        const before = list.filter((e) => e.time < abroad[0].time && e.src_endpoint.location?.country === u.country);
        if (!before.length) continue;
        checked++;
        assert.ok(abroad[0].time - before[before.length - 1].time > 6 * HOUR, `${u.upn} reached ${trip.country} too fast`);
      }
    }
    assert.ok(checked > 0);
  });
});
