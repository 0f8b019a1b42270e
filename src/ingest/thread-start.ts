/**
 * @module ingest/thread-start
 * Starting the reading thread of a detection run (threaded-reader.ts). Light on purpose: the command line's entry
 * point imports it to start the thread before it loads the CLI's code, so the thread's start (its own Node
 * environment and code, then the geo and ASN tables) overlaps the main thread's, where each took about a third of a
 * second before the first event.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';

/**
 * The reading thread holds a few batches and the address cache: a small heap of its own, so that its garbage
 * is collected early instead of growing towards the process's limit beside the detectors' memory.
 */
const WORKER_HEAP_MB = 256;

/**
 * The thread's code as one file, made by the build (scripts/bundle-reading-thread.mjs): loaded in a third of the
 * time its 38 modules take one by one, on the way to every run's first event. Without it, the modules.
 */
const BUNDLE = fileURLToPath(new URL('./reading-thread.bundle.js', import.meta.url));

/**
 * A reading thread started before its command knew whether it would use one (`startReadingThreadEarly`), taken by
 * the first ThreadedReader that starts.
 */
let early: Worker | undefined;

/**
 * Starts a reading thread now, for a detection run about to be set up: the thread loads its code and, with `geo`,
 * reads and loads the IPv4 geo and ASN tables on the other core while this one loads the command's. A thread nobody
 * takes does not keep the process alive.
 */
export function startReadingThreadEarly(geo = true): number {
  if (early) return early.threadId;
  early = newReadingThread(geo);
  // And has it load the tables the run will most likely want (their files are being read already).
  if (geo) early.postMessage({ type: 'warm' });
  return early.threadId;
}

/**
 * Starts the reading thread early when `vigil ARGS` is a detection run that will most likely read on one (a guess
 * made before the command is loaded: it errs only towards a thread that goes unused).
 */
export function startReadingThreadFor(args: string[]): void {
  const [name, ...rest] = args;
  if (name !== 'detect' || availableParallelism() < 2 || rest.some((a) => a === '-h' || a === '--help' || a === '--threads=1')) return;
  const t = rest.indexOf('--threads');
  if (t >= 0 && rest[t + 1] === '1') return;
  startReadingThreadEarly(!rest.includes('--no-geo'));
}

/** The thread started early, if any (once). */
export function takeEarlyReadingThread(): Worker | undefined {
  const w = early;
  early = undefined;
  return w;
}

/** A new reading thread; with `readTablesAhead` it starts reading the IPv4 geo and ASN files as it starts. */
export function newReadingThread(readTablesAhead = false): Worker {
  // The old generation's starting size given to the detection thread (bin/vigil.js) is not for this one: its memory is
  // a few short-lived batches and a cache, and on a long stream of new addresses its garbage would pile up to that
  // size before its first full collection. A flag is read when a thread's heap is made, so this thread gets V8's start.
  setFlagsFromString('--initial-old-space-size=0');
  const options = { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB }, workerData: { readTablesAhead } };
  let worker: Worker;
  if (import.meta.url.endsWith('.ts')) {
    // Running from source under tsx (the tests): a worker needs tsx registered in its own thread first.
    const api = import.meta.resolve('tsx/esm/api');
    const file = new URL('./reading-thread.ts', import.meta.url).href;
    const code = `import { register } from ${JSON.stringify(api)}; register(); await import(${JSON.stringify(file)});`;
    worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), options);
  } else worker = new Worker(existsSync(BUNDLE) ? BUNDLE : new URL('./reading-thread.js', import.meta.url), options);
  worker.unref();
  // Errors reach the read that uses the thread (it listens while reading); one nobody uses must not end the process.
  worker.on('error', () => {});
  return worker;
}
