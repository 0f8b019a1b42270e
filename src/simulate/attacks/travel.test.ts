/**
 * The impossible-travel attack's truth must be true: the stolen credentials are used from another continent than
 * the victim's home, whatever the seed. (A country of the scenario without blocks of the drawn kind once fell back to
 * any block of it, and a Pakistani victim got an "attacker" in Lahore, which no detector can call travel.)
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { AddressSpace } from '../addresses.js';
import { DEFAULT_START } from '../clock.js';
import type { SimEvent } from '../event.js';
import { continentOf } from '../netblocks.js';
import { buildPopulation } from '../population.js';
import { Rng } from '../rng.js';
import { loadScenarioFile, type TravelScenario } from '../scenarios.js';
import { TorNetwork } from '../tor.js';
import { travelAttack } from './travel.js';

const SCENARIO = loadScenarioFile(fileURLToPath(new URL('../../../scenarios/impossible-travel.yaml', import.meta.url))) as TravelScenario;

test('the attacker signs in from another continent than the victim, for every seed', () => {
  const days = 7;
  let victimsInAsia = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const space = new AddressSpace(Rng.from(seed, 'addresses'));
    const orgs = buildPopulation({ orgs: 12, scale: 0.2, days, format: 'entra' }, Rng.from(seed, 'population'), space);
    const ctx = { seed, start: DEFAULT_START, days, scale: 0.2, orgs, space, tor: new TorNetwork(space), pools: new Map() };
    const attack = travelAttack(SCENARIO, 0, ctx);
    const events: SimEvent[] = [];
    for (let d = 0; d < days; d++) attack.day(d, (e) => events.push(e));
    const attackerSignIns = events.filter((e) => e.attack === 0);
    assert.ok(attackerSignIns.length > 0, `seed ${seed}: the attack signs in`);
    for (const e of attackerSignIns) {
      const victim = e.user;
      assert.ok(victim, `seed ${seed}: the attack's sign-ins are an account's`);
      const home = continentOf(victim.country);
      if (home === 'AS') victimsInAsia++;
      assert.notEqual(continentOf(e.src.net.country), home, `seed ${seed}: ${victim.login} (${victim.country}) attacked from ${e.src.ip} in ${e.src.net.country}`);
    }
  }
  assert.ok(victimsInAsia > 0, 'some victims live in Asia, where the fallback used to land');
});
