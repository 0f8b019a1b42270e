/**
 * @module detect/distinct-sketch
 * How many distinct keys were added, in a fixed 4 KiB whatever their number: a HyperLogLog sketch (Flajolet, Fusy,
 * Gandouet and Meunier 2007; 2^12 registers, a standard error of about 1.6%, with linear counting for small
 * numbers). Where an exact set would grow with the stream, as an attack group's netblocks do when its addresses
 * rotate through a large pool, the detectors count the rest in one of these.
 *
 * Deterministic: a register keeps the largest rank it saw, so the same keys give the same sketch in any order and
 * any number of times. Written by hand rather than taken from a library: the algorithm is a few lines, and the
 * packages that have it hash with pure-JS 64-bit code and bring their own dependency trees.
 */

const P = 12;
const M = 1 << P;
const ALPHA = 0.7213 / (1 + 1.079 / M);
/** The largest rank: the 32 - P hash bits left after the register index, all zero. */
const MAX_RANK = 32 - P + 1;

export class DistinctSketch {
  private constructor(private readonly registers: Uint8Array) {}

  static empty(): DistinctSketch {
    return new DistinctSketch(new Uint8Array(M));
  }

  /** A sketch saved by `toJSON`; undefined when the text is not one. */
  static fromJSON(text: unknown): DistinctSketch | undefined {
    if (typeof text !== 'string') return undefined;
    const bytes = Buffer.from(text, 'base64');
    if (bytes.length !== M || bytes.some((r) => r > MAX_RANK)) return undefined;
    return new DistinctSketch(new Uint8Array(bytes));
  }

  /** Numbers (an IPv4 netblock's key) and strings are both keys; a number and a string are different keys. */
  add(key: number | string): void {
    const h = typeof key === 'number' ? hashNumber(key) : hashString(key);
    const index = h >>> (32 - P);
    // The rank of the first set bit after the index bits; the guard bit caps it at MAX_RANK.
    const rank = Math.clz32((h << P) | (1 << (P - 1))) + 1;
    if (rank > this.registers[index]) this.registers[index] = rank;
  }

  /** The estimated number of distinct keys added. */
  estimate(): number {
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < M; i++) {
      const r = this.registers[i];
      sum += 1 / 2 ** r;
      if (r === 0) zeros++;
    }
    const raw = (ALPHA * M * M) / sum;
    if (raw <= 2.5 * M && zeros > 0) return M * Math.log(M / zeros);
    // Near the 32-bit hash's range, collisions of hashes hide keys.
    const range = 2 ** 32;
    return raw <= range / 30 ? raw : -range * Math.log(1 - raw / range);
  }

  /** Checkpoints: the registers in base64 (5.5 K characters). */
  toJSON(): string {
    return Buffer.from(this.registers.buffer, this.registers.byteOffset, this.registers.byteLength).toString('base64');
  }
}

/** MurmurHash3's finaliser over the number's two 32-bit halves: every input bit moves about half the output bits. */
function hashNumber(x: number): number {
  const low = x >>> 0;
  const high = Math.floor(x / 2 ** 32) >>> 0;
  return fmix(Math.imul(high, 0x9e3779b1) ^ low);
}

/** FNV-1a over the UTF-16 code units, then the finaliser (FNV alone leaves the high bits poorly mixed). */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix(h ^ 0x5bd1e995);
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
