/**
 * @module bench/json-parse
 * The floor to compare `vigil detect` with: a bare, single-threaded loop that reads a JSON-lines file in large
 * chunks, splits it at newlines and `JSON.parse`s every line, doing nothing with the result. Anything a real
 * pipeline does (normalising, enriching, detecting, storing) comes on top of this.
 */
import { closeSync, openSync, readSync } from 'node:fs';

export interface ParseResult {
  lines: number;
  bytes: number;
  seconds: number;
}

export function parseEveryLine(file: string, chunkBytes = 4 << 20): ParseResult {
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(chunkBytes);
  let carry = '';
  let lines = 0;
  let bytes = 0;
  let sink = 0;
  const t0 = performance.now();
  try {
    let kept = 0; // bytes of an unfinished line carried at the start of buf
    for (;;) {
      const got = readSync(fd, buf, kept, buf.length - kept, null);
      bytes += got;
      const end = kept + got;
      if (got === 0) break;
      // Decode up to the last newline only, so no UTF-8 sequence is cut in two.
      const lastNl = buf.lastIndexOf(10, end - 1);
      if (lastNl < 0) {
        // A line longer than the buffer (none in the benchmark data): decoded whole chunks at a time.
        carry += buf.toString('utf8', 0, end);
        kept = 0;
        continue;
      }
      const text = carry + buf.toString('utf8', 0, lastNl + 1);
      carry = '';
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        if (nl > start) {
          const v = JSON.parse(text.slice(start, nl));
          sink += v === null ? 0 : 1;
          lines++;
        }
        start = nl + 1;
      }
      kept = end - (lastNl + 1);
      buf.copy(buf, 0, lastNl + 1, end);
    }
    const rest = carry + buf.toString('utf8', 0, kept);
    if (rest.trim()) {
      JSON.parse(rest);
      lines++;
    }
  } finally {
    closeSync(fd);
  }
  if (sink < 0) console.log(sink); // keeps the parse results observable
  return { lines, bytes, seconds: (performance.now() - t0) / 1000 };
}
