/**
 * Okta System Log format: data-driven over `fixtures/okta/<case>/input.jsonl` -> `expected.jsonl` (one expected line
 * per input line: `{"events": [...]}` or `{"error": "<RecordError message>"}`; an optional `context.json` holds the
 * NormalizeContext, e.g. `--tenant`), plus the decisions the fixtures exist for, stated as properties.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readFixture } from './fixtures/harness.js';
import { FormatDetector } from './index.js';
import { okta } from './okta.js';
import { gws } from './gws.js';
import { RecordError, type JsonFormat, type NormalizeContext } from './types.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/okta/', import.meta.url));
const PANTHER = fileURLToPath(new URL('../../../shared/data/formats/panther-auth-test-events.jsonl', import.meta.url));

function jsonLines(path: string): any[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}

function caseDirs(root: string): string[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'input.jsonl')))
    .map((d) => d.name)
    .sort();
}

/** What a format makes of one record, in the expected-file shape; any other exception is a crash and fails. */
function outcome(format: JsonFormat, rec: any, ctx: NormalizeContext): { events: unknown[] } | { error: string } {
  try {
    return { events: format.normalize(rec, ctx) };
  } catch (e) {
    if (e instanceof RecordError) return { error: e.message };
    throw e;
  }
}

function contextOf(dir: string, line: number): NormalizeContext {
  const file = join(dir, 'context.json');
  const extra = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  return { file: 'input.jsonl', line, ...extra };
}

const documented = jsonLines(join(FIXTURES, 'documented', 'input.jsonl'));
/** A plain failed sign-in of the documented set, to vary in the property tests. */
const failedSignIn = documented[0];
const ctx: NormalizeContext = { file: 'test', line: 1, tenant: 'acme-corp' };

describe('okta fixtures', () => {
  for (const name of caseDirs(FIXTURES)) {
    it(`${name}: every record normalises to its expected line`, () => {
      const dir = join(FIXTURES, name);
      const input = jsonLines(join(dir, 'input.jsonl'));
      const expected = jsonLines(join(dir, 'expected.jsonl'));
      assert.equal(expected.length, input.length, `${name}: expected.jsonl must have one line per input line`);
      input.forEach((rec, i) => {
        assert.deepEqual(outcome(okta, rec, contextOf(dir, i + 1)), expected[i], `${name}/input.jsonl line ${i + 1}`);
      });
    });
  }

  it('every fixture record that has an eventType is detected as Okta, ahead of the other formats', () => {
    for (const name of caseDirs(FIXTURES)) {
      jsonLines(join(FIXTURES, name, 'input.jsonl')).forEach((rec, i) => {
        const hasEventType = Object.keys(rec).some((k) => k.toLowerCase() === 'eventtype');
        assert.equal(new FormatDetector().detect(rec)?.name, hasEventType ? 'okta' : undefined, `${name} line ${i + 1}`);
      });
    }
  });

  it('reads every fixture file through the reader as the expected files say', async () => {
    for (const name of caseDirs(FIXTURES)) {
      const dir = join(FIXTURES, name);
      const expected = jsonLines(join(dir, 'expected.jsonl'));
      const { events, summary } = await readFixture(join(dir, 'input.jsonl'), { tenant: contextOf(dir, 0).tenant });
      // The reader adds where each event came from; the rest is the format's own output, in input order.
      const lines = expected.flatMap((o, i) => (o.events ?? []).map(() => i + 1));
      assert.deepEqual(events.map((e: any) => e.unmapped.source.line), lines, name);
      assert.ok(events.every((e: any) => e.unmapped.format === 'okta'), name);
      const bare = events.map((e: any) => {
        const { source: _s, format: _f, ...unmapped } = e.unmapped;
        return { ...e, unmapped };
      });
      assert.deepEqual(bare, expected.flatMap((o) => o.events ?? []), name);
      assert.deepEqual(summary.quarantine.map((q) => q.line), expected.flatMap((o, i) => (o.error ? [i + 1] : [])), name);
      assert.equal(summary.stats.skipped, expected.filter((o) => o.events?.length === 0).length, name);
    }
  });
});

describe('okta recognition', () => {
  it('claims exactly the Panther Okta records and no other vendor record', { skip: !existsSync(PANTHER) && 'shared data not present' }, () => {
    const claimed = jsonLines(PANTHER).filter((t) => okta.matches(t.log));
    for (const t of claimed) assert.ok(t.log_types.includes('Okta.SystemLog'), `${t.rule_id} / ${t.test_name}`);
    assert.equal(claimed.length, jsonLines(join(FIXTURES, 'panther', 'input.jsonl')).length);
  });

  it('does not take CloudTrail records, whose eventType is "AwsApiCall"', () => {
    const cloudtrail = { eventType: 'AwsConsoleSignIn', eventTime: '2024-01-15T10:30:00Z', eventName: 'ConsoleLogin', userIdentity: { type: 'IAMUser' } };
    assert.equal(okta.matches(cloudtrail), false);
  });

  it('does not take Google Workspace records', () => {
    for (const rec of jsonLines(fileURLToPath(new URL('./fixtures/gws/documented/input.jsonl', import.meta.url)))) {
      assert.equal(okta.matches(rec), false);
      assert.equal(gws.matches(rec), true);
    }
  });
});

describe('okta normalisation', () => {
  it('never crashes on odd field values: events or a RecordError', () => {
    const odd = [null, 42, '', 'x', [], {}, true, [null], { x: [] }];
    /** Copies of a value with one field, down to two levels (first element of arrays), replaced by `value`. */
    const variants = (v: any, value: unknown, depth = 0): any[] => {
      if (depth > 2 || !v || typeof v !== 'object') return [];
      if (Array.isArray(v)) return v.length ? variants(v[0], value, depth).map((first) => [first, ...v.slice(1)]) : [];
      return Object.keys(v).flatMap((k) => [{ ...v, [k]: value }, ...variants(v[k], value, depth + 1).map((inner) => ({ ...v, [k]: inner }))]);
    };
    for (const rec of documented) {
      for (const value of odd) {
        for (const broken of variants(rec, value)) {
          try {
            assert.ok(Array.isArray(okta.normalize(broken, ctx)));
          } catch (e) {
            assert.ok(e instanceof RecordError, `${JSON.stringify(value)} in ${JSON.stringify(broken).slice(0, 200)}: ${e}`);
          }
        }
      }
    }
  });

  it('quarantines sign-ins whose published time is unusable', () => {
    for (const published of ['yesterday', '2024-13-01T00:00:00Z', '', -5, 4102444800001, null, undefined, { at: 1 }]) {
      const rec = { ...failedSignIn, published };
      assert.throws(() => okta.normalize(rec, ctx), (e: unknown) => e instanceof RecordError && /invalid time in published/.test(e.message), String(published));
    }
  });

  it('skips Okta event types that are no sign-in attempt', () => {
    for (const eventType of ['user.session.end', 'policy.evaluate_sign_on', 'user.mfa.factor.activate', 'user.mfa.factor.reset_all', 'system.org.rate_limit.warning', 'user.lifecycle.create', 'app.oauth2.as.token.grant']) {
      assert.deepEqual(okta.normalize({ ...failedSignIn, eventType }, ctx), [], eventType);
    }
  });

  it('turns a push-bombing run into the push_sent / push_denied / push_approved sequence', () => {
    const run = documented.slice(2, 8).flatMap((rec) => okta.normalize(rec, ctx));
    assert.deepEqual(run.map((e) => e.unmapped.mfa_event), ['push_sent', 'push_denied', 'push_sent', 'push_denied', 'push_sent', 'push_approved']);
    // A sent push is neither a success nor a failure of the sign-in; a denial is a failure after a valid password.
    for (const e of run.filter((e) => e.unmapped.mfa_event === 'push_sent')) assert.equal(e.status_id, 99);
    for (const e of run.filter((e) => e.unmapped.mfa_event === 'push_denied')) {
      assert.deepEqual([e.status_id, e.unmapped.reason, e.unmapped.password_valid], [2, 'mfa_denied', true]);
    }
  });

  it('keeps one user in one tenant whether or not the event names the Okta org', () => {
    const bare = { ...failedSignIn, debugContext: { debugData: {} } };
    const withOrigin = { ...failedSignIn, debugContext: { debugData: { origin: 'https://acme.okta.com' } } };
    const noTenant: NormalizeContext = { file: 'test', line: 1 };
    assert.equal(okta.normalize(bare, noTenant)[0].metadata.tenant_uid, okta.normalize(withOrigin, noTenant)[0].metadata.tenant_uid);
    assert.equal(okta.normalize(withOrigin, ctx)[0].metadata.tenant_uid, 'acme-corp');
  });

  it('reads lower-cased keys as exported by some pipelines', () => {
    const lower: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(failedSignIn)) lower[k.toLowerCase()] = v;
    assert.ok(okta.matches(lower));
    assert.deepEqual(okta.normalize(lower, ctx), okta.normalize(failedSignIn, ctx));
  });
});
