/**
 * @module detect/lru
 * A Map with a size cap that forgets the least recently touched key: how every per-address and per-account memory
 * in the detectors stays bounded on endless streams with millions of distinct addresses.
 */
export class BoundedMap<K, V> {
  readonly map = new Map<K, V>();
  constructor(readonly cap: number) {}

  get size(): number {
    return this.map.size;
  }
  get(k: K): V | undefined {
    return this.map.get(k);
  }
  has(k: K): boolean {
    return this.map.has(k);
  }
  /** Set and mark as most recent; evicts the oldest beyond the cap. */
  set(k: K, v: V): void {
    if (this.map.has(k)) this.map.delete(k);
    this.map.set(k, v);
    if (this.map.size > this.cap) this.map.delete(this.map.keys().next().value as K);
  }
  delete(k: K): void {
    this.map.delete(k);
  }
  entries(): IterableIterator<[K, V]> {
    return this.map.entries();
  }
}

/** Push into a small recency list without duplicates, keeping at most `cap` entries (most recent last). */
export function remember<T>(list: T[], v: T, cap: number): void {
  const i = list.indexOf(v);
  if (i >= 0) list.splice(i, 1);
  list.push(v);
  if (list.length > cap) list.shift();
}
