#!/usr/bin/env node
// Entry point for `npx vigil`: runs the compiled CLI (built by `npm install` through the `prepare` script).
//
// Memory: the detectors' state is capped by design (a few hundred MB at most), but V8 lets its heap grow to a
// quarter of the machine's memory before it collects in earnest, so a long run on a large machine would sit on
// gigabytes of garbage. The CLI therefore runs with a heap limit (VIGIL_HEAP_MB, default 1024 MiB): when Node was
// started without one, this file starts the CLI again in a child process that has it, and passes on signals, exit
// code and standard streams. Set VIGIL_HEAP_MB=0 (or give node your own --max-old-space-size) to run in-process.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('vigil: not built yet; run `npm install` (or `npm run build`) in the project folder first\n');
  process.exit(1);
}

const HEAP_FLAG = /--max-old-space-size/;
const heapMb = Number(process.env.VIGIL_HEAP_MB ?? 1024);
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
