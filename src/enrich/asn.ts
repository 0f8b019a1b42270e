/**
 * @module enrich/asn
 * Autonomous system (number and organisation) of an address, from the CSV files of the `@ip-location-db/asn`
 * package (RouteViews, the five RIRs and DB-IP, CC BY 4.0): `asn-ipv4-num.csv` (start,end as numbers) and
 * `asn-ipv6.csv` (start,end as text), both `start,end,asn,org` with inclusive, sorted ranges.
 *
 * Each family is read on its first lookup (a run with no IPv6 never loads the IPv6 table), in one pass over the file
 * into typed arrays: 4 bytes a range bound for IPv4, 16 for IPv6, plus the AS number; the organisation is kept once
 * per AS number (the files give every row of an AS the same name).
 *
 * Measured once (Node 20 on the 2-core dev machine while other jobs ran, so these are pessimistic; package
 * 2.3.2026061719): loading IPv4 (411,961 ranges) 210-360 ms, IPv6 (103,197 ranges, text addresses) 250-330 ms;
 * lookups of already-parsed random addresses 3-6 million/s (IPv4) and 1.3-1.6 million/s (IPv6), 0.6-1.4 and
 * 0.4-0.9 million/s counting the parsing of the address text. Memory: 4.9 MB (IPv4) + 3.7 MB (IPv6) of typed
 * arrays plus one name per AS (about 136,000 names).
 *
 * Runs read the tables from the cache the build writes (asn-cache.ts) instead: about 25 ms for IPv4, with the names
 * decoded only when asked for.
 */
import { readFileSync, statSync } from 'node:fs';
import type { AutonomousSystem } from '../ocsf/authentication.js';
import { readAsnCache, writeAsnCache } from './asn-cache.js';
import { asnCachePath, asnDatabasePaths } from './database-files.js';
import { parseIpv6, type Family, type IpAddress } from './ip-address.js';
import { RangeTable, SortedRangeBuilder } from './ip-set.js';

/** Organisation by AS number: a Map when parsed, the cache's packed form when read from it. */
export interface AsnNames {
  get(asn: number): string | undefined;
  has(asn: number): boolean;
  readonly size: number;
}

export interface AsnTable {
  table: RangeTable;
  /** Organisation by AS number. */
  names: AsnNames;
  /** Rows that could not be read. */
  badRows: number;
  /** Rows skipped for starting before the row above them, or ending before they start. */
  unsorted: number;
  /** Rows that overlapped the row above, which was cut short (one in the 2026-06 IPv4 file). */
  trimmed: number;
}

const QUOTE = 34;
const CR = 13;

/**
 * Reads an `start,end,asn,org` CSV. For IPv4 the bounds are decimal numbers; for IPv6 they are address text.
 * The organisation may be quoted with `""` for a quote inside.
 */
export function parseAsnCsv(buf: Buffer, family: Family): AsnTable & { names: Map<number, string> } {
  const builder = new SortedRangeBuilder(family, family === 4 ? 1 << 19 : 1 << 17);
  const names = new Map<number, string>();
  const n = buf.length;
  let badRows = 0;
  let pos = 0;
  // Searched as a one-byte string: V8's String.indexOf is much faster than a byte loop or Buffer.indexOf, and
  // offsets in it are byte offsets, so organisation names are still decoded from the bytes as UTF-8.
  const text = buf.toString('latin1');
  while (pos < n) {
    const lineStart = pos;
    let lineEnd = text.indexOf('\n', pos);
    if (lineEnd < 0) lineEnd = n;
    pos = lineEnd + 1;
    // Fields 1-3 hold no commas; the organisation after the third may be quoted and hold commas.
    const c1 = text.indexOf(',', lineStart);
    const c2 = c1 < 0 || c1 > lineEnd ? -1 : text.indexOf(',', c1 + 1);
    const c3 = c2 < 0 || c2 > lineEnd ? -1 : text.indexOf(',', c2 + 1);
    if (c3 < 0 || c3 > lineEnd) {
      if (text.slice(lineStart, lineEnd).trim() !== '') badRows++;
      continue;
    }
    const asn = decimal(text, c2 + 1, c3);
    if (asn < 0 || asn > 0xffffffff) {
      badRows++;
      continue;
    }
    if (family === 4) {
      const start = decimal(text, lineStart, c1);
      const end = decimal(text, c1 + 1, c2);
      if (start < 0 || start > 0xffffffff || end < 0 || end > 0xffffffff) {
        badRows++;
        continue;
      }
      builder.addV4(start, end, asn);
    } else {
      const start = parseIpv6(text.slice(lineStart, c1));
      const end = parseIpv6(text.slice(c1 + 1, c2));
      if (!start || !end) {
        badRows++;
        continue;
      }
      builder.add(start, end, asn);
    }
    if (!names.has(asn)) {
      const name = organisation(buf, c3 + 1, text.charCodeAt(lineEnd - 1) === CR ? lineEnd - 1 : lineEnd);
      // "AS64512"-style names are placeholders for an unknown organisation, not names.
      if (name && name !== `AS${asn}`) names.set(asn, name);
    }
  }
  return { table: builder.build(), names, badRows, unsorted: builder.unsorted, trimmed: builder.trimmed };
}

/** A non-negative decimal integer from text [from, to); -1 when empty or not all digits. */
function decimal(text: string, from: number, to: number): number {
  if (to <= from || to - from > 15) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** The CSV field in bytes [from, to), unquoted. */
function organisation(buf: Buffer, from: number, to: number): string {
  if (to - from >= 2 && buf[from] === QUOTE && buf[to - 1] === QUOTE) {
    return buf.toString('utf8', from + 1, to - 1).replaceAll('""', '"').trim();
  }
  return buf.toString('utf8', from, to).trim();
}

/** AS number and organisation of addresses; each family's table is read on first use. */
export class AsnDatabase {
  private v4: AsnTable | undefined;
  private v6: AsnTable | undefined;

  /**
   * One object per autonomous system answered (shared by all its addresses in the enricher's cache, as a city's
   * location is). Callers copy what they keep, and never change it.
   */
  private readonly systems = new Map<number, AutonomousSystem>();

  constructor(private readonly paths: { v4: string; v6: string } = asnDatabasePaths()) {}

  /**
   * The family's table, reading it now if this is its first use: from the cache the build wrote beside this module
   * (see asn-cache.ts) when it was made from this very file, else from the file itself.
   */
  tableFor(family: Family): AsnTable {
    if (family === 4) return (this.v4 ??= readTable(this.paths.v4, 4));
    return (this.v6 ??= readTable(this.paths.v6, 6));
  }

  /** The address's autonomous system, or undefined when no announced range holds it. */
  lookup(addr: IpAddress): AutonomousSystem | undefined {
    const t = this.tableFor(addr.family);
    const asn = t.table.valueAt(addr.words);
    if (asn === undefined) return undefined;
    let as = this.systems.get(asn);
    if (as === undefined) {
      const name = t.names.get(asn);
      this.systems.set(asn, (as = name ? { number: asn, name } : { number: asn }));
    }
    return as;
  }
}

/** Parses the family's CSV and writes its cache (the build; see asn-cache.ts). */
export function buildAsnCache(family: Family, paths: { v4: string; v6: string } = asnDatabasePaths()): void {
  const path = family === 4 ? paths.v4 : paths.v6;
  writeAsnCache(asnCachePath(family), parseAsnCsv(readFileSync(path), family), family, statSync(path));
}

/** Tables read, by file: shared by every AsnDatabase of this thread, as the geo files' readers are. */
const tables = new Map<string, AsnTable>();

function readTable(path: string, family: Family): AsnTable {
  const key = `${family}\u0000${path}`;
  let t = tables.get(key);
  if (!t) tables.set(key, (t = readAsnCache(asnCachePath(family), family, statSync(path)) ?? parseAsnCsv(readFileSync(path), family)));
  return t;
}

