/**
 * @module cli/output
 * Output helpers: a JSON-lines writer that respects back-pressure (file or stdout), a progress line on terminals,
 * and aligned summary tables.
 */
import { createWriteStream, openSync, type WriteStream } from 'node:fs';
import { describeFsError } from '../ingest/sources.js';
import { CliError } from './command.js';

/**
 * Writes objects as JSON lines to a file or standard output, in blocks of about 64 KiB. `write` returns a promise
 * only when it flushed and must wait for the stream to drain; callers that await only then keep per-record work
 * synchronous.
 *
 * It waits only once the stream holds more than `maxPendingBytes` not yet written (default 4 MiB), not whenever the
 * stream's own 16 KiB mark is passed: a detection run's finding lines can be 100 KB each (thousands of addresses),
 * and waiting for every one to reach the file kept the detection thread idle for 70-90 ms of a 1M-event run while
 * the writes went on in the background anyway. Memory stays bounded by that much.
 */
export class JsonLinesWriter {
  private stream: NodeJS.WritableStream & { writableLength?: number };
  private own: WriteStream | undefined;
  private buf: string[] = [];
  private size = 0;
  private failed: Error | undefined;

  constructor(
    path: string | undefined,
    private readonly maxPendingBytes = 4 << 20,
  ) {
    if (path && path !== '-') {
      let fd: number;
      try {
        fd = openSync(path, 'w'); // opened now, so that a bad path fails at once with a clear message
      } catch (e) {
        throw new CliError(`cannot write ${path}: ${describeFsError(e)}`);
      }
      this.own = createWriteStream(path, { fd });
      this.own.on('error', (e) => (this.failed ??= new CliError(`cannot write ${path}: ${describeFsError(e)}`)));
      this.stream = this.own;
    } else this.stream = process.stdout;
  }

  /** Writes one JSON line; `json` is the object's JSON text when the caller already has it. */
  write(obj: unknown, json?: string): Promise<void> | undefined {
    return this.writeText(json ?? JSON.stringify(obj));
  }

  /** Writes one line of JSON text made already. */
  writeText(json: string): Promise<void> | undefined {
    const s = json + '\n';
    this.buf.push(s);
    this.size += s.length;
    return this.size > 1 << 16 ? this.flush() : undefined;
  }

  /** Hands what is buffered to the stream; waits for it to drain only when it holds more than `maxPendingBytes`. */
  async flush(): Promise<void> {
    if (this.failed) throw this.failed;
    if (!this.buf.length) return;
    const data = this.buf.join('');
    this.buf = [];
    this.size = 0;
    if (this.stream.write(data) || (this.stream.writableLength ?? Infinity) <= this.maxPendingBytes) return;
    await this.drained();
  }

  /** Resolves when the stream has written what it holds (rejects on its error). */
  private drained(): Promise<void> {
    if (!this.stream.writableLength) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const done = (e?: Error) => {
        this.stream.off('drain', done);
        this.stream.off('error', done);
        if (e) reject(this.failed ?? e);
        else resolve();
      };
      this.stream.once('drain', done);
      this.stream.once('error', done);
    });
  }

  async close(): Promise<void> {
    await this.flush();
    const own = this.own;
    if (own) await new Promise<void>((resolve, reject) => own.end((err?: Error | null) => (err || this.failed ? reject(this.failed ?? err) : resolve())));
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
