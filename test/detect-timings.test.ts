/**
 * VIGIL_TIMINGS=1: `vigil detect` ends with the process time of each phase and the detection thread's wait for
 * input, in the order the phases happen; without it, no such line.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const MAIN = new URL('../src/cli/main.ts', import.meta.url).pathname;
const INPUT = new URL('../src/detect/fixtures/spray-then-compromise/events.jsonl', import.meta.url).pathname;

function detect(env: Record<string, string>, dir: string, name: string, threads = '2') {
  const args = ['detect', '--no-geo', '--threads', threads, '-q', join(dir, `${name}.q`), '--db', join(dir, `${name}.db`), '-o', join(dir, `${name}.jsonl`), INPUT];
  return spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
}

for (const threads of ['1', '2'])
  test(`VIGIL_TIMINGS=1 reports every phase in order, and the wait for input (--threads ${threads})`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-timings-'));
    const r = detect({ VIGIL_TIMINGS: '1' }, dir, 'on', threads);
    assert.equal(r.status, 0, r.stderr);
    const line = r.stderr.trim().split('\n').at(-1)!;
    const m = /^vigil: timings: first batch (\S+) s, last batch (\S+) s, input flushed (\S+) s, final checkpoint (\S+) s, campaigns (\S+) s, waited for input (\S+) s$/.exec(line);
    assert.ok(m, `unexpected last line: ${line}`);
    const phases = m.slice(1, 6).map(Number);
    for (let i = 1; i < phases.length; i++) assert.ok(phases[i] >= phases[i - 1], `phases out of order: ${line}`);
    const waited = Number(m[6]);
    assert.ok(waited >= 0 && waited <= phases[1], `the wait lies within the reading: ${line}`);
  });

test('without VIGIL_TIMINGS there is no timings line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-timings-'));
  const r = detect({ VIGIL_TIMINGS: '' }, dir, 'off');
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /timings/);
});
