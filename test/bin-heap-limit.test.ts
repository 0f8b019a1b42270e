/**
 * The entry point's heap limit: started as `node bin/vigil.js`, detecting commands run in a child process with
 * `--max-old-space-size` (so V8 collects before garbage piles up beside the detectors' bounded memory), other
 * commands run in place, VIGIL_HEAP_MB chooses, and a child whose parent is killed outright stops at once rather than
 * run on unseen; run as a program, the #! line gives the limit and nothing starts twice. Either way the C library
 * maps memory in large pages (GLIBC_TUNABLES, the user's own tunables kept after). Runs the built CLI (`dist/`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'vigil.js');
const built = existsSync(join(ROOT, 'dist', 'cli', 'main.js'));

const childrenOf = (pid: number): number[] => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
};
const cmdline = (pid: number): string[] => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
};
/** The process's GLIBC_TUNABLES, as it started. */
const tunablesOf = (pid: number): string | undefined =>
  readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find((v) => v.startsWith('GLIBC_TUNABLES='))?.slice('GLIBC_TUNABLES='.length);
const alive = (pid: number): boolean => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `vigil detect -` waiting on an open, empty standard input: a run that lasts until it is stopped. Started as
 * `node bin/vigil.js`, or (`asProgram`) as the program itself, through its #! line.
 */
function waitingDetect(env: NodeJS.ProcessEnv, dir: string, asProgram = false): ChildProcess {
  const args = ['detect', '--db', join(dir, 'v.db'), '-o', join(dir, 'f.jsonl'), '-'];
  // The #! line's `env` finds node on the PATH: this one's, as a shell running `vigil` would.
  const path = `${dirname(process.execPath)}:${env.PATH ?? ''}`;
  return asProgram ? spawn(BIN, args, { env: { ...env, PATH: path }, stdio: ['pipe', 'ignore', 'ignore'] }) : spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'ignore', 'ignore'] });
}

/**
 * The first child of `pid` that runs Node with a heap limit. A child caught between fork and exec still shows its
 * parent's command line (which, run as a program, has the #! line's limit): it counts only once its own differs.
 */
async function childWithin(pid: number, ms: number): Promise<number | undefined> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) {
    const [c] = childrenOf(pid);
    const own = c ? cmdline(c) : [];
    if (own.some((a) => a.startsWith('--max-old-space-size')) && own.join('\0') !== cmdline(pid).join('\0')) return c;
  }
  return undefined;
}

test('detect runs with the default heap limit in a child that stops when its parent is killed outright', { skip: !built && 'not built' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-heap-'));
  const env: NodeJS.ProcessEnv = { ...process.env, GLIBC_TUNABLES: 'glibc.malloc.arena_max=4' };
  delete env.VIGIL_HEAP_MB;
  delete env.VIGIL_CHILD;
  const parent = waitingDetect(env, dir);
  try {
    const child = await childWithin(parent.pid!, 10_000);
    assert.ok(child, 'a child process with a heap limit was started');
    assert.ok(cmdline(child).includes('--max-old-space-size=1100') && cmdline(child).includes('--initial-old-space-size=128'), cmdline(child).join(' '));
    assert.ok(cmdline(child).includes('--no-regexp-tier-up'), 'regular expressions compiled at their first use');
    assert.ok(cmdline(child).includes('--max-inlined-bytecode-size-cumulative=460') && cmdline(child).includes('--interrupt-budget=135168'), 'the compiler budgets');
    // Large pages for the C library's memory, ahead of the user's own tunables (so that theirs win). The C library
    // rewrites the variable's original text as it reads it: /proc shows the first tunable only once it has, the whole
    // text when read in the instant before.
    assert.match(tunablesOf(child) ?? '', /^glibc\.malloc\.hugetlb=1(:glibc\.malloc\.arena_max=4)?$/);
    parent.kill('SIGKILL');
    let gone = false;
    for (const end = Date.now() + 5000; Date.now() < end && !gone; await sleep(50)) gone = !alive(child);
    assert.ok(gone, 'the child stopped after its parent was killed');
  } finally {
    parent.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('VIGIL_HEAP_MB sets the limit, 0 runs in place; exit codes pass through', { skip: !built && 'not built' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-heap-'));
  try {
    const custom = waitingDetect({ ...process.env, VIGIL_HEAP_MB: '700', VIGIL_CHILD: '' }, dir);
    const child = await childWithin(custom.pid!, 10_000);
    assert.ok(child && cmdline(child).includes('--max-old-space-size=700'));
    custom.stdin!.end(); // end of input: the run completes and the parent exits with the child's code
    const code = await new Promise((r) => custom.on('exit', r));
    assert.equal(code, 0);

    const inPlace = waitingDetect({ ...process.env, VIGIL_HEAP_MB: '0', VIGIL_CHILD: '' }, join(dir));
    await sleep(1500);
    assert.deepEqual(childrenOf(inPlace.pid!).filter((c) => cmdline(c).some((a) => a.startsWith('--max-old-space-size'))), []);
    inPlace.kill('SIGKILL');

    // A command that fails passes its exit code through the parent.
    const bad = spawnSync(process.execPath, [BIN, 'detect', '--db', join(dir, 'x.db'), join(dir, 'missing.jsonl')], { encoding: 'utf8', env: { ...process.env, VIGIL_CHILD: '' } });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /missing\.jsonl/);
    assert.doesNotMatch(bad.stderr, /\n\s+at /, 'no stack trace');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('run as a program, detect has the limit from the #! line and starts nothing again; VIGIL_HEAP_MB still chooses', { skip: !built && 'not built' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-heap-'));
  const env = { ...process.env };
  delete env.VIGIL_HEAP_MB;
  delete env.VIGIL_CHILD;
  delete env.GLIBC_TUNABLES;
  const run = waitingDetect(env, dir, true);
  try {
    let own: string[] = [];
    for (const end = Date.now() + 10_000; Date.now() < end && !own.includes('--max-old-space-size=1100'); await sleep(50)) own = cmdline(run.pid!);
    assert.ok(own.includes('--max-old-space-size=1100') && own.includes('--initial-old-space-size=128'), own.join(' '));
    // As the #! line writes it (no tunables of the user's after it), or as the C library rewrote it on reading.
    assert.match(tunablesOf(run.pid!) ?? '', /^glibc\.malloc\.hugetlb=1:?$/, 'large pages from the #! line');
    assert.ok(own.includes('--no-regexp-tier-up') && own.includes('--max-inlined-bytecode-size-cumulative=460') && own.includes('--interrupt-budget=135168'), own.join(' '));
    await sleep(1500);
    assert.deepEqual(childrenOf(run.pid!).filter((c) => cmdline(c).some((a) => a.startsWith('--max-old-space-size'))), [], 'no second Node');
    run.stdin!.end();
    assert.equal(await new Promise((r) => run.on('exit', r)), 0);

    const custom = waitingDetect({ ...env, VIGIL_HEAP_MB: '700' }, dir, true);
    const child = await childWithin(custom.pid!, 10_000);
    assert.ok(child && cmdline(child).includes('--max-old-space-size=700') && !cmdline(child).includes('--max-old-space-size=1100'), String(child && cmdline(child).join(' ')));
    assert.equal(cmdline(child).filter((a) => a.startsWith('--initial-old-space-size')).length, 1, 'one starting size');
    custom.stdin!.end();
    assert.equal(await new Promise((r) => custom.on('exit', r)), 0);
  } finally {
    run.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
