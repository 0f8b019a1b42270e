/**
 * Scenario files: the shipped ones validate; mistakes are reported with the file and the field; `--scenario FILE`
 * adds or replaces by id; windows are fitted into shorter worlds.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { AddressSpace } from './addresses.js';
import { placeWindow, type AttackContext } from './attacks/context.js';
import { DAY, DEFAULT_START, HOUR } from './clock.js';
import { Rng } from './rng.js';
import { DEFAULT_SCENARIO_DIR, loadScenarioDir, loadScenarioFile, resolveScenarios, ScenarioError } from './scenarios.js';
import { TorNetwork } from './tor.js';

const tmp = mkdtempSync(join(tmpdir(), 'vigil-scenarios-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

const strontium = readFileSync(join(DEFAULT_SCENARIO_DIR, 'strontium-spray.yaml'), 'utf8');

describe('scenario files', () => {
  test('the shipped scenarios validate and cover the brief', () => {
    const list = loadScenarioDir(DEFAULT_SCENARIO_DIR);
    const ids = list.map((s) => s.id).sort();
    assert.deepEqual(ids, ['credential-stuffing', 'criminal-decoy-spray', 'impossible-travel', 'mfa-push-bombing', 'single-ip-spray', 'slow-targeted-guessing', 'strontium-bruteforce', 'strontium-spray', 'tor-success']);
    for (const s of list) assert.equal(s.file, `${s.id}.yaml`, 'file named after its id');
    assert.deepEqual(new Set(list.map((s) => s.type)), new Set(['password_spray', 'brute_force', 'credential_stuffing', 'mfa_fatigue', 'impossible_travel', 'anonymizer_signin']));
  });

  test('mistakes name the file and the field', () => {
    const cases: [string, string, RegExp][] = [
      ['type.yaml', strontium.replace('type: password_spray', 'type: spraying'), /type\.yaml: type: expected one of password_spray/],
      ['cadence.yaml', strontium.replace('per_account_per_hour: 4', 'per_account_per_hour: -4'), /cadence\.yaml: cadence\.per_account_per_hour:/],
      ['window.yaml', strontium.replace('duration: 5d', 'duration: five days'), /window\.yaml: window\.duration:/],
      ['extra.yaml', strontium.replace('  pool: 1100', '  pool: 1100\n  poool: 3'), /extra\.yaml: sources: Unrecognized key: "poool"/],
      ['missing.yaml', strontium.replace(/^rationale:[\s\S]*?^window:/m, 'window:'), /missing\.yaml: rationale:/],
      ['kinds.yaml', strontium.replace('kinds: [campaign,', 'kinds: [campain,'), /kinds\.yaml: targets\.kinds\.0:/],
      ['yaml.yaml', 'id: [unclosed', /yaml\.yaml: invalid YAML/],
      ['list.yaml', '- 1\n- 2\n', /list\.yaml: expected a mapping/],
    ];
    for (const [name, text, message] of cases) assert.throws(() => loadScenarioFile(write(name, text)), (e: Error) => e instanceof ScenarioError && message.test(e.message), name);
    assert.throws(() => loadScenarioFile(join(tmp, 'absent.yaml')), /cannot read scenario .*absent\.yaml: ENOENT/);
    assert.throws(() => loadScenarioDir(join(tmp, 'no-such-folder')), /cannot read the scenario folder .*no-such-folder: ENOENT/);
  });

  test('--scenario replaces the scenario with its id, or adds a new one', () => {
    const defaults = resolveScenarios([]);
    const replaced = resolveScenarios([write('strontium-spray.yaml', strontium.replace('pool: 1100', 'pool: 400'))]);
    assert.equal(replaced.length, defaults.length);
    const spray = replaced.find((s) => s.id === 'strontium-spray')!;
    assert.equal(spray.sources.pool, 400);
    assert.equal(replaced.indexOf(spray), defaults.findIndex((s) => s.id === 'strontium-spray'), 'keeps its place');
    const added = resolveScenarios([write('other.yaml', strontium.replace('id: strontium-spray', 'id: another-spray'))]);
    assert.equal(added.length, defaults.length + 1);
    assert.equal(added[added.length - 1].id, 'another-spray');
  });

  test('a shared pool must name an existing scenario', () => {
    const decoy = readFileSync(join(DEFAULT_SCENARIO_DIR, 'criminal-decoy-spray.yaml'), 'utf8').replace('share_pool_with: strontium-spray', 'share_pool_with: nobody');
    assert.throws(() => resolveScenarios([write('criminal-decoy-spray.yaml', decoy)]), /criminal-decoy-spray: sources\.share_pool_with: no scenario with id 'nobody'/);
  });

  test('windows are moved and shortened to fit the world', () => {
    const ctx = (days: number): AttackContext => {
      const space = new AddressSpace(Rng.from('w'));
      return { seed: 1, start: DEFAULT_START, days, scale: 1, orgs: [], space, tor: new TorNetwork(space), pools: new Map() };
    };
    const s = loadScenarioFile(join(DEFAULT_SCENARIO_DIR, 'strontium-bruteforce.yaml')); // starts at 3d2h, lasts 8h
    assert.deepEqual(placeWindow(s, ctx(7)), { from: DEFAULT_START + 3 * DAY + 2 * HOUR, to: DEFAULT_START + 3 * DAY + 10 * HOUR });
    assert.deepEqual(placeWindow(s, ctx(2)), { from: DEFAULT_START + 2 * DAY - 8 * HOUR, to: DEFAULT_START + 2 * DAY });
    const spray = loadScenarioFile(join(DEFAULT_SCENARIO_DIR, 'strontium-spray.yaml')); // 1d + 5d
    assert.deepEqual(placeWindow(spray, ctx(3)), { from: DEFAULT_START, to: DEFAULT_START + 3 * DAY });
  });
});
