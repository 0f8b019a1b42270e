/**
 * `vigil demo`, the README's first command, as a newcomer runs it (the built CLI through bin/vigil.js): it writes the
 * world, finds the attacks in it, joins and attributes the campaign, prepares the warnings, then serves the
 * dashboard and API with a fresh operator token until stopped. Run again in the same folder it starts clean and
 * finds exactly the same. A smaller world than the default (2 days, 4 organisations) keeps it to seconds.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'vigil.js');
const built = existsSync(join(ROOT, 'dist', 'cli', 'main.js'));
const dir = mkdtempSync(join(tmpdir(), 'vigil-demo-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const SMALL = ['--dir', dir, '--days', '2', '--orgs', '4'];

const jsonLines = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l));

test('vigil demo finds the attacks, attributes the campaign, prepares warnings and serves the dashboard', { skip: !built && 'not built' }, async () => {
  const child = spawn(process.execPath, [BIN, 'demo', ...SMALL, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b) => (out += b));
  child.stderr.on('data', (b) => (err += b));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  let firstFindings = '';
  try {
    // Serving: the address on standard error, the operator token (shown once) on standard output.
    let url: string | undefined;
    let token: string | undefined;
    for (const end = Date.now() + 120_000; Date.now() < end && !(url && token); await new Promise((r) => setTimeout(r, 100))) {
      url = /Vigil is serving (http:\/\/\S+)/.exec(err)?.[1];
      token = /^(vgl_\S+)$/m.exec(out)?.[1];
      assert.equal(child.exitCode, null, `demo ended early:\n${err}`);
    }
    assert.ok(url && token, `serving with a token:\n${err}`);
    assert.doesNotMatch(err, /\n\s+at /, 'no stack trace');

    const summary = await fetch(new URL('/api/v1/summary', url), { headers: { authorization: `Bearer ${token}` } });
    assert.equal(summary.status, 200);
    const s = (await summary.json()) as { findings: number };
    firstFindings = readFileSync(join(dir, 'findings.jsonl'), 'utf8');
    const findings = jsonLines(firstFindings);
    const uids = new Set(findings.map((f) => f.finding_info.uid));
    assert.equal(s.findings, uids.size, 'the API serves the findings just written');
    assert.equal((await fetch(new URL('/api/v1/summary', url))).status, 401, 'no token, no data');
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);

    // The attacks of the world, as OCSF Detection Findings, the distributed spray among them.
    assert.ok(findings.every((f) => f.class_uid === 2004 && f.metadata.tenant_uid));
    const types = new Set(findings.map((f) => f.finding_info.types[0]));
    for (const t of ['password_spray', 'brute_force', 'credential_stuffing', 'account_compromise', 'mfa_fatigue', 'impossible_travel', 'anonymizer_signin']) assert.ok(types.has(t), `${t} found`);
    assert.ok(findings.some((f) => /^Distributed password spray/.test(f.finding_info.title)), 'the distributed spray');
    const campaigns = jsonLines(readFileSync(join(dir, 'campaigns.jsonl'), 'utf8'));
    assert.ok(campaigns.some((c) => c.attribution?.status === 'attributed' && c.attribution.actor && c.organisations.count >= 2), 'a campaign across organisations, attributed');
    const outbox = join(dir, 'outbox');
    const warned = readdirSync(outbox).filter((d) => readdirSync(join(outbox, d)).some((f) => f.endsWith('.eml')));
    assert.ok(warned.length >= 2, `warnings prepared for the targeted organisations (${warned.length})`);
    assert.ok(existsSync(join(dir, 'world', 'truth.json')));

    child.kill('SIGTERM');
    assert.equal(await exited, 0, 'stops cleanly when asked');
  } finally {
    child.kill('SIGKILL');
  }

  // Again in the same folder, without serving: a clean start that finds exactly the same.
  const again = spawnSync(process.execPath, [BIN, 'demo', ...SMALL, '--no-serve'], { encoding: 'utf8' });
  assert.equal(again.status, 0, again.stderr);
  assert.ok(firstFindings.length > 0);
  assert.equal(readFileSync(join(dir, 'findings.jsonl'), 'utf8'), firstFindings);
});
