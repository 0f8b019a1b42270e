/**
 * @module ingest/quarantine
 * Where unreadable records go: one JSON line each with file, line number, reason and a short excerpt, so an
 * operator can find and fix them. Counts by reason feed the run summary. The file is created only when needed.
 */
import { createWriteStream, type WriteStream } from 'node:fs';

export interface QuarantineEntry {
  file: string;
  line: number;
  reason: string;
  excerpt?: string;
}

const EXCERPT = 200;

/** A printable excerpt: control and invalid characters escaped, cut to a few hundred characters. */
export function excerptOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const cut = text.length > EXCERPT ? text.slice(0, EXCERPT) + '…' : text;
  return cut.replace(/[\u0000-\u0008\u000b-\u001f\u007f\ufffd]/g, (c) => (c === '\ufffd' ? '\\ufffd' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

export class Quarantine {
  readonly byReason = new Map<string, number>();
  count = 0;
  private out: WriteStream | undefined;

  constructor(readonly path: string | undefined) {}

  add(entry: QuarantineEntry): void {
    this.count++;
    const key = entry.reason.replace(/:.*$/, '');
    this.byReason.set(key, (this.byReason.get(key) ?? 0) + 1);
    if (!this.path) return;
    this.out ??= createWriteStream(this.path, { flags: 'w' });
    this.out.write(JSON.stringify({ ...entry, excerpt: excerptOf(entry.excerpt) }) + '\n');
  }

  async close(): Promise<void> {
    const out = this.out;
    if (!out) return;
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}
