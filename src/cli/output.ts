/**
 * @module cli/output
 * Output helpers: a JSON-lines writer that respects back-pressure (file or stdout), a progress line on terminals,
 * and aligned summary tables.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { describeFsError } from '../ingest/sources.js';
import { CliError } from './command.js';

/**
 * Writes objects as JSON lines to a file or standard output, in blocks of about 64 KiB. `write` returns a promise
 * only when it flushed and must wait for the stream to drain; callers that await only then keep per-record work
 * synchronous.
 *
 * A file is written synchronously, each block encoded into one reused buffer: a detection run's finding lines can be
 * 100 KB each (thousands of addresses), and handing them to a file stream made a new buffer of each block (a third of
 * the pages freshly mapped for the detection thread's findings, at 12-15 µs a page on the machines measured) and
 * had the writes wait for the stream. Standard output (a pipe, a terminal) is a stream: the writer waits only once it
 * holds more than `maxPendingBytes` not yet written (default 4 MiB), so memory stays bounded by that much.
 */
export class JsonLinesWriter {
  private stream: NodeJS.WritableStream & { writableLength?: number };
  /** The file's descriptor, when writing to a file (synchronously), and the buffer its blocks are encoded into. */
  private fd: number | undefined;
  private bytes = Buffer.alloc(0);
  private readonly path: string | undefined;
  private buf: string[] = [];
  private size = 0;
  private failed: Error | undefined;

  constructor(
    path: string | undefined,
    private readonly maxPendingBytes = 4 << 20,
    stream: NodeJS.WritableStream = process.stdout,
  ) {
    if (path && path !== '-') {
      try {
        this.fd = openSync(path, 'w'); // opened now, so that a bad path fails at once with a clear message
      } catch (e) {
        throw new CliError(`cannot write ${path}: ${describeFsError(e)}`);
      }
      this.path = path;
    }
    this.stream = stream;
    // Standard output's errors are the process's (a closed pipe ends it, see cli/main.ts); another stream's are kept.
    if (this.fd === undefined && stream !== process.stdout) stream.on('error', (e: Error) => (this.failed ??= e));
  }

  /** Writes one JSON line; `json` is the object's JSON text when the caller already has it. */
  write(obj: unknown, json?: string): Promise<void> | undefined {
    return this.writeText(json ?? JSON.stringify(obj));
  }

  /** Writes one line of JSON text made already. */
  writeText(json: string): Promise<void> | undefined {
    this.buf.push(json, '\n');
    this.size += json.length + 1;
    return this.size > 1 << 16 ? this.flush() : undefined;
  }

  /** Hands what is buffered to the file or stream; waits for a stream to drain only when it holds more than `maxPendingBytes`. */
  flush(): Promise<void> | undefined {
    if (this.failed) return Promise.reject(this.failed);
    if (!this.buf.length) return undefined;
    const parts = this.buf;
    const size = this.size;
    this.buf = [];
    this.size = 0;
    if (this.fd !== undefined) {
      this.writeFile(parts, size);
      return undefined;
    }
    if (this.stream.write(parts.join('')) || (this.stream.writableLength ?? Infinity) <= this.maxPendingBytes) return undefined;
    return this.drained();
  }

  /** The parts' UTF-8 bytes, encoded one after the other into the reused buffer, written to the file. */
  private writeFile(parts: string[], chars: number): void {
    // A character is at most three bytes in UTF-8 (a surrogate pair, two characters, four).
    if (this.bytes.length < 3 * chars) this.bytes = Buffer.allocUnsafeSlow(Math.max(3 * chars, 2 * this.bytes.length));
    let n = 0;
    for (const p of parts) n += this.bytes.write(p, n);
    try {
      for (let at = 0; at < n; ) at += writeSync(this.fd!, this.bytes, at, n - at);
    } catch (e) {
      throw (this.failed = new CliError(`cannot write ${this.path}: ${describeFsError(e)}`));
    }
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
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      closeSync(fd);
    } catch (e) {
      throw new CliError(`cannot write ${this.path}: ${describeFsError(e)}`);
    }
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
