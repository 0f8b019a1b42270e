import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLongLine, LineSplitter, type Line, type LongLine } from './lines.js';

/** Splits `input` fed in pieces cut at the given byte offsets. */
function split(input: Buffer | string, max: number, cuts: number[] = []): (Line | LongLine)[] {
  const buf = Buffer.from(input);
  const s = new LineSplitter(max);
  const out: (Line | LongLine)[] = [];
  let prev = 0;
  for (const c of [...cuts, buf.length]) {
    out.push(...s.push(buf.subarray(prev, c)));
    prev = c;
  }
  out.push(...s.end());
  return out;
}

const texts = (ls: (Line | LongLine)[]) => ls.map((l) => (isLongLine(l) ? `<long ${l.tooLong}>` : l.text));

test('LF and CRLF lines, blank lines kept with their numbers, last line without a line feed', () => {
  const out = split('a\r\nb\n\nc\r\nd', 100);
  assert.deepEqual(texts(out), ['a', 'b', '', 'c', 'd']);
  assert.deepEqual(out.map((l) => l.line), [1, 2, 3, 4, 5]);
});

test('a CR alone inside a line is kept; only the one before the LF goes', () => {
  assert.deepEqual(texts(split('a\rb\r\n', 100)), ['a\rb']);
});

test('empty input gives no lines; a lone line feed gives one empty line', () => {
  assert.deepEqual(split('', 10), []);
  assert.deepEqual(texts(split('\n', 10)), ['']);
});

test('the same lines whatever the chunk boundaries (every cut point, multi-byte characters included)', () => {
  const input = Buffer.from('héllo wörld\r\n{"k":"€uro"}\n\nlast 😀 line\r\nx');
  const expected = texts(split(input, 1000));
  assert.deepEqual(expected, ['héllo wörld', '{"k":"€uro"}', '', 'last 😀 line', 'x']);
  for (let a = 0; a <= input.length; a++) {
    for (let b = a; b <= input.length; b += 3) assert.deepEqual(texts(split(input, 1000, [a, b])), expected, `cuts at ${a}, ${b}`);
  }
});

test('a line over the limit is reported with its number, byte length and start, and the next line is intact', () => {
  const long = 'x'.repeat(50);
  const out = split(`ok\n${long}\nafter\n`, 20);
  assert.equal(out.length, 3);
  const l = out[1] as LongLine;
  assert.ok(isLongLine(l));
  assert.equal(l.line, 2);
  assert.equal(l.tooLong, 50);
  assert.equal(l.head, long);
  assert.deepEqual(out[2], { text: 'after', line: 3 });
});

test('an over-long line spread over many chunks is never held, and is measured in bytes', () => {
  const s = new LineSplitter(1000);
  const out: (Line | LongLine)[] = [...s.push(Buffer.from('first\n'))];
  let maxHeld = 0;
  for (let i = 0; i < 100; i++) {
    out.push(...s.push(Buffer.from('é'.repeat(100)))); // 200 bytes each
    maxHeld = Math.max(maxHeld, s.bufferedBytes);
  }
  out.push(...s.push(Buffer.from('\nnext\n')), ...s.end());
  assert.ok(maxHeld <= 1000, `held ${maxHeld} bytes`);
  assert.deepEqual(texts(out), ['first', '<long 20000>', 'next']);
  assert.equal((out[1] as LongLine).head.startsWith('éé'), true);
});

test('the limit is inclusive and a CR before the LF does not count', () => {
  assert.deepEqual(texts(split('abcde\r\nabcdef\n', 5)), ['abcde', '<long 6>']);
  assert.deepEqual(texts(split('abcde\r\nabcdef\n', 5, [3, 6, 9])), ['abcde', '<long 6>']);
});

test('an over-long last line without a line feed is reported at the end', () => {
  const out = split('ok\n' + 'y'.repeat(30), 10, [5, 12]);
  assert.deepEqual(texts(out), ['ok', '<long 30>']);
  assert.equal(out[1].line, 2);
});

test('multi-byte characters count as bytes against the limit', () => {
  // 4 characters, 12 bytes.
  assert.deepEqual(texts(split('€€€€\n', 10)), ['<long 12>']);
  assert.deepEqual(texts(split('€€€\n', 10)), ['€€€']);
});

test('invalid UTF-8 and NUL bytes come through as replacement characters and NULs, without splitting the line', () => {
  const out = split(Buffer.from([0x61, 0xff, 0x00, 0xc3, 0x28, 0x0a, 0x62]), 100);
  assert.deepEqual(texts(out), ['a\ufffd\u0000\ufffd(', 'b']);
});

test('chunks are copied when a line spans them, so a reused chunk buffer cannot corrupt it', () => {
  const s = new LineSplitter(100);
  const buf = Buffer.from('abc');
  s.push(buf);
  buf.write('XYZ');
  assert.deepEqual(texts(s.push(Buffer.from('def\n'))), ['abcdef']);
});
