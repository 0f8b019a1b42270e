/**
 * @module detect/reorder
 * Event-time ordering with bounded lateness. Exports are not perfectly sorted; events are held until the newest
 * time seen is `lateness` past them, then released in (time, content) order. Within the bound, the order events
 * arrive in (and so chunking and file order) cannot change what detectors see. Later-than-bound events are
 * released at once and counted as late.
 */
import { signalOrderKey, type Signal } from './signal.js';

interface Item {
  s: Signal;
  k: string;
}

function less(a: Item, b: Item): boolean {
  return a.s.t < b.s.t || (a.s.t === b.s.t && a.k < b.k);
}

export class ReorderBuffer {
  private heap: Item[] = [];
  watermark = -Infinity;
  late = 0;

  constructor(readonly latenessMs: number) {}

  get size(): number {
    return this.heap.length;
  }

  /** Add an event; returns events now ready, in order. */
  push(s: Signal, out: Signal[]): void {
    if (s.t > this.watermark) this.watermark = s.t;
    this.insert({ s, k: signalOrderKey(s) });
    const limit = this.watermark - this.latenessMs;
    while (this.heap.length && this.heap[0].s.t <= limit) out.push(this.pop()!.s);
  }

  /** Everything still held, in order (end of input). */
  drain(out: Signal[]): void {
    while (this.heap.length) out.push(this.pop()!.s);
  }

  private insert(it: Item): void {
    const h = this.heap;
    h.push(it);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): Item | undefined {
    const h = this.heap;
    if (!h.length) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l], h[m])) m = l;
        if (r < h.length && less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
