/**
 * The JSON-lines writer: every line reaches the file in order, written at once (a detection run's 100 KB finding lines
 * must not each wait for the disk); to a stream (standard output) it waits only once more than its bound is pending.
 */
import assert from 'node:assert/strict';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { JsonLinesWriter } from './output.js';

/** Lines of about 100 KB, each telling its number. */
const bigLines = (n: number) => Array.from({ length: n }, (_, i) => ({ i, ips: Array.from({ length: 6000 }, (_, k) => `10.${i % 250}.${k >> 8}.${k & 255}`) }));

/**
 * Writes the lines as a detection run does (awaiting only the promises returned), to a file, or (`viaStream`) through
 * a file stream as to standard output; the stream's pending bytes after each wait.
 */
async function writeAll(path: string, lines: object[], maxPendingBytes?: number, viaStream = false): Promise<number[]> {
  const stream = viaStream ? createWriteStream(path) : undefined;
  const w = new JsonLinesWriter(viaStream ? undefined : path, maxPendingBytes, stream);
  const pendingAfterWait: number[] = [];
  for (const l of lines) {
    const wait = w.write(l);
    if (wait) {
      await wait;
      pendingAfterWait.push(stream!.writableLength);
    }
  }
  await w.close();
  if (stream) await new Promise<void>((resolve, reject) => stream.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return pendingAfterWait;
}

/** The file's lines, checked to end with a newline. */
function linesOf(path: string): string[] {
  const got = readFileSync(path, 'utf8').split('\n');
  assert.equal(got.pop(), '', 'the file ends with a newline');
  return got;
}

test('to a file, large lines are written whole and in order as they come, never waiting', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-output-'));
  try {
    const lines = [...bigLines(40), { note: 'non-ASCII: Zürich, 東京, ہ, 😀' }];
    const path = join(dir, 'file.jsonl');
    const w = new JsonLinesWriter(path);
    for (const l of lines) assert.equal(w.write(l), undefined, 'a file is written at once');
    // Whatever was flushed is in the file already, before closing.
    assert.ok(readFileSync(path, 'utf8').length > 1 << 20);
    await w.close();
    const got = linesOf(path);
    assert.deepEqual(got.map((l) => JSON.parse(l).i), lines.map((l) => (l as { i?: number }).i));
    assert.equal(got[7], JSON.stringify(lines[7]));
    assert.equal(got.at(-1), JSON.stringify(lines.at(-1)), 'multi-byte characters whole');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('to a stream, large lines arrive whole and in order, written ahead up to the bound without waiting for the disk', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-output-'));
  try {
    const lines = bigLines(40);
    for (const [name, bound] of [['bounded', 0], ['ahead', 64 << 20]] as const) {
      const path = join(dir, `${name}.jsonl`);
      const pending = await writeAll(path, lines, bound, true);
      const got = linesOf(path);
      assert.deepEqual(got.map((l) => JSON.parse(l).i), lines.map((l) => l.i), `${name}: every line, in order`);
      assert.equal(got[7], JSON.stringify(lines[7]));
      if (bound === 0) {
        assert.equal(pending.length, lines.length, 'every 100 KB line is handed to the stream at once');
        assert.ok(pending.every((p) => p === 0), `with no room ahead each write waits until the stream drained (${pending})`);
      } else assert.deepEqual(pending, [], 'with room ahead the writer never waits');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a file that cannot be written fails with its name', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-output-'));
  try {
    assert.throws(() => new JsonLinesWriter(join(dir, 'missing', 'f.jsonl')), /cannot write .*missing/);
    // A full device: each write fails at once, naming the file.
    const w = new JsonLinesWriter('/dev/full');
    assert.throws(() => {
      for (const l of bigLines(2)) w.write(l);
    }, /cannot write \/dev\/full/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
