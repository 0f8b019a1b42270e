/**
 * The reading thread stays at most a few batches ahead of a slow caller (memory stays bounded whatever the input's
 * size), goes on as the caller takes batches, and gives every event in order.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { entraGraph, jsonl } from './fixtures/records.js';
import { Quarantine } from './quarantine.js';
import { newStats } from './reader.js';
import { startReadingThreadEarly } from './thread-start.js';
import { IN_FLIGHT, ThreadedReader } from './threaded-reader.js';

test('the reading thread waits for a slow caller, then delivers every event in order', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-threaded-'));
  const file = join(dir, 'signins.jsonl');
  const n = 150_000;
  writeFileSync(file, jsonl(Array.from({ length: n }, (_, i) => entraGraph(i))));
  const reader = new ThreadedReader({ intel: [], geo: false });
  try {
    let batches = 0;
    let events = 0;
    let lastLine = 0;
    let mostBuffered = 0;
    for await (const batch of reader.read({ name: file }, {}, new Quarantine(undefined), newStats())) {
      batches++;
      for (const s of batch.signals) {
        assert.ok(s.source!.line > lastLine, 'in order');
        lastLine = s.source!.line;
      }
      events += batch.signals.length;
      if (batches === 1) {
        // Wait while the thread reads ahead as far as it may, and some more: it could read the whole file meanwhile,
        // were it not held back.
        const deadline = Date.now() + 20_000;
        while (reader.buffered < IN_FLIGHT && Date.now() < deadline) await sleep(20);
        await sleep(500);
      }
      mostBuffered = Math.max(mostBuffered, reader.buffered);
    }
    assert.equal(events, n);
    assert.ok(batches > 2 * IN_FLIGHT, `the input spans many batches (${batches})`);
    assert.ok(mostBuffered >= IN_FLIGHT - 1, `the thread read ahead while the caller waited (${mostBuffered})`);
    assert.ok(mostBuffered <= IN_FLIGHT, `but no further than allowed (${mostBuffered} batches)`);
  } finally {
    await reader.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a source the thread cannot read fails the read with its message; the thread then reads the next one', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-threaded-'));
  const file = join(dir, 'signins.jsonl');
  writeFileSync(file, jsonl(Array.from({ length: 10 }, (_, i) => entraGraph(i))));
  const reader = new ThreadedReader({ intel: [], geo: false });
  try {
    const drain = async (name: string) => {
      let n = 0;
      for await (const batch of reader.read({ name }, {}, new Quarantine(undefined), newStats())) n += batch.signals.length;
      return n;
    };
    await assert.rejects(drain(join(dir, 'gone.jsonl')), /gone\.jsonl/);
    assert.equal(await drain(file), 10);
  } finally {
    await reader.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a thread started early is the one the next reader takes, and reads as any other', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-threaded-'));
  const file = join(dir, 'signins.jsonl');
  writeFileSync(file, jsonl(Array.from({ length: 500 }, (_, i) => entraGraph(i))));
  const id = startReadingThreadEarly(true);
  assert.equal(startReadingThreadEarly(true), id, 'started once');
  const reader = new ThreadedReader({ intel: [], geo: false });
  try {
    reader.prepare();
    assert.equal(reader.threadId, id);
    const lines: number[] = [];
    for await (const batch of reader.read({ name: file }, {}, new Quarantine(undefined), newStats())) for (const s of batch.signals) lines.push(s.source!.line);
    assert.deepEqual(lines, Array.from({ length: 500 }, (_, i) => i + 1));
    // Taken: the next early start is a thread of its own.
    const next = startReadingThreadEarly(false);
    assert.notEqual(next, id);
    const other = new ThreadedReader({ intel: [], geo: false });
    other.prepare();
    assert.equal(other.threadId, next);
    await other.close();
  } finally {
    await reader.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an early thread that no reader takes does not keep the process alive', () => {
  const module = new URL('./thread-start.ts', import.meta.url).href;
  const code = `const m = await import(${JSON.stringify(module)}); m.startReadingThreadEarly(true); console.log('started');`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.signal, null, 'ended on its own');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'started');
});

test('a read started ahead of its caller is the one the caller takes: the thread reads before it is asked', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-threaded-'));
  const file = join(dir, 'signins.jsonl');
  writeFileSync(file, jsonl(Array.from({ length: 3000 }, (_, i) => entraGraph(i))) + '{not json\n');
  const reader = new ThreadedReader({ intel: [], geo: false });
  try {
    const src = { name: file };
    const opts = {};
    reader.startReading(src, opts);
    const deadline = Date.now() + 20_000;
    while (reader.buffered === 0 && Date.now() < deadline) await sleep(20);
    assert.ok(reader.buffered > 0, 'batches were made before the caller asked');
    const q = new Quarantine(undefined);
    const stats = newStats();
    const lines: number[] = [];
    for await (const batch of reader.read(src, opts, q, stats)) for (const s of batch.signals) lines.push(s.source!.line);
    assert.deepEqual(lines, Array.from({ length: 3000 }, (_, i) => i + 1));
    assert.equal(q.count, 1, 'the bad last line, quarantined once');
    assert.equal(stats.records, 3001);
  } finally {
    await reader.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a read started ahead for a source the caller then skips is stopped, and nothing of it shows', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-threaded-'));
  const skipped = join(dir, 'done-already.jsonl');
  const wanted = join(dir, 'next.jsonl');
  // More than the thread may read ahead, with a bad line early: the stopped read must not hold the thread, nor count.
  writeFileSync(skipped, '{bad\n' + jsonl(Array.from({ length: 100_000 }, (_, i) => entraGraph(i))));
  writeFileSync(wanted, jsonl(Array.from({ length: 50 }, (_, i) => entraGraph(i))));
  const reader = new ThreadedReader({ intel: [], geo: false });
  try {
    const opts = {};
    reader.startReading({ name: skipped }, opts);
    const deadline = Date.now() + 20_000;
    while (reader.buffered < IN_FLIGHT && Date.now() < deadline) await sleep(20);
    assert.equal(reader.buffered, IN_FLIGHT, 'the thread read ahead as far as it may, then waited');
    const q = new Quarantine(undefined);
    const stats = newStats();
    let events = 0;
    for await (const batch of reader.read({ name: wanted }, opts, q, stats)) {
      for (const s of batch.signals) assert.equal(s.source!.file, wanted);
      events += batch.signals.length;
    }
    assert.equal(events, 50);
    assert.equal(q.count, 0, 'the skipped source quarantined nothing');
    assert.equal(stats.records, 50);
  } finally {
    await reader.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a read started ahead for a source that cannot be read fails when the caller takes it', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-threaded-'));
  const reader = new ThreadedReader({ intel: [], geo: false });
  try {
    const src = { name: join(dir, 'gone.jsonl') };
    const opts = {};
    reader.startReading(src, opts);
    await sleep(300); // the thread has failed by now, before anyone listens
    const drain = async () => {
      for await (const _batch of reader.read(src, opts, new Quarantine(undefined), newStats()));
    };
    await assert.rejects(drain(), /gone\.jsonl/);
  } finally {
    await reader.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
