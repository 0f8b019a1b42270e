import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { contactEmails, organisationDomains, parseOrganisations, reachableContacts } from './organisations.js';

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
  assert.deepEqual(f.warnings, []);
});

test('the richer form: named contacts with language, consent and detail, webhooks, protected accounts, sender', () => {
  const f = parseOrganisations(
    `organisations:
  - id: org-1
    name: Org One
    language: de
    time_zone: Europe/Berlin
    domain: One.example
    domains: [one-mail.example]
    contacts:
      - sec@one.example
      - {email: ceo@one.example, name: "Ada Lovelace", language: en, detail: summary}
      - {email: old@one.example, consent: false}
    webhooks:
      - {url: "https://siem.one.example/hook", secret: "env:ONE_SECRET"}
    protected_accounts: [ceo, cfo@one.example]
sender:
  name: Vigil CERT
  from: cert@vigil.example
  smtp: {host: smtp.vigil.example, port: 465, secure: true, user: cert, password: "env:SMTP_PASS"}
`,
    'o.yaml',
    { ONE_SECRET: 'a-long-enough-secret-value', SMTP_PASS: 'pw' },
  );
  const o = f.organisations[0];
  assert.deepEqual(o.domains, ['one.example', 'one-mail.example']);
  assert.deepEqual(organisationDomains(o), ['one.example', 'one-mail.example']);
  assert.deepEqual(reachableContacts(o).map((c) => c.email), ['sec@one.example', 'ceo@one.example'], 'no consent, no mail');
  assert.deepEqual(o.contacts[1], { email: 'ceo@one.example', name: 'Ada Lovelace', language: 'en', consent: true, detail: 'summary' });
  assert.equal(o.webhooks[0].secret, 'a-long-enough-secret-value', 'env: secrets are read from the environment');
  assert.equal(o.webhooks[0].allow_private, false);
  assert.equal(f.sender?.smtp?.password, 'pw');
  assert.equal(f.sender?.smtp?.starttls, 'required', 'TLS by default');
  assert.equal(f.sender?.from, 'cert@vigil.example');
});

test('errors name the file, the line, the organisation and the field, all of them at once', () => {
  const bad = `organisations:\n  - id: a\n    name: A\n  - id: b\n    name: B\n    sector: church\n`;
  assert.throws(() => parseOrganisations(bad, 'orgs.yaml'), /^Error: orgs\.yaml:6: organisation 2 \(b\), field sector: must be one of political, media, ngo, business, government, other$/);
  assert.throws(() => parseOrganisations('organisations:\n  - id: a\n    name: A\n    contacts: ["nope"]\n', 'o.yaml'), /o\.yaml:4: organisation 1 \(a\), field contacts\.0\.email: must be an e-mail address/);
  assert.throws(() => parseOrganisations('organisations:\n  - id: a\n    name: A\n  - id: a\n    name: B\n', 'o.yaml'), /o\.yaml:4: organisation 2 \(a\), field id: organisation id a appears twice \(also organisation 1\)/);
  assert.throws(() => parseOrganisations('organisations: [', 'o.yaml'), /o\.yaml:1: not valid YAML/);
  assert.throws(() => parseOrganisations('- a\n', 'o.yaml'), /o\.yaml: expected a mapping with an 'organisations' list/);
  const many = `organisations:
  - name: No Id
    language: english
    time_zone: Mars/Base
    webhooks: [{url: "ftp://x.example", secret: short}]
    contacts: [{email: a@b.example, consent: maybe}]
`;
  const e = (() => {
    try {
      parseOrganisations(many, 'm.yaml');
    } catch (x) {
      return (x as Error).message;
    }
  })()!;
  assert.match(e, /^6 problems: /);
  for (const part of [
    'm.yaml:2: organisation 1, field id: is required',
    'm.yaml:3: organisation 1, field language: must be a language code such as en, es, de, fr, ur or es-MX',
    'm.yaml:4: organisation 1, field time_zone: must be an IANA time zone',
    'm.yaml:5: organisation 1, field webhooks.0.url: must be an http or https URL',
    'm.yaml:5: organisation 1, field webhooks.0.secret: must be at least 16 characters',
    'm.yaml:6: organisation 1, field contacts.0.consent: must be a boolean',
  ])
    assert.ok(e.includes(part), `${part}\n in ${e}`);
  assert.throws(() => parseOrganisations('organisations:\n  - id: a\n    name: A\n    webhooks: [{url: "https://h.example", secret: "env:NOT_SET_ANYWHERE"}]\n', 'o.yaml', {}), /o\.yaml:4: organisation 1 \(a\), field webhooks\.0\.secret: environment variable NOT_SET_ANYWHERE is not set/);
});

test('unknown fields are warnings with a suggestion, not errors', () => {
  const f = parseOrganisations('organisations:\n  - id: a\n    name: A\n    protected_acounts: [x]\n    notes: hi\nsender: {nmae: X}\n', 'o.yaml');
  assert.deepEqual(f.warnings, [
    "o.yaml:4: organisation 1 (a), field protected_acounts: unknown field 'protected_acounts' ignored (did you mean 'protected_accounts'?)",
    "o.yaml:5: organisation 1 (a), field notes: unknown field 'notes' ignored",
    "o.yaml:6: field sender.nmae: unknown field 'nmae' ignored (did you mean 'name'?)",
  ]);
});

test('the fixture file with every richer form, and the simulator\'s own form, load without a warning', () => {
  const text = readFileSync(new URL('../notify/fixtures/world/orgs.yaml', import.meta.url), 'utf8');
  const f = parseOrganisations(text);
  assert.equal(f.organisations.length, 8);
  assert.deepEqual(f.warnings, []);
  // The simulator's own form (domain and size) is accepted as well.
  const sim = parseOrganisations('organisations:\n  - id: x\n    name: X\n    sector: media\n    language: de\n    contacts: [security@x.example]\n    domain: x.example\n    size: 136\n');
  assert.deepEqual(sim.warnings, []);
  assert.deepEqual(sim.organisations[0].domains, ['x.example']);
});
