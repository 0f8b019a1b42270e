import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sshd, sshdJournal } from './sshd.js';
import { RecordError, type NormalizeContext } from './types.js';
import type { AuthEvent } from '../ocsf/authentication.js';
import { readSource, newStats } from '../ingest/reader.js';
import { Quarantine } from '../ingest/quarantine.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/sshd/', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CASES = join(FIXTURES, 'cases');

/** The facts a fixture pins down, without undefined members. */
function project(e: AuthEvent) {
  return JSON.parse(
    JSON.stringify({
      line: e.unmapped.source?.line,
      time: new Date(e.time).toISOString(),
      status: e.status,
      reason: e.unmapped.reason,
      user: e.user.name,
      ip: e.src_endpoint.ip,
      hostname: e.src_endpoint.hostname,
      port: e.src_endpoint.port,
      protocol: e.auth_protocol,
      tenant: e.metadata.tenant_uid,
      mfa: e.is_mfa,
    }),
  );
}

const byLine = (a: { line: number; time: string }, b: { line: number; time: string }) => a.line - b.line || a.time.localeCompare(b.time);

function contextOf(dir: string, file: string): NormalizeContext {
  const path = join(dir, 'context.json');
  const c = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {};
  return { file, line: 0, tenant: c.tenant, year: c.year, fileTime: c.fileTime ? Date.parse(c.fileTime) : undefined };
}

/** Feeds lines to a fresh parser as the reader does (numbered from 1) and returns every event. */
function parseLines(lines: string[], ctx: NormalizeContext): AuthEvent[] {
  const parser = sshd.createParser();
  const out: AuthEvent[] = [];
  lines.forEach((text, i) => {
    if (text.trim() === '') return;
    out.push(...parser.line(text, { ...ctx, line: i + 1 }));
  });
  out.push(...parser.end({ ...ctx, line: lines.length }));
  return out;
}

function inputOf(dir: string): { name: string; lines: string[] } {
  const name = readdirSync(dir).find((f) => f.startsWith('input.'))!;
  return { name, lines: readFileSync(join(dir, name), 'utf8').split('\n') };
}

for (const name of readdirSync(CASES).sort()) {
  const dir = join(CASES, name);
  test(`sshd case ${name}: one event per attempt, as expected.json says`, () => {
    const input = inputOf(dir);
    const events = parseLines(input.lines, contextOf(dir, input.name));
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
    assert.deepEqual(events.map(project).sort(byLine), expected);
    for (const e of events) {
      assert.equal(e.class_uid, 3002);
      assert.deepEqual(e.metadata.product, { name: 'OpenSSH', vendor_name: 'OpenBSD' });
      assert.equal(e.service?.name, 'sshd');
      assert.equal(e.unmapped.password_valid, e.status_id === 1);
    }
  });
}

test('sshdJournal normalises journald records one at a time, as expected-journal.json says', () => {
  const dir = join(CASES, 'journald');
  const lines = readFileSync(join(dir, 'input.jsonl'), 'utf8').split('\n').filter((l) => l.trim());
  const events: AuthEvent[] = [];
  const unmatched: number[] = [];
  lines.forEach((text, i) => {
    const rec = JSON.parse(text);
    if (!sshdJournal.matches(rec)) {
      unmatched.push(i + 1);
      return;
    }
    const ctx = { file: 'input.jsonl', line: i + 1 };
    for (const e of sshdJournal.normalize(rec, ctx)) {
      e.unmapped.source = { file: ctx.file, line: ctx.line }; // as the reader does for JSON formats
      events.push(e);
    }
  });
  assert.deepEqual(unmatched, [8], 'only the systemd record is not sshd');
  assert.deepEqual(events.map(project).sort(byLine), JSON.parse(readFileSync(join(dir, 'expected-journal.json'), 'utf8')));
});

test('sshdJournal does not claim other records', () => {
  assert.equal(sshdJournal.matches({ eventType: 'user.session.start', published: '2024-03-01T12:00:00Z', actor: {} }), false);
  assert.equal(sshdJournal.matches({ SYSLOG_IDENTIFIER: 'sudo', MESSAGE: 'x', __REALTIME_TIMESTAMP: '1709294400000000' }), false);
  assert.equal(sshdJournal.matches({ SYSLOG_IDENTIFIER: 'sshd', __REALTIME_TIMESTAMP: '1709294400000000' }), false, 'no MESSAGE');
  assert.equal(sshdJournal.matches({ _COMM: 'sshd-session', MESSAGE: 'x', __REALTIME_TIMESTAMP: '1' }), true);
});

interface LoghubExpectation {
  file: string;
  host: string;
  total: number;
  success: number;
  reasons: Record<string, number>;
  sources: number;
  users: Record<string, number>;
  topSourcesMin: number;
  topSources: Record<string, number>;
}

const LOGHUB: LoghubExpectation[] = JSON.parse(readFileSync(join(FIXTURES, 'loghub-expected.json'), 'utf8'));

function countBy(events: AuthEvent[], key: (e: AuthEvent) => string | undefined): Map<string, number> {
  const m = new Map<string, number>();
  for (const e of events) {
    const k = key(e);
    if (k !== undefined) m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

function assertLoghub(x: LoghubExpectation, events: AuthEvent[]): void {
  assert.equal(events.length, x.total, 'one event per real attempt');
  assert.equal(events.filter((e) => e.status_id === 1).length, x.success);
  assert.deepEqual(Object.fromEntries(countBy(events.filter((e) => e.status_id === 2), (e) => e.unmapped.reason)), x.reasons);
  const bySource = countBy(events, (e) => e.src_endpoint.ip ?? e.src_endpoint.hostname);
  assert.equal(bySource.size, x.sources);
  const top = Object.fromEntries([...bySource].filter(([, n]) => n >= x.topSourcesMin));
  assert.deepEqual(top, x.topSources);
  const byUser = countBy(events, (e) => e.user.name);
  for (const [user, n] of Object.entries(x.users)) assert.equal(byUser.get(user), n, `events of user ${JSON.stringify(user)}`);
  for (const e of events) assert.equal(e.metadata.tenant_uid, x.host);
}

for (const x of LOGHUB) {
  const path = join(REPO, x.file);
  test(`${x.file}: the parser gives exactly the attempts counted independently`, { skip: !existsSync(path) && 'shared data missing' }, () => {
    const lines = readFileSync(path, 'utf8').split('\n');
    assertLoghub(x, parseLines(lines, { file: x.file, line: 0, fileTime: statSync(path).mtimeMs }));
  });

  test(`${x.file}: the reader detects sshd, quarantines nothing and points each event at its line`, { skip: !existsSync(path) && 'shared data missing' }, async () => {
    const q = new Quarantine(undefined);
    const stats = newStats();
    const events: AuthEvent[] = [];
    for await (const batch of readSource({ name: path, mtime: statSync(path).mtimeMs }, {}, q, stats)) events.push(...batch);
    assert.equal(q.count, 0);
    assert.equal(stats.quarantined, 0);
    assert.equal(stats.events, x.total);
    assertLoghub(x, events);
    const lines = readFileSync(path, 'utf8').split('\n');
    for (const e of events) {
      assert.equal(e.unmapped.format, 'sshd');
      const source = lines[e.unmapped.source!.line - 1];
      assert.match(source, /sshd(\(pam_unix\))?\[\d+\]: /);
      assert.ok(source.includes(e.src_endpoint.ip ?? e.src_endpoint.hostname!), `line ${e.unmapped.source!.line} names the source`);
      assert.ok(e.time <= statSync(path).mtimeMs + 86_400_000, 'year-less stamps are never put in the future of the file');
    }
  });
}

test('sniff recognises sshd lines of every shape and nothing else', () => {
  const yes = [
    'Dec 10 06:55:46 LabSZ sshd[24200]: Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2',
    'Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4 ',
    '<38>Jul  1 09:00:00 h sshd[1]: Connection closed by 1.2.3.4 port 22 [preauth]',
    '2024-03-01T12:00:00.123456+01:00 host sshd[123]: Accepted publickey for a from 192.0.2.1 port 22 ssh2',
    '2024-03-01T12:00:00Z host sshd-session[123]: Accepted publickey for a from 192.0.2.1 port 22 ssh2',
    '<34>1 2024-03-01T12:00:00Z host sshd 123 - - Failed password for root from 192.0.2.1 port 22 ssh2',
    '{"SYSLOG_IDENTIFIER":"sshd","MESSAGE":"Failed password for root from 192.0.2.1 port 22 ssh2","__REALTIME_TIMESTAMP":"1709294400000000"}',
  ];
  const no = [
    'Jun 15 04:06:18 combo su(pam_unix)[21416]: session opened for user cyrus by (uid=0)',
    'Jul  1 09:00:00 combo ftpd[1]: connection from 1.2.3.4 () at Sun Jul  1 09:00:00 2005',
    '<34>1 2024-03-01T12:00:00Z host cron 123 - - sshd[1]: not really',
    'Jun 10 10:07:00 lab last message repeated 2 times',
    'time,user,ip',
    '{"SYSLOG_IDENTIFIER":"sudo","MESSAGE":"sshd"}',
    'sshd[123]: Failed password for root from 192.0.2.1 port 22 ssh2',
    '',
  ];
  for (const l of yes) assert.equal(sshd.sniff(l), true, l);
  for (const l of no) assert.equal(sshd.sniff(l), false, l);
});

test('a year-less stamp with no file time uses the current year, never a future one', () => {
  const now = new Date();
  const events = parseLines(['Jan  1 00:00:00 h sshd[1]: Failed password for root from 192.0.2.1 port 22 ssh2'], { file: '-', line: 0 });
  assert.equal(new Date(events[0].time).getUTCFullYear(), now.getUTCFullYear());
});

test('lines sshd cannot be placed in time or tenant throw RecordError; other lines are ignored', () => {
  const p = sshd.createParser();
  const ctx = { file: 'x', line: 1 };
  assert.throws(() => p.line('<34>1 2024-03-01T12:00:00Z - sshd 1 - - Failed password for root from 192.0.2.1 port 22 ssh2', ctx), RecordError);
  assert.throws(() => p.line('<34>1 - host sshd 1 - - Failed password for root from 192.0.2.1 port 22 ssh2', ctx), RecordError);
  assert.throws(() => p.line('2024-13-45T12:00:00Z host sshd[1]: Failed password for root from 192.0.2.1 port 22 ssh2', ctx), RecordError);
  assert.throws(() => p.line('Feb 30 99:00:00 host sshd[1]: Failed password for root from 192.0.2.1 port 22 ssh2', ctx), RecordError);
  assert.throws(() => p.line('Jun 10 10:00:09 h sshd[1]: message repeated 99999999 times: [ Failed password for root from 192.0.2.1 port 22 ssh2]', ctx), RecordError);
  assert.deepEqual(p.line('random words that are not a log line', ctx), []);
  assert.deepEqual(p.line('{"not":"journald"', ctx), []);
  assert.deepEqual(p.line('Jun 10 10:00:00 h sshd[1]: Server listening on 0.0.0.0 port 22.', ctx), []);
  assert.deepEqual(p.end(ctx), []);
  const rec = { SYSLOG_IDENTIFIER: 'sshd', MESSAGE: 'Failed password for root from 192.0.2.1 port 22 ssh2', _HOSTNAME: 'h', __REALTIME_TIMESTAMP: 'yesterday' };
  assert.throws(() => sshdJournal.normalize(rec, ctx), RecordError);
  assert.throws(() => sshdJournal.normalize({ ...rec, _HOSTNAME: undefined, __REALTIME_TIMESTAMP: '1709294400000000' }, ctx), RecordError);
  assert.equal(sshdJournal.normalize({ ...rec, _HOSTNAME: undefined, __REALTIME_TIMESTAMP: '1709294400000000' }, { ...ctx, tenant: 't' }).length, 1);
});
