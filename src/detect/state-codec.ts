/**
 * @module detect/state-codec
 * Saves and restores detector memory (Maps, Sets, capped maps, plain objects) as JSON, so that a run can stop
 * anywhere and the next one continues exactly where it ended.
 */
import { BoundedMap } from './lru.js';

export function encodeState(value: unknown): string {
  return JSON.stringify(value, function (_k, v) {
    if (v instanceof Lazy) return v.toJSON();
    if (v instanceof BoundedMap) return { $b: v.cap, e: [...v.map.entries()] };
    if (v instanceof Map) return { $m: [...v.entries()] };
    if (v instanceof Set) return { $s: [...v] };
    if (v === Infinity) return { $n: 'inf' };
    if (v === -Infinity) return { $n: '-inf' };
    return v;
  });
}

export function decodeState<T = any>(text: string): T {
  return JSON.parse(text, (_k, v) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      if ('$b' in v) {
        const b = new BoundedMap<unknown, unknown>(v.$b);
        for (const [k, x] of v.e) b.map.set(k, x);
        return b;
      }
      if ('$m' in v) return new Map(v.$m);
      if ('$s' in v) return new Set(v.$s);
      if ('$n' in v) return v.$n === 'inf' ? Infinity : -Infinity;
    }
    return v;
  });
}

/** A collection produced only while it is written (a checkpoint then never holds a packed copy of all of it). */
export class Lazy {
  constructor(readonly items: () => Iterable<unknown>) {}
  toJSON(): unknown[] {
    return [...this.items()];
  }
}

/** Is every element or member a primitive (then the value is written whole with JSON.stringify)? */
function flat(values: Iterable<unknown>): boolean {
  for (const x of values) if (x !== null && typeof x === 'object') return false;
  return true;
}

/**
 * The text of `encodeState(value)` in pieces of about `maxChars`, handed to `onChunk` in order: containers are
 * walked and only their flat parts stringified, so a checkpoint of a large state never needs the whole text (or a
 * copy of the state) in memory at once. Linear in the size of the state.
 */
export function encodeStateChunks(value: unknown, onChunk: (text: string) => void, maxChars = 1 << 20): void {
  let parts: string[] = [];
  let size = 0;
  const out = (s: string) => {
    parts.push(s);
    size += s.length;
    if (size >= maxChars) {
      onChunk(parts.join(''));
      parts = [];
      size = 0;
    }
  };
  const seq = (items: Iterable<unknown>) => {
    out('[');
    let first = true;
    for (const x of items) {
      if (!first) out(',');
      first = false;
      write(x === undefined || typeof x === 'function' ? null : x);
    }
    out(']');
  };
  const write = (v: unknown): void => {
    if (v === null || typeof v !== 'object') {
      out(v === Infinity ? '{"$n":"inf"}' : v === -Infinity ? '{"$n":"-inf"}' : (JSON.stringify(v) ?? 'null'));
      return;
    }
    if (v instanceof Lazy) return seq(v.items());
    if (Array.isArray(v)) {
      if (flat(v) && !v.some((x) => x === Infinity || x === -Infinity)) out(JSON.stringify(v));
      else seq(v);
      return;
    }
    if (v instanceof BoundedMap) {
      out(`{"$b":${v.cap},"e":`);
      seq(v.map.entries());
      return out('}');
    }
    if (v instanceof Map) {
      out('{"$m":');
      seq(v.entries());
      return out('}');
    }
    if (v instanceof Set) {
      out('{"$s":');
      seq(v);
      return out('}');
    }
    const entries = Object.entries(v);
    if (flat(entries.map((e) => e[1])) && !entries.some((e) => e[1] === Infinity || e[1] === -Infinity)) {
      out(JSON.stringify(v));
      return;
    }
    out('{');
    let first = true;
    for (const [k, x] of entries) {
      if (x === undefined || typeof x === 'function') continue;
      out(`${first ? '' : ','}${JSON.stringify(k)}:`);
      first = false;
      write(x);
    }
    out('}');
  };
  write(value);
  if (parts.length) onChunk(parts.join(''));
}
