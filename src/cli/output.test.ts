/**
 * The JSON-lines writer: every line reaches the file in order, and the writer waits for the stream only once more
 * than its bound is pending (a detection run's 100 KB finding lines must not each wait for the disk).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { JsonLinesWriter } from './output.js';

/** Lines of about 100 KB, each telling its number. */
const bigLines = (n: number) => Array.from({ length: n }, (_, i) => ({ i, ips: Array.from({ length: 6000 }, (_, k) => `10.${i % 250}.${k >> 8}.${k & 255}`) }));

/** Writes the lines as a detection run does (awaiting only the promises returned); the stream's pending bytes after each wait. */
async function writeAll(path: string, lines: object[], maxPendingBytes?: number): Promise<number[]> {
  const w = new JsonLinesWriter(path, maxPendingBytes);
  const pendingAfterWait: number[] = [];
  for (const l of lines) {
    const wait = w.write(l);
    if (wait) {
      await wait;
      pendingAfterWait.push((w as unknown as { stream: { writableLength: number } }).stream.writableLength);
    }
  }
  await w.close();
  return pendingAfterWait;
}

test('large lines reach the file whole and in order, written ahead up to the bound without waiting for the disk', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-output-'));
  try {
    const lines = bigLines(40);
    for (const [name, bound] of [['bounded', 0], ['ahead', 64 << 20]] as const) {
      const path = join(dir, `${name}.jsonl`);
      const pending = await writeAll(path, lines, bound);
      const got = readFileSync(path, 'utf8').split('\n');
      assert.equal(got.pop(), '', 'the file ends with a newline');
      assert.deepEqual(got.map((l) => JSON.parse(l).i), lines.map((l) => l.i), `${name}: every line, in order`);
      assert.equal(got[7], JSON.stringify(lines[7]));
      assert.equal(pending.length, lines.length, 'every 100 KB line is handed to the stream at once');
      if (bound === 0) assert.ok(pending.every((p) => p === 0), `with no room ahead each write waits until the stream drained (${pending})`);
      else assert.ok(pending.some((p) => p > 0), 'with room ahead the writer goes on while the stream still writes');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
