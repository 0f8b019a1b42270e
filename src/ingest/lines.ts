/**
 * @module ingest/lines
 * Splits a byte stream into lines with a hard length limit, so one endless line cannot exhaust memory: an over-long
 * line is reported (with its line number, length and first characters) and skipped, never buffered whole.
 * Lines end at LF; a CR before it is dropped. Works on bytes and decodes line by line (faster than decoding whole
 * chunks and slicing strings), since every JSON line passes here.
 */

export interface Line {
  text: string;
  line: number;
}
export interface LongLine {
  /** Length of the line in bytes. */
  tooLong: number;
  line: number;
  /** The first characters, for the quarantine excerpt. */
  head: string;
}

const HEAD_BYTES = 256;

export function isLongLine(l: Line | LongLine): l is LongLine {
  return (l as LongLine).tooLong !== undefined;
}

export class LineSplitter {
  /** Bytes of the current line so far, when it began in an earlier chunk (copies). */
  private pending: Buffer[] = [];
  private pendingLen = 0;
  /** Over-long line being skipped: bytes seen so far, or -1. */
  private skipped = -1;
  private skippedHead = '';
  private lineNo = 0;

  constructor(private readonly maxBytes: number) {}

  /** Number of the last line handed out (or skipped). */
  get lastLine(): number {
    return this.lineNo;
  }

  /** Bytes held for a line not yet complete (never more than the limit). */
  get bufferedBytes(): number {
    return this.pendingLen;
  }

  /** Feed bytes; returns the lines they complete. */
  push(chunk: Buffer): (Line | LongLine)[] {
    const out: (Line | LongLine)[] = [];
    const max = this.maxBytes;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      this.lineNo++;
      const len = this.pendingLen + nl - start;
      if (this.skipped >= 0) {
        out.push({ tooLong: this.skipped + nl - start, line: this.lineNo, head: this.skippedHead });
        this.skipped = -1;
        this.skippedHead = '';
      } else if (this.pendingLen) {
        this.pending.push(chunk.subarray(start, nl));
        const all = Buffer.concat(this.pending, len);
        this.pending = [];
        this.pendingLen = 0;
        const end = len && all[len - 1] === 13 ? len - 1 : len;
        if (end > max) out.push({ tooLong: len, line: this.lineNo, head: all.toString('utf8', 0, HEAD_BYTES) });
        else out.push({ text: all.toString('utf8', 0, end), line: this.lineNo });
      } else {
        const end = nl > start && chunk[nl - 1] === 13 ? nl - 1 : nl;
        if (end - start > max) out.push({ tooLong: len, line: this.lineNo, head: chunk.toString('utf8', start, Math.min(end, start + HEAD_BYTES)) });
        else out.push({ text: chunk.toString('utf8', start, end), line: this.lineNo });
      }
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.length - start;
      if (this.skipped >= 0) this.skipped += rest;
      else if (this.pendingLen + rest > max + 1) {
        // Over the limit (one byte of slack for a CR before the LF): remember its start, drop the rest.
        this.skippedHead = (this.pendingLen ? Buffer.concat([...this.pending, chunk.subarray(start, start + HEAD_BYTES)]) : chunk.subarray(start, start + HEAD_BYTES)).toString('utf8', 0, HEAD_BYTES);
        this.skipped = this.pendingLen + rest;
        this.pending = [];
        this.pendingLen = 0;
      } else {
        this.pending.push(Buffer.from(chunk.subarray(start))); // a copy: the caller may reuse the chunk
        this.pendingLen += rest;
      }
    }
    return out;
  }

  /** End of input: the last line when the input did not end with a line feed. */
  end(): (Line | LongLine)[] {
    if (this.skipped >= 0) {
      this.lineNo++;
      const l = { tooLong: this.skipped, line: this.lineNo, head: this.skippedHead };
      this.skipped = -1;
      return [l];
    }
    if (!this.pendingLen) return [];
    this.lineNo++;
    const all = Buffer.concat(this.pending, this.pendingLen);
    const len = this.pendingLen;
    this.pending = [];
    this.pendingLen = 0;
    const end = all[len - 1] === 13 ? len - 1 : len;
    if (end > this.maxBytes) return [{ tooLong: len, line: this.lineNo, head: all.toString('utf8', 0, HEAD_BYTES) }];
    return [{ text: all.toString('utf8', 0, end), line: this.lineNo }];
  }
}
