/**
 * Google Workspace login format: data-driven over `fixtures/gws/<case>/input.jsonl` -> `expected.jsonl` (one expected
 * line per input line: `{"events": [...]}` or `{"error": "<RecordError message>"}`; an optional `context.json` holds
 * the NormalizeContext, e.g. `--tenant`), plus the decisions the fixtures exist for, stated as properties.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readFixture } from './fixtures/harness.js';
import { FormatDetector } from './index.js';
import { gws } from './gws.js';
import { okta } from './okta.js';
import { RecordError, type JsonFormat, type NormalizeContext } from './types.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/gws/', import.meta.url));
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
/** A plain wrong-password failure in the API's own shape, to vary in the property tests. */
const badPassword = documented[0];
const ctx: NormalizeContext = { file: 'test', line: 1 };

describe('gws fixtures', () => {
  for (const name of caseDirs(FIXTURES)) {
    it(`${name}: every record normalises to its expected line`, () => {
      const dir = join(FIXTURES, name);
      const input = jsonLines(join(dir, 'input.jsonl'));
      const expected = jsonLines(join(dir, 'expected.jsonl'));
      assert.equal(expected.length, input.length, `${name}: expected.jsonl must have one line per input line`);
      input.forEach((rec, i) => {
        assert.deepEqual(outcome(gws, rec, contextOf(dir, i + 1)), expected[i], `${name}/input.jsonl line ${i + 1}`);
      });
    });
  }

  it('every fixture record is detected as Google Workspace, ahead of the other formats', () => {
    for (const name of caseDirs(FIXTURES)) {
      jsonLines(join(FIXTURES, name, 'input.jsonl')).forEach((rec, i) => {
        assert.equal(new FormatDetector().detect(rec)?.name, 'gws', `${name} line ${i + 1}`);
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
      assert.ok(events.every((e: any) => e.unmapped.format === 'gws'), name);
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

describe('gws recognition', () => {
  it('claims exactly the Panther GSuite records and no other vendor record', { skip: !existsSync(PANTHER) && 'shared data not present' }, () => {
    const claimed = jsonLines(PANTHER).filter((t) => gws.matches(t.log));
    for (const t of claimed) assert.ok(t.log_types.includes('GSuite.ActivityEvent'), `${t.rule_id} / ${t.test_name}`);
    assert.equal(claimed.length, jsonLines(join(FIXTURES, 'panther', 'input.jsonl')).length);
  });

  it('does not take Okta records', () => {
    for (const rec of jsonLines(fileURLToPath(new URL('./fixtures/okta/documented/input.jsonl', import.meta.url)))) {
      assert.equal(gws.matches(rec), false);
      assert.equal(okta.matches(rec), true);
    }
  });
});

describe('gws normalisation', () => {
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
            assert.ok(Array.isArray(gws.normalize(broken, ctx)));
          } catch (e) {
            assert.ok(e instanceof RecordError, `${JSON.stringify(value)} in ${JSON.stringify(broken).slice(0, 200)}: ${e}`);
          }
        }
      }
    }
  });

  it('quarantines login events whose id.time is unusable', () => {
    for (const time of ['not a time', '2024-03-05T24:00:00Z', '', 12, null, undefined, ['2024-03-05T02:10:11Z']]) {
      const rec = { ...badPassword, id: { ...badPassword.id, time } };
      assert.throws(() => gws.normalize(rec, ctx), (e: unknown) => e instanceof RecordError && /invalid time in id\.time/.test(e.message), String(time));
    }
  });

  it('skips other applications and login events that are no attempt', () => {
    for (const applicationName of ['drive', 'admin', 'token', 'gmail', 'mobile', 'logout']) {
      assert.deepEqual(gws.normalize({ ...badPassword, id: { ...badPassword.id, applicationName } }, ctx), [], applicationName);
    }
    for (const name of ['logout', 'password_edit', '2sv_enroll', 'risky_sensitive_action_allowed', 'passkey_enrolled']) {
      const rec = { ...badPassword, events: [{ ...badPassword.events[0], name }] };
      assert.deepEqual(gws.normalize(rec, ctx), [], name);
    }
  });

  it('reads the flattened one-event-per-row shape like the API shape', () => {
    const event = badPassword.events[0];
    const params: Record<string, unknown> = {};
    for (const p of event.parameters) params[p.name] = p.value ?? p.multiValue ?? p.boolValue;
    const { events: _events, ...rest } = badPassword;
    const flat = { ...rest, type: event.type, name: event.name, parameters: params };
    assert.ok(gws.matches(flat));
    assert.deepEqual(gws.normalize(flat, ctx), gws.normalize(badPassword, ctx));
  });

  it('emits one event per attempt of a record, each with its own uid', () => {
    const rec = { ...badPassword, events: [badPassword.events[0], { type: 'login', name: 'logout' }, badPassword.events[0]] };
    const events = gws.normalize(rec, ctx);
    assert.equal(events.length, 2);
    assert.notEqual(events[0].metadata.uid, events[1].metadata.uid);
  });

  it('keeps a government-backed attack warning reachable without counting it as a sign-in outcome', () => {
    const warning = documented.find((r) => r.events?.[0]?.name === 'gov_attack_warning');
    const [ev] = gws.normalize(warning, ctx);
    assert.equal(ev.status_code, 'gov_attack_warning');
    assert.equal(ev.status_id, 99);
    assert.ok(ev.severity_id >= 4);
    assert.equal(ev.unmapped.reason, undefined);
  });

  it('knows the password was right once a second step failed, and not before', () => {
    const failWith = (parameters: unknown[]) => gws.normalize({ ...badPassword, events: [{ type: 'login', name: 'login_failure', parameters }] }, ctx)[0];
    const methods = (...m: string[]) => ({ name: 'login_challenge_method', multiValue: m });
    assert.equal(failWith([methods('password', 'security_key')]).unmapped.password_valid, true);
    assert.equal(failWith([methods('password', 'password')]).unmapped.password_valid, false);
    assert.equal(failWith([methods('captcha', 'password')]).unmapped.password_valid, false);
  });
});
