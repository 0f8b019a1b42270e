/**
 * The log copied on another thread: what was committed reaches the database file itself while the writer keeps its
 * connection open (the file alone, without the log beside it, then holds the rows); a store that cannot be opened
 * only ends the copy.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { openStore } from './db.js';
import { copyLogInBackground } from './wal-copy.js';

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
