/**
 * @module ingest/threaded-reader
 * Reads sources on a worker thread (read, normalise, enrich) while the caller detects on the main thread: the two
 * cores as a pipeline. Events arrive in exactly the order the in-thread reader gives, so findings do not depend on
 * it. Standard input is read in-thread. At most a few batches are in flight, so memory stays bounded.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import type { EnricherOptions } from '../enrich/index.js';
import { unpackBatch, type SignalBatch } from '../detect/signal-pack.js';
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
  /** A read started ahead of its caller (`startReading`), until `read` takes it. */
  private started: StartedRead | undefined;
  /** Messages the reading thread posted in this read, and how many the caller took (shared with the thread). */
  private counts: Int32Array | undefined;
  private taken = 0;

  /** Batches posted and not yet taken by the caller (never more than the reading thread may be ahead by). */
  get buffered(): number {
    if (this.counts) return Atomics.load(this.counts, 0) - this.taken;
    return this.started ? Atomics.load(this.started.counts, 0) : 0; // a read started ahead: none taken yet
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
   * Has the thread start reading `src` now, before the caller asks for its batches (`read` with the same source and
   * options object takes them): a run's store, rules and intel catalogue are opened meanwhile, and its first events
   * are ready when it is (the thread otherwise sat idle for 0.15-0.2 s of every run, loaded and waiting). A read asked
   * for another source first stops this one; its batches are dropped unseen.
   */
  startReading(src: Source, opts: ReadOptions): void {
    if (this.started) this.stop(this.started);
    this.started = this.begin(src, opts);
  }

  /** Posts a read to the thread: its shared counters and port, and its failure once the thread fails. */
  private begin(src: Source, opts: ReadOptions): StartedRead {
    const w = this.start();
    // [0] messages the reading thread posted (it notifies on each), [1] batches it may still send, [2] set to stop the
    // read: shared counters, not a message per batch taken (a message costs a wake-up of the other thread).
    const counts = new Int32Array(new SharedArrayBuffer(12));
    counts[1] = IN_FLIGHT;
    const { port1: port, port2 } = new MessageChannel();
    const r: StartedRead = { src, opts, counts, port, failed: undefined, wake: undefined, onError: () => {} };
    r.onError = (e: Error) => {
      r.failed ??= e.message;
      r.wake?.();
    };
    // Listened to until the read ends (an unreferenced thread's listener does not keep the process alive).
    w.on('error', r.onError);
    const { stdin: _ignored, ...plainOpts } = opts;
    w.postMessage({ type: 'read', src, opts: plainOpts, enrich: this.enrich, counts, port: port2 }, [port2]);
    return r;
  }

  /** The next message of the read, waiting (without blocking this thread) until the thread posts one. */
  private async next(r: StartedRead): Promise<any> {
    let got = receiveMessageOnPort(r.port);
    if (got) return got.message;
    const since = timings && performance.now();
    while (!got) {
      if (r.failed !== undefined) throw new Error(r.failed);
      const posted = Atomics.load(r.counts, 0);
      got = receiveMessageOnPort(r.port);
      if (got) break;
      const waiting = Atomics.waitAsync(r.counts, 0, posted);
      if (waiting.async) await Promise.race([waiting.value, new Promise<void>((wake) => (r.wake = wake))]);
      r.wake = undefined;
    }
    if (timings) timings.waited(performance.now() - (since as number));
    return got.message;
  }

  /** Stops a read nobody takes: the thread ends it at its next batch; what it posted until then is dropped. */
  private stop(r: StartedRead): void {
    Atomics.store(r.counts, 2, 1);
    Atomics.notify(r.counts, 1); // a thread waiting for room hears it too
    this.worker?.off('error', r.onError);
    r.port.close();
    if (this.started === r) this.started = undefined;
  }

  /**
   * The detection signals of one source's events, enriched, in batches.
   *
   * Batches are taken from the thread's port one at a time, as the caller asks for them (`receiveMessageOnPort`),
   * not delivered as events: a listener has every message waiting decoded as soon as this thread returns to its
   * event loop, and a burst of decoded batches then waits in a queue through young-generation collections.
   */
  async *read(src: Source, opts: ReadOptions, q: Quarantine, stats: ReadStats): AsyncGenerator<SignalBatch> {
    const ahead = this.started;
    this.started = undefined;
    const takeAhead = ahead !== undefined && ahead.src === src && ahead.opts === opts;
    if (ahead && !takeAhead) this.stop(ahead);
    const r = takeAhead ? ahead : this.begin(src, opts);
    const base = { ...stats };
    this.counts = r.counts;
    this.taken = 0;
    // Keeps the process alive while it waits for the thread (the thread itself does not).
    r.port.ref();
    const apply = (m: { quarantine: QuarantineEntry[]; stats: ReadStats }) => {
      for (const e of m.quarantine) q.add(e);
      for (const k of Object.keys(base) as (keyof ReadStats)[]) stats[k] = base[k] + m.stats[k];
    };
    try {
      for (;;) {
        const m = await this.next(r);
        this.taken++;
        if (m.type === 'error') throw new Error(m.message);
        apply(m);
        if (m.type === 'done') return;
        Atomics.add(r.counts, 1, 1);
        Atomics.notify(r.counts, 1);
        yield unpackBatch(m.signals);
      }
    } finally {
      this.worker?.off('error', r.onError);
      r.port.close();
      this.counts = undefined;
    }
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
  }
}

/** A read posted to the thread, and what the caller needs to take its batches. */
interface StartedRead {
  src: Source;
  opts: ReadOptions;
  counts: Int32Array;
  port: MessagePort;
  /** The thread's failure, once it failed; and the waiting caller's wake-up. */
  failed: string | undefined;
  wake: (() => void) | undefined;
  onError: (e: Error) => void;
}
