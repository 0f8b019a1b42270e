/**
 * @module detect/state-codec
 * Saves and restores detector memory (Maps, Sets, capped maps, plain objects) as JSON, so that a run can stop
 * anywhere and the next one continues exactly where it ended.
 */
import { BoundedMap } from './lru.js';

export function encodeState(value: unknown): string {
  return JSON.stringify(value, function (_k, v) {
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
