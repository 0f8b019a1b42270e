/**
 * @module ingest/lines
 * Splits a byte stream into lines with a hard length limit, so one endless line cannot exhaust memory:
 * an over-long line is reported (with its line number and length) and skipped, never buffered whole.
 */

export interface Line {
  text: string;
  line: number;
}
export interface LongLine {
  tooLong: number; // bytes seen
  line: number;
}

export async function* splitLines(chunks: AsyncIterable<Buffer>, maxBytes: number): AsyncGenerator<(Line | LongLine)[]> {
  let pending: Buffer[] = [];
  let pendingLen = 0;
  let skipping = false;
  let lineNo = 0;
  for await (const chunk of chunks) {
    const batch: (Line | LongLine)[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      lineNo++;
      const segLen = nl - start;
      if (skipping) {
        batch.push({ tooLong: pendingLen + segLen, line: lineNo });
        skipping = false;
      } else if (pendingLen + segLen > maxBytes) {
        batch.push({ tooLong: pendingLen + segLen, line: lineNo });
      } else if (pendingLen) {
        pending.push(chunk.subarray(start, nl));
        batch.push({ text: stripCr(Buffer.concat(pending).toString('utf8')), line: lineNo });
      } else {
        batch.push({ text: stripCr(chunk.toString('utf8', start, nl)), line: lineNo });
      }
      pending = [];
      pendingLen = 0;
      start = nl + 1;
    }
    if (start < chunk.length) {
      const seg = chunk.subarray(start);
      pendingLen += seg.length;
      if (skipping || pendingLen > maxBytes) {
        skipping = true;
        pending = [];
      } else pending.push(Buffer.from(seg)); // copy: the chunk may be reused by the stream
    }
    if (batch.length) yield batch;
  }
  if (pendingLen > 0) {
    lineNo++;
    if (skipping) yield [{ tooLong: pendingLen, line: lineNo }];
    else yield [{ text: stripCr(Buffer.concat(pending).toString('utf8')), line: lineNo }];
  }
}

function stripCr(s: string): string {
  return s.length && s.charCodeAt(s.length - 1) === 13 ? s.slice(0, -1) : s;
}
