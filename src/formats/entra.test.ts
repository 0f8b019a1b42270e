/**
 * Entra ID sign-ins: whole-file fixtures through the real reader (Azure diagnostic records from Panther's rule
 * tests, hand-written Graph JSON lines, a Graph page, a JSON array, Log Analytics JSON and portal CSV), plus the
 * rules that decide what a sign-in means: error codes, "password valid", legacy protocols, tenant precedence.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { entra, entraOutcome, ENTRA_PASSWORD_VALID } from './entra.js';
import { checkFixture, fixtureInputs, fixtureOptions, readFixture } from './fixtures/harness.js';
import { RecordError, type NormalizeContext } from './types.js';

// Times without a zone, and the portal's US-style times, are UTC: run in a zone far from it to prove it.
process.env.TZ = 'Pacific/Auckland';

const DIR = fileURLToPath(new URL('./fixtures/entra/', import.meta.url));
const ctx: NormalizeContext = { file: 'test', line: 1 };

describe('entra fixtures (through the reader)', () => {
  for (const input of fixtureInputs(DIR)) {
    test(input, async () => {
      await checkFixture(DIR, input);
    });
  }
});

describe('entra exports as Windows tools write them', () => {
  // Out-File / Set-Content -Encoding UTF8 in Windows PowerShell prefix a byte-order mark.
  for (const input of ['graph-signins-array.json', 'graph-signins.jsonl']) {
    test(`${input} with a UTF-8 byte-order mark reads like the plain file`, async () => {
      const tmp = mkdtempSync(join(tmpdir(), 'vigil-entra-'));
      try {
        const withBom = join(tmp, input);
        writeFileSync(withBom, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), readFileSync(join(DIR, input))]));
        const options = fixtureOptions(DIR, input);
        assert.deepEqual(await readFixture(withBom, options), await readFixture(join(DIR, input), options));
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    });
  }
});

describe('entra on the Panther Azure records', () => {
  const file = 'panther-azure-signin-and-audit.jsonl';
  const records = readFileSync(join(DIR, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, any>);
  const categoryOf = (r: Record<string, any>) => String(r.category ?? '');

  test('every record is recognised as Entra', () => {
    for (const [i, r] of records.entries()) assert.ok(entra.matches(r), `line ${i + 1} (${categoryOf(r)})`);
  });

  test('user sign-in categories give one event each; service principals and audit categories are skipped', async () => {
    const { summary, events } = await checkFixture(DIR, file);
    const userSignIns = records.filter((r) => /^(SignInLogs|NonInteractiveUserSignInLogs)$/.test(categoryOf(r)));
    const skippedExpected = records.length - userSignIns.length;
    assert.equal(summary.stats.events, userSignIns.length);
    assert.equal(summary.stats.skipped, skippedExpected);
    assert.equal(summary.stats.quarantined, 0);
    const users = userSignIns.map((r) => r.properties.userPrincipalName);
    assert.deepEqual(events.map((e: any) => e.user.name), users);
  });
});

describe('entraOutcome: what an Entra error code says', () => {
  // Microsoft Sentinel's SigninPasswordSpray "success" codes: the password was right.
  const SENTINEL = [0, 50055, 50057, 50155, 50105, 50133, 50005, 50076, 50079, 50173, 50158, 50072, 50074, 53003, 53000, 53001, 50129];

  test('every code of the Sentinel list means the password was valid', () => {
    for (const code of SENTINEL) assert.equal(entraOutcome(code).password_valid, true, String(code));
    for (const code of SENTINEL.filter((c) => c !== 0)) assert.ok(ENTRA_PASSWORD_VALID.has(code), String(code));
  });

  const cases: [number, boolean, string | undefined, boolean | undefined][] = [
    // code, success, reason, password_valid
    [0, true, undefined, true],
    [50126, false, 'bad_password', false],
    [50034, false, 'unknown_user', false],
    [50053, false, 'locked_out', undefined], // locked: the password may have been right or wrong
    [50055, false, 'password_expired', true],
    [50057, false, 'disabled', true],
    [50074, false, 'mfa_required', true],
    [50076, false, 'mfa_required', true],
    [500121, false, 'mfa_denied', true],
    [53003, false, 'blocked_by_policy', true],
    [50097, false, 'blocked_by_policy', undefined],
    [50140, false, 'other', true], // "Keep me signed in?" interrupt after a correct password
    [50196, false, 'other', undefined], // LoopDetected: a client bug, not a credential failure
    [7000215, false, 'other', undefined],
  ];
  for (const [code, success, reason, valid] of cases) {
    test(`${code} -> ${success ? 'success' : reason}, password_valid ${valid}`, () => {
      const o = entraOutcome(code);
      assert.equal(o.success, success);
      assert.equal(o.reason, reason);
      assert.equal(o.password_valid, valid);
    });
  }
});

describe('entra tenant precedence', () => {
  const base = {
    createdDateTime: '2024-03-05T08:00:00Z',
    userPrincipalName: 'a@contoso.com',
    status: { errorCode: 50126 },
  };
  const cases: [string, Record<string, unknown>, string | undefined, string][] = [
    ['resource tenant first', { resourceTenantId: 'res', homeTenantId: 'home', AADTenantId: 'aad', tenantId: 'tid' }, 'cli', 'res'],
    ['then home tenant', { homeTenantId: 'home', AADTenantId: 'aad', tenantId: 'tid' }, 'cli', 'home'],
    ['then AADTenantId', { AADTenantId: 'aad', tenantId: 'tid' }, 'cli', 'aad'],
    ['then tenantId', { tenantId: 'tid' }, 'cli', 'tid'],
    ['blank ids are missing ids', { resourceTenantId: '', homeTenantId: ' ', AADTenantId: 'aad' }, 'cli', 'aad'],
    ['then --tenant', {}, 'cli', 'cli'],
    ['a Log Analytics TenantId is the workspace, not the organisation', { TimeGenerated: '2024-03-05T08:00:00Z', TenantId: 'workspace' }, 'cli', 'cli'],
  ];
  for (const [name, fields, cli, expected] of cases) {
    test(name, () => {
      const [e] = entra.normalize({ ...base, ...fields }, { ...ctx, tenant: cli });
      assert.equal(e.metadata.tenant_uid, expected);
    });
  }
  test('no tenant anywhere is a record error that names --tenant', () => {
    assert.throws(() => entra.normalize(base, ctx), (e: unknown) => e instanceof RecordError && /--tenant/.test(e.message));
  });
  test('diagnostic records: the sign-in in properties, the tenant of the envelope as fallback', () => {
    const rec = { category: 'SignInLogs', operationName: 'Sign-in activity', tenantId: 'envelope', time: '2024-03-05T08:00:00Z', properties: { ...base } };
    assert.equal(entra.normalize(rec, ctx)[0].metadata.tenant_uid, 'envelope');
    const withRes = { ...rec, properties: { ...base, resourceTenantId: 'res' } };
    assert.equal(entra.normalize(withRes, ctx)[0].metadata.tenant_uid, 'res');
  });
});

describe('entra legacy protocols', () => {
  const legacy = (fields: Record<string, unknown>) =>
    entra.normalize({ createdDateTime: '2024-03-05T08:00:00Z', userPrincipalName: 'a@contoso.com', status: { errorCode: 50126 }, tenantId: 't', ...fields }, ctx)[0].unmapped.legacy_protocol;
  for (const app of ['IMAP4', 'POP3', 'Authenticated SMTP', 'Exchange ActiveSync', 'Exchange Web Services', 'Other clients', 'MAPI Over HTTP', 'Outlook Anywhere (RPC over HTTP)', 'AutoDiscover', 'Offline Address Book']) {
    test(`clientAppUsed ${app} is legacy`, () => assert.equal(legacy({ clientAppUsed: app }), true));
  }
  for (const app of ['Browser', 'Mobile Apps and Desktop clients']) {
    test(`clientAppUsed ${app} is modern`, () => assert.equal(legacy({ clientAppUsed: app }), false));
  }
  test('ROPC protocol is legacy', () => assert.equal(legacy({ clientAppUsed: 'Browser', authenticationProtocol: 'ropc' }), true));
  test('the BAV2ROPC user agent is legacy', () => assert.equal(legacy({ userAgent: 'BAV2ROPC' }), true));
});

describe('entra times', () => {
  const at = (t: unknown) =>
    entra.normalize({ TimeGenerated: t, UserPrincipalName: 'a@contoso.com', ResultType: '0', AADTenantId: 't' }, ctx)[0].time;
  const cases: [string, string][] = [
    ['5/25/2023, 4:32:49.469 AM', '2023-05-25T04:32:49.469Z'],
    ['5/25/2023, 12:00:00.000 AM', '2023-05-25T00:00:00.000Z'],
    ['5/25/2023, 12:00:00.000 PM', '2023-05-25T12:00:00.000Z'],
    ['12/31/2023, 11:59:59.999 PM', '2023-12-31T23:59:59.999Z'],
    ['2023-05-25T04:32:49.4691234Z', '2023-05-25T04:32:49.469Z'],
    ['2023-05-25 04:32:49', '2023-05-25T04:32:49.000Z'],
  ];
  for (const [input, iso] of cases) {
    test(`${input} is ${iso} whatever the machine's zone`, () => assert.equal(new Date(at(input)).toISOString(), iso));
  }
  for (const bad of ['13/25/2023, 4:32:49 AM', '5/25/2023, 13:32:49 PM', 'yesterday']) {
    test(`${bad} is a record error`, () => assert.throws(() => at(bad), RecordError));
  }
});
