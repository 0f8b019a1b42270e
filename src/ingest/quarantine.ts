/**
 * @module ingest/quarantine
 * Where unreadable records go: one JSON line each with file, line number, reason and a short excerpt, so an
 * operator can find and fix them. Counts by reason feed the run summary. The file is created only when needed.
 * Writes are synchronous and batched: a failure (a missing folder, a full disk) surfaces at once as a clear error
 * instead of an unhandled stream event, and a flood of bad records cannot pile up in memory.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { describeFsError } from './sources.js';

export interface QuarantineEntry {
  file: string;
  line: number;
  reason: string;
  excerpt?: string;
}

const EXCERPT = 200;
const FLUSH_CHARS = 1 << 16;

/** A printable excerpt: control and invalid characters escaped, cut to a few hundred characters. */
export function excerptOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const cut = text.length > EXCERPT ? text.slice(0, EXCERPT) + '…' : text;
  return cut.replace(/[\u0000-\u0008\u000b-\u001f\u007f\ufffd]/g, (c) => (c === '\ufffd' ? '\\ufffd' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

/** The part of a reason that names the kind of problem ("invalid JSON: Unexpected token" -> "invalid JSON"). */
export function reasonKind(reason: string): string {
  const colon = reason.indexOf(':');
  return colon < 0 ? reason : reason.slice(0, colon);
}

export class Quarantine {
  readonly byReason = new Map<string, number>();
  count = 0;
  private fd: number | undefined;
  private buf: string[] = [];
  private bufChars = 0;

  constructor(readonly path: string | undefined) {}

  add(entry: QuarantineEntry): void {
    this.count++;
    const key = reasonKind(entry.reason);
    this.byReason.set(key, (this.byReason.get(key) ?? 0) + 1);
    if (!this.path) return;
    const line = JSON.stringify({ file: entry.file, line: entry.line, reason: entry.reason, excerpt: excerptOf(entry.excerpt) }) + '\n';
    this.buf.push(line);
    this.bufChars += line.length;
    if (this.bufChars >= FLUSH_CHARS) this.flush();
  }

  /** Write what is buffered (creating the file on first use). */
  flush(): void {
    if (!this.path || !this.buf.length) return;
    const data = this.buf.join('');
    this.buf = [];
    this.bufChars = 0;
    try {
      this.fd ??= openSync(this.path, 'w');
      const bytes = Buffer.from(data, 'utf8');
      for (let off = 0; off < bytes.length; ) off += writeSync(this.fd, bytes, off);
    } catch (e) {
      throw new Error(`cannot write quarantine file ${this.path}: ${describeFsError(e)}`);
    }
  }

  async close(): Promise<void> {
    this.flush();
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }
}
