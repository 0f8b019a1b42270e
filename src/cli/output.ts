/**
 * @module cli/output
 * Output helpers: a JSON-lines writer that respects back-pressure (file or stdout), a progress line on terminals,
 * and aligned summary tables.
 */
import { createWriteStream, type WriteStream } from 'node:fs';

export class JsonLinesWriter {
  private stream: NodeJS.WritableStream;
  private own: WriteStream | undefined;
  private buf: string[] = [];
  private size = 0;

  constructor(path: string | undefined) {
    if (path && path !== '-') {
      this.own = createWriteStream(path, { flags: 'w' });
      this.stream = this.own;
    } else this.stream = process.stdout;
  }

  async write(obj: unknown): Promise<void> {
    const s = JSON.stringify(obj) + '\n';
    this.buf.push(s);
    this.size += s.length;
    if (this.size > 1 << 16) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.buf.length) return;
    const data = this.buf.join('');
    this.buf = [];
    this.size = 0;
    if (!this.stream.write(data)) await new Promise<void>((r) => this.stream.once('drain', () => r()));
  }

  async close(): Promise<void> {
    await this.flush();
    const own = this.own;
    if (own) await new Promise<void>((resolve, reject) => own.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}

export class Progress {
  private last = 0;
  private readonly started = Date.now();
  private readonly on = !!process.stderr.isTTY && !process.env.CI;
  private shown = false;

  tick(text: (elapsedS: number) => string): void {
    if (!this.on) return;
    const now = Date.now();
    if (now - this.last < 250) return;
    this.last = now;
    this.shown = true;
    process.stderr.write('\r\x1b[K' + text((now - this.started) / 1000));
  }

  done(): void {
    if (this.shown) process.stderr.write('\r\x1b[K');
  }
}

export function table(rows: (string | number)[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, String(c).length)));
  return rows.map((r) => r.map((c, i) => (typeof c === 'number' ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join('  ').trimEnd()).join('\n');
}

export function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1 << 30) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  return `${(n / (1 << 30)).toFixed(2)} GiB`;
}
