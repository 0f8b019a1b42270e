/**
 * API tokens: their shape, that only a hash is stored, verification (tampered, revoked, scoped), last use, and the
 * `vigil token create|list|revoke` command (the token on the last line, never shown again).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CliError, UsageError } from '../cli/command.js';
import { token as tokenCommand } from '../cli/commands/token.js';
import { openStore } from '../store/db.js';
import { createToken, listTokens, revokeToken, TokenVerifier } from './tokens.js';

let dir: string;
let dbPath: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-tokens-'));
  dbPath = join(dir, 'vigil.db');
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the command, returning what it printed on standard output and standard error. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const write = process.stderr.write;
  console.log = (...a: unknown[]) => void out.push(a.join(' ') + '\n');
  process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
  try {
    const code = await tokenCommand.run(argv);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    console.log = log;
    process.stderr.write = write;
  }
}

test('a token is vgl_ and 32 random bytes; the store keeps only its SHA-256', () => {
  const db = openStore(dbPath);
  try {
    const a = createToken(db, { role: 'operator', name: 'ops' });
    const b = createToken(db, { role: 'org', tenant: 'org-a' });
    assert.match(a.token, /^vgl_[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(a.token.slice(4), 'base64url').length, 32);
    assert.notEqual(a.token, b.token);
    const rows = db.prepare('SELECT * FROM api_tokens').all() as Record<string, unknown>[];
    const dump = JSON.stringify(rows);
    assert.ok(!dump.includes(a.token.slice(4)) && !dump.includes(b.token.slice(4)), 'no token in the store');
    assert.equal(rows.find((r) => r.id === a.info.id)!.token_hash, createHash('sha256').update(a.token).digest('hex'));
    const byId = (x: unknown[], y: unknown[]) => String(x[0]).localeCompare(String(y[0]));
    assert.deepEqual(
      listTokens(db).map((t) => [t.id, t.role, t.tenant, t.name]).sort(byId),
      [[a.info.id, 'operator', null, 'ops'], [b.info.id, 'org', 'org-a', null]].sort(byId),
    );
  } finally {
    db.close();
  }
});

test('verification: the right token gives its role and tenant; a changed, unknown or revoked one gives nothing', () => {
  const db = openStore(dbPath);
  try {
    const v = new TokenVerifier(db);
    const op = createToken(db, { role: 'operator' });
    const org = createToken(db, { role: 'org', tenant: 'org-b' });
    assert.deepEqual(v.verify(op.token), { role: 'operator', tokenId: op.info.id });
    assert.deepEqual(v.verify(org.token), { role: 'org', tenant: 'org-b', tokenId: org.info.id });
    const last = org.token.at(-1) === 'A' ? 'B' : 'A';
    assert.equal(v.verify(org.token.slice(0, -1) + last), undefined);
    assert.equal(v.verify(org.token + 'x'), undefined);
    assert.equal(v.verify(''), undefined);
    assert.equal(v.verify(org.token.slice(4)), undefined, 'the prefix is part of the token');
    const used = db.prepare('SELECT last_used_at FROM api_tokens WHERE id = ?').get(org.info.id) as { last_used_at: number | null };
    assert.ok(used.last_used_at !== null, 'last use is recorded');
    assert.ok(revokeToken(db, org.info.id));
    assert.equal(revokeToken(db, org.info.id), false, 'already revoked');
    assert.equal(v.verify(org.token), undefined);
    assert.throws(() => createToken(db, { role: 'org', tenant: '  ' }));
  } finally {
    db.close();
  }
});

test('vigil token create prints the token on its last line; list never shows it; revoke stops it', async () => {
  const created = await run(['create', '--db', dbPath, '--org', 'org-z', '--name', 'Zeta SOC']);
  assert.equal(created.code, 0);
  const token = created.out.trimEnd().split('\n').at(-1)!;
  assert.match(token, /^vgl_[A-Za-z0-9_-]{43}$/);
  assert.match(created.err, /no organisation org-z in the store yet/);
  const id = /created (tok_[0-9a-f]+)/.exec(created.err)![1];

  const listed = await run(['list', '--db', dbPath]);
  assert.match(listed.out, new RegExp(`${id}\\s+org\\s+org-z\\s+Zeta SOC`));
  assert.ok(!listed.out.includes(token.slice(4)));
  const json = (await run(['list', '--db', dbPath, '--json'])).out.trim().split('\n').map((l) => JSON.parse(l));
  const mine = json.find((t) => t.id === id);
  assert.deepEqual(Object.keys(mine).sort(), ['created_at', 'id', 'last_used_at', 'name', 'revoked_at', 'role', 'tenant']);

  const db = openStore(dbPath);
  try {
    assert.deepEqual(new TokenVerifier(db).verify(token), { role: 'org', tenant: 'org-z', tokenId: id });
    assert.equal((await run(['revoke', '--db', dbPath, id])).code, 0);
    assert.equal(new TokenVerifier(db).verify(token), undefined);
  } finally {
    db.close();
  }
  const op = await run(['create', '--db', dbPath, '--role', 'operator']);
  assert.match(op.out.trim().split('\n').at(-1)!, /^vgl_/);
});

test('vigil token: usage errors for a missing or contradictory role, a failure for an unknown id', async () => {
  await assert.rejects(run(['create', '--db', dbPath]), UsageError);
  await assert.rejects(run(['create', '--db', dbPath, '--role', 'operator', '--org', 'x']), UsageError);
  await assert.rejects(run(['create', '--db', dbPath, '--role', 'admin']), UsageError);
  await assert.rejects(run(['create', '--db', dbPath, '--role', 'org']), UsageError);
  await assert.rejects(run(['list', '--db', dbPath, '--org', 'x']), UsageError);
  await assert.rejects(run(['rotate', '--db', dbPath]), UsageError);
  await assert.rejects(run(['revoke', '--db', dbPath]), UsageError);
  await assert.rejects(run(['revoke', '--db', dbPath, 'tok_000000000000']), CliError);
});
