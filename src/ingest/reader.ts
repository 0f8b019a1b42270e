/**
 * @module ingest/reader
 * From sources to normalised events. Each source is sniffed once (JSON lines, a JSON document, CSV, or text such as
 * syslog), every record is routed to its format (auto-detected per record unless forced), and every record that
 * cannot be read is quarantined with file, line and reason while the rest goes on. Memory stays bounded whatever
 * the input: text is handled chunk by chunk, a line or record over the limit is skipped, not held.
 * Events come out in batches (one per chunk of input), to keep per-record overhead low on large inputs.
 */
import { StringDecoder } from 'node:string_decoder';
import { printableEnds } from '../formats/common.js';
import { FormatDetector, jsonFormat, TEXT_FORMATS, textFormat } from '../formats/index.js';
import { RecordError, type FormatName, type JsonFormat, type LineParser, type NormalizeContext } from '../formats/types.js';
import type { AuthEvent } from '../ocsf/authentication.js';
import type { FlatSignIn } from '../ocsf/flat-sign-in.js';
import { CsvRows } from './csv.js';
import { JsonDocumentSplitter, WRAPPER_KEYS, type DocPiece } from './json-document.js';
import { isLongLine, LineSplitter, type Line, type LongLine } from './lines.js';
import type { Quarantine } from './quarantine.js';
import { isBinary, sniffMode, withoutRecordSeparator, type Mode } from './sniff.js';
import { CorruptDataError, openBytes, type Source } from './sources.js';

export interface ReadOptions {
  format?: FormatName;
  tenant?: string;
  year?: number;
  /** Longest line accepted, in bytes, and longest record of a JSON document, in characters (default 1 MiB). */
  maxLineBytes?: number;
  /** Keep the raw record text on each event (`raw_data`). */
  keepRaw?: boolean;
  /** What `-` reads (default: the process's standard input). */
  stdin?: NodeJS.ReadableStream;
}

/**
 * Counts for the run summary. Every record read is counted once in `records` and ends up as events, as `skipped`
 * (the vendor's, but not a sign-in attempt) or as `quarantined` (unreadable: invalid JSON, binary noise, an
 * over-long line, a record no format knows or can normalise).
 */
export interface ReadStats {
  files: number;
  /** Bytes read, after decompression. */
  bytes: number;
  records: number;
  events: number;
  skipped: number;
  quarantined: number;
}

export function newStats(): ReadStats {
  return { files: 0, bytes: 0, records: 0, events: 0, skipped: 0, quarantined: 0 };
}

/** Lines (and bytes) looked at before deciding how to read an input. */
const SNIFF_LINES = 50;
const SNIFF_BYTES = 1 << 20;
/** Arrays are opened up to this depth (a line of arrays of wrappers), no deeper. */
const MAX_NESTING = 2;

/** The first `n` lines of a text, and whether the last of them is cut short. */
function firstLines(text: string, n: number, atEnd: boolean): { lines: string[]; lastIsPartial: boolean } {
  const lines: string[] = [];
  let start = 0;
  while (lines.length < n) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) {
      if (start < text.length) {
        lines.push(text.slice(start));
        return { lines, lastIsPartial: !atEnd };
      }
      break;
    }
    lines.push(text.slice(start, nl));
    start = nl + 1;
  }
  return { lines, lastIsPartial: false };
}

/** The reading mode, and the first line with its value when the sniff parsed it (to be taken, not parsed again). */
function sniffHead(head: Buffer[], atEnd: boolean, format: FormatName | undefined, maxLineBytes: number): { mode: Mode; parsed?: { text: string; value: unknown } } {
  const text = (head.length === 1 ? head[0] : Buffer.concat(head)).toString('utf8', 0, SNIFF_BYTES);
  let parsed: { text: string; value: unknown } | undefined;
  const mode = sniffMode({ ...firstLines(text, SNIFF_LINES, atEnd), format, maxLineBytes, onParsed: (t, value) => (parsed = { text: t, value }) });
  return { mode, parsed }; // set only when the first line decided for JSON lines
}

/** JSON text of a parsed value (for excerpts and raw_data of records that came inside another). */
function textOf(v: unknown): string | undefined {
  try {
    return JSON.stringify(v);
  } catch {
    return undefined; // nested too deep to print
  }
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array nested in an array';
  return `a ${typeof v}`;
}

/** Bytes of a source, chunk by chunk; corrupt compressed data ends it early and is handed to `onCorrupt`. */
async function* byteChunks(src: Source, stdin: NodeJS.ReadableStream | undefined, stats: ReadStats, onCorrupt: (e: CorruptDataError) => void): AsyncGenerator<Buffer> {
  try {
    for await (const buf of openBytes(src, stdin)) {
      stats.bytes += buf.length;
      if (buf.length) yield buf;
    }
  } catch (e) {
    if (!(e instanceof CorruptDataError)) throw e;
    onCorrupt(e);
  }
}

/** Reads one source to events. */
export function readSource(src: Source, opts: ReadOptions, q: Quarantine, stats: ReadStats): AsyncGenerator<AuthEvent[]> {
  return read(src, opts, q, stats, false) as AsyncGenerator<AuthEvent[]>;
}

/**
 * Reads one source for detection only: a format may then give a record as a flat sign-in with just the fields
 * detection reads, straight from the line (see `JsonFormat.detectionSignIn`), instead of parsing and normalising it.
 */
export function readForDetection(src: Source, opts: ReadOptions, q: Quarantine, stats: ReadStats): AsyncGenerator<(AuthEvent | FlatSignIn)[]> {
  return read(src, opts, q, stats, true);
}

type Read = AuthEvent | FlatSignIn;

async function* read(src: Source, opts: ReadOptions, q: Quarantine, stats: ReadStats, forDetection: boolean): AsyncGenerator<Read[]> {
  const maxLine = opts.maxLineBytes ?? 1 << 20;
  const file = src.name;
  const ctx: NormalizeContext = { tenant: opts.tenant, file, line: 0, year: opts.year, fileTime: src.mtime };
  const detector = new FormatDetector();
  const forcedJson = opts.format ? jsonFormat(opts.format) : undefined;
  const keepRaw = !!opts.keepRaw;
  stats.files++;

  const bad = (line: number, reason: string, excerpt?: string) => {
    stats.records++;
    stats.quarantined++;
    // One line per reason, whatever a parser's message quotes.
    q.add({ file, line, reason: /[\r\n]/.test(reason) ? reason.replace(/\r?\n|\r/g, '\\n') : reason, excerpt });
  };

  /** One record (a parsed object) through its format. `text` is its source text when there is one of its own. */
  const normalizeRecord = (rec: Record<string, any>, fmt: JsonFormat, text: string | undefined, line: number, out: Read[]): void => {
    ctx.line = line;
    let evs: AuthEvent[];
    try {
      evs = fmt.normalize(rec, ctx);
    } catch (err) {
      bad(line, err instanceof RecordError ? err.message : `cannot normalise: ${(err as Error)?.message ?? String(err)}`, text ?? textOf(rec));
      return;
    }
    stats.records++;
    if (evs.length === 0) {
      stats.skipped++;
      return;
    }
    const raw = keepRaw ? (text ?? textOf(rec)) : undefined;
    for (const e of evs) {
      e.unmapped.format = fmt.name;
      e.unmapped.source = { file, line };
      if (raw !== undefined) e.raw_data = raw;
      out.push(e);
    }
  };

  /** A parsed JSON value: arrays and wrappers opened, objects routed to their format. */
  const handleValue = (value: unknown, text: string | undefined, line: number, out: Read[], nesting: number): void => {
    if (typeof value !== 'object' || value === null || (Array.isArray(value) && nesting >= MAX_NESTING)) {
      bad(line, `not a JSON object: ${describeValue(value)}`, text ?? textOf(value));
      return;
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) handleValue(value[i], undefined, line, out, nesting + 1);
      return;
    }
    const rec = value as Record<string, any>;
    let fmt = forcedJson ? (forcedJson.matches(rec) ? forcedJson : undefined) : detector.detect(rec);
    if (!fmt) {
      // Not a record of any format: perhaps a wrapper (a Graph page, an Azure Monitor blob, a CloudTrail file).
      if (nesting < MAX_NESTING) {
        for (const k of WRAPPER_KEYS) {
          const inner = rec[k];
          if (Array.isArray(inner)) {
            for (let i = 0; i < inner.length; i++) handleValue(inner[i], undefined, line, out, nesting + 1);
            return;
          }
        }
      }
      fmt = forcedJson;
      if (!fmt) {
        bad(line, 'unknown record shape: not a sign-in record of any supported format', text ?? textOf(rec));
        return;
      }
    }
    normalizeRecord(rec, fmt, text, line, out);
  };

  // Sniff: look at the first lines, then read everything (those lines included) the chosen way.
  let corrupt: CorruptDataError | undefined;
  const chunks = byteChunks(src, opts.stdin, stats, (e) => (corrupt = e))[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headBytes = 0;
  let headLines = 0;
  let atEnd = false;
  while (headLines < SNIFF_LINES && headBytes < SNIFF_BYTES) {
    const r = await chunks.next();
    if (r.done) {
      atEnd = true;
      break;
    }
    head.push(Buffer.from(r.value)); // kept while more is read (into the same buffer, see openBytes)
    headBytes += r.value.length;
    for (let i = r.value.indexOf(10); i >= 0 && headLines < SNIFF_LINES; i = r.value.indexOf(10, i + 1)) headLines++;
  }
  const sniffed = sniffHead(head, atEnd && headBytes <= SNIFF_BYTES, opts.format, maxLine);
  const mode = sniffed.mode;

  let lastLine = 0;
  let feed: (chunk: Buffer, out: Read[]) => void;
  let finish: (out: Read[]) => void;

  if (mode === 'document') {
    const doc = new JsonDocumentSplitter({
      maxRecordChars: maxLine,
      isRecord: (partial) => (forcedJson ? forcedJson.matches(partial) : detector.detect(partial) !== undefined),
    });
    const piece = (p: DocPiece, out: Read[]) => {
      if (p.error !== undefined) {
        bad(p.line, p.error, p.excerpt);
        return;
      }
      let value: unknown;
      try {
        value = JSON.parse(p.text!);
      } catch (e) {
        bad(p.line, isBinary(p.text!) ? 'binary data, not a JSON record' : `invalid JSON: ${(e as Error).message}`, p.text);
        return;
      }
      handleValue(value, p.text, p.line, out, 0);
    };
    const decoder = new StringDecoder('utf8');
    feed = (chunk, out) => {
      for (const p of doc.push(decoder.write(chunk))) piece(p, out);
    };
    finish = (out) => {
      for (const p of doc.push(decoder.end())) piece(p, out);
      for (const p of doc.end()) piece(p, out);
      lastLine = doc.lastLine;
    };
  } else {
    const lines = new LineSplitter(maxLine);
    const csv = mode === 'csv' ? new CsvRows() : undefined;
    let textParser: LineParser | undefined;
    let textName: FormatName = 'sshd';

    const fastWay = forDetection && !keepRaw;
    /** The first line as the sniff parsed it: its value is taken once, by that line (compared whole, so exact). */
    let parsedFirst = sniffed.parsed;
    const jsonLine = (l: Line, out: Read[]) => {
      const t = printableEnds(l.text) ? l.text : withoutRecordSeparator(l.text.trim());
      if (t === '') return;
      const first = parsedFirst;
      parsedFirst = undefined;
      if (fastWay) {
        const fmt = forcedJson ?? detector.current;
        if (fmt?.detectionSignIn) {
          ctx.line = l.line;
          const e = fmt.detectionSignIn(t, ctx);
          if (e) {
            stats.records++;
            out.push(e);
            return;
          }
        }
      }
      let value: unknown;
      if (first !== undefined && first.text === t) value = first.value;
      else {
        try {
          value = JSON.parse(t);
        } catch (e) {
          bad(l.line, isBinary(t) ? 'binary data, not a JSON record' : `invalid JSON: ${(e as Error).message}`, t);
          return;
        }
      }
      handleValue(value, t, l.line, out, 0);
    };

    const csvLine = (l: Line, out: Read[]) => {
      const r = csv!.push(l.text, l.line);
      if (!r) return;
      if ('error' in r) bad(r.line, r.error, r.text ?? l.text);
      else handleValue(r.row, r.text, r.line, out, MAX_NESTING);
    };

    const textLine = (l: Line, out: Read[]) => {
      const text = l.text;
      if (text.trim() === '') return;
      if (isBinary(text)) {
        bad(l.line, 'binary data, not a log line', text);
        return;
      }
      if (!textParser) {
        const tf = opts.format ? textFormat(opts.format) : TEXT_FORMATS.find((f) => f.sniff(text));
        if (!tf) {
          stats.records++;
          stats.skipped++; // plain text that is not a sign-in line: skipped and counted
          return;
        }
        textParser = tf.createParser();
        textName = tf.name;
      }
      ctx.line = l.line;
      try {
        const evs = textParser.line(text, ctx);
        stats.records++;
        if (evs.length === 0) stats.skipped++;
        for (const e of evs) pushTextEvent(e, l.line, text, out);
      } catch (err) {
        bad(l.line, err instanceof RecordError ? err.message : `cannot parse: ${(err as Error)?.message ?? String(err)}`, text);
      }
    };

    const pushTextEvent = (e: AuthEvent, line: number, text: string | undefined, out: Read[]) => {
      e.unmapped.format ??= textName;
      e.unmapped.source ??= { file, line };
      if (keepRaw && text !== undefined) e.raw_data ??= text;
      out.push(e);
    };

    const onLine = mode === 'jsonl' ? jsonLine : mode === 'csv' ? csvLine : textLine;
    const each = (batch: (Line | LongLine)[], out: Read[]) => {
      for (let i = 0; i < batch.length; i++) {
        const l = batch[i];
        if (isLongLine(l)) bad(l.line, `line too long: ${l.tooLong} bytes, limit ${maxLine}`, l.head);
        else onLine(l, out);
      }
    };
    feed = (chunk, out) => each(lines.push(chunk), out);
    finish = (out) => {
      each(lines.end(), out);
      lastLine = lines.lastLine;
      const e = csv?.end();
      if (e) bad(e.line, e.error);
      if (textParser) {
        ctx.line = lastLine;
        try {
          for (const ev of textParser.end(ctx)) pushTextEvent(ev, lastLine, undefined, out);
        } catch (err) {
          bad(lastLine, err instanceof RecordError ? err.message : `cannot parse: ${(err as Error)?.message ?? String(err)}`);
        }
      }
    };
  }

  for (let i = 0; i < head.length; i++) {
    const out: Read[] = [];
    feed(head[i], out);
    if (out.length) {
      stats.events += out.length;
      yield out;
    }
  }
  head.length = 0;
  while (!atEnd) {
    const r = await chunks.next();
    if (r.done) break;
    const out: Read[] = [];
    feed(r.value, out);
    if (out.length) {
      stats.events += out.length;
      yield out;
    }
  }
  const out: Read[] = [];
  finish(out);
  if (corrupt) bad(Math.max(lastLine, 1), (corrupt as CorruptDataError).message);
  if (out.length) {
    stats.events += out.length;
    yield out;
  }
}

/** Reads all sources in order. */
export async function* readSources(sources: Source[], opts: ReadOptions, q: Quarantine, stats: ReadStats): AsyncGenerator<AuthEvent[]> {
  for (const src of sources) yield* readSource(src, opts, q, stats);
}
