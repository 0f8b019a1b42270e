/**
 * @module detect/intern
 * One string object per repeated value (tenant, tool, network name, file) for what detectors keep for days.
 * Every event arrives with its own copies of these strings; a sample or a valid-password event kept per account
 * would otherwise hold a user agent and a fingerprint of its own (about half of the ~900 bytes of a kept signal).
 * The table is bounded: when full it starts again, which costs only a second copy of values still in use.
 */
const MAX_INTERNED = 100_000;
let table = new Map<string, string>();

export function interned(v: string): string {
  if (v === '') return v;
  const known = table.get(v);
  if (known !== undefined) return known;
  if (table.size >= MAX_INTERNED) table = new Map();
  table.set(v, v);
  return v;
}

