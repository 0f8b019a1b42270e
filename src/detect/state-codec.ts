/**
 * @module detect/state-codec
 * Saves and restores detector memory (Maps, Sets, capped maps, plain objects) as JSON, so that a run can stop
 * anywhere and the next one continues exactly where it ended.
 */
import { BoundedMap } from './lru.js';

/** How JSON.stringify writes the containers and numbers JSON has no form for. */
function replacer(_k: string, v: unknown): unknown {
  // (A Lazy needs no case here: JSON.stringify calls its toJSON first.)
  if (v instanceof BoundedMap) return { $b: v.cap, e: [...v.map.entries()] };
  if (v instanceof Map) return { $m: [...v.entries()] };
  if (v instanceof Set) return { $s: [...v] };
  if (v === Infinity) return { $n: 'inf' };
  if (v === -Infinity) return { $n: '-inf' };
  return v;
}

export function encodeState(value: unknown): string {
  return JSON.stringify(value, replacer);
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

/**
 * `JSON.stringify(v, replacer)`, without the replacer when `v` holds nothing it changes: V8 stringifies without a
 * replacer in a fast path several times quicker, and most of a checkpoint is tuples of numbers and strings.
 */
function stringify(v: unknown): string | undefined {
  budget = PLAIN_BUDGET;
  return plain(v) ? JSON.stringify(v) : JSON.stringify(v, replacer);
}

/** Values `plain` may look at before it gives up (and the replacer is used): the check never costs more than that. */
const PLAIN_BUDGET = 1 << 16;
let budget = 0;

/**
 * Is every value in `v` one the replacer leaves alone and JSON.stringify writes the same way without it: primitives
 * other than the infinities, and arrays and plain objects (no class, no toJSON) of such values?
 */
function plain(v: unknown): boolean {
  if (--budget < 0) return false;
  if (v === null || typeof v !== 'object') return v !== Infinity && v !== -Infinity;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!plain(v[i])) return false;
    return true;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype) return false; // Maps, Sets, capped maps, classes with toJSON
  for (const k in v) if (!plain((v as Record<string, unknown>)[k])) return false;
  return true;
}

/** Containers with more elements than this are walked rather than stringified whole. */
const LARGE = 64;
/** Small elements stringified in one call. */
const RUN = 256;

/**
 * Is the value, or one of its members down to `depth` levels, a container with many elements? (A look only near
 * the top: counting everything would cost as much as writing it.)
 */
function large(v: unknown, depth = 2): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (v instanceof Lazy) return true;
  if (v instanceof BoundedMap || v instanceof Map || v instanceof Set) return v.size > LARGE;
  if (hasToJSON(v)) return false; // written by what its toJSON returns, as JSON.stringify writes it, whatever it holds
  // This runs for every element of every large container, down into its tuples' lists (a 1M-event run's checkpoint
  // has some 80,000 such elements holding about a million values): members that are not objects are passed over
  // here rather than in a call each, and an object's values are looked at in place (what Object.values lists).
  if (Array.isArray(v)) {
    if (v.length > LARGE) return true;
    if (depth === 0) return false;
    for (let i = 0; i < v.length; i++) {
      const m: unknown = v[i];
      if (m !== null && typeof m === 'object' && large(m, depth - 1)) return true;
    }
    return false;
  }
  let n = 0;
  for (const k in v) {
    if (!Object.hasOwn(v, k)) continue;
    if (++n > LARGE) return true;
    const m: unknown = (v as Record<string, unknown>)[k];
    if (depth > 0 && m !== null && typeof m === 'object' && large(m, depth - 1)) return true;
  }
  return false;
}

/** Does JSON.stringify write `v` by calling a toJSON method of its own? */
function hasToJSON(v: object): v is { toJSON(): unknown } {
  return typeof (v as { toJSON?: unknown }).toJSON === 'function';
}

/**
 * A small element as JSON.stringify writes it: toJSON's result in place of an object with one, for the element and
 * for a short tuple's members (a map's entries are [key, value] tuples, and an account's profile or a remembered
 * event is a class with toJSON). With those called here, a run of such elements is plain and V8 writes it in its fast
 * path; else the replacer was called for every value of the run (a third of a 1M-event run's checkpoint text).
 * (toJSON is called without the key JSON.stringify would pass: the state's classes ignore it.)
 */
function jsonReady(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (hasToJSON(v)) return calledToJSON(v);
  if (!Array.isArray(v) || v.length > TUPLE) return v;
  let out: unknown[] | undefined;
  for (let i = 0; i < v.length; i++) {
    const m = v[i];
    if (m === null || typeof m !== 'object' || !hasToJSON(m)) continue;
    out ??= v.slice();
    out[i] = calledToJSON(m);
  }
  return out ?? v;
}

/** Members of an array looked at by `jsonReady`: the state's tuples are short. */
const TUPLE = 4;

/** `v.toJSON()`, or `v` itself when that returns an object with a toJSON of its own (JSON.stringify calls only one). */
function calledToJSON(v: { toJSON(): unknown }): unknown {
  const r = v.toJSON();
  return r !== null && typeof r === 'object' && hasToJSON(r) ? v : r;
}

/**
 * Characters in a piece of checkpoint text, about. Small enough that a piece is an ordinary young object and a row
 * of one store page: a piece of a megabyte was a new large object each time, its memory fresh from the kernel (on
 * the virtual machines measured, 12-15 µs a 4 KiB page), and a chain of overflow pages in the store. Saving a 1M-event
 * run's 12 MB of detector memory into a store: 257 ms in pieces of 1 M characters, 202 ms in pieces of 32 K
 * (medians of nine, alternating in one process).
 */
const STATE_PIECE_CHARS = 1 << 15;

/**
 * The text of `encodeState(value)` in pieces of about `maxChars`, handed to `onChunk` in order: large containers
 * are walked and their elements stringified one by one, so a checkpoint of a large state never needs the whole
 * text (or a copy of the state) in memory at once.
 */
export function encodeStateChunks(value: unknown, onChunk: (text: string) => void, maxChars = STATE_PIECE_CHARS): void {
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
    // Runs of small elements are stringified together (one call per run, not per element: a checkpoint has
    // hundreds of thousands of small tuples); JSON.stringify of an array joins its elements' texts with commas.
    let run: unknown[] = [];
    const endRun = () => {
      if (!run.length) return;
      out(`${first ? '' : ','}${stringify(run)!.slice(1, -1)}`);
      first = false;
      run = [];
    };
    for (const x of items) {
      const v = x === undefined || typeof x === 'function' ? null : x;
      if (!large(v)) {
        run.push(jsonReady(v));
        if (run.length === RUN) endRun();
        continue;
      }
      endRun();
      if (!first) out(',');
      first = false;
      write(v);
    }
    endRun();
    out(']');
  };
  const write = (v: unknown): void => {
    if (!large(v)) {
      out(stringify(v) ?? 'null');
      return;
    }
    if (v instanceof Lazy) return seq(v.items());
    if (Array.isArray(v)) return seq(v);
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
    out('{');
    let first = true;
    for (const [k, x] of Object.entries(v as object)) {
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
