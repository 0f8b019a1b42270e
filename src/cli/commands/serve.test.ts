/**
 * `vigil serve` as a process: it prints its address (and a new operator token when asked), answers, and stops
 * cleanly on SIGTERM; a port in use or a bad option is a one-line error.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CliError, UsageError } from '../command.js';
import { serve } from './serve.js';

let dir: string;
before(() => (dir = mkdtempSync(join(tmpdir(), 'vigil-serve-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

test('vigil serve prints its address and a new operator token, serves, and stops on SIGTERM', { timeout: 60_000 }, async () => {
  const module = fileURLToPath(new URL('./serve.ts', import.meta.url));
  const args = ['--db', join(dir, 'vigil.db'), '--port', '0', '--no-geo', '--new-operator-token'];
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `const { serve } = await import(${JSON.stringify(module)}); process.exitCode = await serve.run(${JSON.stringify(args)});`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  while (!/^vgl_\S+$/m.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const url = /serving (http:\/\/\S+)/.exec(err)?.[1];
  assert.ok(url, err);
  const token = out.trim().split('\n').at(-1)!;
  assert.match(token, /^vgl_[A-Za-z0-9_-]{43}$/);
  assert.equal((await fetch(new URL('/healthz', url))).status, 200);
  const me = await fetch(new URL('/api/v1/me', url), { headers: { authorization: `Bearer ${token}` } });
  assert.deepEqual(await me.json(), { role: 'operator', tenant: null, organisation: null });
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.match(err, /stopping/);
});

test('a port in use is a one-line failure; a bad option is a usage error', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as AddressInfo).port;
  try {
    await assert.rejects(serve.run(['--db', join(dir, 'busy.db'), '--port', String(port), '--no-geo']), (e: Error) => e instanceof CliError && /already in use/.test(e.message));
  } finally {
    blocker.close();
  }
  await assert.rejects(serve.run(['--port', '70000']), UsageError);
  await assert.rejects(serve.run(['--max-body', 'lots']), UsageError);
  await assert.rejects(serve.run(['--db', join(dir, 'x.db'), '--orgs', join(dir, 'missing.yaml'), '--no-geo']), CliError);
});
