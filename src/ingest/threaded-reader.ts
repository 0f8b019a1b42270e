/**
 * @module ingest/threaded-reader
 * Reads sources on a worker thread (read, normalise, enrich) while the caller detects on the main thread: the two
 * cores as a pipeline. Events arrive in exactly the order the in-thread reader gives, so findings do not depend on
 * it. Standard input is read in-thread. At most a few batches are in flight, so memory stays bounded.
 */
import type { Worker } from 'node:worker_threads';
import type { EnricherOptions } from '../enrich/index.js';
import type { Signal } from '../detect/signal.js';
import { unpackSignals } from '../detect/signal-pack.js';
import { timings } from '../detect/timings.js';
import type { Quarantine, QuarantineEntry } from './quarantine.js';
import type { ReadOptions, ReadStats } from './reader.js';
import type { Source } from './sources.js';
import { newReadingThread, takeEarlyReadingThread } from './thread-start.js';

/**
 * Batches (one per chunk read: some 180 Entra sign-ins, 750 short OCSF events) the reading thread may be ahead by.
 * Enough to ride out a checkpoint or a stretch of costly events on either side: with 12, each thread kept waiting
 * for the other, and the 1M-event Entra run took 2-3 s longer (and more CPU, in wake-ups). At most some 25 MB.
 */
export const IN_FLIGHT = 96;
export class ThreadedReader {
  private worker: Worker | undefined;
  /** Batches received and not yet taken by the caller (never more than the reading thread may be ahead by). */
  buffered = 0;

  /** The enrichment options as they can be posted to the thread (a function cannot be: it warns on its own). */
  private readonly enrich: EnricherOptions;

  constructor(enrich: EnricherOptions) {
    this.enrich = { ...enrich, warn: undefined };
  }

  /** The reading thread's id, once started. */
  get threadId(): number | undefined {
    return this.worker?.threadId;
  }

  /**
   * Starts the reading thread and has it load what enrichment reads on first use (geo and ASN tables, about half a
   * second) while the caller still prepares (rules, store), instead of after the first read begins.
   */
  prepare(): void {
    this.start().postMessage({ type: 'prepare', enrich: this.enrich });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    this.worker = takeEarlyReadingThread() ?? newReadingThread();
    return this.worker;
  }

  /** The detection signals of one source's events, enriched, in batches. */
  async *read(src: Source, opts: ReadOptions, q: Quarantine, stats: ReadStats): AsyncGenerator<Signal[]> {
    const w = this.start();
    const base = { ...stats };
    const queue: any[] = [];
    let wake: (() => void) | undefined;
    const onMessage = (m: any) => {
      queue.push(m);
      this.buffered = queue.length;
      wake?.();
    };
    const onError = (e: Error) => {
      queue.push({ type: 'error', message: e.message });
      wake?.();
    };
    // Listened to only while reading: a listener keeps the process alive (a run that fails before reading must end).
    w.on('message', onMessage);
    w.on('error', onError);
    const { stdin: _ignored, ...plainOpts } = opts;
    // Batches the reading thread may still send: a shared counter, not a message per batch taken (a message costs
    // the main thread a wake-up of the other, several times more than a batch's unpacking on a busy machine).
    const credits = new Int32Array(new SharedArrayBuffer(4));
    credits[0] = IN_FLIGHT;
    w.postMessage({ type: 'read', src, opts: plainOpts, enrich: this.enrich, credits });
    const apply = (m: { quarantine: QuarantineEntry[]; stats: ReadStats }) => {
      for (const e of m.quarantine) q.add(e);
      for (const k of Object.keys(base) as (keyof ReadStats)[]) stats[k] = base[k] + m.stats[k];
    };
    try {
      for (;;) {
        if (!queue.length) {
          const since = timings && performance.now();
          while (!queue.length) await new Promise<void>((r) => (wake = r));
          if (timings) timings.waited(performance.now() - (since as number));
        }
        const m = queue.shift();
        this.buffered = queue.length;
        if (m.type === 'error') throw new Error(m.message);
        apply(m);
        if (m.type === 'done') return;
        Atomics.add(credits, 0, 1);
        Atomics.notify(credits, 0);
        yield unpackSignals(m.signals);
      }
    } finally {
      w.off('message', onMessage);
      w.off('error', onError);
    }
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
  }
}
