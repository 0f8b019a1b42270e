import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { detect } from '../cli/commands/detect.js';
import { loadOrganisations } from '../orgs/organisations.js';
import { DEFAULT_START } from '../simulate/clock.js';
import { resolveScenarios } from '../simulate/scenarios.js';
import { generateWorld } from '../simulate/world.js';
import { runVigil } from './vigil.js';

const tmp = mkdtempSync(join(tmpdir(), 'vigil-eval-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('the evaluation runs Vigil with the same findings (and campaign updates) as `vigil detect`', async () => {
  const world = join(tmp, 'world');
  generateWorld({ seed: 5, days: 2, orgs: 4, scale: 0.2, format: 'entra', start: DEFAULT_START, scenarios: resolveScenarios([]), out: world });
  const intel = [join(world, 'intel', 'tor-exits.txt'), join(world, 'intel', 'vpn-ranges.txt'), join(world, 'intel', 'attackers.stix.json')];
  const orgs = join(world, 'orgs.yaml');
  const out = join(tmp, 'findings.jsonl');
  const write = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write; // the CLI's summary table
  try {
    const code = await detect.run(['--db', join(tmp, 'vigil.db'), '-o', out, '-q', join(tmp, 'q.jsonl'), `--intel=tor:${intel[0]}`, `--intel=vpn:${intel[1]}`, `--intel=${intel[2]}`, `--orgs=${orgs}`, join(world, 'logs')]);
    assert.equal(code, 0);
  } finally {
    process.stderr.write = write;
  }
  const cli = readFileSync(out, 'utf8').trim().split('\n').filter(Boolean);
  const lib = await runVigil([join(world, 'logs')], { intel: [{ kind: 'tor', path: intel[0] }, { kind: 'vpn', path: intel[1] }, { path: intel[2] }], orgs: loadOrganisations(orgs) });
  assert.ok(cli.length > 0, 'the small world raises findings');
  assert.ok(cli.some((l) => l.includes('"correlation_uid"')), 'and campaign updates');
  assert.deepEqual(lib.findings.map((f) => JSON.stringify(f)), cli);
});
