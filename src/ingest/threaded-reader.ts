/**
 * @module ingest/threaded-reader
 * Reads sources on a worker thread (read, normalise, enrich) while the caller detects on the main thread: the two
 * cores as a pipeline. Events arrive in exactly the order the in-thread reader gives, so findings do not depend on
 * it. Standard input is read in-thread. At most a few batches are in flight, so memory stays bounded.
 */
import { MessageChannel, receiveMessageOnPort, type Worker } from 'node:worker_threads';
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
  /** Messages the reading thread posted in this read, and how many the caller took (shared with the thread). */
  private counts: Int32Array | undefined;
  private taken = 0;

  /** Batches posted and not yet taken by the caller (never more than the reading thread may be ahead by). */
  get buffered(): number {
    return this.counts ? Atomics.load(this.counts, 0) - this.taken : 0;
  }

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

  /**
   * The detection signals of one source's events, enriched, in batches.
   *
   * Batches are taken from the thread's port one at a time, as the caller asks for them (`receiveMessageOnPort`),
   * not delivered as events: a listener has every message waiting decoded as soon as this thread returns to its
   * event loop, and a burst of decoded batches then waits in a queue through young-generation collections.
   */
  async *read(src: Source, opts: ReadOptions, q: Quarantine, stats: ReadStats): AsyncGenerator<Signal[]> {
    const w = this.start();
    const base = { ...stats };
    // [0] messages the reading thread posted (it notifies on each), [1] batches it may still send: shared counters,
    // not a message per batch taken (a message costs a wake-up of the other thread).
    const counts = new Int32Array(new SharedArrayBuffer(8));
    counts[1] = IN_FLIGHT;
    this.counts = counts;
    this.taken = 0;
    const { port1: port, port2 } = new MessageChannel();
    // Keeps the process alive while it waits for the thread (the thread itself does not).
    port.ref();
    let failed: string | undefined;
    let wake: (() => void) | undefined;
    const onError = (e: Error) => {
      failed ??= e.message;
      wake?.();
    };
    // Listened to only while reading: a listener keeps the process alive (a run that fails before reading must end).
    w.on('error', onError);
    const { stdin: _ignored, ...plainOpts } = opts;
    w.postMessage({ type: 'read', src, opts: plainOpts, enrich: this.enrich, counts, port: port2 }, [port2]);
    const apply = (m: { quarantine: QuarantineEntry[]; stats: ReadStats }) => {
      for (const e of m.quarantine) q.add(e);
      for (const k of Object.keys(base) as (keyof ReadStats)[]) stats[k] = base[k] + m.stats[k];
    };
    try {
      for (;;) {
        let got = receiveMessageOnPort(port);
        if (!got) {
          const since = timings && performance.now();
          while (!got) {
            if (failed !== undefined) throw new Error(failed);
            const posted = Atomics.load(counts, 0);
            got = receiveMessageOnPort(port);
            if (got) break;
            const waiting = Atomics.waitAsync(counts, 0, posted);
            if (waiting.async) await Promise.race([waiting.value, new Promise<void>((r) => (wake = r))]);
            wake = undefined;
          }
          if (timings) timings.waited(performance.now() - (since as number));
        }
        const m = got.message;
        this.taken++;
        if (m.type === 'error') throw new Error(m.message);
        apply(m);
        if (m.type === 'done') return;
        Atomics.add(counts, 1, 1);
        Atomics.notify(counts, 1);
        yield unpackSignals(m.signals);
      }
    } finally {
      w.off('error', onError);
      port.close();
      this.counts = undefined;
    }
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
  }
}
