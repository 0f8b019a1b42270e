/**
 * @module simulate/writers/files
 * Output files: records are encoded straight into one 4 MiB buffer and written with synchronous writes (fast and
 * ordered); the vendor's framing; files created only when they get a record; and the modification time set to the
 * file's last event, so that year-less syslog stamps get the right year and listings look like the logs they imitate.
 */
import { closeSync, mkdirSync, openSync, utimesSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { DAY, isoDate } from '../clock.js';
import type { Org } from '../population.js';
import type { Rng } from '../rng.js';
import type { FileFrame, Sink } from './types.js';

const CHUNK = 1 << 22;
/** Room kept free at the start of a record: no record comes near it. */
const ROOM = 1 << 16;
/** The encoding buffer, shared: the world writes one file at a time (a file is closed before the next is opened). */
const buf = Buffer.allocUnsafe(CHUNK);
const HEX = Buffer.from('0123456789abcdef', 'latin1');

export function dayFile(org: Org, t: number, ext: string): string {
  return `${org.slug}/${isoDate(t)}.${ext}`;
}

/** One output file; only one may be open at a time. */
export class OutFile implements Sink {
  private fd = -1;
  private off = 0;
  private readonly head: Buffer;
  private readonly sep: Buffer;
  private readonly tail: Buffer;
  private day = NaN;
  private dayPrefix = Buffer.alloc(0);
  records = 0;
  lastTime = 0;

  constructor(
    readonly path: string,
    private readonly frame: FileFrame,
  ) {
    this.head = Buffer.from(frame.head, 'latin1');
    this.sep = Buffer.from(frame.sep, 'latin1');
    this.tail = Buffer.from(frame.tail, 'latin1');
  }

  get full(): boolean {
    return this.frame.maxRecords !== undefined && this.records >= this.frame.maxRecords;
  }

  record(t: number): void {
    if (this.off > CHUNK - ROOM) this.flush();
    this.raw(this.records === 0 ? this.head : this.sep);
    this.records++;
    if (t > this.lastTime) this.lastTime = t;
  }

  raw(b: Uint8Array): void {
    if (this.off + b.length > CHUNK) this.flush();
    buf.set(b, this.off);
    this.off += b.length;
  }

  text(s: string): void {
    if (this.off + s.length > CHUNK) {
      this.flush();
      if (s.length > CHUNK) {
        this.open();
        writeSync(this.fd, s, null, 'latin1');
        return;
      }
    }
    this.off += buf.write(s, this.off, 'latin1');
  }

  private hex(n: number, digits: number): void {
    for (let i = digits - 1; i >= 0; i--) {
      buf[this.off + i] = HEX[n & 15];
      n >>>= 4;
    }
    this.off += digits;
  }

  /** A version-4 style UUID from the id stream. */
  uuid(rng: Rng): void {
    const a = rng.u32();
    const b = rng.u32();
    const c = rng.u32();
    const d = rng.u32();
    this.hex(a, 8);
    buf[this.off++] = 45;
    this.hex(b >>> 16, 4);
    buf[this.off++] = 45;
    this.hex(0x4000 | (b & 0xfff), 4);
    buf[this.off++] = 45;
    this.hex(0x8000 | (c >>> 18), 4);
    buf[this.off++] = 45;
    this.hex(c & 0xffff, 4);
    this.hex(d, 8);
  }

  private digits2(n: number): void {
    buf[this.off++] = 48 + ((n / 10) | 0);
    buf[this.off++] = 48 + (n % 10);
  }

  isoLocalSeconds(t: number): void {
    const day = Math.floor(t / DAY);
    if (day !== this.day) {
      this.day = day;
      this.dayPrefix = Buffer.from(new Date(day * DAY).toISOString().slice(0, 11), 'latin1');
    }
    this.raw(this.dayPrefix);
    const s = Math.floor((t - day * DAY) / 1000);
    this.digits2(Math.floor(s / 3600));
    buf[this.off++] = 58;
    this.digits2(Math.floor(s / 60) % 60);
    buf[this.off++] = 58;
    this.digits2(s % 60);
  }

  isoSeconds(t: number): void {
    this.isoLocalSeconds(t);
    buf[this.off++] = 90; // Z
  }

  isoMillis(t: number): void {
    this.isoLocalSeconds(t);
    const ms = ((t % 1000) + 1000) % 1000;
    buf[this.off++] = 46;
    buf[this.off++] = 48 + ((ms / 100) | 0);
    this.digits2(ms % 100);
    buf[this.off++] = 90;
  }

  private open(): void {
    if (this.fd >= 0) return;
    mkdirSync(dirname(this.path), { recursive: true });
    this.fd = openSync(this.path, 'w');
  }

  flush(): void {
    if (this.off === 0) return;
    this.open();
    writeSync(this.fd, buf, 0, this.off);
    this.off = 0;
  }

  /** Ends the file; returns false when it got no record (and was never created). */
  close(): boolean {
    if (this.records === 0) {
      this.off = 0;
      return false;
    }
    this.raw(this.tail);
    this.flush();
    closeSync(this.fd);
    if (this.lastTime > 0) utimesSync(this.path, this.lastTime / 1000, this.lastTime / 1000);
    return true;
  }
}
