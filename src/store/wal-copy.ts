/**
 * @module store/wal-copy
 * Copies a store's write-ahead log into the database file on a thread of its own (SQLite's checkpoint), while the
 * caller goes on writing.
 *
 * Why: SQLite copies the log into the database when the last connection closes, on the thread that closes it. After
 * a detection run's final checkpoint the log holds most of what the run wrote (finding lines and detector memory:
 * 60 MB for a 1M-event Entra run, copied in 145-160 ms), and the detection thread would copy it at the very end,
 * when the reading thread's core is idle. Started once detector memory is saved, the copy runs beside the campaigns'
 * work; the closing connection then finds little or nothing left to copy. A passive checkpoint never blocks a writer,
 * and a copy cut short (the process ends) is finished by the next connection: it is only ever a matter of time.
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The smallest log worth a thread: starting one takes 50-80 ms (a one-event run took that much longer with it),
 * closing copies a few MiB in less.
 */
export const MIN_LOG_BYTES = 8 << 20;

const CODE = `
const { workerData } = require('node:worker_threads');
const Database = require(workerData.lib);
const db = new Database(workerData.path, { fileMustExist: true });
try {
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_checkpoint(PASSIVE)');
} finally {
  db.close();
}`;

/**
 * Starts copying the log of the store at `path` if it holds at least `minBytes`; resolves when done (never rejects:
 * the copy is only an early start). Undefined when not started (a small or no log, an in-memory store).
 */
export function copyLogInBackground(path: string, minBytes = MIN_LOG_BYTES): Promise<void> | undefined {
  if (path === ':memory:' || path === '') return undefined;
  let size: number;
  try {
    size = statSync(`${path}-wal`).size;
  } catch {
    return undefined;
  }
  if (size < minBytes) return undefined;
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(CODE, { eval: true, workerData: { path, lib: createRequire(import.meta.url).resolve('better-sqlite3') } });
    } catch {
      resolve();
      return;
    }
    worker.on('error', () => {});
    worker.on('exit', () => resolve());
  });
}

/**
 * A writer's log kept short from another thread: SQLite copies the log into the store's file in the committing
 * statement once it passes `wal_autocheckpoint` pages (1,000: 64 MiB with the store's 64 KiB pages), and waits for
 * the disk twice doing so, on the writing thread (0.18 s of the detection thread near the end of a 1M-event Entra
 * run). While a LogCopier is open that is off; instead, each time the writer reports `everyChars` more characters
 * written, a copy starts on a thread of its own (one at a time), and `afterCommit` catches up on the pages committed
 * during it. `close` restores the setting and waits for the copies.
 */
export class LogCopier {
  private readonly autoCheckpoint: number;
  private written = 0;
  private copying: Promise<void> | undefined;
  private readonly copies: Promise<void>[] = [];
  /** A copy made while the writer wrote has ended, and what was committed meanwhile is still to be copied. */
  private behind = false;

  constructor(
    private readonly db: { name: string; pragma(source: string, options?: { simple?: boolean }): unknown },
    private readonly everyChars = 64 << 20,
  ) {
    this.autoCheckpoint = Number(db.pragma('wal_autocheckpoint', { simple: true }));
    db.pragma('wal_autocheckpoint = 0');
  }

  /** The writer committed this many more characters (finding lines, detector memory). */
  wrote(chars: number): void {
    this.written += chars;
    if (this.written < this.everyChars || this.copying) return;
    this.written = 0;
    const copy = copyLogInBackground(this.db.name, 0);
    this.start(copy?.then(() => void (this.behind = true)));
  }

  /**
   * Between the writer's transactions: once a copy made while it wrote has ended, the few pages committed during the
   * copy are copied here. SQLite starts the log over at the next write only when every page in it was copied; else
   * a long run's log would grow by all it ever wrote (detector memory is saved again at every checkpoint).
   */
  afterCommit(): void {
    if (!this.behind) return;
    this.behind = false;
    this.db.pragma('wal_checkpoint(PASSIVE)');
  }

  /**
   * Starts a copy now (unless one is running, which already has the checkpointer's lock, or the log is small): at the
   * end of the input, so that the copy of what the reading phase wrote runs on the idle core while the last findings
   * and detector memory are saved, and once more after those.
   */
  copyNow(): void {
    this.written = 0;
    if (!this.copying) this.start(copyLogInBackground(this.db.name));
  }

  private start(copy: Promise<void> | undefined): void {
    if (!copy) return;
    this.copying = copy.then(() => void (this.copying = undefined));
    this.copies.push(copy);
  }

  /** Copies started so far (for tests). */
  get started(): number {
    return this.copies.length;
  }

  async close(): Promise<void> {
    this.db.pragma(`wal_autocheckpoint = ${this.autoCheckpoint}`);
    await Promise.all(this.copies);
  }
}
