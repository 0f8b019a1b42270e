import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { CorruptDataError, expandInputs, InputError, openBytes, type Source } from './sources.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-sources-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const at = (...p: string[]) => join(dir, ...p);

function write(path: string, data: string | Buffer): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, data);
  return path;
}

async function bytesOf(src: Source, stdin?: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const b of openBytes(src, stdin)) parts.push(Buffer.from(b)); // a chunk is good until the next: kept, copied
  return Buffer.concat(parts);
}

async function errorOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  assert.fail('expected an error');
}

test('expandInputs: files in the order given, directories recursive and sorted, hidden entries skipped', () => {
  write(at('tree', 'b.json'), '1');
  write(at('tree', 'a', 'z.json'), '1');
  write(at('tree', 'a', 'y.jsonl.gz'), gzipSync('{}\n'));
  write(at('tree', 'c', 'd', 'e.log'), '1');
  write(at('tree', '.hidden.json'), '1');
  write(at('tree', '.git', 'config'), '1');
  write(at('one.json'), '1');
  const names = expandInputs([at('one.json'), at('tree'), '-']).map((s) => s.name);
  assert.deepEqual(names, [at('one.json'), at('tree', 'a', 'y.jsonl.gz'), at('tree', 'a', 'z.json'), at('tree', 'b.json'), at('tree', 'c', 'd', 'e.log'), '-']);
});

test('expandInputs: sources carry size and modification time', () => {
  const [s] = expandInputs([write(at('sized.json'), '12345')]);
  assert.equal(s.size, 5);
  assert.ok(typeof s.mtime === 'number' && s.mtime > 0);
});

test('expandInputs: a glob expands to its matches, sorted; a file whose name has glob characters is itself', () => {
  write(at('g', 'x2.json'), '1');
  write(at('g', 'x1.json'), '1');
  write(at('g', 'x1.txt'), '1');
  write(at('g', 'sub', 'x3.json'), '1');
  assert.deepEqual(expandInputs([at('g', '*.json')]).map((s) => s.name), [at('g', 'x1.json'), at('g', 'x2.json')]);
  assert.deepEqual(expandInputs([at('g', '**', '*.json')]).map((s) => s.name), [at('g', 'sub', 'x3.json'), at('g', 'x1.json'), at('g', 'x2.json')]);
  const odd = write(at('g', 'file[1].json'), '1');
  assert.deepEqual(expandInputs([odd]).map((s) => s.name), [odd]);
});

test('expandInputs: a missing file or an empty glob is an InputError with a one-line message', () => {
  const e = (() => {
    try {
      expandInputs([at('nope.json')]);
    } catch (err) {
      return err as Error;
    }
    assert.fail('expected an error');
  })();
  assert.ok(e instanceof InputError);
  assert.equal(e.message, `cannot read ${at('nope.json')}: no such file or directory`);
  assert.throws(() => expandInputs([at('g', '*.nothing')]), (err: Error) => err instanceof InputError && err.message === `cannot read ${at('g', '*.nothing')}: no files match`);
});

test('expandInputs: a symlink loop in a directory is visited once', () => {
  write(at('loop', 'f.json'), '1');
  symlinkSync(at('loop'), at('loop', 'again'));
  assert.deepEqual(expandInputs([at('loop')]).map((s) => s.name), [at('loop', 'f.json')]);
});

test('openBytes: gzip is recognised by its magic number, not its name', async () => {
  const text = '{"a":1}\n'.repeat(1000);
  assert.equal((await bytesOf({ name: write(at('plain.gz'), text) })).toString(), text);
  assert.equal((await bytesOf({ name: write(at('packed.json'), gzipSync(text)) })).toString(), text);
  // Concatenated gzip members (`cat a.gz b.gz`) are one stream.
  assert.equal((await bytesOf({ name: write(at('multi.gz'), Buffer.concat([gzipSync('a\n'), gzipSync('b\n')])) })).toString(), 'a\nb\n');
});

test('openBytes: standard input, gzipped or not, in chunks of any size (even one byte)', async () => {
  const text = 'line one\nline two\n';
  const oneByteAtATime = (b: Buffer) => Readable.from((function* () {
    for (const x of b) yield Buffer.from([x]);
  })());
  assert.equal((await bytesOf({ name: '-' }, oneByteAtATime(Buffer.from(text)))).toString(), text);
  assert.equal((await bytesOf({ name: '-' }, oneByteAtATime(gzipSync(text)))).toString(), text);
  assert.equal((await bytesOf({ name: '-' }, Readable.from([]))).length, 0);
});

test('openBytes: a UTF-8 byte-order mark is dropped, also inside gzip; UTF-16 is converted to UTF-8', async () => {
  const text = '{"user":"José"}\n';
  assert.equal((await bytesOf({ name: write(at('bom.json'), '\uFEFF' + text) })).toString(), text);
  assert.equal((await bytesOf({ name: write(at('bom.json.gz'), gzipSync('\uFEFF' + text)) })).toString(), text);
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  assert.equal((await bytesOf({ name: write(at('le.json'), le) })).toString(), text);
  const be = Buffer.from(le);
  be.swap16();
  assert.equal((await bytesOf({ name: write(at('be.json'), be) })).toString(), text);
  // Only at the start: a later U+FEFF stays.
  assert.equal((await bytesOf({ name: write(at('mid.json'), 'a\uFEFF\n') })).toString(), 'a\uFEFF\n');
  assert.equal((await bytesOf({ name: write(at('only-bom.json'), '\uFEFF') })).length, 0);
});

test('openBytes: an empty file yields nothing', async () => {
  assert.equal((await bytesOf({ name: write(at('empty.json'), '') })).length, 0);
});

test('openBytes: a truncated gzip yields what it can, then a CorruptDataError', async () => {
  const text = Array.from({ length: 20000 }, (_, i) => `{"n":${i},"pad":"${'x'.repeat(i % 50)}"}`).join('\n') + '\n';
  const gz = gzipSync(text);
  const parts: Buffer[] = [];
  const err = await errorOf((async () => {
    for await (const b of openBytes({ name: write(at('cut.gz'), gz.subarray(0, Math.floor(gz.length / 2))) })) parts.push(Buffer.from(b));
  })());
  assert.ok(err instanceof CorruptDataError, String(err));
  assert.match(err.message, /^corrupt gzip data: /);
  const got = Buffer.concat(parts).toString();
  assert.ok(got.length > 1000 && text.startsWith(got), 'the readable part comes first');
});

test('openBytes: zip, bzip2, xz and zstd data are named, not read as noise', async () => {
  for (const [name, magic] of [['zip', [0x50, 0x4b, 0x03, 0x04]], ['bzip2', [0x42, 0x5a, 0x68, 0x39]], ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]], ['zstd', [0x28, 0xb5, 0x2f, 0xfd]]] as const) {
    const err = await errorOf(bytesOf({ name: write(at(`archive.${name}`), Buffer.concat([Buffer.from(magic), Buffer.alloc(100)])) }));
    assert.ok(err instanceof CorruptDataError);
    assert.equal(err.message, `${name} data, which vigil does not unpack: extract the logs first`);
  }
});

test('openBytes: a file that cannot be opened is an InputError naming it', async () => {
  const err = await errorOf(bytesOf({ name: at('vanished.json') }));
  assert.ok(err instanceof InputError && !(err instanceof CorruptDataError));
  assert.equal(err.message, `cannot read ${at('vanished.json')}: no such file or directory`);
  const isDir = await errorOf(bytesOf({ name: at('tree') }));
  assert.ok(isDir instanceof InputError);
  assert.match(isDir.message, /^cannot read .*tree: illegal operation on a directory$/);
});

test('openBytes: a file is read into one buffer again and again; gzip and a byte-order mark across its chunks stay whole', async () => {
  // Three chunks and a bit of text, and a gzip of as much incompressible data (several raw chunks in the decompressor).
  const text = Array.from({ length: 9000 }, (_, i) => `{"n":${i},"pad":"${'y'.repeat(i % 150)}"}`).join('\n') + '\n';
  assert.ok(text.length > 3 * (1 << 18) && text.length < 4 * (1 << 18));
  const seen = new Set<ArrayBufferLike>();
  const parts: Buffer[] = [];
  for await (const b of openBytes({ name: write(at('three-chunks.json'), '\uFEFF' + text) })) {
    seen.add(b.buffer);
    parts.push(Buffer.from(b));
  }
  assert.equal(parts.length, 4);
  assert.equal(seen.size, 1, 'every chunk in the same memory: no fresh pages per chunk');
  assert.equal(Buffer.concat(parts).toString(), text);
  const noise = randomBytes(700_000).toString('base64');
  assert.equal((await bytesOf({ name: write(at('noise.json.gz'), gzipSync(noise)) })).toString(), noise);
});

test('openBytes: a named pipe given as an input is read as a stream, as its writer writes', async () => {
  const fifo = at('pipe.jsonl');
  execFileSync('mkfifo', [fifo]);
  const text = Array.from({ length: 3000 }, (_, i) => `{"n":${i}}`).join('\n') + '\n';
  // Another process writes it (in two parts, a pause between them), as `<(zcat logs.gz)` would.
  const writer = spawn('sh', ['-c', '{ head -c 20000; sleep 0.2; cat; } > "$1"', 'sh', fifo], { stdio: ['pipe', 'ignore', 'ignore'] });
  const exited = new Promise((resolve) => writer.on('exit', resolve));
  writer.stdin.end(text);
  assert.equal((await bytesOf({ name: fifo })).toString(), text);
  assert.equal(await exited, 0);
});
