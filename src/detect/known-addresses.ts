/**
 * @module detect/known-addresses
 * The addresses an organisation's people signed in from, with the minute of the latest success from each: the
 * organisation's side of "is this source familiar?" (office NAT, VPN gateway).
 *
 * Why not a capped LRU map of address text to time: an organisation keeps up to tens of thousands of addresses,
 * and a stream of a hundred organisations may then hold two million of them (the 10M-event benchmark comes near),
 * at some 150 bytes each (the address text, an entry object with its links, a boxed time): hundreds of MB.
 * Here an entry is a slot in a plain Map: the address as a number (IPv4, see `addressKey`) and the time in whole
 * minutes (a small integer, never boxed), about 40 bytes.
 *
 * Bounded as the enricher's cache is: two generations of at most `cap` entries; a success goes into the young one,
 * and when that is full it becomes the old one and the previous old one is forgotten whole. So at least the `cap`
 * addresses most recently succeeded from are always known. A lookup changes nothing (only successes renew), so
 * asking never changes what is remembered. Checkpoints hold both generations as they are: a restored run forgets
 * exactly when an uninterrupted one does.
 */

/** An address as `addressKey` gives it: a number for IPv4 in its usual form, else the text. */
export type AddressKey = number | string;

const MINUTE_MS = 60_000;

export class KnownAddresses {
  /** Latest success from each address, in whole minutes since the epoch (rounded down). */
  young = new Map<AddressKey, number>();
  old = new Map<AddressKey, number>();

  constructor(readonly cap: number) {}

  get size(): number {
    return this.young.size + this.old.size;
  }

  /** The time (epoch ms, rounded down to the minute) of the latest success from the address, if remembered. */
  lastSuccess(k: AddressKey): number | undefined {
    const m = this.young.get(k) ?? this.old.get(k);
    return m === undefined ? undefined : m * MINUTE_MS;
  }

  /** A success from the address at `t` (epoch ms). */
  succeeded(k: AddressKey, t: number): void {
    const young = this.young;
    const size = young.size;
    young.set(k, Math.floor(t / MINUTE_MS));
    // New to the young generation (it grew): an older time in the old one must not come back. One lookup for an
    // address already there, the usual case (a has() first made two).
    if (young.size !== size) this.old.delete(k);
    if (young.size >= this.cap) {
      this.old = young;
      this.young = new Map();
    }
  }

  /**
   * From a checkpoint: this form (`cap`, `young`, `old` as the state codec restores them), or the capped map of
   * address text to epoch ms that earlier versions saved, oldest first.
   */
  static restored(saved: unknown, cap: number, key: (ip: string) => AddressKey): KnownAddresses {
    const k = new KnownAddresses(cap);
    const s = saved as { young?: unknown; old?: unknown; map?: { entries?: () => Iterable<[string, number]> } } | undefined;
    if (s?.young instanceof Map && s.old instanceof Map) {
      k.young = signedKeys(s.young as Map<AddressKey, number>);
      k.old = signedKeys(s.old as Map<AddressKey, number>);
    } else if (typeof s?.map?.entries === 'function') {
      for (const [ip, t] of s.map.entries()) k.succeeded(key(ip), t);
    }
    return k;
  }
}

/**
 * The map with IPv4 keys as `addressKey` makes them now (signed): checkpoints of earlier versions hold unsigned
 * ones from 128.0.0.0 up. The same map when it has none.
 */
function signedKeys(m: Map<AddressKey, number>): Map<AddressKey, number> {
  let unsigned = false;
  for (const key of m.keys()) if (typeof key === 'number' && key > 0x7fffffff) unsigned = true;
  if (!unsigned) return m;
  const out = new Map<AddressKey, number>();
  for (const [key, t] of m) out.set(typeof key === 'number' ? key | 0 : key, t);
  return out;
}
