/**
 * @module ingest/reader
 * From sources to normalised events. Each source is sniffed once (JSON lines, a multi-line JSON document, CSV, or
 * text such as syslog), every record is routed to its format (auto-detected per record unless forced), and every
 * record that cannot be read is quarantined with file, line and reason while the rest goes on.
 * Events come out in batches, to keep per-record overhead low on large inputs.
 */
import { FormatDetector, jsonFormat, TEXT_FORMATS, textFormat } from '../formats/index.js';
import { RecordError, type FormatName, type LineParser, type NormalizeContext } from '../formats/types.js';
import type { AuthEvent } from '../ocsf/authentication.js';
import { CsvRows, looksLikeCsvHeader } from './csv.js';
import { JsonDocumentSplitter } from './json-document.js';
import { splitLines, type Line, type LongLine } from './lines.js';
import type { Quarantine } from './quarantine.js';
import { openBytes, type Source } from './sources.js';

export interface ReadOptions {
  format?: FormatName;
  tenant?: string;
  year?: number;
  /** Longest line accepted, in bytes (default 1 MiB). */
  maxLineBytes?: number;
  /** Keep the raw record text on each event (`raw_data`). */
  keepRaw?: boolean;
}

export interface ReadStats {
  files: number;
  bytes: number;
  records: number;
  events: number;
  skipped: number;
  quarantined: number;
}

export function newStats(): ReadStats {
  return { files: 0, bytes: 0, records: 0, events: 0, skipped: 0, quarantined: 0 };
}

const WRAPPER_KEYS = ['value', 'records', 'Records', 'events', 'items'];
const SNIFF_LINES = 50;

type Mode = 'jsonl' | 'document' | 'csv' | 'text';

function sniff(lines: Line[], forced?: FormatName): Mode {
  if (forced === 'sshd') return 'text';
  const nonBlank = lines.filter((l) => l.text.trim() !== '');
  if (nonBlank.length === 0) return 'jsonl';
  const first = nonBlank[0].text.trim();
  const parses = (t: string) => {
    const s = t.trim();
    if (s[0] !== '{' && s[0] !== '[') return false;
    try {
      JSON.parse(s);
      return true;
    } catch {
      return false;
    }
  };
  if (parses(first)) return 'jsonl';
  const jsonish = nonBlank.filter((l) => parses(l.text)).length;
  if (jsonish * 2 > nonBlank.length) return 'jsonl';
  if (first[0] === '{' || first[0] === '[') {
    // A JSON-lines file whose first lines are broken still has lines that start like records.
    const starts = nonBlank.filter((l) => l.text.trimStart().startsWith('{"')).length;
    if (starts * 2 > nonBlank.length && nonBlank.length > 2 && jsonish > 0) return 'jsonl';
    return 'document';
  }
  if (looksLikeCsvHeader(first)) return 'csv';
  return 'text';
}

function isBinary(text: string): boolean {
  return /[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text);
}

/** Reads one source to events. */
export async function* readSource(src: Source, opts: ReadOptions, q: Quarantine, stats: ReadStats): AsyncGenerator<AuthEvent[]> {
  const maxLine = opts.maxLineBytes ?? 1 << 20;
  const ctx: NormalizeContext = { tenant: opts.tenant, file: src.name, line: 0, year: opts.year, fileTime: src.mtime };
  const detector = new FormatDetector();
  const forcedJson = opts.format ? jsonFormat(opts.format) : undefined;
  stats.files++;

  const bad = (line: number, reason: string, excerpt?: string) => {
    stats.quarantined++;
    q.add({ file: src.name, line, reason, excerpt });
  };

  /** A parsed JSON value: expand arrays and wrappers, route records to formats. */
  const handleValue = (value: unknown, text: string, line: number, out: AuthEvent[], depth = 0): void => {
    if (Array.isArray(value)) {
      for (const v of value) handleValue(v, text, line, out, depth + 1);
      return;
    }
    if (!value || typeof value !== 'object') {
      bad(line, 'not a JSON object', text);
      return;
    }
    const rec = value as Record<string, any>;
    if (depth < 2) {
      for (const k of WRAPPER_KEYS) {
        if (Array.isArray(rec[k]) && !detectorMatches(rec)) {
          for (const v of rec[k]) handleValue(v, JSON.stringify(v), line, out, depth + 1);
          return;
        }
      }
    }
    stats.records++;
    const fmt = forcedJson ?? detector.detect(rec);
    if (!fmt) {
      bad(line, 'unknown record shape: not a sign-in record of any supported format', text);
      return;
    }
    ctx.line = line;
    try {
      const evs = fmt.normalize(rec, ctx);
      if (evs.length === 0) stats.skipped++;
      for (const e of evs) {
        e.unmapped.format = fmt.name;
        e.unmapped.source = { file: src.name, line };
        if (opts.keepRaw) e.raw_data = text;
        out.push(e);
      }
    } catch (err) {
      if (err instanceof RecordError) bad(line, err.message, text);
      else bad(line, `cannot normalise: ${(err as Error).message}`, text);
    }
  };
  const detectorMatches = (rec: Record<string, unknown>) => (forcedJson ? forcedJson.matches(rec) : new FormatDetector().detect(rec) !== undefined);

  let mode: Mode | undefined;
  const head: Line[] = [];
  let doc: JsonDocumentSplitter | undefined;
  let csv: CsvRows | undefined;
  let textParser: LineParser | undefined;
  let textName: FormatName = 'sshd';
  let lastLine = 0;

  const processLine = (l: Line | LongLine, out: AuthEvent[]) => {
    lastLine = l.line;
    if ('tooLong' in l) {
      bad(l.line, `line longer than ${maxLine} bytes (${l.tooLong} bytes)`);
      return;
    }
    const text = l.text;
    stats.bytes += text.length + 1;
    switch (mode) {
      case 'jsonl': {
        const t = text.trim();
        if (t === '') return;
        let value: unknown;
        try {
          value = JSON.parse(t);
        } catch (e) {
          bad(l.line, isBinary(t) ? 'binary data, not a JSON record' : `invalid JSON: ${(e as Error).message}`, t);
          return;
        }
        handleValue(value, t, l.line, out);
        return;
      }
      case 'document': {
        for (const piece of doc!.push(text, l.line)) {
          if (piece.error) {
            bad(piece.line, piece.error);
            continue;
          }
          let value: unknown;
          try {
            value = JSON.parse(piece.text!);
          } catch (e) {
            bad(piece.line, `invalid JSON: ${(e as Error).message}`, piece.text);
            continue;
          }
          handleValue(value, piece.text!, piece.line, out);
        }
        return;
      }
      case 'csv': {
        const r = csv!.push(text, l.line);
        if (!r) return;
        if ('error' in r) bad(r.line, r.error, text);
        else handleValue(r.row, text, r.line, out);
        return;
      }
      case 'text': {
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
          for (const e of textParser.line(text, ctx)) {
            e.unmapped.format ??= textName;
            e.unmapped.source ??= { file: src.name, line: l.line };
            if (opts.keepRaw) e.raw_data ??= text;
            out.push(e);
          }
        } catch (err) {
          bad(l.line, err instanceof RecordError ? err.message : `cannot parse: ${(err as Error).message}`, text);
        }
        return;
      }
    }
  };

  const decide = () => {
    mode = sniff(head, opts.format);
    if (mode === 'document') doc = new JsonDocumentSplitter(maxLine * 16);
    if (mode === 'csv') csv = new CsvRows();
  };

  for await (const batch of splitLines(openBytes(src), maxLine)) {
    const out: AuthEvent[] = [];
    for (const l of batch) {
      if (mode === undefined) {
        if ('tooLong' in l) {
          lastLine = l.line;
          bad(l.line, `line longer than ${maxLine} bytes (${l.tooLong} bytes)`);
          continue;
        }
        head.push(l);
        if (head.length < SNIFF_LINES) continue;
        decide();
        for (const h of head.splice(0)) processLine(h, out);
        continue;
      }
      processLine(l, out);
    }
    if (out.length) {
      stats.events += out.length;
      yield out;
    }
  }
  const out: AuthEvent[] = [];
  if (mode === undefined) {
    decide();
    for (const h of head.splice(0)) processLine(h, out);
  }
  if (doc) for (const piece of doc.end(lastLine)) bad(piece.line, piece.error ?? 'truncated JSON');
  if (csv) {
    const e = csv.end();
    if (e) bad(e.line, e.error);
  }
  if (textParser) {
    ctx.line = lastLine;
    for (const e of textParser.end(ctx)) out.push(e);
  }
  if (out.length) {
    stats.events += out.length;
    yield out;
  }
}

/** Reads all sources in order. */
export async function* readSources(sources: Source[], opts: ReadOptions, q: Quarantine, stats: ReadStats): AsyncGenerator<AuthEvent[]> {
  for (const src of sources) yield* readSource(src, opts, q, stats);
}
