#!/usr/bin/env -S GLIBC_TUNABLES=glibc.malloc.hugetlb=1:${GLIBC_TUNABLES} node --max-old-space-size=1100 --initial-old-space-size=128 --no-regexp-tier-up --max-inlined-bytecode-size-cumulative=460 --interrupt-budget=135168
// Entry point for `npx vigil`: runs the compiled CLI (built by `npm install` through the `prepare` script).
//
// Memory: V8 lets its heap grow to about a quarter of the machine's memory before it collects in earnest, so a
// long detection run on a large machine would sit on gigabytes of garbage beside its bounded memory. The commands
// that detect (`detect`, `demo`) therefore run with a heap limit. Run as a program (`vigil`, `npx vigil`), Node
// gets it from the first line above, for every command (none needs more); run as `node bin/vigil.js`, Node was
// started without one, and this file starts the CLI again in a child process that has it (0.13-0.15 s more),
// passing on signals, exit code and standard streams. The detectors' memory is capped well below the limit
// (measured on the 10M-event benchmark, docs/BENCHMARKS.md); VIGIL_HEAP_MB=N sets another limit in MiB,
// VIGIL_HEAP_MB=0 none (both start the child).
//
// With the limit goes a starting size of the old generation (`--initial-old-space-size`): V8 starts it at a few MiB
// and raises it by marking the whole heap each time it fills, five full collections in a 1M-event run whose
// detectors' memory never passes 100 MiB (0.7-0.9 s of marking on helper threads, 5% of the run's CPU); from
// 128 MiB there are none until the memory is that large, and the resident peak did not change. Past it V8 grows
// the generation as before, within the limit.
//
// And fresh memory in large pages: on the virtual machines measured, the kernel took 12-15 µs to hand over each new
// 4 KiB page (a 28 MB geo table read in 100 ms, 320 MB touched in 1.1-1.4 s), and a detection run takes some 90,000
// of them. `glibc.malloc.hugetlb=1` has the C library ask for transparent huge pages where it maps memory (the
// tables, the file's chunks, SQLite's pages, the batches between threads; V8's own heap is not its to map): the geo
// table then took 13-22 ms, and a 14k-event run ended 0.1-0.15 s sooner (six alternating pairs), its peak resident
// memory the same. A tunable the user gives in GLIBC_TUNABLES comes after it, and wins. The C libraries that do not
// know it ignore it.
//
// And regular expressions compiled to machine code at their first use (`--no-regexp-tier-up`) rather than
// interpreted once first: an Entra file's layout expression is a few kilobytes long and its first match runs over a
// whole sign-in line, on the way to every run's first event (a 14k-event run's first batch 0.51 s against 0.53 s,
// eleven alternating pairs). A regular expression runs the same machine code either way once it is used twice.
//
// And optimised with half V8's default budgets: functions inline at most 460 bytes of bytecode in all (not 920), and
// are optimised after twice the bytecode run (`--interrupt-budget`). V8's optimising compiler runs on helper threads
// beside a detection run's two busy ones, and a 1M-event run compiled some 420 functions, several of them large
// detectors with much inlined, several again and again (optimised before a rare branch ran, dropped when it did). The
// smaller units compile faster, and with more feedback fewer are dropped: 415-420 -> 333-336 compiles, 112-117 ->
// 87-89 dropped, the compiler's time 3.2-3.8 -> 2.4-2.6 s (as its trace reports it). Whole 1M-event runs took 0.965
// of the time with the inlining budget (ten alternating pairs) and 0.987 of that with the interrupt budget too;
// 20k- and 200k-event runs 0.933 and 0.944 with both; under cachegrind the 1M-event run made 2.3% fewer instructions
// (all threads). Findings are the same.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('vigil: not built yet; run `npm install` (or `npm run build`) in the project folder first\n');
  process.exit(1);
}

const HEAP_FLAG = /--max-old-space-size/;
/** The first line's C library tunables (see above), ahead of the user's own. */
const HUGE_PAGES = 'glibc.malloc.hugetlb=1';
/** The main thread's heap limit for detecting commands, in MiB (the reading thread has its own, smaller one). */
const DEFAULT_HEAP_MB = 1100;
/** What the first line gives Node when this file runs as a program (the same limit given by hand counts as it). */
const OWN_FLAG = `--max-old-space-size=${DEFAULT_HEAP_MB}`;
/** The old generation's starting size in MiB, given with a limit at least twice as large. */
const INITIAL_OLD_MB = 128;
const INITIAL_FLAG = /^--initial-old-space-size=/;
/** The first line's regular-expression and optimising-compiler flags (see above), given to the child as well. */
const SPEED_FLAGS = ['--no-regexp-tier-up', '--max-inlined-bytecode-size-cumulative=460', '--interrupt-budget=135168'];
const DETECTING = new Set(['detect', 'demo']);
const asked = process.env.VIGIL_HEAP_MB !== undefined && process.env.VIGIL_HEAP_MB !== '' ? Number(process.env.VIGIL_HEAP_MB) : undefined;
const heapMb = asked ?? (DETECTING.has(process.argv[2] ?? '') ? DEFAULT_HEAP_MB : 0);
const ownLimit = process.execArgv.includes(OWN_FLAG);
const otherLimit = process.execArgv.some((a) => HEAP_FLAG.test(a) && a !== OWN_FLAG) || HEAP_FLAG.test(process.env.NODE_OPTIONS ?? '');
// Started again: without a limit to get one, or with the first line's when VIGIL_HEAP_MB asks for another.
const startAgain = !process.env.VIGIL_CHILD && !otherLimit && (ownLimit ? asked !== undefined && asked !== DEFAULT_HEAP_MB : heapMb > 0);

if (startAgain) {
  // Node's own flags go on, but for those of the first line (which this limit replaces).
  const kept = process.execArgv.filter((a) => !(ownLimit && (a === OWN_FLAG || INITIAL_FLAG.test(a))));
  const initial = heapMb >= 2 * INITIAL_OLD_MB && !kept.some((a) => INITIAL_FLAG.test(a)) ? [`--initial-old-space-size=${INITIAL_OLD_MB}`] : [];
  // The user's own value of a flag (given before this file) wins: it comes later on the command line.
  const speed = SPEED_FLAGS.filter((f) => !kept.includes(f));
  const flags = [...(heapMb > 0 ? [`--max-old-space-size=${heapMb}`, ...initial] : []), ...speed, ...kept];
  const { spawn } = await import('node:child_process');
  const tunables = process.env.GLIBC_TUNABLES?.startsWith(`${HUGE_PAGES}:`) ? process.env.GLIBC_TUNABLES : `${HUGE_PAGES}:${process.env.GLIBC_TUNABLES ?? ''}`;
  const child = spawn(process.execPath, [...flags, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    // A fourth stream, never written: the child sees it close the moment this process ends, however it ended.
    stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
    env: { ...process.env, VIGIL_CHILD: String(process.pid), GLIBC_TUNABLES: tunables },
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
