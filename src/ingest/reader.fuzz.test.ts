/**
 * Fuzzing the reader with seeded random input: random byte sequences, and random mutations of valid records as JSON
 * lines and as pretty-printed documents. Whatever comes in, the reader must not throw, must account for every
 * record, and must give the same result however the input is cut into chunks. A failure names its seed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { binaryNoise, entraDiagnostic, entraGraph, ocsfEvent, readBytes, seededRandom, type ReadResult } from './fixtures/records.js';

const CASES = 300;

function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)];
}

function goodRecord(rand: () => number, i: number): Record<string, unknown> {
  return pick(rand, [entraGraph, entraDiagnostic, ocsfEvent])(i);
}

/** Bytes a mutation may insert: structure characters, quotes, escapes, NUL, invalid UTF-8, multi-byte text. */
const NASTY = ['{', '}', '[', ']', '"', '\\', ',', ':', '\u0000', '\r', ' ', 'null', '1e999', '"value":[', '\ufffd', 'é', '😀'].map((s) => Buffer.from(s));

/** A random change to one record's bytes (never adding a line feed, so lines stay countable). */
function mutate(rand: () => number, b: Buffer): Buffer {
  const at = Math.floor(rand() * b.length);
  let out: Buffer;
  switch (Math.floor(rand() * 6)) {
    case 0: // flip a byte
      out = Buffer.from(b);
      out[at] = Math.floor(rand() * 256);
      break;
    case 1: // truncate
      out = b.subarray(0, at);
      break;
    case 2: // delete a run
      out = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + Math.floor(rand() * 20))]);
      break;
    case 3: // insert something nasty
      out = Buffer.concat([b.subarray(0, at), pick(rand, NASTY), b.subarray(at)]);
      break;
    case 4: // duplicate a run
      out = Buffer.concat([b.subarray(0, at), b.subarray(at, at + 30), b.subarray(at)]);
      break;
    default: // replace with binary noise
      out = binaryNoise(rand, 1 + Math.floor(rand() * 80));
  }
  return Buffer.from(out.map((x) => (x === 10 ? 32 : x)));
}

function assertSound(r: ReadResult, totalLines: number, seed: number): void {
  const where = `seed ${seed}: ${JSON.stringify(r.stats)}`;
  assert.equal(r.stats.quarantined, r.quarantined.length, where);
  assert.equal(r.stats.events, r.events.length, where);
  // Entra and OCSF records give one event each: records = events + skipped + quarantined.
  assert.equal(r.stats.records, r.stats.events + r.stats.skipped + r.stats.quarantined, where);
  for (const q of r.quarantined) {
    assert.ok(Number.isInteger(q.line) && q.line >= 1 && q.line <= Math.max(totalLines, 1), `${where}: quarantined line ${q.line} of ${totalLines}`);
    assert.ok(q.reason.length > 0 && !q.reason.includes('\n'), `${where}: reason ${JSON.stringify(q.reason)}`);
  }
  for (const e of r.events) assert.ok(e.unmapped.source!.line >= 1 && e.unmapped.source!.line <= totalLines, where);
}

/** The result without excerpts (those are best effort and may depend on chunking in documents). */
function comparable(r: ReadResult) {
  return { stats: r.stats, events: r.events, quarantined: r.quarantined.map(({ excerpt: _, ...q }) => q) };
}

function lineCount(b: Buffer): number {
  let n = 0;
  for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) n++;
  return b.length && b[b.length - 1] !== 10 ? n + 1 : n;
}

test(`fuzz: ${CASES} random byte sequences never throw and are fully accounted for`, async () => {
  for (let seed = 1; seed <= CASES; seed++) {
    const rand = seededRandom(seed);
    const n = Math.floor(rand() * 600);
    const bytes = Buffer.alloc(n);
    // Some inputs are plain random bytes, some lean on JSON's structure characters and line feeds.
    const alphabet = rand() < 0.5 ? undefined : Buffer.from('{}[]",:\n \\a1\u0000');
    for (let i = 0; i < n; i++) bytes[i] = alphabet ? alphabet[Math.floor(rand() * alphabet.length)] : Math.floor(rand() * 256);
    const r = await readBytes(bytes, {}, 1 + Math.floor(rand() * 64));
    assertSound(r, lineCount(bytes), seed);
    assert.deepEqual(comparable(await readBytes(bytes)), comparable(r), `seed ${seed}: chunking changed the result`);
  }
});

test(`fuzz: ${CASES} mutated JSON-lines files: every line is an event, a skip or a quarantine entry`, async () => {
  let lineChecked = 0;
  for (let seed = 1; seed <= CASES; seed++) {
    const rand = seededRandom(1000 + seed);
    const n = 1 + Math.floor(rand() * 12);
    const lines: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      const b = Buffer.from(JSON.stringify(goodRecord(rand, i)));
      lines.push(rand() < 0.3 ? mutate(rand, b) : b);
    }
    const input = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));
    const r = await readBytes(input, {}, 1 + Math.floor(rand() * 4096));
    assertSound(r, n, seed);
    assert.deepEqual(comparable(await readBytes(input)), comparable(r), `seed ${seed}: chunking changed the result`);
    // Read as JSON lines (most lines are intact), each non-blank line ends up exactly once somewhere.
    const intact = lines.filter((l) => l.toString().trim() !== '').length;
    if (r.stats.records === intact) {
      const seen = new Set([...r.events.map((e) => e.unmapped.source!.line), ...r.quarantined.map((q) => q.line)]);
      assert.equal(seen.size + r.stats.skipped, intact, `seed ${seed}: lines unaccounted for`);
      lineChecked++;
    }
  }
  // The line-by-line check above applies when each line is one record (no line turned into an array): nearly always.
  assert.ok(lineChecked > CASES * 0.8, `line check ran in ${lineChecked} of ${CASES} cases`);
});

test(`fuzz: ${CASES} mutated pretty-printed documents never throw, and unmutated records survive`, async () => {
  for (let seed = 1; seed <= CASES; seed++) {
    const rand = seededRandom(5000 + seed);
    const n = 1 + Math.floor(rand() * 8);
    const records = Array.from({ length: n }, (_, i) => goodRecord(rand, i));
    const wrap = rand() < 0.5;
    const doc = Buffer.from(JSON.stringify(wrap ? { value: records } : records, null, 2));
    const input = rand() < 0.8 ? mutate(rand, doc) : doc;
    const r = await readBytes(input, {}, 1 + Math.floor(rand() * 256));
    assertSound(r, lineCount(input), seed);
    assert.deepEqual(comparable(await readBytes(input)), comparable(r), `seed ${seed}: chunking changed the result`);
    if (input === doc) assert.equal(r.events.length, n, `seed ${seed}`);
  }
});
