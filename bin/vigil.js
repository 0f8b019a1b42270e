#!/usr/bin/env node
// Entry point for `npx vigil`: runs the compiled CLI (built by `npm install` through the `prepare` script).
//
// Memory: V8 lets its heap grow to about a quarter of the machine's memory before it collects in earnest, so a
// long run on a large machine sits on gigabytes of garbage. VIGIL_HEAP_MB=N runs the CLI with a heap limit of N MiB:
// when Node was started without one, this file starts the CLI again in a child process that has it, and passes on
// signals, exit code and standard streams. Off by default: a limit below what the detectors' memory needs on a
// very large stream ends the run with an out-of-memory error (measured: 1024 MiB is too small for 10M events from
// 1M addresses), which is worse than the memory it saves.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('vigil: not built yet; run `npm install` (or `npm run build`) in the project folder first\n');
  process.exit(1);
}

const HEAP_FLAG = /--max-old-space-size/;
const heapMb = Number(process.env.VIGIL_HEAP_MB ?? 0);
const hasLimit = process.execArgv.some((a) => HEAP_FLAG.test(a)) || HEAP_FLAG.test(process.env.NODE_OPTIONS ?? '');

if (!hasLimit && heapMb > 0 && !process.env.VIGIL_CHILD) {
  const child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
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
    // Started by the parent above: if it is killed outright (kill -9), stop too rather than run on unseen.
    const parent = Number(process.env.VIGIL_CHILD);
    setInterval(() => {
      if (process.ppid !== parent) process.exit(1);
    }, 1000).unref();
  }
  await import(main.href);
}
