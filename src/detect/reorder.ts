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
  t: number;
  /** The content order key, made only when two held events have the same time (most never do). */
  k: string | undefined;
}

function keyOf(it: Item): string {
  return (it.k ??= signalOrderKey(it.s));
}

function less(a: Item, b: Item): boolean {
  return a.t < b.t || (a.t === b.t && keyOf(a) < keyOf(b));
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
    this.insert({ s, t: s.t, k: undefined });
    const limit = this.watermark - this.latenessMs;
    const h = this.heap;
    while (h.length && h[0].t <= limit) out.push(this.pop()!.s);
  }

  /** Everything still held, in order (end of input). */
  drain(out: Signal[]): void {
    while (this.heap.length) out.push(this.pop()!.s);
  }

  // Sifting moves the travelling item along a hole rather than swapping pairs: the same comparisons, so the same
  // heap (and the same order among events equal in time and content) as swapping would give.
  private insert(it: Item): void {
    const h = this.heap;
    let i = h.length;
    h.push(it);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p];
      if (!less(it, parent)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = it;
  }

  private pop(): Item | undefined {
    const h = this.heap;
    if (!h.length) return undefined;
    const top = h[0];
    const last = h.pop()!;
    const n = h.length;
    if (n) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = last;
        let mi = i;
        if (l < n && less(h[l], m)) {
          m = h[l];
          mi = l;
        }
        if (r < n && less(h[r], m)) {
          m = h[r];
          mi = r;
        }
        if (mi === i) break;
        h[i] = m;
        i = mi;
      }
      h[i] = last;
    }
    return top;
  }
}
