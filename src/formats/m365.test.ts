/**
 * Microsoft 365 unified audit sign-ins: whole-file fixtures through the real reader (Panther's rule-test records,
 * hand-written Audit.AzureActiveDirectory JSON lines and a Management Activity API content blob), and the rule
 * that both ways of naming a failure (ErrorNumber, LogonError) agree with the Entra format.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { entraOutcome } from './entra.js';
import { checkFixture, fixtureInputs } from './fixtures/harness.js';
import { m365 } from './m365.js';
import { RecordError, type NormalizeContext } from './types.js';

// CreationTime has no zone and means UTC: run in a zone far from it to prove it.
process.env.TZ = 'America/Los_Angeles';

const DIR = fileURLToPath(new URL('./fixtures/m365/', import.meta.url));
const ctx: NormalizeContext = { file: 'test', line: 1 };

const login = (fields: Record<string, unknown>) => ({
  CreationTime: '2024-03-07T09:01:00',
  Id: 'id-1',
  Operation: 'UserLoginFailed',
  OrganizationId: 'org',
  RecordType: 15,
  Workload: 'AzureActiveDirectory',
  UserId: 'alex@contoso.com',
  ClientIP: '203.0.113.45',
  ...fields,
});

describe('m365 fixtures (through the reader)', () => {
  for (const input of fixtureInputs(DIR)) {
    test(input, async () => {
      await checkFixture(DIR, input);
    });
  }
});

describe('m365 recognition', () => {
  test('an audit record needs Operation, CreationTime and one of Workload / RecordType / OrganizationId', () => {
    assert.ok(m365.matches(login({})));
    assert.ok(m365.matches({ Operation: 'UserLoggedIn', CreationTime: 't', RecordType: 15 }));
    assert.ok(!m365.matches({ Operation: 'UserLoggedIn', CreationTime: 't' }));
    assert.ok(!m365.matches({ Operation: 'UserLoggedIn', Workload: 'AzureActiveDirectory' }));
    assert.ok(!m365.matches({ eventName: 'ConsoleLogin', eventTime: '2024-03-07T09:00:00Z' }));
  });
  test('operations other than UserLoggedIn / UserLoginFailed are skipped', () => {
    for (const op of ['Update user.', 'MailItemsAccessed', 'FileAccessed', 'MailboxLogin']) {
      assert.deepEqual(m365.normalize(login({ Operation: op }), ctx), [], op);
    }
  });
});

describe('m365 failures agree with Entra', () => {
  // The LogonError names of Entra codes, as Microsoft spells them in AADSTS errors.
  const named: [string, number][] = [
    ['InvalidUserNameOrPassword', 50126],
    ['UserAccountNotFound', 50034],
    ['IdsLocked', 50053],
    ['UserStrongAuthClientAuthNRequiredInterrupt', 50074],
    ['UserStrongAuthClientAuthNRequired', 50076],
    ['AuthenticationFailedDuringStrongAuthRequest', 500121],
    ['DeviceAuthenticationRequired', 50097],
    ['BlockedByConditionalAccess', 53003],
    ['UserDisabled', 50057],
    ['InvalidPasswordExpiredPassword', 50055],
    ['KmsiInterrupt', 50140],
  ];
  for (const [name, code] of named) {
    const expected = entraOutcome(code);
    test(`ErrorNumber ${code} and LogonError ${name} give Entra's ${expected.reason}`, () => {
      for (const fields of [{ ErrorNumber: String(code) }, { LogonError: name }, { ErrorNumber: code, LogonError: name }]) {
        const [e] = m365.normalize(login(fields), ctx);
        assert.equal(e.status_id, 2);
        assert.equal(e.unmapped.reason, expected.reason, JSON.stringify(fields));
        assert.equal(e.unmapped.password_valid, expected.password_valid, JSON.stringify(fields));
      }
    });
  }
  test('the brief\'s kinds: bad password, unknown user, locked, MFA with a valid password, policy, disabled', () => {
    const reason = (n: string) => m365.normalize(login({ LogonError: n }), ctx)[0].unmapped;
    assert.equal(reason('InvalidUserNameOrPassword').reason, 'bad_password');
    assert.equal(reason('InvalidUserNameOrPassword').password_valid, false);
    assert.equal(reason('UserAccountNotFound').reason, 'unknown_user');
    assert.equal(reason('IdsLocked').reason, 'locked_out');
    assert.equal(reason('UserStrongAuthClientAuthNRequiredInterrupt').reason, 'mfa_required');
    assert.equal(reason('UserStrongAuthClientAuthNRequiredInterrupt').password_valid, true);
    assert.equal(reason('DeviceAuthenticationRequired').reason, 'blocked_by_policy');
    assert.equal(reason('BlockedByConditionalAccess').reason, 'blocked_by_policy');
    assert.equal(reason('UserDisabled').reason, 'disabled');
    assert.equal(reason('InvalidPasswordExpiredPassword').reason, 'password_expired');
  });
  test('LogonError names outside the table are read by their words', () => {
    // Hypothetical names, shaped like Microsoft's, for codes Vigil does not list yet.
    const cases: [string, string, boolean | undefined][] = [
      ['SomeStrongAuthInterrupt', 'mfa_required', true],
      ['AccountLockedByPolicy', 'locked_out', undefined],
      ['ConditionalAccessSomething', 'blocked_by_policy', undefined],
      ['TenantAccountNotFound', 'unknown_user', false],
      ['SomethingElse', 'other', undefined],
    ];
    for (const [name, reason, valid] of cases) {
      const [e] = m365.normalize(login({ LogonError: name }), ctx);
      assert.equal(e.unmapped.reason, reason, name);
      assert.equal(e.unmapped.password_valid, valid, name);
    }
  });
  test('ErrorNumber wins over a LogonError that says otherwise; 0 defers to LogonError', () => {
    assert.equal(m365.normalize(login({ ErrorNumber: '50053', LogonError: 'InvalidUserNameOrPassword' }), ctx)[0].unmapped.reason, 'locked_out');
    assert.equal(m365.normalize(login({ ErrorNumber: '0', LogonError: 'InvalidUserNameOrPassword' }), ctx)[0].unmapped.reason, 'bad_password');
  });
  test('UserLoggedIn is a success whatever its fields; UserLoginFailed with nothing named is `other`', () => {
    const [ok] = m365.normalize(login({ Operation: 'UserLoggedIn', ErrorNumber: '0' }), ctx);
    assert.equal(ok.status_id, 1);
    assert.equal(ok.unmapped.reason, undefined);
    assert.equal(ok.unmapped.password_valid, true);
    assert.equal(m365.normalize(login({}), ctx)[0].unmapped.reason, 'other');
  });
});

describe('m365 fields', () => {
  test('CreationTime without a zone is UTC', () => {
    assert.equal(new Date(m365.normalize(login({ CreationTime: '2024-03-07T09:01:00' }), ctx)[0].time).toISOString(), '2024-03-07T09:01:00.000Z');
  });
  test('a CreationTime that is not ISO 8601 is a record error, not a guess', () => {
    for (const t of ['07/03/2024 09:14', 'yesterday', 1709802060]) {
      assert.throws(() => m365.normalize(login({ CreationTime: t }), ctx), RecordError, String(t));
    }
  });
  test('ClientIP wins over ActorIpAddress; ports and brackets are removed', () => {
    const ip = (f: Record<string, unknown>) => m365.normalize(login(f), ctx)[0].src_endpoint.ip;
    assert.equal(ip({ ClientIP: '203.0.113.45:52144', ActorIpAddress: '198.51.100.1' }), '203.0.113.45');
    assert.equal(ip({ ClientIP: undefined, ActorIpAddress: '198.51.100.1' }), '198.51.100.1');
    assert.equal(ip({ ClientIP: '[2001:DB8::1]:443' }), '2001:db8::1');
  });
  test('tenant: OrganizationId, else --tenant, else a record error', () => {
    assert.equal(m365.normalize(login({}), { ...ctx, tenant: 'cli' })[0].metadata.tenant_uid, 'org');
    assert.equal(m365.normalize(login({ OrganizationId: undefined }), { ...ctx, tenant: 'cli' })[0].metadata.tenant_uid, 'cli');
    assert.throws(() => m365.normalize(login({ OrganizationId: undefined }), ctx), /OrganizationId/);
  });
  test('ExtendedProperties: user agent, BAV2ROPC as legacy, SAS steps as MFA, OAuth2 as protocol', () => {
    const ext = (props: [string, string][]) =>
      m365.normalize(login({ ExtendedProperties: props.map(([Name, Value]) => ({ Name, Value })) }), ctx)[0];
    const ropc = ext([['UserAgent', 'BAV2ROPC'], ['RequestType', 'OAuth2:Token']]);
    assert.equal(ropc.http_request?.user_agent, 'BAV2ROPC');
    assert.equal(ropc.unmapped.legacy_protocol, true);
    assert.equal(ropc.auth_protocol, 'OAuth 2.0');
    const sas = ext([['UserAgent', 'Mozilla/5.0'], ['RequestType', 'SAS:ProcessAuth']]);
    assert.equal(sas.is_mfa, true);
    assert.equal(sas.unmapped.legacy_protocol, false);
    assert.equal(ext([['RequestType', 'Login:login']]).is_mfa, undefined);
  });
});
