/**
 * `vigil detect` with its findings on standard output: a run ends its process as soon as its output is out (cli/main.ts),
 * and that must never cut the output short, even when the reader of the pipe is slow and the lines are more than
 * the pipe holds. The summary still reaches standard error.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const MAIN = new URL('../src/cli/main.ts', import.meta.url).pathname;
// A brute force over a thousand addresses: finding lines of some 70 KB in all, more than a pipe's 64 KiB.
const INPUT = new URL('../src/detect/fixtures/brute-distributed/events.jsonl', import.meta.url).pathname;
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

test('findings written to a pipe read late arrive whole, and the summary after them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-stdout-'));
  try {
    const detect = (db: string, out?: string) =>
      [process.execPath, '--import', 'tsx', MAIN, 'detect', '--no-geo', '--db', join(dir, db), ...(out ? ['-o', out] : []), INPUT].map(quote).join(' ');
    const toFile = spawnSync('sh', ['-c', detect('file.db', join(dir, 'file.jsonl'))], { encoding: 'utf8' });
    assert.equal(toFile.status, 0, toFile.stderr);
    const expected = readFileSync(join(dir, 'file.jsonl'), 'utf8');
    assert.ok(expected.length > 65536, `the fixture's findings fill more than a pipe (${expected.length} bytes)`);
    // The reader starts a second late: by then the run has written all it can into the pipe and is waiting or done.
    const piped = spawnSync('sh', ['-c', `${detect('pipe.db')} 2> ${quote(join(dir, 'err.txt'))} | (sleep 1; cat)`], { encoding: 'utf8', maxBuffer: 1 << 26 });
    assert.equal(piped.status, 0, piped.stderr);
    assert.equal(piped.stdout, expected);
    assert.match(readFileSync(join(dir, 'err.txt'), 'utf8'), /^total\s+1$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
