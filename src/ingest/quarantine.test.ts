import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { excerptOf, Quarantine, reasonKind } from './quarantine.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-quarantine-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('excerptOf: control characters and replacement characters escaped, long text cut', () => {
  assert.equal(excerptOf(undefined), undefined);
  assert.equal(excerptOf('a\u0000b\u001bc\ufffd\td\u007f'), 'a\\x00b\\x1bc\\ufffd\td\\x7f');
  const cut = excerptOf('x'.repeat(1000))!;
  assert.equal(cut, 'x'.repeat(200) + '…');
});

test('reasonKind: the text before the first colon', () => {
  assert.equal(reasonKind('invalid JSON: Unexpected token } in JSON at position 3'), 'invalid JSON');
  assert.equal(reasonKind('binary data, not a JSON record'), 'binary data, not a JSON record');
});

test('entries are written as JSON lines with file, line, reason and excerpt; counts go by kind of reason', async () => {
  const path = join(dir, 'q.jsonl');
  const q = new Quarantine(path);
  q.add({ file: 'a.json', line: 3, reason: 'invalid JSON: Unexpected end of JSON input', excerpt: '{"a":\u0000' });
  q.add({ file: 'a.json', line: 9, reason: 'invalid JSON: Bad control character' });
  q.add({ file: 'b.json', line: 1, reason: 'line too long: 3000000 bytes, limit 1048576' });
  await q.close();
  const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines, [
    { file: 'a.json', line: 3, reason: 'invalid JSON: Unexpected end of JSON input', excerpt: '{"a":\\x00' },
    { file: 'a.json', line: 9, reason: 'invalid JSON: Bad control character' },
    { file: 'b.json', line: 1, reason: 'line too long: 3000000 bytes, limit 1048576' },
  ]);
  assert.equal(q.count, 3);
  assert.deepEqual([...q.byReason], [['invalid JSON', 2], ['line too long', 1]]);
});

test('the file is created only when something is quarantined; without a path, only counts are kept', async () => {
  const path = join(dir, 'never.jsonl');
  const q = new Quarantine(path);
  await q.close();
  assert.equal(existsSync(path), false);
  const mem = new Quarantine(undefined);
  mem.add({ file: 'x', line: 1, reason: 'r' });
  await mem.close();
  assert.equal(mem.count, 1);
});

test('many entries are all written, in order', async () => {
  const path = join(dir, 'many.jsonl');
  const q = new Quarantine(path);
  for (let i = 1; i <= 5000; i++) q.add({ file: 'f', line: i, reason: 'invalid JSON: x', excerpt: 'y'.repeat(100) });
  await q.close();
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  assert.equal(lines.length, 5000);
  assert.equal(JSON.parse(lines[4999]).line, 5000);
});

test('a quarantine file that cannot be written is a clear one-line error, not a crash', async () => {
  const q = new Quarantine(join(dir, 'no-such-folder', 'q.jsonl'));
  q.add({ file: 'x', line: 1, reason: 'r' });
  await assert.rejects(q.close(), (e: Error) => e.message === `cannot write quarantine file ${join(dir, 'no-such-folder', 'q.jsonl')}: no such file or directory`);
});
