#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with Node's own test runner (TypeScript through tsx).
// Node 20's runner takes no globs, so the files are listed here. Extra arguments filter by substring.
// The tests run with TMPDIR set to a folder of this run's own, removed afterwards: a test that fails (or a server
// test that never closes) leaves no folders behind in the system's temporary directory.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const filters = process.argv.slice(2);
const files = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'fixtures') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.test.ts') && (filters.length === 0 || filters.some((f) => path.includes(f)))) files.push(path);
  }
}
for (const root of ['src', 'test']) { try { walk(root); } catch { /* folder may not exist */ } }
files.sort();
if (files.length === 0) { console.error('no test files found'); process.exit(1); }
const tmp = mkdtempSync(join(tmpdir(), 'vigil-tests-'));
const env = { ...process.env, TMPDIR: tmp };
// Every test is bounded (the slowest takes some 25 s): a hang fails in five minutes with its name, rather than
// holding CI until its own limit.
const res = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...files], { stdio: 'inherit', env });
rmSync(tmp, { recursive: true, force: true });
process.exit(res.status ?? 1);
