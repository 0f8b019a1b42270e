#!/usr/bin/env node
// Entry point for `npx vigil`: runs the compiled CLI (built by `npm install` through the `prepare` script).
//
// Memory: V8 lets its heap grow to about a quarter of the machine's memory before it collects in earnest, so a
// long detection run on a large machine would sit on gigabytes of garbage beside its bounded memory. The commands
// that detect (`detect`, `demo`) therefore run with a heap limit: when Node was started without one, this file
// starts the CLI again in a child process that has it, and passes on signals, exit code and standard streams.
// The detectors' memory is capped well below the limit (measured on the 10M-event benchmark, docs/BENCHMARKS.md);
// VIGIL_HEAP_MB=N sets another limit in MiB, VIGIL_HEAP_MB=0 none.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('vigil: not built yet; run `npm install` (or `npm run build`) in the project folder first\n');
  process.exit(1);
}

const HEAP_FLAG = /--max-old-space-size/;
/** The main thread's heap limit for detecting commands, in MiB (the reading thread has its own, smaller one). */
const DEFAULT_HEAP_MB = 1100;
const DETECTING = new Set(['detect', 'demo']);
const heapMb = process.env.VIGIL_HEAP_MB !== undefined && process.env.VIGIL_HEAP_MB !== '' ? Number(process.env.VIGIL_HEAP_MB) : DETECTING.has(process.argv[2] ?? '') ? DEFAULT_HEAP_MB : 0;
const hasLimit = process.execArgv.some((a) => HEAP_FLAG.test(a)) || HEAP_FLAG.test(process.env.NODE_OPTIONS ?? '');

if (!hasLimit && heapMb > 0 && !process.env.VIGIL_CHILD) {
  const child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    // A fourth stream, never written: the child sees it close the moment this process ends, however it ended.
    stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
    env: { ...process.env, VIGIL_CHILD: String(process.pid) },
  });
  // Ctrl-C reaches the whole process group (the child too); other signals are passed on.
  process.on('SIGINT', () => {});
  for (const sig of ['SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
} else {
  if (process.env.VIGIL_CHILD) {
    // Started by the parent above: if it is killed outright (kill -9), stop at once too rather than run on unseen
    // (what was committed stays; a run started again resumes from it).
    const { Socket } = await import('node:net');
    const lifeline = new Socket({ fd: 3, readable: true, writable: false });
    lifeline.on('end', () => process.exit(1));
    lifeline.on('error', () => process.exit(1));
    lifeline.resume();
    lifeline.unref(); // it must not keep the child alive once its work is done
  }
  // A detection run's reading thread starts before the CLI's code loads, so the two load side by side.
  if (process.argv[2] === 'detect') (await import(new URL('../dist/ingest/thread-start.js', import.meta.url).href)).startReadingThreadFor(process.argv.slice(2));
  await import(main.href);
}
