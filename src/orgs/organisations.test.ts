import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contactEmails, parseOrganisations } from './organisations.js';

test('the minimal form from the issue works as is', () => {
  const f = parseOrganisations(`organisations:
  - id: 0f1e2d3c
    name: "Example Campaign"
    sector: political
    language: es
    contacts: ["security@example.org"]
`);
  assert.equal(f.organisations[0].language, 'es');
  assert.equal(f.organisations[0].sector, 'political');
  assert.deepEqual(contactEmails(f.organisations[0]), ['security@example.org']);
  assert.deepEqual(f.organisations[0].webhooks, []);
});

test('errors name the file, the organisation and the field', () => {
  const bad = `organisations:\n  - id: a\n    name: A\n  - id: b\n    name: B\n    sector: church\n`;
  assert.throws(() => parseOrganisations(bad, 'orgs.yaml'), /orgs\.yaml: organisation 2 \(b\), field sector: /);
  assert.throws(() => parseOrganisations('organisations:\n  - id: a\n    name: A\n    contacts: ["nope"]\n', 'o.yaml'), /o\.yaml: organisation 1 \(a\), field contacts\.0.*e-mail/);
  assert.throws(() => parseOrganisations('organisations:\n  - id: a\n    name: A\n  - id: a\n    name: B\n', 'o.yaml'), /appears twice/);
  assert.throws(() => parseOrganisations('organisations: [', 'o.yaml'), /o\.yaml: not valid YAML/);
});
