/**
 * End to end: the real `vigil normalize` command (src/cli/main.ts through tsx, no build needed) on files,
 * directories, globs, standard input and gzip, with its stdout, stderr, exit status and quarantine file checked.
 * The mixed-input fixtures in test/fixtures/mixed/ are the reader's contract: every good record kept, every bad one
 * quarantined with file, line and the right reason, nothing crashes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { entraAudit, entraGraph, jsonl, ocsfEvent } from '../src/ingest/fixtures/records.js';
import { expandTemplate } from './fixtures/mixed/expand.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
const TSX = import.meta.resolve('tsx');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function vigil(args: string[], opts: { cwd?: string; stdin?: Buffer | string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], {
      cwd: opts.cwd ?? dir,
      env: { ...process.env, VIGIL_DEBUG: '', CI: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
    child.stdin.on('error', () => {}); // the command may finish (a usage error) before reading its input
    child.stdin.end(opts.stdin ?? '');
  });
}

function events(r: Run): any[] {
  return r.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
}

function quarantineOf(path: string): any[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l)) : [];
}

const SUMMARY = /^(\d+) file\(s\), [\d.]+ (?:B|KiB|MiB|GiB), (\d+) records, (\d+) events, (\d+) skipped \(not sign-ins\), (\d+) quarantined in [\d.]+ s \(\d+ records\/s\)$/m;

function summary(stderr: string): { files: number; records: number; events: number; skipped: number; quarantined: number } {
  const m = SUMMARY.exec(stderr);
  assert.ok(m, `no summary line in: ${stderr}`);
  const [files, records, evs, skipped, quarantined] = m.slice(1).map(Number);
  return { files, records, events: evs, skipped, quarantined };
}

function assertNoStackTrace(r: Run): void {
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'stack trace on stderr');
  assert.doesNotMatch(r.stderr, /Error:/, 'raw error on stderr');
}

function write(name: string, data: string | Buffer): string {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, data);
  return p;
}

test('vigil --version prints the package version', async () => {
  const r = await vigil(['--version']);
  assert.deepEqual(r, { code: 0, stdout: `${VERSION}\n`, stderr: '' });
});

test('vigil normalize --help and vigil help normalize print the same usage, exit 0', async () => {
  const a = await vigil(['normalize', '--help']);
  const b = await vigil(['help', 'normalize']);
  assert.equal(a.code, 0);
  assert.equal(b.code, 0);
  assert.match(a.stdout, /^Usage: vigil normalize \[options\] INPUT\.\.\./);
  for (const opt of ['--format', '--quarantine', '--max-line', '--out', '--raw']) assert.ok(a.stdout.includes(opt), opt);
  assert.equal(b.stdout, a.stdout);
  assert.equal(a.stderr, '');
});

test('an unknown flag is a usage error: exit 2, the message on one line, no stack trace, nothing read', async () => {
  const r = await vigil(['normalize', '--bogus', 'x.json']);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, "vigil: Unknown option '--bogus' (see 'vigil normalize --help')\n");
  assertNoStackTrace(r);
});

test('usage errors: no input, an unknown format, a bad --max-line', async () => {
  for (const args of [['normalize'], ['normalize', '--format', 'nope', 'x'], ['normalize', '--max-line', 'big', 'x']]) {
    const r = await vigil(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, /^vigil: \S/);
    assertNoStackTrace(r);
  }
});

test('a missing file: one line `vigil: cannot read X: ...`, exit 1, no output, no quarantine file', async () => {
  const r = await vigil(['normalize', '--no-geo', write('ok.json', jsonl([entraGraph(1)])), 'missing.json']);
  assert.deepEqual(r, { code: 1, stdout: '', stderr: 'vigil: cannot read missing.json: no such file or directory\n' });
  assert.equal(existsSync(join(dir, 'vigil-quarantine.jsonl')), false);
});

test('an output file that cannot be written: one line, exit 1', async () => {
  const r = await vigil(['normalize', '--no-geo', '-o', 'no-such-dir/out.jsonl', write('one.json', jsonl([entraGraph(1)]))]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'vigil: cannot write no-such-dir/out.jsonl: no such file or directory\n');
});

test('inputs in the order given: a file, a directory (recursive, sorted, .gz by content), a glob, standard input, a .gz', async () => {
  const cwd = join(dir, 'order');
  mkdirSync(cwd);
  const put = (name: string, data: string | Buffer) => {
    mkdirSync(join(cwd, name, '..'), { recursive: true });
    writeFileSync(join(cwd, name), data);
  };
  put('first.json', jsonl([entraGraph(1)]));
  put('dir/b/deep.json', jsonl([entraGraph(2)]));
  put('dir/a.log', gzipSync(jsonl([entraGraph(3)]))); // gzip whatever the name says
  put('dir/.hidden.json', jsonl([entraGraph(99)]));
  put('logs/2.json', jsonl([entraGraph(5)]));
  put('logs/1.json', jsonl([entraGraph(4)]));
  put('logs/skip.txt', jsonl([entraGraph(98)]));
  put('last.json.gz', gzipSync(jsonl([ocsfEvent(7)])));
  const r = await vigil(['normalize', '--no-geo', 'first.json', 'dir', 'logs/*.json', '-', 'last.json.gz'], { cwd, stdin: jsonl([entraGraph(6)]) });
  assert.equal(r.code, 0, r.stderr);
  const evs = events(r);
  assert.deepEqual(
    evs.map((e) => [e.unmapped.source.file, e.user.name]),
    [
      ['first.json', 'user1@contoso.com'],
      [join('dir', 'a.log'), 'user3@contoso.com'],
      [join('dir', 'b', 'deep.json'), 'user2@contoso.com'],
      [join('logs', '1.json'), 'user4@contoso.com'],
      [join('logs', '2.json'), 'user5@contoso.com'],
      ['-', 'user6@contoso.com'],
      ['last.json.gz', 'ocsf7@example.org'],
    ],
  );
  assert.ok(evs.every((e) => e.class_uid === 3002));
  assert.deepEqual(summary(r.stderr), { files: 7, records: 7, events: 7, skipped: 0, quarantined: 0 });
  assert.equal(existsSync(join(cwd, 'vigil-quarantine.jsonl')), false, 'no quarantine file when nothing is quarantined');
});

test('the summary goes to stderr with the counts; no progress line when stderr is not a terminal', async () => {
  const q = join(dir, 'summary-q.jsonl');
  const r = await vigil(['normalize', '--no-geo', '-q', q, '-'], { stdin: jsonl([entraGraph(1), entraAudit(1), { nope: 1 }, ocsfEvent(2)]) + 'garbage{\n' });
  assert.equal(r.code, 0);
  assert.equal(events(r).length, 2);
  assert.deepEqual(summary(r.stderr), { files: 1, records: 5, events: 2, skipped: 1, quarantined: 2 });
  assert.match(r.stderr, new RegExp(`^quarantined: 1 unknown record shape; 1 invalid JSON -> ${q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  assert.ok(!r.stderr.includes('\x1b['), 'no terminal control sequences');
  assert.equal(r.stderr.trimEnd().split('\n').length, 2);
});

test('-o writes the events to a file; outputs inside an input folder are not read back', async () => {
  const d = join(dir, 'selfread');
  mkdirSync(d);
  writeFileSync(join(d, 'in.json'), jsonl([entraGraph(1), entraGraph(2), '{broken']));
  const args = ['normalize', '--no-geo', '-o', join(d, 'out.jsonl'), '-q', join(d, 'q.jsonl'), d];
  const first = await vigil(args);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, '');
  const second = await vigil(args);
  assert.deepEqual(summary(second.stderr), { files: 1, records: 3, events: 2, skipped: 0, quarantined: 1 });
  assert.equal(readFileSync(join(d, 'out.jsonl'), 'utf8').trim().split('\n').length, 2);
  assert.equal(quarantineOf(join(d, 'q.jsonl')).length, 1);
});

test('an input named as the output is refused before anything is overwritten', async () => {
  const input = write('precious.json', jsonl([entraGraph(1)]));
  const r = await vigil(['normalize', '--no-geo', '-o', input, input]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^vigil: .*precious\.json is both an input and an output/);
  assert.equal(readFileSync(input, 'utf8'), jsonl([entraGraph(1)]));
});

test('--raw keeps the original record text in raw_data', async () => {
  const line = JSON.stringify(entraGraph(3));
  const r = await vigil(['normalize', '--no-geo', '--raw', '-'], { stdin: line + '\n' });
  assert.equal(events(r)[0].raw_data, line);
});

const MIXED = join(ROOT, 'test', 'fixtures', 'mixed');
for (const name of readdirSync(MIXED).filter((n) => existsSync(join(MIXED, n, 'input.tmpl'))).sort()) {
  test(`mixed good and bad input (${name}): every good record kept, every bad one quarantined with file, line and reason`, async () => {
    const expected = JSON.parse(readFileSync(join(MIXED, name, 'expected.json'), 'utf8')) as {
      args: string[];
      events: Record<string, string[]>;
      skipped: number;
      quarantined: { line: number; reason: string }[];
    };
    const input = write(`mixed-${name}.input`, expandTemplate(readFileSync(join(MIXED, name, 'input.tmpl'), 'utf8')));
    const q = join(dir, `mixed-${name}.quarantine.jsonl`);
    const r = await vigil(['normalize', '--no-geo', '-q', q, ...expected.args, input]);
    assert.equal(r.code, 0, r.stderr);
    assertNoStackTrace(r);

    const byLine: Record<string, string[]> = {};
    for (const e of events(r)) {
      assert.equal(e.unmapped.source.file, input);
      (byLine[e.unmapped.source.line] ??= []).push(e.user.name);
    }
    assert.deepEqual(byLine, expected.events);

    const entries = quarantineOf(q);
    assert.deepEqual(
      entries.map((e) => ({ line: e.line, reason: e.reason.replace(/:.*$/, '') })),
      expected.quarantined,
    );
    assert.ok(entries.every((e) => e.file === input));

    const goodEvents = Object.values(expected.events).flat().length;
    assert.deepEqual(summary(r.stderr), {
      files: 1,
      records: goodEvents + expected.skipped + expected.quarantined.length,
      events: goodEvents,
      skipped: expected.skipped,
      quarantined: expected.quarantined.length,
    });
  });
}

test('the mixed JSON-lines fixture reads the same from standard input, gzipped', async () => {
  const raw = expandTemplate(readFileSync(join(MIXED, 'jsonl', 'input.tmpl'), 'utf8'));
  const expected = JSON.parse(readFileSync(join(MIXED, 'jsonl', 'expected.json'), 'utf8'));
  const q = join(dir, 'stdin-gz-q.jsonl');
  const r = await vigil(['normalize', '--no-geo', '-q', q, '-'], { stdin: gzipSync(raw) });
  assert.equal(r.code, 0);
  assert.equal(events(r).length, Object.values(expected.events).flat().length);
  assert.deepEqual(
    quarantineOf(q).map((e) => [e.file, e.line]),
    expected.quarantined.map((e: { line: number }) => ['-', e.line]),
  );
});
