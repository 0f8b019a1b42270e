/**
 * @module enrich/bounded-cache
 * A cache with a fixed maximum number of entries, keeping the recently used ones. Sign-in streams repeat the same
 * source addresses a great deal (an office's NAT, a spray's proxy pool), so per-address lookups are cached; the cap
 * keeps memory flat on streams with millions of distinct addresses.
 *
 * Two generations of at most capacity/2 entries each (the "hashlru" scheme): new entries go into the young one;
 * when it is full it becomes the old one and the previous old one is dropped whole; a hit in the old generation is
 * copied into the young one. Every operation is O(1). (A single Map that evicts its first key is not: V8 leaves
 * deleted entries as holes at the front that `keys().next()` must skip, which made evicting lookups ~80 µs each.)
 */
export class BoundedCache<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();
  private readonly generationSize: number;
  hits = 0;
  misses = 0;

  constructor(readonly capacity: number) {
    if (!(capacity >= 2)) throw new Error(`cache capacity must be at least 2 (got ${capacity})`);
    this.generationSize = Math.floor(capacity / 2);
  }

  /** Entries held (an entry may be counted in both generations); never more than `capacity`. */
  get size(): number {
    return this.young.size + this.old.size;
  }

  get(key: K): V | undefined {
    let v = this.young.get(key);
    if (v !== undefined) {
      this.hits++;
      return v;
    }
    v = this.old.get(key);
    if (v !== undefined) {
      this.hits++;
      this.put(key, v); // used again: keep it through the next rotation
      return v;
    }
    this.misses++;
    return undefined;
  }

  set(key: K, value: V): void {
    if (this.young.has(key)) this.young.set(key, value);
    else {
      this.old.delete(key); // so a stale value cannot come back
      this.put(key, value);
    }
  }

  private put(key: K, value: V): void {
    this.young.set(key, value);
    if (this.young.size >= this.generationSize) {
      this.old = this.young;
      this.young = new Map();
    }
  }
}
