/**
 * @module detect/reorder
 * Event-time ordering with bounded lateness. Exports are not perfectly sorted; events are held until the newest
 * time seen is `lateness` past them, then released in (time, content) order. Within the bound, the order events
 * arrive in (and so chunking and file order) cannot change what detectors see. Later-than-bound events are
 * released at once and counted as late.
 *
 * Held events are one sorted list rather than a heap: logs arrive nearly in time order, so an event usually goes
 * at the end (one comparison, none of the content keys a heap's sifting makes for events of the same second) and
 * leaves from the front. Events equal in time and content leave in the order they came.
 */
import { compareSignals, type Signal } from './signal.js';

/** a goes after b. */
function after(a: Signal, b: Signal): boolean {
  return a.t > b.t || (a.t === b.t && compareSignals(a, b) >= 0);
}

/** Where released events go: an array, or a `ReleasedSignals`. */
export interface SignalSink {
  push(s: Signal): unknown;
}

/**
 * Released events waiting to be processed, in a list kept for the run. An array emptied with `length = 0` gives up
 * its storage, and one was made again for nearly every event (64 MB of the detection thread's 1.37 GB allocated per
 * 1M-event run, sampled); this list's storage stays, and only its slots are cleared.
 */
export class ReleasedSignals implements SignalSink {
  private readonly items: (Signal | undefined)[] = [];
  size = 0;

  push(s: Signal): void {
    this.items[this.size++] = s;
  }

  at(i: number): Signal {
    return this.items[i]!;
  }

  /** Empties the list (its slots let go of their events). */
  clear(): void {
    for (let i = 0; i < this.size; i++) this.items[i] = undefined;
    this.size = 0;
  }
}

export class ReorderBuffer {
  /** Held events in release order from `head` on (the slots before it were released). */
  private items: Signal[] = [];
  private head = 0;
  watermark = -Infinity;
  late = 0;

  constructor(readonly latenessMs: number) {}

  get size(): number {
    return this.items.length - this.head;
  }

  /** Add an event; returns events now ready, in order. */
  push(s: Signal, out: SignalSink): void {
    if (s.t > this.watermark) this.watermark = s.t;
    const limit = this.watermark - this.latenessMs;
    if (s.t <= limit) this.late++;
    this.insert(s);
    const items = this.items;
    let h = this.head;
    while (h < items.length && items[h].t <= limit) out.push(items[h++]);
    this.released(h);
  }

  /** Everything still held, in order (end of input). */
  drain(out: SignalSink): void {
    const items = this.items;
    for (let h = this.head; h < items.length; h++) out.push(items[h]);
    this.released(items.length);
  }

  /** The events held, in the order they will be released (the buffer is not changed). */
  held(): Signal[] {
    return this.items.slice(this.head);
  }

  /** After the last of the events that go before it: from the end, as most events are the newest. */
  private insert(it: Signal): void {
    const items = this.items;
    let i = items.length;
    while (i > this.head && !after(it, items[i - 1])) i--;
    if (i === items.length) items.push(it);
    else items.splice(i, 0, it);
  }

  /** Forget the released slots before `h` (in one move once they are half the list, so each costs O(1)). */
  private released(h: number): void {
    if (h === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (h > 1024 && h * 2 > this.items.length) {
      // Moved down in place (a splice would also make an array of the slots it removes).
      const items = this.items;
      items.copyWithin(0, h);
      items.length -= h;
      this.head = 0;
    } else this.head = h;
  }
}
