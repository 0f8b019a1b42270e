/**
 * @module formats/common
 * Small helpers every format needs: lenient time parsing with a clear error, safe field access, IP cleanup.
 */
import { isIP } from 'node:net';
import { parseIpv4 } from '../enrich/ip-address.js';
import { RecordError } from './types.js';

const MIN_TIME = Date.UTC(1990, 0, 1);
const MAX_TIME = Date.UTC(2100, 0, 1);

/**
 * Epoch ms from the time shapes vendors use: ISO 8601 with or without zone (no zone means UTC),
 * "YYYY-MM-DD hh:mm:ss[.fraction]" with up to nanoseconds, epoch seconds or milliseconds (number or digits).
 * Throws RecordError("invalid time ...") otherwise, so the record is quarantined rather than mis-timed.
 */
export function parseTime(value: unknown, field = 'time'): number {
  if (typeof value === 'string') {
    const quick = sameMinute(value);
    if (quick >= 0) return quick;
  }
  let ms = NaN;
  if (typeof value === 'number') {
    ms = value < 1e11 ? value * 1000 : value;
  } else if (typeof value === 'string') {
    const s = value.trim();
    if (/^\d{9,13}(\.\d+)?$/.test(s)) {
      const n = Number(s);
      ms = n < 1e11 ? n * 1000 : n;
    } else {
      const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}:?\d{2}| ?UTC)?$/i.exec(s);
      if (m) {
        const frac = m[7] ? Number(('0.' + m[7]).slice(0, 5)) * 1000 : 0;
        ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], m[6] ? +m[6] : 0) + Math.round(frac);
        const zone = m[8];
        if (zone && /^[+-]/.test(zone)) {
          const z = zone.replace(':', '');
          const off = (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5))) * 60000;
          ms += z[0] === '+' ? -off : off;
        }
        // Reject impossible calendar values such as month 13 that Date.UTC would roll over.
        if (+m[2] < 1 || +m[2] > 12 || +m[3] < 1 || +m[3] > 31 || +m[4] > 23 || +m[5] > 59) ms = NaN;
        else if (+m[3] > daysInMonth(+m[1], +m[2])) ms = NaN; // 30 February
        else if (zone === 'Z' && s === value && s[10] === 'T' && m[6]) {
          memoMinute = s.slice(0, 17);
          memoMinuteMs = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], 0);
        }
      } else if (s.length > 0 && s.length < 64 && /(Z|GMT|UTC|[+-]\d{2}:?\d{2})$/i.test(s)) {
        ms = Date.parse(s); // only with an explicit zone: a guess in the machine's zone would shift events
      }
    }
  }
  if (!Number.isFinite(ms) || ms < MIN_TIME || ms > MAX_TIME) {
    throw new RecordError(`invalid time in ${field}: ${JSON.stringify(value)?.slice(0, 60) ?? String(value)}`);
  }
  return Math.round(ms);
}

/**
 * The last minute read in the usual 'YYYY-MM-DDThh:mm:ss[.fraction]Z' form ('YYYY-MM-DDThh:mm:', and its epoch ms):
 * logs hold many events a minute, and a time of a minute already read is that minute plus its seconds.
 */
let memoMinute = '';
let memoMinuteMs = 0;

/** The time of a string in the usual form within the last minute read, as the full parse gives it, or -1. */
function sameMinute(v: string): number {
  const n = v.length;
  if (n < 20 || v.charCodeAt(n - 1) !== 90 /* Z */ || !v.startsWith(memoMinute) || memoMinute === '') return -1;
  const s1 = v.charCodeAt(17) - 48;
  const s2 = v.charCodeAt(18) - 48;
  if (s1 < 0 || s1 > 9 || s2 < 0 || s2 > 9) return -1;
  let ms = memoMinuteMs + (s1 * 10 + s2) * 1000;
  if (n > 20) {
    // A fraction: '.' or ',' then digits up to the Z, read as the full parse reads it.
    const sep = v.charCodeAt(19);
    if (sep !== 46 && sep !== 44) return -1;
    for (let i = 20; i < n - 1; i++) {
      const c = v.charCodeAt(i);
      if (c < 48 || c > 57) return -1;
    }
    if (n === 21) return -1;
    ms += Math.round(Number(('0.' + v.slice(20, n - 1)).slice(0, 5)) * 1000);
  }
  return ms < MIN_TIME || ms > MAX_TIME ? -1 : Math.round(ms);
}

/** Exact powers of ten as doubles (10^0 to 10^15), read from their text (Math.pow need not give them exactly). */
const TENS = Array.from({ length: 16 }, (_, i) => Number(`1e${i}`));

/**
 * A JSON number's text (as the grammar allows it) as its value, the same as `Number(raw)`. A plain integer or decimal
 * of at most 15 digits (all a sign-in's numbers: error codes, coordinates, AS numbers) is read here: its digits are
 * an exact integer, and dividing it by an exact power of ten rounds once, to the double nearest the decimal, which is
 * what Number() gives. Anything else (an exponent, more digits) goes to Number(), whose conversion from a string was
 * 3% of the reading thread's time in a 1M-event Entra run (perf samples): it first checks whether the text is an
 * array index, hashing it.
 */
export function jsonNumber(raw: string): number {
  const n = raw.length;
  const start = raw.charCodeAt(0) === 45 ? 1 : 0;
  let v = 0;
  let point = -1;
  for (let i = start; i < n; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 48 && c <= 57) v = v * 10 + (c - 48);
    else if (c === 46 && point < 0) point = i;
    else return Number(raw);
  }
  const digits = n - start - (point < 0 ? 0 : 1);
  if (digits === 0 || digits > 15 || point === start || point === n - 1) return Number(raw);
  const x = point < 0 ? v : v / TENS[n - 1 - point];
  return start ? -x : x;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in a month (1-12) of a year (years below 100 are 1900 + year, as Date.UTC reads them; one Date per time cost more). */
function daysInMonth(year: number, month: number): number {
  const y = year < 100 ? 1900 + year : year;
  return month === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : MONTH_DAYS[month - 1];
}

/**
 * Whether the text begins and ends with a printable ASCII character, as most field values and JSON lines do: then
 * trimming it changes nothing and is skipped (a few hundredths of a microsecond a field, a tenth a line).
 */
export function printableEnds(t: string): boolean {
  const a = t.charCodeAt(0);
  const z = t.charCodeAt(t.length - 1);
  return a > 32 && a < 127 && z > 32 && z < 127;
}

/** A non-empty trimmed string, or undefined. */
export function str(value: unknown): string | undefined {
  if (typeof value === 'string') {
    if (printableEnds(value)) return value;
    const t = value.trim();
    return t.length ? t : undefined;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A number from a number or numeric string, or undefined. */
export function num(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

/**
 * A clean IP address from vendor fields that may carry ports, brackets or IPv4-mapped IPv6
 * ("1.2.3.4:5678", "[2001:db8::1]:443", "::ffff:1.2.3.4"); undefined for non-addresses like "AWS Internal".
 */
export function cleanIp(value: unknown): string | undefined {
  const s = str(value);
  if (!s) return undefined;
  // Most logs write a plain IPv4 address: taken as it is, without the three expressions below (parseIpv4 accepts
  // exactly the texts isIP calls IPv4, which the full way would return unchanged).
  if (parseIpv4(s) !== undefined) return s;
  let ip = s;
  const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(ip);
  if (bracket) ip = bracket[1];
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(ip)) ip = ip.slice(0, ip.lastIndexOf(':'));
  if (ip.toLowerCase().startsWith('::ffff:') && isIP(ip.slice(7)) === 4) ip = ip.slice(7);
  return isIP(ip) ? ip.toLowerCase() : undefined;
}

/**
 * The text as a string of its own. V8 keeps a substring of 13 or more characters as a view into the string it was cut
 * from, so a value kept long (a cache key, a signal held for days) would keep its whole 1.4 KB log line alive. The
 * concatenation is flattened into a new string when sliced, and the slice views only that.
 */
export function detachedText(v: string): string {
  return v.length < 13 ? v : (v + ' ').slice(0, -1);
}

/** Case-insensitive lookup of the first present key. */
export function pick(rec: Record<string, any>, ...keys: string[]): any {
  for (const k of keys) if (rec[k] !== undefined && rec[k] !== null) return rec[k];
  return undefined;
}

/** The domain part of an e-mail style login, lower-cased. */
export function domainOf(login: string | undefined): string | undefined {
  if (!login) return undefined;
  const at = login.lastIndexOf('@');
  return at > 0 ? login.slice(at + 1).toLowerCase() : undefined;
}

/** Parse a JSON string field (Log Analytics exports nest objects as JSON text); returns undefined when not JSON. */
export function jsonField(value: unknown): any {
  if (typeof value !== 'string') return value;
  const t = value.trim();
  if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}
