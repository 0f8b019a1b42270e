/**
 * @module enrich/ip-set
 * Address ranges for fast lookup: sorted, non-overlapping ranges of one family in flat typed arrays, each with a
 * 32-bit value, searched by binary search (about 19 steps for 400,000 ranges, no allocation per lookup).
 * Used by the ASN table (value = AS number) and the intel lists (value = bit set of list kinds, built from
 * overlapping CIDRs by a sweep that ORs the bits where lists overlap).
 */
import { compareWords, previousAddress, widthOf, type Family, type IpAddress, type IpRange, type Width } from './ip-address.js';

/** Sorted, non-overlapping inclusive ranges of one family, each carrying a 32-bit unsigned value. */
export class RangeTable {
  readonly width: Width;
  constructor(
    readonly family: Family,
    /** Range starts, `width` words each, ascending. */
    readonly starts: Uint32Array,
    /** Range ends (inclusive), `width` words each. */
    readonly ends: Uint32Array,
    readonly values: Uint32Array,
  ) {
    this.width = widthOf(family);
  }

  get size(): number {
    return this.values.length;
  }

  /** Index of the range holding the address (given as `width` words), or -1. */
  indexOf(words: ArrayLike<number>): number {
    const n = this.values.length;
    if (n === 0) return -1;
    if (this.width === 1) return this.indexOfV4(words[0]);
    // Last range whose start <= address; the address is in it when it is also <= its end.
    let lo = 0;
    let hi = n - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (compareWords(this.starts, mid * 4, words, 0, 4) <= 0) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found >= 0 && compareWords(this.ends, found * 4, words, 0, 4) >= 0 ? found : -1;
  }

  private indexOfV4(address: number): number {
    const starts = this.starts;
    let lo = 0;
    let hi = this.values.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid] <= address) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found >= 0 && this.ends[found] >= address ? found : -1;
  }

  /** The value of the range holding the address, or undefined. */
  valueAt(words: ArrayLike<number>): number | undefined {
    const i = this.indexOf(words);
    return i < 0 ? undefined : this.values[i];
  }
}

/**
 * Collects ranges that arrive sorted by start (as in the ASN files) into growable typed arrays. A range that
 * overlaps the one before it cuts the earlier one short (the later, usually more specific row wins); if the earlier
 * range reached beyond the later one, that tail is dropped and counted in `trimmed`.
 */
export class SortedRangeBuilder {
  private starts: Uint32Array;
  private ends: Uint32Array;
  private values: Uint32Array;
  private count = 0;
  private readonly width: Width;
  /** Rows out of order (skipped) and rows whose predecessor had to be cut short. */
  unsorted = 0;
  trimmed = 0;

  constructor(readonly family: Family, capacity = 1024) {
    this.width = widthOf(family);
    this.starts = new Uint32Array(capacity * this.width);
    this.ends = new Uint32Array(capacity * this.width);
    this.values = new Uint32Array(capacity);
  }

  /** An IPv4 range given as numbers: the ASN file's 400,000 rows go through here without an array each. */
  addV4(start: number, end: number, value: number): void {
    if (this.width !== 1) throw new Error('addV4 on an IPv6 table');
    const last = this.count - 1;
    if (start > end || (last >= 0 && start < this.starts[last])) {
      this.unsorted++;
      return;
    }
    if (last >= 0 && start <= this.ends[last]) {
      this.trimmed++;
      if (start === this.starts[last]) this.count--;
      else this.ends[last] = start - 1;
    }
    if (this.count === this.values.length) this.grow();
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.values[this.count++] = value;
  }

  add(start: ArrayLike<number>, end: ArrayLike<number>, value: number): void {
    const w = this.width;
    if (w === 1) return this.addV4(start[0], end[0], value);
    if (compareWords(start, 0, end, 0, w) > 0) {
      this.unsorted++;
      return;
    }
    const last = this.count - 1;
    if (last >= 0 && compareWords(start, 0, this.ends, last * w, w) <= 0) {
      const cmpStart = compareWords(start, 0, this.starts, last * w, w);
      if (cmpStart < 0) {
        this.unsorted++;
        return;
      }
      this.trimmed++;
      if (cmpStart === 0) this.count--; // same start: the later row replaces the earlier
      else this.ends.set(previousAddress(Array.from(start))!, last * w);
    }
    if (this.count === this.values.length) this.grow();
    this.starts.set(start as ArrayLike<number>, this.count * w);
    this.ends.set(end as ArrayLike<number>, this.count * w);
    this.values[this.count++] = value;
  }

  private grow(): void {
    const cap = this.values.length * 2;
    const grown = (a: Uint32Array, len: number) => {
      const b = new Uint32Array(len);
      b.set(a);
      return b;
    };
    this.starts = grown(this.starts, cap * this.width);
    this.ends = grown(this.ends, cap * this.width);
    this.values = grown(this.values, cap);
  }

  /** The finished table (trimmed to size, so the builder's spare capacity is freed). */
  build(): RangeTable {
    const n = this.count;
    const w = this.width;
    return new RangeTable(this.family, this.starts.slice(0, n * w), this.ends.slice(0, n * w), this.values.slice(0, n));
  }
}

/** A range carrying bits to OR where ranges overlap (bit k = list kind k). */
export interface BitRange extends IpRange {
  bits: number;
}

/**
 * Turns possibly overlapping ranges of one family into a RangeTable whose value at each address is the OR of the
 * bits of every input range holding it; adjacent pieces with equal bits are merged. O(n log n) in the ranges.
 *
 * A sweep over boundaries: a range adds its bits at its start and takes them away just after its end. Boundaries
 * live in flat typed arrays (no object per boundary); IPv4 ones are packed into one double each (address * 64 +
 * tag) so that a native numeric sort orders them. The five real lists (64,000 entries) build in 50-150 ms.
 */
export function buildBitTable(family: Family, ranges: BitRange[]): RangeTable {
  const width = widthOf(family);
  let edgeCount = 0;
  for (const r of ranges) if (r.family === family) edgeCount += 2 * popcount(r.bits);
  // Boundary e: address at words[e*width..], tag = bit * 2 + (1 when the bit ends here, 0 when it starts).
  const unsortedWords = new Uint32Array(edgeCount * width);
  const unsortedTags = new Uint8Array(edgeCount);
  let n = 0;
  for (const r of ranges) {
    if (r.family !== family) continue;
    // The range's bits, lowest first, one turn each: not 32 turns a range, which made this start-up loop hot enough
    // for V8 to compile it again and again while it ran (six optimising compilations of 25-58 ms on the two threads
    // that load a list of 3,500 Tor exits, competing with the run's first events for the two cores).
    for (let rest = r.bits >>> 0; rest !== 0; rest = (rest & (rest - 1)) >>> 0) {
      const bit = 31 - Math.clz32(rest & -rest);
      for (let k = 0; k < width; k++) unsortedWords[n * width + k] = r.start[k];
      unsortedTags[n++] = bit * 2;
      for (let k = 0; k < width; k++) unsortedWords[n * width + k] = r.end[k];
      // Just after the end; a range reaching the family's last address never ends.
      if (incrementInPlace(unsortedWords, n * width, width)) unsortedTags[n++] = bit * 2 + 1;
    }
  }
  const { words, tags } = sortBoundaries(width, unsortedWords, unsortedTags, n);

  const builder = new SortedRangeBuilder(family, Math.max(16, n));
  const counts = new Int32Array(32);
  let bits = 0;
  const pieceStart = new Uint32Array(width);
  const pieceEnd = new Uint32Array(width);
  let pieceBits = 0;
  for (let i = 0; i < n; ) {
    const at = i * width;
    // Apply every boundary at this address before looking at the bits.
    for (; i < n && compareWords(words, i * width, words, at, width) === 0; i++) {
      const bit = tags[i] >> 1;
      counts[bit] += tags[i] & 1 ? -1 : 1;
      if (counts[bit] === 0) bits &= ~(1 << bit);
      else bits |= 1 << bit;
    }
    bits >>>= 0;
    if (bits === pieceBits) continue; // same bits on both sides: the current piece goes on
    if (pieceBits !== 0) {
      for (let k = 0; k < width; k++) pieceEnd[k] = words[at + k];
      decrementInPlace(pieceEnd, 0, width); // the piece ends just before this boundary
      builder.add(pieceStart, pieceEnd, pieceBits);
    }
    for (let k = 0; k < width; k++) pieceStart[k] = words[at + k];
    pieceBits = bits;
  }
  // A piece still open runs to the family's last address.
  if (pieceBits !== 0) builder.add(pieceStart, new Uint32Array(width).fill(0xffffffff), pieceBits);
  return builder.build();
}

function popcount(x: number): number {
  let c = 0;
  for (let v = x >>> 0; v; v &= v - 1) c++;
  return c;
}

/** Adds one to the address at `at`; false when it was the family's last address (and so wrapped to zero). */
function incrementInPlace(a: Uint32Array, at: number, width: number): boolean {
  for (let k = at + width - 1; k >= at; k--) {
    if (a[k] !== 0xffffffff) {
      a[k]++;
      return true;
    }
    a[k] = 0;
  }
  return false;
}

function decrementInPlace(a: Uint32Array, at: number, width: number): void {
  for (let k = at + width - 1; k >= at; k--) {
    if (a[k] !== 0) {
      a[k]--;
      return;
    }
    a[k] = 0xffffffff;
  }
}

/** Boundaries ordered by address (ties in any order: all of an address's boundaries are applied together). */
function sortBoundaries(width: Width, words: Uint32Array, tags: Uint8Array, n: number): { words: Uint32Array; tags: Uint8Array } {
  if (width === 1) {
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = words[i] * 64 + tags[i];
    keys.sort();
    const w = new Uint32Array(n);
    const t = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      w[i] = Math.floor(keys[i] / 64);
      t[i] = keys[i] % 64;
    }
    return { words: w, tags: t };
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((x, y) => compareWords(words, x * width, words, y * width, width));
  const w = new Uint32Array(n * width);
  const t = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < width; k++) w[i * width + k] = words[order[i] * width + k];
    t[i] = tags[order[i]];
  }
  return { words: w, tags: t };
}

/** A lookup over both families: one table for IPv4, one for IPv6. */
export class DualTable {
  constructor(
    readonly v4: RangeTable,
    readonly v6: RangeTable,
  ) {}

  valueAt(addr: IpAddress): number | undefined {
    return (addr.family === 4 ? this.v4 : this.v6).valueAt(addr.words);
  }

  get size(): number {
    return this.v4.size + this.v6.size;
  }

  static fromBitRanges(ranges: BitRange[]): DualTable {
    return new DualTable(buildBitTable(4, ranges), buildBitTable(6, ranges));
  }
}
