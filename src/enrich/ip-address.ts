/**
 * @module enrich/ip-address
 * IP addresses and CIDR blocks as big-endian 32-bit words (one word for IPv4, four for IPv6), the form the range
 * tables search. Words rather than BigInt keep comparisons allocation-free, which matters at millions of lookups.
 * IPv4-mapped IPv6 (`::ffff:1.2.3.4`) is turned into plain IPv4 so that one address has one form in every table.
 */

export type Family = 4 | 6;

/** Words per address of a family: 1 for IPv4, 4 for IPv6. */
export type Width = 1 | 4;

export interface IpAddress {
  family: Family;
  /** Big-endian 32-bit words, each an unsigned integer (0..2^32-1). */
  words: number[];
}

/** An inclusive range of addresses of one family. */
export interface IpRange {
  family: Family;
  start: number[];
  end: number[];
}

export const widthOf = (family: Family): Width => (family === 4 ? 1 : 4);

/** A dotted-quad IPv4 address as an unsigned 32-bit number; undefined unless exactly four decimal octets. */
export function parseIpv4(text: string): number | undefined {
  let value = 0;
  let octets = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const begin = i;
    let octet = 0;
    while (i < n) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      octet = octet * 10 + c;
      i++;
    }
    const digits = i - begin;
    // Leading zeros are refused (as Node's isIP does): "010" is octal to some tools and decimal to others.
    if (digits === 0 || digits > 3 || octet > 255 || (digits > 1 && text.charCodeAt(begin) === 48)) return undefined;
    value = value * 256 + octet;
    octets++;
    if (i === n) break;
    if (text.charCodeAt(i) !== 46 /* . */ || octets === 4) return undefined;
    i++;
    if (i === n) return undefined; // trailing dot
  }
  return octets === 4 ? value : undefined;
}

/** Value of a hex digit's char code, or -1. */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * An IPv6 address as four words; accepts `::` compression, an IPv4 tail and a `%zone` suffix.
 * A single pass over the characters (no split or regex): it runs once per range when the ASN file is read.
 */
export function parseIpv6(text: string): number[] | undefined {
  let end = text.indexOf('%');
  if (end < 0) end = text.length;
  if (end < 2 || end > 45) return undefined;
  const groups = [0, 0, 0, 0, 0, 0, 0, 0];
  let n = 0; // groups read
  let gap = -1; // index in groups where "::" stands
  let i = 0;
  if (text.charCodeAt(0) === 58 /* : */) {
    if (text.charCodeAt(1) !== 58) return undefined;
    gap = 0;
    i = 2;
  }
  while (i < end) {
    let value = 0;
    let j = i;
    for (; j < end; j++) {
      const d = hexDigit(text.charCodeAt(j));
      if (d < 0) break;
      value = value * 16 + d;
    }
    if (j < end && text.charCodeAt(j) === 46 /* . */) {
      // Dotted IPv4 tail: the last two groups.
      const v4 = n <= 6 ? parseIpv4(text.slice(i, end)) : undefined;
      if (v4 === undefined) return undefined;
      groups[n++] = v4 >>> 16;
      groups[n++] = v4 & 0xffff;
      i = end;
      break;
    }
    const digits = j - i;
    if (digits === 0 || digits > 4 || n === 8) return undefined;
    groups[n++] = value;
    i = j;
    if (i === end) break;
    if (text.charCodeAt(i) !== 58) return undefined;
    i++;
    if (text.charCodeAt(i) === 58) {
      if (gap >= 0) return undefined; // a second "::"
      gap = n;
      i++;
    } else if (i === end) return undefined; // a trailing single colon
  }
  if (gap < 0) {
    if (n !== 8) return undefined;
  } else {
    if (n > 7) return undefined; // "::" must stand for at least one group
    const moved = n - gap;
    for (let k = 1; k <= moved; k++) {
      groups[8 - k] = groups[n - k];
      groups[n - k] = 0;
    }
  }
  return [
    ((groups[0] << 16) | groups[1]) >>> 0,
    ((groups[2] << 16) | groups[3]) >>> 0,
    ((groups[4] << 16) | groups[5]) >>> 0,
    ((groups[6] << 16) | groups[7]) >>> 0,
  ];
}

const isMappedV4 = (w: number[]): boolean => w[0] === 0 && w[1] === 0 && w[2] === 0xffff;

/** Parse an IPv4 or IPv6 address (IPv4-mapped IPv6 becomes IPv4); undefined for anything else. */
export function parseIp(text: string): IpAddress | undefined {
  const t = text.trim();
  if (t.includes(':')) {
    const words = parseIpv6(t);
    if (!words) return undefined;
    return isMappedV4(words) ? { family: 4, words: [words[3]] } : { family: 6, words };
  }
  const v4 = parseIpv4(t);
  return v4 === undefined ? undefined : { family: 4, words: [v4] };
}

/** The first `bits` bits of a family's address set (the rest clear) as words. */
function prefixMask(width: Width, bits: number): number[] {
  const mask: number[] = [];
  for (let k = 0; k < width; k++) {
    const b = Math.max(0, Math.min(32, bits - 32 * k));
    mask.push(b === 0 ? 0 : b === 32 ? 0xffffffff : (0xffffffff << (32 - b)) >>> 0);
  }
  return mask;
}

/**
 * An address (`1.2.3.4`, `2001:db8::1`) or CIDR block (`1.2.3.0/24`, `2001:db8::/32`) as a range.
 * Host bits set below the prefix (`1.2.3.4/24`) are cleared, as routers do; undefined for anything else.
 */
export function parseCidr(text: string): IpRange | undefined {
  const slash = text.indexOf('/');
  if (!text.includes(':')) {
    // IPv4, the bulk of every list: numbers only, no intermediate arrays.
    const v4 = parseIpv4(slash >= 0 ? text.slice(0, slash) : text);
    if (v4 === undefined) return undefined;
    let bits = 32;
    if (slash >= 0) {
      const p = text.slice(slash + 1).trim();
      if (!/^\d{1,2}$/.test(p) || Number(p) > 32) return undefined;
      bits = Number(p);
    }
    const hostMask = bits === 0 ? 0xffffffff : bits === 32 ? 0 : 0xffffffff >>> bits;
    const start = (v4 & ~hostMask) >>> 0;
    return { family: 4, start: [start], end: [(start | hostMask) >>> 0] };
  }
  const addr = parseIp(slash >= 0 ? text.slice(0, slash) : text);
  if (!addr) return undefined;
  const fullBits = addr.family === 4 ? 32 : 128;
  let bits = fullBits;
  if (slash >= 0) {
    const p = text.slice(slash + 1).trim();
    if (!/^\d{1,3}$/.test(p)) return undefined;
    bits = Number(p);
    // A mapped address was read as IPv4, so its IPv6 prefix length counts from bit 96.
    const mapped = addr.family === 4 && text.includes(':');
    if (mapped) {
      if (bits < 96 || bits > 128) return undefined;
      bits -= 96;
    }
    if (bits > fullBits) return undefined;
  }
  const mask = prefixMask(widthOf(addr.family), bits);
  const start = addr.words.map((w, k) => (w & mask[k]) >>> 0);
  const end = start.map((w, k) => (w | ~mask[k]) >>> 0);
  return { family: addr.family, start, end };
}

/** -1, 0 or 1 comparing `width` words of `a` at `ai` with those of `b` at `bi` (typed arrays or plain arrays). */
export function compareWords(a: ArrayLike<number>, ai: number, b: ArrayLike<number>, bi: number, width: number): number {
  for (let k = 0; k < width; k++) {
    const x = a[ai + k];
    const y = b[bi + k];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** The next address, or undefined after the family's last address. */
export function nextAddress(words: number[]): number[] | undefined {
  const out = words.slice();
  for (let k = out.length - 1; k >= 0; k--) {
    if (out[k] !== 0xffffffff) {
      out[k] = out[k] + 1;
      return out;
    }
    out[k] = 0;
  }
  return undefined;
}

/** The previous address, or undefined before the family's first address. */
export function previousAddress(words: number[]): number[] | undefined {
  const out = words.slice();
  for (let k = out.length - 1; k >= 0; k--) {
    if (out[k] !== 0) {
      out[k] = out[k] - 1;
      return out;
    }
    out[k] = 0xffffffff;
  }
  return undefined;
}

/** Text form of an address: dotted quad, or IPv6 as eight uncompressed hex groups (for messages and tests). */
export function formatIp(addr: IpAddress): string {
  if (addr.family === 4) {
    const v = addr.words[0];
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  }
  return addr.words.map((w) => `${(w >>> 16).toString(16)}:${(w & 0xffff).toString(16)}`).join(':');
}
