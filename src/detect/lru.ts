/**
 * @module detect/lru
 * A Map with a size cap that forgets the least recently touched key: how every per-address and per-account memory
 * in the detectors stays bounded on endless streams with millions of distinct addresses.
 *
 * Recency is a linked list through the entries rather than the Map's own insertion order: marking a key as most
 * recent then moves one entry instead of deleting and re-inserting the key (three hash lookups and a table that
 * fills with holes and is rebuilt again and again), which the detectors do several times for every attempt.
 */

export class Entry<K, V> {
  /** Set once the entry left the map (an iteration standing on it goes on to the entries after it). */
  removed = false;
  constructor(
    readonly k: K,
    public v: V,
    public prev: Entry<K, V> | undefined,
    public next: Entry<K, V> | undefined,
  ) {}
}

/** Iterates entries from the oldest (an entry deleted meanwhile is skipped, as with a Map). */
class EntryIterator<K, V, T> implements IterableIterator<T> {
  constructor(
    private at: Entry<K, V> | undefined,
    private readonly pick: (e: Entry<K, V>) => T,
  ) {}
  next(): IteratorResult<T> {
    let e = this.at;
    while (e !== undefined && e.removed) e = e.next;
    if (e === undefined) {
      this.at = undefined;
      return { done: true, value: undefined };
    }
    this.at = e.next;
    return { done: false, value: this.pick(e) };
  }
  [Symbol.iterator](): IterableIterator<T> {
    return this;
  }
}

const pickKey = <K>(e: Entry<K, unknown>): K => e.k;
const pickValue = <V>(e: Entry<unknown, V>): V => e.v;
const pickEntry = <K, V>(e: Entry<K, V>): [K, V] => [e.k, e.v];

/**
 * The Map-like view of a BoundedMap, oldest first. `set` has Map semantics (a new key goes last, a known key keeps
 * its place), which is what restoring saved entries in their saved order needs.
 */
export class RecencyMap<K, V> implements Iterable<[K, V]> {
  private readonly index = new Map<K, Entry<K, V>>();
  /** Least recently touched entry. */
  private head: Entry<K, V> | undefined;
  private tail: Entry<K, V> | undefined;

  get size(): number {
    return this.index.size;
  }
  entry(k: K): Entry<K, V> | undefined {
    return this.index.get(k);
  }
  get(k: K): V | undefined {
    const e = this.index.get(k);
    return e === undefined ? undefined : e.v;
  }
  has(k: K): boolean {
    return this.index.has(k);
  }
  set(k: K, v: V): this {
    const e = this.index.get(k);
    if (e !== undefined) e.v = v;
    else this.append(k, v);
    return this;
  }
  delete(k: K): boolean {
    const e = this.index.get(k);
    if (e === undefined) return false;
    this.unlink(e);
    return true;
  }
  /** The least recently touched key. */
  oldestKey(): K | undefined {
    return this.head?.k;
  }
  oldestValue(): V | undefined {
    return this.head?.v;
  }
  /** The most recently touched entry's value. */
  newestValue(): V | undefined {
    return this.tail?.v;
  }

  append(k: K, v: V): Entry<K, V> {
    const e = new Entry(k, v, this.tail, undefined);
    if (this.tail !== undefined) this.tail.next = e;
    else this.head = e;
    this.tail = e;
    this.index.set(k, e);
    return e;
  }

  /** Make an entry the most recent. */
  moveToEnd(e: Entry<K, V>): void {
    if (e === this.tail) return;
    // Unlink (e is not the tail, so it has a next)...
    const next = e.next!;
    if (e.prev !== undefined) e.prev.next = next;
    else this.head = next;
    next.prev = e.prev;
    // ...and link after the tail.
    e.prev = this.tail;
    e.next = undefined;
    this.tail!.next = e;
    this.tail = e;
  }

  unlink(e: Entry<K, V>): void {
    this.index.delete(e.k);
    e.removed = true;
    // e.next stays: an iterator standing on e continues from there.
    if (e.prev !== undefined) e.prev.next = e.next;
    else this.head = e.next;
    if (e.next !== undefined) e.next.prev = e.prev;
    else this.tail = e.prev;
  }

  keys(): IterableIterator<K> {
    return new EntryIterator(this.head, pickKey as (e: Entry<K, V>) => K);
  }
  values(): IterableIterator<V> {
    return new EntryIterator(this.head, pickValue as (e: Entry<K, V>) => V);
  }
  entries(): IterableIterator<[K, V]> {
    return new EntryIterator(this.head, pickEntry as (e: Entry<K, V>) => [K, V]);
  }
  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }
  /** The keys, oldest first, as an array. */
  keysArray(): K[] {
    const out: K[] = new Array(this.index.size);
    let i = 0;
    for (let e = this.head; e !== undefined; e = e.next) out[i++] = e.k;
    return out;
  }
  /**
   * Calls `f` for every entry in no particular order: faster than walking the recency list (the entries are read
   * from one table instead of one after the other), for sums and counts that do not depend on the order.
   */
  forEachUnordered(f: (v: V, k: K) => void): void {
    this.index.forEach((e, k) => f(e.v, k));
  }
  /**
   * Calls `f` for the entries, oldest first, until it returns false (no iterator or pair per entry). `f` may delete
   * the entry it is given or give it another value, but must not add or move entries.
   */
  walk(f: (v: V, k: K) => boolean): void {
    for (let e = this.head; e !== undefined; ) {
      const next = e.next;
      if (!f(e.v, e.k)) return;
      e = next;
    }
  }
  /** Calls `f` for every entry, oldest first (cheaper than an iterator; `f` must not add, move or delete entries). */
  forEach(f: (v: V, k: K) => void): void {
    for (let e = this.head; e !== undefined; e = e.next) f(e.v, e.k);
  }
}

export class BoundedMap<K, V> {
  readonly map = new RecencyMap<K, V>();
  /** The entry of the last `get`: the usual get-then-set of one key looks the key up once. */
  private last: Entry<K, V> | undefined;
  constructor(readonly cap: number) {}

  get size(): number {
    return this.map.size;
  }
  get(k: K): V | undefined {
    const e = this.map.entry(k);
    if (e === undefined) return undefined;
    this.last = e;
    return e.v;
  }
  has(k: K): boolean {
    return this.map.has(k);
  }
  /** Set and mark as most recent; evicts the oldest beyond the cap. Returns the key's entry. */
  set(k: K, v: V): Entry<K, V> {
    let e = this.last;
    if (e === undefined || e.removed || e.k !== k) e = this.map.entry(k);
    if (e !== undefined) {
      e.v = v;
      this.map.moveToEnd(e);
    } else e = this.map.append(k, v);
    if (this.map.size > this.cap) this.map.delete(this.map.oldestKey() as K);
    return e;
  }
  /**
   * The key's entry. An entry kept by a caller stands for its key until `removed` is set: `setEntry` and
   * `deleteEntry` then do what `set` and `delete` of its key would, without looking the key up.
   */
  entry(k: K): Entry<K, V> | undefined {
    const e = this.map.entry(k);
    if (e !== undefined) this.last = e;
    return e;
  }
  /** `set(e.k, v)` for an entry still in the map. */
  setEntry(e: Entry<K, V>, v: V): void {
    e.v = v;
    this.map.moveToEnd(e);
  }
  /** `delete(e.k)` for an entry still in the map. */
  deleteEntry(e: Entry<K, V>): void {
    this.map.unlink(e);
  }
  delete(k: K): void {
    this.map.delete(k);
  }
  entries(): IterableIterator<[K, V]> {
    return this.map.entries();
  }
}

/** Push into a small recency list without duplicates, keeping at most `cap` entries (most recent last). */
/**
 * The same as `remember`, as a new exact-size list (the old one when nothing changes): a list grown by push keeps
 * room for 17 entries, and a hundred thousand accounts with five short lists each spent most of their memory on it.
 */
export function remembered<T>(list: T[], v: T, cap: number): T[] {
  if (list.length && list[list.length - 1] === v) return list;
  const i = list.indexOf(v);
  // concat and slice allocate exactly what they return.
  const out = (i >= 0 ? list.slice(0, i).concat(list.slice(i + 1)) : list).concat([v]);
  return out.length > cap ? out.slice(out.length - cap) : out;
}

export function remember<T>(list: T[], v: T, cap: number): void {
  if (list.length && list[list.length - 1] === v) return; // already the most recent
  const i = list.indexOf(v);
  if (i >= 0) list.splice(i, 1);
  list.push(v);
  if (list.length > cap) list.shift();
}
