import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Detection } from './detections.js';
import { scoreSystem, type TruthForScoring } from './score.js';

const dir = new URL('./fixtures/', import.meta.url);
const read = (name: string, file: string) => JSON.parse(readFileSync(new URL(`${name}/${file}`, dir), 'utf8'));

for (const name of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)) {
  test(`scorer: ${name}`, () => {
    const truth = read(name, 'truth.json') as TruthForScoring;
    const detections: Detection[] = read(name, 'detections.json').map(({ note: _note, first, last, time, ...d }: any) => ({ ...d, first: Date.parse(first), last: Date.parse(last), time: Date.parse(time) }));
    const expected = read(name, 'expected.json');
    const s = scoreSystem('vigil', truth, detections, { reportsCompromise: true });
    assert.deepEqual({ total: s.falsePositives.total, byType: s.falsePositives.byType }, expected.falsePositives);
    assert.equal(s.addressesNamed, expected.addressesNamed);
    assert.equal(s.innocentAddresses, expected.innocentAddresses);
    assert.equal(s.compromiseClaims, expected.compromiseClaims);
    assert.equal(s.wrongCompromiseClaims, expected.wrongCompromiseClaims);
    const got = s.attacks.map((a) => ({
      id: a.id,
      detections: a.detections,
      orgs: a.orgs,
      accounts: a.accounts,
      addresses: a.addresses,
      compromised: a.compromised,
      passwordValid: a.passwordValid,
      ttdMinutes: a.ttdMs === undefined ? null : a.ttdMs / 60_000,
      typeAccuracy: a.typeAccuracy,
      attribution: a.attribution,
    }));
    assert.deepEqual(got, expected.attacks);
  });
}

test('scorer: a system that names no actor and no compromise gets n/a for both', () => {
  const truth = read('score-basic', 'truth.json') as TruthForScoring;
  const alert: Detection = { system: 'sentinel', rule: 'r', type: 'password_spray', tenant: 't1', ips: ['10.0.0.1'], accounts: [], first: Date.parse('2020-08-24T10:00:00Z'), last: Date.parse('2020-08-24T10:10:00Z'), time: Date.parse('2020-08-24T10:10:00Z') };
  const s = scoreSystem('sentinel', truth, [alert]);
  assert.equal(s.attacks[0].attribution, 'n/a');
  assert.equal(s.attacks[0].compromised, undefined);
  assert.equal(s.attacks[0].detections, 1);
  assert.equal(s.compromiseClaims, 0);
});
