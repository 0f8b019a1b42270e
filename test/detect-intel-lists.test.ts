/**
 * `vigil detect --intel KIND:PATH`: an address list's unreadable lines are warned about once, whichever thread
 * enriches (the reading thread loads the lists silently; the main thread warns through the catalogue), and a list
 * that cannot be read stops the run with one line naming it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const MAIN = new URL('../src/cli/main.ts', import.meta.url).pathname;
const INPUT = new URL('../src/detect/fixtures/spray-then-compromise/events.jsonl', import.meta.url).pathname;

function detect(dir: string, name: string, intel: string, threads: string) {
  const args = ['detect', '--no-geo', '--threads', threads, '--intel', intel, '-q', join(dir, `${name}.q`), '--db', join(dir, `${name}.db`), '-o', join(dir, `${name}.jsonl`), INPUT];
  return spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8' });
}

for (const threads of ['1', '2'])
  test(`an address list's unreadable lines are warned about once (--threads ${threads})`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-intel-'));
    const list = join(dir, 'tor.txt');
    writeFileSync(list, '# exits\n203.0.113.7\nnot-an-address\n198.51.100.0/24\n10.0.0.0/33\n');
    const r = detect(dir, 'run', `tor:${list}`, threads);
    assert.equal(r.status, 0, r.stderr);
    const warnings = r.stderr.split('\n').filter((l) => l.includes('unreadable'));
    assert.deepEqual(warnings, [`vigil: warning: intel list ${list}: 2 unreadable lines skipped (line 3: "not-an-address", line 5: "10.0.0.0/33")`]);
  });

test('an address list that cannot be read stops the run with one line naming it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-intel-'));
  const missing = join(dir, 'missing.txt');
  const r = detect(dir, 'run', `tor:${missing}`, '2');
  assert.equal(r.status, 1);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], new RegExp(`${missing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: no such file`));
});
