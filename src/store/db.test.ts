/**
 * Opening the store: a new one gets large pages (long finding lines and detector memory are most of what a run
 * writes), one made earlier with SQLite's default pages opens as it is, keeping its pages and its rows.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { openStore, PAGE_SIZE } from './db.js';

test('a new store has large pages; a store with 4 KiB pages keeps them and its rows', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-db-'));
  try {
    const fresh = openStore(join(dir, 'new.db'));
    assert.equal(fresh.pragma('page_size', { simple: true }), PAGE_SIZE);
    assert.equal(fresh.pragma('journal_mode', { simple: true }), 'wal');
    const long = 'x'.repeat(300_000);
    fresh.prepare('INSERT INTO detector_state_parts (seq, text) VALUES (?, ?)').run(0, long);
    assert.equal((fresh.prepare('SELECT text FROM detector_state_parts').get() as { text: string }).text, long);
    fresh.close();

    // A store as earlier versions made it: default pages, already in WAL mode, with data.
    const path = join(dir, 'old.db');
    const old = new Database(path);
    old.pragma('page_size = 4096');
    old.pragma('journal_mode = WAL');
    old.exec("CREATE TABLE kept (v TEXT); INSERT INTO kept VALUES ('still here')");
    old.close();
    const reopened = openStore(path);
    assert.equal(reopened.pragma('page_size', { simple: true }), 4096);
    assert.equal((reopened.prepare('SELECT v FROM kept').get() as { v: string }).v, 'still here');
    assert.ok(reopened.prepare("SELECT 1 FROM sqlite_master WHERE name = 'finding_log'").get(), 'migrated');
    reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
