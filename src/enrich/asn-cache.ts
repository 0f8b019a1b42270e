/**
 * @module enrich/asn-cache
 * The ASN tables as parsed, one binary file per family, so that a run reads them in milliseconds instead of parsing
 * 400,000 CSV rows: 0.2-0.4 s that every run spent before its first event could be enriched. The build writes them
 * (`npm run build`, which `npm install` runs, through scripts/build-asn-cache.mjs).
 *
 * A cache is used only when it was made from the CSV as it is now (same size and modification time) on a machine
 * of the same byte order, and only when every part of it is where its header says; anything else (an updated
 * package, a damaged or truncated file, none at all) returns undefined and the CSV is parsed as before.
 *
 * Layout: a header line of JSON padded with spaces to a multiple of 4 bytes, then the arrays it counts, as 32-bit
 * words: range starts, range ends, AS numbers of the ranges, AS numbers with a name (ascending), offsets of the
 * names in the UTF-8 text that ends the file (one more than the names).
 */
import { renameSync, writeFileSync } from 'node:fs';
import { endianness } from 'node:os';
import type { AsnNames, AsnTable } from './asn.js';
import { fileBytes } from './database-files.js';
import { widthOf, type Family } from './ip-address.js';
import { RangeTable } from './ip-set.js';

const MAGIC = 'vigil-asn-cache';
const VERSION = 1;

/** What a cache must agree with: the CSV it was made from. */
export interface CsvIdentity {
  size: number;
  mtimeMs: number;
}

interface Header {
  magic: string;
  version: number;
  endianness: string;
  family: Family;
  csv: CsvIdentity;
  ranges: number;
  names: number;
  nameBytes: number;
  badRows: number;
  unsorted: number;
  trimmed: number;
}

/** Names packed: looked up by binary search and decoded when asked (a run asks for a few thousand of 136,000). */
class PackedNames implements AsnNames {
  constructor(
    private readonly asns: Uint32Array,
    private readonly offsets: Uint32Array,
    private readonly text: Buffer,
  ) {}

  get size(): number {
    return this.asns.length;
  }
  has(asn: number): boolean {
    return this.indexOf(asn) >= 0;
  }
  get(asn: number): string | undefined {
    const i = this.indexOf(asn);
    return i < 0 ? undefined : this.text.toString('utf8', this.offsets[i], this.offsets[i + 1]);
  }
  private indexOf(asn: number): number {
    const a = this.asns;
    let lo = 0;
    let hi = a.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid] === asn) return mid;
      if (a[mid] < asn) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}

/** The table as cache bytes. */
export function packAsnTable(t: AsnTable & { names: Map<number, string> }, family: Family, csv: CsvIdentity): Buffer {
  const asns = Uint32Array.from([...t.names.keys()].sort((a, b) => a - b));
  const texts = [...asns].map((asn) => Buffer.from(t.names.get(asn)!, 'utf8'));
  const offsets = new Uint32Array(asns.length + 1);
  for (let i = 0; i < texts.length; i++) offsets[i + 1] = offsets[i] + texts[i].length;
  const header: Header = {
    magic: MAGIC, version: VERSION, endianness: endianness(), family, csv: { size: csv.size, mtimeMs: csv.mtimeMs },
    ranges: t.table.size, names: asns.length, nameBytes: offsets[asns.length], badRows: t.badRows, unsorted: t.unsorted, trimmed: t.trimmed,
  };
  let head = JSON.stringify(header) + '\n';
  head = head.padEnd(Math.ceil(head.length / 4) * 4, ' ');
  const words = (a: Uint32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  return Buffer.concat([Buffer.from(head, 'latin1'), words(t.table.starts), words(t.table.ends), words(t.table.values), words(asns), words(offsets), ...texts]);
}

/** The table in cache bytes, or undefined when they are not a whole cache of this family made from `csv`. */
export function unpackAsnTable(buf: Buffer, family: Family, csv: CsvIdentity): AsnTable | undefined {
  const nl = buf.indexOf(10);
  if (nl < 0 || nl > 4096) return undefined;
  let h: Header;
  try {
    h = JSON.parse(buf.toString('latin1', 0, nl));
  } catch {
    return undefined;
  }
  if (h?.magic !== MAGIC || h.version !== VERSION || h.endianness !== endianness() || h.family !== family) return undefined;
  if (h.csv?.size !== csv.size || h.csv?.mtimeMs !== csv.mtimeMs) return undefined;
  const counts = [h.ranges, h.names, h.nameBytes, h.badRows, h.unsorted, h.trimmed];
  if (!counts.every((n) => Number.isSafeInteger(n) && n >= 0)) return undefined;
  const w = widthOf(family);
  let at = Math.ceil((nl + 1) / 4) * 4;
  const wordCount = 2 * h.ranges * w + h.ranges + h.names + h.names + 1;
  if (buf.length !== at + wordCount * 4 + h.nameBytes) return undefined;
  // The file's own bytes when they are aligned (a file read whole starts a buffer of its own), else one copy of them.
  let words: Uint32Array;
  if ((buf.byteOffset + at) % 4 === 0) words = new Uint32Array(buf.buffer, buf.byteOffset + at, wordCount);
  else {
    words = new Uint32Array(wordCount);
    new Uint8Array(words.buffer).set(buf.subarray(at, at + wordCount * 4));
  }
  at += wordCount * 4;
  let w0 = 0;
  const take = (n: number) => words.subarray(w0, (w0 += n));
  const starts = take(h.ranges * w);
  const ends = take(h.ranges * w);
  const values = take(h.ranges);
  const asns = take(h.names);
  const offsets = take(h.names + 1);
  if (offsets[0] !== 0 || offsets[h.names] !== h.nameBytes) return undefined;
  for (let i = 1; i <= h.names; i++) if (offsets[i] < offsets[i - 1]) return undefined;
  const text = buf.subarray(at);
  return { table: new RangeTable(family, starts, ends, values), names: new PackedNames(asns, offsets, text), badRows: h.badRows, unsorted: h.unsorted, trimmed: h.trimmed };
}

/** The cached table for the CSV, or undefined when there is no usable cache at `path`. Never throws. */
export function readAsnCache(path: string, family: Family, csv: CsvIdentity): AsnTable | undefined {
  let buf: Buffer;
  try {
    buf = fileBytes(path);
  } catch {
    return undefined;
  }
  return unpackAsnTable(buf, family, csv);
}

/** Writes the cache whole or not at all (a run reading it meanwhile sees the old one or the new one). */
export function writeAsnCache(path: string, t: AsnTable & { names: Map<number, string> }, family: Family, csv: CsvIdentity): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, packAsnTable(t, family, csv));
  renameSync(tmp, path);
}
