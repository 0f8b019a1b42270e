/**
 * @module ingest/read-worker
 * The worker thread half of the threaded reader: reads, normalises and enriches one source at a time and posts
 * the events' detection signals back in batches, with its quarantine entries and counts. Detection stays on the main thread, so the two
 * cores work as a pipeline and results are the same as reading in one thread.
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import { readSignal } from '../detect/signal.js';
import { isFlatSignIn } from '../ocsf/flat-sign-in.js';
import { SignalPacker } from '../detect/signal-pack.js';
import { readAheadDone } from '../enrich/database-files.js';
import { Enricher, type EnricherOptions } from '../enrich/index.js';
import { Quarantine, type QuarantineEntry } from './quarantine.js';
import { newStats, readForDetection, type ReadOptions } from './reader.js';
import type { Source } from './sources.js';

class ForwardingQuarantine extends Quarantine {
  entries: QuarantineEntry[] = [];
  override add(entry: QuarantineEntry): void {
    this.entries.push(entry);
  }
}

let enricher: Promise<Enricher> | undefined;

/**
 * The enricher of this thread. Its warnings (an intel list's unreadable lines) are not passed on: the main thread
 * read the same lists and warned already.
 */
function enricherFor(options: EnricherOptions): Promise<Enricher> {
  // Its intel lists are loaded while the tables are still being read ahead (an enricher reads its tables on its first
  // lookup), and it is handed out once they are in (else that lookup would read them again).
  return (enricher ??= Enricher.create({ ...options, warn: () => {} }).then(async (e) => {
    await readAheadDone();
    return e;
  }));
}

type Message =
  | { type: 'warm' }
  | { type: 'prepare'; enrich: EnricherOptions }
  /**
   * `counts`: [0] messages posted on `port` (notified on each), [1] batches the main thread has room for, [2] set when
   * the main thread stopped the read (a read started ahead for a source it then skipped).
   */
  | { type: 'read'; src: Source; opts: ReadOptions; enrich: EnricherOptions; counts: Int32Array; port: MessagePort };

/**
 * Take one of the batches the main thread has room for, waiting (without blocking this thread) while it has none;
 * false once the read is stopped.
 */
async function takeCredit(counts: Int32Array): Promise<boolean> {
  for (;;) {
    if (Atomics.load(counts, 2) !== 0) return false;
    const n = Atomics.load(counts, 1);
    if (n > 0) {
      if (Atomics.compareExchange(counts, 1, n, n - 1) === n) return true;
      continue;
    }
    const w = Atomics.waitAsync(counts, 1, n);
    if (w.async) await w.value;
  }
}

parentPort!.on('message', async (m: Message) => {
  if (m.type === 'warm') {
    // The run's options are not known yet: load the default geo and ASN tables, which its enricher will share.
    readAheadDone()
      .then(() => Enricher.create({ intel: [], warn: () => {} }))
      .then((e) => e.warmUp(), () => {});
    return;
  }
  if (m.type === 'prepare') {
    // Errors are left to the read that follows, which reports them.
    enricherFor(m.enrich).then((e) => e.warmUp(), () => {});
    return;
  }
  const { port, counts } = m;
  /** Posts on the read's port and tells the main thread, which takes messages from the port when it needs them. */
  const post = (msg: unknown, transfer?: ArrayBuffer[]) => {
    port.postMessage(msg, transfer);
    Atomics.add(counts, 0, 1);
    Atomics.notify(counts, 0);
  };
  try {
    const e = await enricherFor(m.enrich);
    const q = new ForwardingQuarantine(undefined);
    const stats = newStats();
    for await (const batch of readForDetection(m.src, m.opts, q, stats)) {
      // Packed, a batch crosses threads far cheaper than a structured clone of many objects; each signal is packed
      // as it is made, and a flat sign-in's without making it.
      const packer = new SignalPacker(batch.length);
      for (let i = 0; i < batch.length; i++) {
        const x = batch[i];
        if (isFlatSignIn(x)) {
          e.enrichSignIn(x);
          packer.addSignIn(x);
        } else packer.add(readSignal(x, e));
      }
      const packed = packer.finish();
      if (!(await takeCredit(counts))) return; // nobody reads the port any more
      post({ type: 'batch', signals: packed, quarantine: q.entries.splice(0), stats }, [packed.nums.buffer]);
    }
    post({ type: 'done', quarantine: q.entries.splice(0), stats });
  } catch (err) {
    post({ type: 'error', message: (err as Error).message });
  }
});
