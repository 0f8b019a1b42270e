/**
 * `vigil notify` as a command: usage errors, configuration errors that name the organisation and field, and a
 * run over the fixture world with --outbox and --json that a second run repeats without preparing anything.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ENTRY, tempDir, worldOrgs, worldStore } from '../../notify/fixtures/support.js';
import { UsageError } from '../command.js';
import { notify } from './notify.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const vigilNotify = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', ENTRY, ...args], { cwd: ROOT, encoding: 'utf8' });

test('usage errors', async () => {
  await assert.rejects(notify.run([]), (e: Error) => e instanceof UsageError && /--orgs FILE is required/.test(e.message));
  await assert.rejects(notify.run(['--orgs', 'x.yaml', '--min-severity', 'severe']), (e: Error) => e instanceof UsageError && /--min-severity must be one of/.test(e.message));
  await assert.rejects(notify.run(['--orgs', 'x.yaml', '--attempts', '0']), UsageError);
  await assert.rejects(notify.run(['--orgs', 'x.yaml', 'extra']), /unexpected argument 'extra'/);
});

test('a run writes the outbox and reports; the second prepares nothing; a language without templates is named', () => {
  const dir = tempDir('cli');
  const db = worldStore(join(dir, 'vigil.db'));
  const orgs = worldOrgs(join(dir, 'orgs.yaml'));
  const outbox = join(dir, 'outbox');
  const r = vigilNotify(['--db', db, '--orgs', orgs, '--outbox', outbox, '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /prepared 16 notification\(s\) \(16 initial, 0 follow-up\) for 8 organisation\(s\)/);
  assert.match(r.stderr, /outbox: 19 new \.eml file\(s\)/);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 16);
  assert.ok(lines.every((l) => l.event === 'prepared' && /^VGL-/.test(l.reference)));
  assert.equal(readdirSync(outbox).length, 8);
  const again = vigilNotify(['--db', db, '--orgs', orgs, '--outbox', outbox, '--send']);
  assert.equal(again.status, 1, 'e-mails to send but no sender settings');
  assert.match(again.stderr, /prepared 0 notification\(s\).*16 already notified campaign\(s\) unchanged/);
  assert.match(again.stderr, /outbox: 0 new \.eml file\(s\)/);
  assert.match(again.stderr, /not sent: 19 e-mail\(s\): the organisations file has no sender\.from and sender\.smtp settings/);

  const pt = worldOrgs(join(dir, 'pt.yaml'), (doc) => (doc.organisations[2].language = 'pt'));
  const bad = vigilNotify(['--db', db, '--orgs', pt]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /pt\.yaml: organisation 3 \(57a20cc8-5847-45f6-8149-b397b457e52b\), field language: no notification templates for 'pt' \(have de, en, es, fr, ur; add templates\/pt\/\)/);
});
