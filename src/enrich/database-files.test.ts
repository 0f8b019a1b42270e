/**
 * Database files read ahead: the first lookup takes the bytes read ahead (once), a file not read ahead or already
 * taken is read then, and a file that cannot be read fails where it is used, not where it was read ahead.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileBytes, readAhead, readAheadDone } from './database-files.js';

test('bytes read ahead are taken once; later reads and unread files come from the disk', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-ahead-'));
  const file = join(dir, 'table.bin');
  const big = Buffer.alloc(3 << 20, 7);
  big.write('first', 0);
  writeFileSync(file, big);
  readAhead(file);
  await readAheadDone();
  writeFileSync(file, 'second'); // changed after the read ahead: the first take still has what was read then
  const ahead = fileBytes(file);
  assert.equal(ahead.subarray(0, 5).toString(), 'first');
  assert.equal(ahead.length, 3 << 20);
  assert.equal(fileBytes(file).toString(), 'second', 'taken once: then read from the file');

  const missing = join(dir, 'missing.bin');
  readAhead(missing);
  await readAheadDone();
  assert.throws(() => fileBytes(missing), /ENOENT/);
});
