/**
 * @module enrich/intel-lists
 * Address lists given as `--intel KIND:PATH` (Tor exits, VPN, hosting, known-bad): one IPv4/IPv6 address or CIDR
 * block per line, `#` comments and blank lines allowed. All lists are merged into one lookup table whose value is
 * the set of kinds an address is on, since an address can be on several lists (a Tor exit in a datacenter).
 * Unreadable lines are counted and a few are shown, but do not stop the run: public lists carry odd lines.
 */
import { readFile } from 'node:fs/promises';
import { parseCidr, type IpAddress } from './ip-address.js';
import { DualTable, type BitRange } from './ip-set.js';

export const INTEL_KINDS = ['tor', 'vpn', 'hosting', 'malicious'] as const;
export type IntelKind = (typeof INTEL_KINDS)[number];

/**
 * Most specific first: the kind that best explains a source for `src_endpoint.type`. A known-bad address says the
 * most; Tor is a kind of anonymiser that is also hosted; a VPN exit usually sits in a datacenter; hosting says least.
 */
export const KIND_PRIORITY: readonly IntelKind[] = ['malicious', 'tor', 'vpn', 'hosting'];

/** How many bad lines of a file are quoted in its warning. */
const BAD_LINES_SHOWN = 3;

export interface BadLine {
  line: number;
  text: string;
}

export interface ParsedList {
  ranges: BitRange[];
  /** Lines with an address or block. */
  entries: number;
  /** Lines that were neither an address, a block, a comment nor blank. */
  badCount: number;
  /** The first few bad lines, for the warning. */
  badExamples: BadLine[];
}

/** Read the text of an address list; `bits` is stored on every range (the kind's bit). */
export function parseIntelList(text: string, bits: number): ParsedList {
  const ranges: BitRange[] = [];
  const badExamples: BadLine[] = [];
  let badCount = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const hash = lines[i].indexOf('#');
    const entry = (hash >= 0 ? lines[i].slice(0, hash) : lines[i]).trim();
    if (entry === '') continue;
    const range = parseCidr(entry) as BitRange | undefined;
    if (range) {
      range.bits = bits;
      ranges.push(range);
      continue;
    }
    badCount++;
    if (badExamples.length < BAD_LINES_SHOWN) badExamples.push({ line: i + 1, text: entry.slice(0, 80) });
  }
  return { ranges, entries: ranges.length, badCount, badExamples };
}

/** One line for a list with bad lines, e.g. `intel list x.txt: 2 unreadable lines skipped (line 3: "foo", ...)`. */
export function badLinesMessage(path: string, list: ParsedList): string {
  const shown = list.badExamples.map((b) => `line ${b.line}: ${JSON.stringify(b.text)}`).join(', ');
  const more = list.badCount > list.badExamples.length ? ', ...' : '';
  return `intel list ${path}: ${list.badCount} unreadable line${list.badCount === 1 ? '' : 's'} skipped (${shown}${more})`;
}

export interface IntelListSpec {
  kind: IntelKind;
  path: string;
}

export interface IntelListSummary extends IntelListSpec {
  entries: number;
  badLines: number;
}

/** Every `KIND:PATH` list merged into one lookup of kinds by address. */
export class IntelIndex {
  private constructor(
    private readonly table: DualTable,
    readonly lists: IntelListSummary[],
  ) {}

  /**
   * Reads the lists. A missing or unreadable file throws an Error naming it; bad lines are passed to `warn`
   * (one message per file) and skipped.
   */
  static async load(specs: IntelListSpec[], warn: (message: string) => void = () => {}): Promise<IntelIndex> {
    const ranges: BitRange[] = [];
    const lists: IntelListSummary[] = [];
    for (const spec of specs) {
      const bit = INTEL_KINDS.indexOf(spec.kind);
      if (bit < 0) throw new Error(`unknown intel kind "${spec.kind}" for ${spec.path} (expected one of ${INTEL_KINDS.join(', ')})`);
      let text: string;
      try {
        text = await readFile(spec.path, 'utf8');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
        throw new Error(`cannot read intel list ${spec.path}: ${why}`);
      }
      const parsed = parseIntelList(text, 1 << bit);
      if (parsed.badCount > 0) warn(badLinesMessage(spec.path, parsed));
      for (const r of parsed.ranges) ranges.push(r);
      lists.push({ ...spec, entries: parsed.entries, badLines: parsed.badCount });
    }
    return new IntelIndex(DualTable.fromBitRanges(ranges), lists);
  }

  /** Bit set of the kinds holding the address (bit k = INTEL_KINDS[k]); 0 when on no list. */
  bitsOf(addr: IpAddress): number {
    return this.table.valueAt(addr) ?? 0;
  }

  /** The kinds holding the address, sorted by name; empty when on no list. */
  kindsOf(addr: IpAddress): IntelKind[] {
    return kindsFromBits(this.bitsOf(addr));
  }

  /** Number of merged ranges in the lookup table (after overlapping blocks are combined). */
  get rangeCount(): number {
    return this.table.size;
  }
}

/** Kinds named by a bit set, sorted by name. */
export function kindsFromBits(bits: number): IntelKind[] {
  const kinds: IntelKind[] = [];
  for (let k = 0; k < INTEL_KINDS.length; k++) if (bits & (1 << k)) kinds.push(INTEL_KINDS[k]);
  return kinds.sort();
}

/** `kindsFromBits` and the most specific of them, made once per bit set (an address on a list is a frequent case). */
const OF_BITS: ({ kinds: readonly IntelKind[]; type: IntelKind | undefined } | undefined)[] = [];
export function intelOfBits(bits: number): { kinds: readonly IntelKind[]; type: IntelKind | undefined } {
  let known = OF_BITS[bits];
  if (known === undefined) {
    const kinds = Object.freeze(kindsFromBits(bits));
    OF_BITS[bits] = known = { kinds, type: mostSpecificKind(kinds) };
  }
  return known;
}

/** The most specific of the kinds (see KIND_PRIORITY), or undefined for none. */
export function mostSpecificKind(kinds: readonly string[]): IntelKind | undefined {
  return KIND_PRIORITY.find((k) => kinds.includes(k));
}
