/**
 * @module store/db
 * The embedded SQLite store (better-sqlite3): WAL mode so `vigil serve` can read while `vigil detect` writes,
 * a busy timeout for concurrent writers, and schema migrations applied on open.
 */
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

export class StoreError extends Error {}

/** The page size of a new store, in bytes. */
export const PAGE_SIZE = 65536;

export function openStore(path: string): Db {
  let db: Db;
  try {
    db = new Database(path);
  } catch (e) {
    throw new StoreError(`cannot open store ${path}: ${(e as Error).message}`);
  }
  try {
    // SQLite's largest pages, for a new store (an existing one keeps its own): a finding line can be 100 KB (a spray's
    // thousands of addresses) and detector memory is saved a megabyte at a time, so most of what a run writes is
    // long values, which 4 KiB pages cut into chains of 25-250 pages, each a frame of its own in the write-ahead log and
    // each copied again into the database at a checkpoint. Measured on a 1M-event Entra run (findings 24 MB, memory
    // 11 MB): the run's SQLite statements 645-741 -> 456-610 ms, its commits 270-306 -> 37-50 ms.
    db.pragma(`page_size = ${PAGE_SIZE}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 10000');
    db.pragma('foreign_keys = ON');
    migrate(db);
  } catch (e) {
    db.close();
    if ((e as { code?: string }).code === 'SQLITE_NOTADB') throw new StoreError(`${path} is not a Vigil store (not an SQLite database)`);
    throw new StoreError(`cannot prepare store ${path}: ${(e as Error).message}`);
  }
  return db;
}

function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const have = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
  const newest = Math.max(0, ...have);
  const known = Math.max(...MIGRATIONS.map((m) => m.version));
  if (newest > known) throw new StoreError(`store schema version ${newest} is newer than this Vigil knows (${known}); upgrade Vigil`);
  for (const m of MIGRATIONS) {
    if (have.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
    })();
  }
}
