/**
 * @module ingest/sniff
 * Decides once per input how to read it, from its first lines: JSON lines, a JSON document (an array, a wrapper
 * object, pretty-printed objects), CSV (Log Analytics exports) or text (syslog). The decision is made on a
 * majority, not on the first line alone, so one broken or binary line at the top does not derail a whole file.
 */
import { TEXT_FORMATS } from '../formats/index.js';
import type { FormatName } from '../formats/types.js';
import { looksLikeCsvHeader } from './csv.js';

export type Mode = 'jsonl' | 'document' | 'csv' | 'text';

/**
 * Control characters that never occur in text logs or JSON: the mark of binary noise. (Invalid UTF-8 alone is not:
 * a syslog line may carry a Latin-1 user name.)
 */
const BINARY = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

export function isBinary(text: string): boolean {
  return BINARY.test(text);
}

/** A record of a JSON text sequence (RFC 7464, `jq --seq`) starts with RS (\u001e): read it as a blank. */
export function withoutRecordSeparator(t: string): string {
  return t.charCodeAt(0) === 30 ? t.slice(1).trim() : t;
}

function parsesAsJson(s: string, onParsed?: (text: string, value: unknown) => void): boolean {
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(s.length - 1);
  if (!((first === 123 && last === 125) || (first === 91 && last === 93))) return false;
  let value: unknown;
  try {
    value = JSON.parse(s);
  } catch {
    return false;
  }
  onParsed?.(s, value);
  return true;
}

export interface SniffInput {
  /** The first lines of the input. */
  lines: string[];
  /** The last of them is cut short (the input goes on beyond what was looked at). */
  lastIsPartial: boolean;
  /** `--format`, when given. */
  format?: FormatName;
  /** The line limit: a longer line would be refused as a JSON line, but streams fine as a document. */
  maxLineBytes?: number;
  /**
   * Receives the first line and its value when it was parsed to decide: the reader takes the value rather than
   * parse the line again (a whole CloudTrail file of up to a megabyte can be that one line).
   */
  onParsed?: (text: string, value: unknown) => void;
}

export function sniffMode({ lines, lastIsPartial, format, maxLineBytes = Infinity, onParsed }: SniffInput): Mode {
  if (format && TEXT_FORMATS.some((f) => f.name === format)) return 'text';
  const nonBlank: string[] = [];
  let firstLong: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const t = withoutRecordSeparator(lines[i].trim());
    if (t === '') continue;
    if ((lastIsPartial && i === lines.length - 1) || t.length > maxLineBytes) {
      if (nonBlank.length === 0) firstLong ??= t;
      continue;
    }
    nonBlank.push(t);
  }
  // A first line too long to be a JSON line (or to be seen whole): JSON on a single line, such as a CloudTrail
  // file or a Graph page, is read as a document, which streams it record by record.
  if (firstLong !== undefined) {
    if (firstLong.startsWith('{') || firstLong.startsWith('[')) return 'document';
    if (nonBlank.length === 0) return format ? 'jsonl' : 'text';
  }
  if (nonBlank.length === 0) return 'jsonl';
  const first = nonBlank.find((l) => !isBinary(l)) ?? nonBlank[0];
  if (parsesAsJson(first, onParsed)) return 'jsonl';
  let parsing = 0;
  for (const l of nonBlank) if (parsesAsJson(l)) parsing++;
  // JSON lines with some broken ones (the first, even) still have mostly lines that parse on their own.
  if (parsing * 2 > nonBlank.length) return 'jsonl';
  if (first.startsWith('{') || first.startsWith('[')) return 'document';
  if (looksLikeCsvHeader(first)) return 'csv';
  // A JSON format was asked for: read lines as JSON, so that text that is not is reported rather than skipped.
  if (format) return 'jsonl';
  return 'text';
}
