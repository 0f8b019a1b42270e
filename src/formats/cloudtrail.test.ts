/**
 * AWS CloudTrail console sign-ins: whole-file fixtures through the real reader (Panther's rule-test records,
 * hand-written `{"Records":[...]}` deliveries on one line, pretty-printed and gzipped, EventBridge events and
 * CloudTrail Lake rows), and the rules for who signed in, where from, for which account and why it failed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { cloudtrail } from './cloudtrail.js';
import { checkFixture, fixtureInputs, readFixture } from './fixtures/harness.js';
import { RecordError, type NormalizeContext } from './types.js';

process.env.TZ = 'Asia/Kolkata'; // times must not depend on the machine's zone

const DIR = fileURLToPath(new URL('./fixtures/cloudtrail/', import.meta.url));
const ctx: NormalizeContext = { file: 'test', line: 1 };

const consoleLogin = (fields: Record<string, unknown> = {}) => ({
  eventVersion: '1.08',
  userIdentity: { type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: 'arn:aws:iam::111122223333:user/alice', accountId: '111122223333', userName: 'alice' },
  eventTime: '2024-03-07T10:00:00Z',
  eventSource: 'signin.amazonaws.com',
  eventName: 'ConsoleLogin',
  awsRegion: 'us-east-1',
  sourceIPAddress: '203.0.113.45',
  userAgent: 'Mozilla/5.0',
  responseElements: { ConsoleLogin: 'Failure' },
  errorMessage: 'Failed authentication',
  additionalEventData: { MFAUsed: 'No' },
  eventID: 'e1',
  eventType: 'AwsConsoleSignIn',
  recipientAccountId: '111122223333',
  ...fields,
});
const one = (fields: Record<string, unknown>, c: NormalizeContext = ctx) => {
  const events = cloudtrail.normalize(consoleLogin(fields), c);
  assert.equal(events.length, 1);
  return events[0];
};

describe('cloudtrail fixtures (through the reader)', () => {
  for (const input of fixtureInputs(DIR)) {
    test(input, async () => {
      await checkFixture(DIR, input);
    });
  }

  test('a delivery on one line longer than the reader\'s line limit is still read whole', async () => {
    // Real delivered objects are one line of several megabytes.
    const tmp = mkdtempSync(join(tmpdir(), 'vigil-cloudtrail-'));
    try {
      const big = join(tmp, 'big.json');
      const records = Array.from({ length: 4000 }, (_, i) => consoleLogin({ eventID: `e${i}` }));
      writeFileSync(big, JSON.stringify({ Records: records }) + '\n');
      const result = await readFixture(big);
      assert.deepEqual(result.summary, { stats: { events: 4000, skipped: 0, quarantined: 0 }, quarantine: [] });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('a gzipped delivery reads like the plain one', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'vigil-cloudtrail-'));
    try {
      const gz = join(tmp, 's3-delivery.json');
      writeFileSync(gz, gzipSync(readFileSync(join(DIR, 's3-delivery.json'))));
      const plain = await readFixture(join(DIR, 's3-delivery.json'));
      const zipped = await readFixture(gz);
      assert.ok(plain.events.length > 0);
      assert.deepEqual(zipped, plain);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('cloudtrail on the Panther records', () => {
  const file = 'panther-cloudtrail.jsonl';
  const records = readFileSync(join(DIR, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, any>);

  test('every record is recognised; only ConsoleLogin gives events, the rest is skipped', async () => {
    for (const [i, r] of records.entries()) assert.ok(cloudtrail.matches(r), `line ${i + 1}`);
    const { summary, events } = await checkFixture(DIR, file);
    const logins = records.filter((r) => r.eventName === 'ConsoleLogin');
    assert.equal(summary.stats.skipped, records.length - logins.length);
    assert.equal(summary.stats.events + summary.stats.quarantined, logins.length);
    for (const e of events as any[]) assert.equal(records[e.unmapped.source.line - 1].eventName, 'ConsoleLogin');
  });
});

describe('cloudtrail recognition', () => {
  test('records with eventName and eventSource; EventBridge envelopes too; not the Records wrapper itself', () => {
    assert.ok(cloudtrail.matches(consoleLogin()));
    assert.ok(cloudtrail.matches({ 'detail-type': 'AWS Console Sign In via CloudTrail', detail: consoleLogin() }));
    assert.ok(!cloudtrail.matches({ Records: [consoleLogin()] }));
    assert.ok(!cloudtrail.matches({ eventName: 'ConsoleLogin' }));
  });
  test('digest files are recognised and skipped', () => {
    const digest = {
      awsAccountId: '111122223333',
      digestStartTime: '2024-03-07T10:00:00Z',
      digestEndTime: '2024-03-07T11:00:00Z',
      digestS3Bucket: 'example-trail',
      digestS3Object: 'AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/03/07/x.json.gz',
      newestEventTime: '2024-03-07T10:59:00Z',
      oldestEventTime: '2024-03-07T10:00:10Z',
      logFiles: [],
    };
    assert.ok(cloudtrail.matches(digest));
    assert.deepEqual(cloudtrail.normalize(digest, ctx), []);
  });
  test('non-sign-in events are skipped', () => {
    for (const [eventSource, eventName] of [
      ['sts.amazonaws.com', 'AssumeRole'],
      ['s3.amazonaws.com', 'PutBucketPolicy'],
      ['signin.amazonaws.com', 'CheckMfa'],
      ['signin.amazonaws.com', 'GetSigninToken'],
      ['signin.amazonaws.com', 'PasswordUpdated'],
      ['ec2.amazonaws.com', 'ConsoleLogin'],
    ]) {
      assert.deepEqual(cloudtrail.normalize(consoleLogin({ eventSource, eventName }), ctx), [], `${eventSource} ${eventName}`);
    }
  });
});

describe('cloudtrail users', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['root is "root"', { type: 'Root', principalId: '111122223333', arn: 'arn:aws:iam::111122223333:root', accountId: '111122223333' }, 'root'],
    ['userName first', { type: 'IAMUser', userName: 'alice', arn: 'arn:aws:iam::1:user/bob' }, 'alice'],
    ['then the last part of the ARN', { type: 'AssumedRole', arn: 'arn:aws:sts::1:assumed-role/AWSReservedSSO_Admin_0a1b/bob@example.com' }, 'bob@example.com'],
    ['an IAM path is not the name', { type: 'IAMUser', arn: 'arn:aws:iam::1:user/division/team/carol' }, 'carol'],
    ['then the session part of the principal id', { type: 'AssumedRole', principalId: 'AROAEXAMPLE:dave@example.com' }, 'dave@example.com'],
    ['or the whole principal id', { type: 'IAMUser', principalId: 'AIDAEXAMPLE' }, 'AIDAEXAMPLE'],
    ['a blank userName does not count', { type: 'IAMUser', userName: '', arn: 'arn:aws:iam::1:user/erin' }, 'erin'],
  ];
  for (const [name, userIdentity, expected] of cases) {
    test(name, () => assert.equal(one({ userIdentity }).user.name, expected));
  }
  test('no user at all is a record error', () => {
    assert.throws(() => cloudtrail.normalize(consoleLogin({ userIdentity: { type: 'AssumedRole', accountId: '1' } }), ctx), RecordError);
  });
  test('an e-mail session name gives the address and its domain', () => {
    const e = one({ userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::1:assumed-role/R/Bob@Example.com' } });
    assert.equal(e.user.email_addr, 'Bob@Example.com');
    assert.equal(e.user.domain, 'example.com');
  });
});

describe('cloudtrail outcome', () => {
  const cases: [Record<string, unknown>, number, string | undefined, boolean | undefined][] = [
    // fields, status_id, reason, password_valid
    [{ responseElements: { ConsoleLogin: 'Success' }, errorMessage: undefined }, 1, undefined, true],
    [{ errorMessage: 'Failed authentication' }, 2, 'bad_password', false],
    [{ errorMessage: 'No username found in supplied account' }, 2, 'unknown_user', false],
    [{ errorMessage: 'Account is locked' }, 2, 'locked_out', undefined],
    [{ errorMessage: 'MFA authentication failed' }, 2, 'mfa_denied', true],
    [{ errorMessage: undefined }, 2, 'other', undefined],
    [{ responseElements: undefined, errorMessage: 'Failed authentication' }, 2, 'bad_password', false],
  ];
  for (const [fields, status, reason, valid] of cases) {
    test(`${JSON.stringify(fields)} -> ${reason ?? 'success'}`, () => {
      const e = one(fields);
      assert.equal(e.status_id, status);
      assert.equal(e.unmapped.reason, reason);
      assert.equal(e.unmapped.password_valid, valid);
    });
  }
  test('no result and no error is a record error', () => {
    assert.throws(() => cloudtrail.normalize(consoleLogin({ responseElements: null, errorMessage: undefined }), ctx), /without a result/);
  });
  test('MFAUsed says whether MFA was used; absent means unknown', () => {
    assert.equal(one({ additionalEventData: { MFAUsed: 'Yes' } }).is_mfa, true);
    assert.equal(one({ additionalEventData: { MFAUsed: 'No' } }).is_mfa, false);
    assert.equal(one({ additionalEventData: undefined }).is_mfa, undefined);
  });
});

describe('cloudtrail fields', () => {
  test('"AWS Internal" and service names are no address', () => {
    assert.equal(one({ sourceIPAddress: 'AWS Internal' }).src_endpoint.ip, undefined);
    assert.equal(one({ sourceIPAddress: 'signin.amazonaws.com' }).src_endpoint.ip, undefined);
    assert.equal(one({ sourceIPAddress: '2001:DB8::20' }).src_endpoint.ip, '2001:db8::20');
  });
  test('account: recipientAccountId, then userIdentity.accountId, then the EventBridge account, then --tenant', () => {
    assert.equal(one({ recipientAccountId: '1', userIdentity: { userName: 'a', accountId: '2' } }, { ...ctx, tenant: 'cli' }).metadata.tenant_uid, '1');
    assert.equal(one({ recipientAccountId: undefined, userIdentity: { userName: 'a', accountId: '2' } }, { ...ctx, tenant: 'cli' }).metadata.tenant_uid, '2');
    const bare = consoleLogin({ recipientAccountId: undefined, userIdentity: { userName: 'a' } });
    assert.equal(cloudtrail.normalize({ account: '3', detail: bare }, ctx)[0].metadata.tenant_uid, '3');
    assert.equal(cloudtrail.normalize(bare, { ...ctx, tenant: 'cli' })[0].metadata.tenant_uid, 'cli');
    assert.throws(() => cloudtrail.normalize(bare, ctx), /--tenant/);
  });
  test('eventTime must be ISO 8601 (with T or a space); anything else is a record error', () => {
    assert.equal(new Date(one({ eventTime: '2024-03-07 10:00:00' }).time).toISOString(), '2024-03-07T10:00:00.000Z');
    for (const t of [undefined, '...', '03/07/2024 10:00', 1709805600]) {
      assert.throws(() => cloudtrail.normalize(consoleLogin({ eventTime: t }), ctx), /invalid time in eventTime/, String(t));
    }
  });
});
