/**
 * The log copied on another thread: what was committed reaches the database file itself while the writer keeps its
 * connection open (the file alone, without the log beside it, then holds the rows); a store that cannot be opened
 * only ends the copy. A LogCopier keeps SQLite from copying the log in the writer's own commits and copies it on
 * another thread as the writer reports what it wrote, one copy at a time, and gives the setting back when closed.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { openStore } from './db.js';
import { copyLogInBackground, LogCopier } from './wal-copy.js';

/** Rows in `finding_log` of a copy of the database file alone (no -wal file beside it). */
function rowsInFileAlone(path: string, dir: string): number {
  const alone = join(dir, `alone-${Math.random().toString(36).slice(2)}.db`);
  copyFileSync(path, alone);
  const db = new Database(alone, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM finding_log').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

test('committed rows reach the database file while the writer stays open', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-wal-'));
  try {
    const path = join(dir, 'store.db');
    const db = openStore(path);
    db.pragma('wal_checkpoint(TRUNCATE)'); // the schema in the file
    db.pragma('wal_autocheckpoint = 0'); // from now on only the copy moves pages into the file
    const ins = db.prepare("INSERT INTO finding_log (run_id, uid, tenant, type, activity_id, time, json) VALUES ('r', ?, 't', 'password_spray', 1, 0, ?)");
    db.transaction(() => {
      for (let i = 0; i < 50; i++) ins.run(`u${i}`, JSON.stringify({ i, pad: 'x'.repeat(20_000) }));
    })();
    assert.equal(rowsInFileAlone(path, dir), 0, 'before the copy the rows are only in the log');
    assert.equal(copyLogInBackground(path), undefined, 'a log of 1 MB is left to closing');
    assert.equal(rowsInFileAlone(path, dir), 0);
    await copyLogInBackground(path, 0);
    assert.equal(rowsInFileAlone(path, dir), 50, 'after it the file alone has them');
    // The writer goes on as before.
    ins.run('u50', '{}');
    assert.equal((db.prepare('SELECT count(*) AS n FROM finding_log').get() as { n: number }).n, 51);
    db.close();

    assert.equal(copyLogInBackground(join(dir, 'missing', 'none.db'), 0), undefined, 'no store, nothing to copy');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a LogCopier copies the log beside the writer instead of in its commits, and gives the setting back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-wal-'));
  try {
    const path = join(dir, 'store.db');
    const db = openStore(path);
    db.pragma('wal_checkpoint(TRUNCATE)');
    // A log of a few pages past SQLite's own copying point (1,000 pages of 64 KiB): without the copier a commit copies it.
    db.pragma('wal_autocheckpoint = 20');
    const ins = db.prepare("INSERT INTO finding_log (run_id, uid, tenant, type, activity_id, time, json) VALUES ('r', ?, 't', 'password_spray', 1, 0, ?)");
    const line = (i: number) => JSON.stringify({ i, pad: 'x'.repeat(100_000) });
    let next = 0;
    const commitRows = (n: number) => db.transaction(() => {
      for (let k = 0; k < n; k++) ins.run(`u${next}`, line(next++));
    })();

    const quiet = new LogCopier(db, Infinity);
    commitRows(90); // some 9 MB: 140 pages and more
    assert.equal(rowsInFileAlone(path, dir), 0, 'the commits left the log alone');
    assert.equal(quiet.started, 0, 'nothing reported written, nothing copied');
    // The end of the input: a copy now, whatever was reported (one at a time all the same).
    quiet.copyNow();
    quiet.copyNow();
    assert.equal(quiet.started, 1);
    await quiet.close();
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 20, 'the setting given back');
    assert.equal(rowsInFileAlone(path, dir), 90, 'the copy moved the rows into the file');

    const copier = new LogCopier(db, 1 << 20);
    // 3 MB reported in one go (no turn of the event loop, so the copy cannot have ended): the first megabyte starts a
    // copy, the next ones find it still running.
    for (let k = 0; k < 30; k++) {
      commitRows(1);
      copier.wrote(line(0).length);
    }
    assert.equal(copier.started, 1, 'one copy at a time, not one per megabyte written while it ran');
    await copier.close();
    assert.ok(rowsInFileAlone(path, dir) >= 91, 'what was committed before the copies reached the file');
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a long writer\'s log stays short: after each copy the pages committed meanwhile are copied and the log starts over', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-wal-'));
  try {
    const path = join(dir, 'store.db');
    const db = openStore(path);
    const ins = db.prepare("INSERT INTO finding_log (run_id, uid, tenant, type, activity_id, time, json) VALUES ('r', ?, 't', 'password_spray', 1, 0, ?)");
    const text = 'x'.repeat(500_000);
    const copier = new LogCopier(db, 1 << 20);
    let n = 0;
    // 40 MB written as a run writes: a transaction, its report, the catch-up between transactions, and a turn of the
    // event loop (so that a copy's end is heard). Each copy runs while more is committed. Paced at 25 MB a second or
    // less: the log holds what is committed during a copy, and a copy (a thread's start, then the copying) took
    // 0.1-0.4 s on a loaded machine; at 5 ms a row (100 MB a second) one such copy let the log reach 18.9 MB.
    for (let k = 0; k < 80; k++) {
      db.transaction(() => ins.run(`u${n++}`, text))();
      copier.wrote(text.length);
      copier.afterCommit();
      await new Promise((r) => setTimeout(r, 20));
    }
    await copier.close();
    assert.ok(copier.started >= 3, `copies were made (${copier.started})`);
    const log = statSync(`${path}-wal`).size;
    assert.ok(log < 16 << 20, `the log started over instead of holding all 40 MB (${(log / 1e6).toFixed(1)} MB)`);
    assert.equal((db.prepare('SELECT count(*) AS n FROM finding_log').get() as { n: number }).n, 80);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
