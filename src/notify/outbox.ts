/**
 * @module notify/outbox
 * The durable outbox in the store: delivery rows and their state machine, and the lock that lets one sender work
 * it at a time. Every transition is its own committed transaction, written before the step it describes:
 *
 *   pending --(attempt starts)--> sending --(message complete, receiver not yet able to accept)--> committing
 *   committing --(receiver accepted)--> sent
 *   sending|committing --(definite failure)--> pending (later, with backoff) | failed (permanent or out of attempts)
 *
 * After a crash, `sending` means the receiver cannot have the message (SMTP discards a transaction without its
 * final "."; the webhook request was not yet written), so it is simply sent again; `committing` means it may have
 * arrived and the answer was lost: it is sent again too (a warning lost is worse than one received twice) and
 * counted in `in_doubt`, so the run reports it.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db } from '../store/db.js';

export interface DueDelivery {
  id: number;
  notification_uid: string;
  channel: 'smtp' | 'webhook';
  target: string;
  attempts: number;
  in_doubt: number;
  tenant: string;
  reference: string;
  payload: string;
  recipients: string | null;
  eml: string | null;
}

export interface DeliveryRef {
  id: number;
  notification_uid: string;
  tenant: string;
  channel: string;
  target: string;
}

export class LockHeldError extends Error {}

const HEARTBEAT_MS = 5_000;
const STALE_MS = 60_000;

export class Outbox {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Takes the sender lock, or throws LockHeldError when another live sender holds it. A holder on this host whose
   * process is gone, or any holder silent for a minute, is taken over. Returns the release function.
   */
  acquireLock(): () => void {
    const owner = randomUUID();
    const host = hostname();
    this.db
      .transaction(() => {
        const row = this.db.prepare('SELECT owner, pid, host, heartbeat_at FROM notify_lock WHERE id = 1').get() as { owner: string; pid: number; host: string; heartbeat_at: number } | undefined;
        if (row) {
          const fresh = this.now() - row.heartbeat_at < STALE_MS;
          const alive = row.host === host ? fresh && processAlive(row.pid) : fresh;
          if (alive) throw new LockHeldError(`another 'vigil notify --send' (pid ${row.pid} on ${row.host}) is sending from this store; wait for it to finish`);
        }
        this.db.prepare('INSERT INTO notify_lock (id, owner, pid, host, heartbeat_at) VALUES (1, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, host = excluded.host, heartbeat_at = excluded.heartbeat_at').run(
          owner,
          process.pid,
          host,
          this.now(),
        );
      })
      .immediate();
    const beat = setInterval(() => {
      try {
        this.db.prepare('UPDATE notify_lock SET heartbeat_at = ? WHERE id = 1 AND owner = ?').run(this.now(), owner);
      } catch {
        /* a busy store delays one beat; the next one comes soon */
      }
    }, HEARTBEAT_MS);
    beat.unref();
    return () => {
      clearInterval(beat);
      this.db.prepare('DELETE FROM notify_lock WHERE id = 1 AND owner = ?').run(owner);
    };
  }

  /** After a crash: `sending` goes back to pending; `committing` too, counted as in doubt. Call with the lock held. */
  recover(): { resumed: DeliveryRef[]; inDoubt: DeliveryRef[] } {
    const select = (status: string) =>
      this.db
        .prepare(`SELECT d.id, d.notification_uid, n.tenant, d.channel, d.target FROM deliveries d JOIN notifications n ON n.uid = d.notification_uid WHERE d.status = ? ORDER BY d.id`)
        .all(status) as DeliveryRef[];
    return this.db.transaction(() => {
      const resumed = select('sending');
      const inDoubt = select('committing');
      const t = this.now();
      this.db.prepare("UPDATE deliveries SET status = 'pending', next_attempt_at = 0, last_error = 'interrupted before the message was complete', updated_at = ? WHERE status = 'sending'").run(t);
      this.db
        .prepare("UPDATE deliveries SET status = 'pending', next_attempt_at = 0, in_doubt = in_doubt + 1, last_error = 'interrupted after the message was complete: it may have been delivered', updated_at = ? WHERE status = 'committing'")
        .run(t);
      return { resumed, inDoubt };
    })();
  }

  /** Failed deliveries become pending again with a fresh count of attempts (`--retry-failed`). */
  retryFailed(): number {
    return this.db.prepare("UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = 0, updated_at = ? WHERE status = 'failed'").run(this.now()).changes;
  }

  /** Pending deliveries due now on the given channels, oldest notification first. */
  due(channels: readonly string[]): DueDelivery[] {
    return (
      this.db
        .prepare(
          `SELECT d.id, d.notification_uid, d.channel, d.target, d.attempts, d.in_doubt, n.tenant, n.reference, n.payload, m.recipients, m.eml
         FROM deliveries d JOIN notifications n ON n.uid = d.notification_uid LEFT JOIN notification_messages m ON m.id = d.message_rowid
         WHERE d.status = 'pending' AND d.next_attempt_at <= ? ORDER BY n.created_at, n.uid, d.id`,
        )
        .all(this.now()) as DueDelivery[]
    ).filter((d) => channels.includes(d.channel));
  }

  /** When the next pending delivery on the given channels is due, or undefined when none is pending. */
  nextDueAt(channels: readonly string[]): number | undefined {
    const rows = this.db.prepare("SELECT channel, MIN(next_attempt_at) AS t FROM deliveries WHERE status = 'pending' GROUP BY channel").all() as { channel: string; t: number }[];
    const ts = rows.filter((r) => channels.includes(r.channel)).map((r) => r.t);
    return ts.length ? Math.min(...ts) : undefined;
  }

  pendingCount(channel: string): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM deliveries WHERE status = 'pending' AND channel = ?").get(channel) as { n: number }).n;
  }

  markSending(id: number): boolean {
    return this.db.prepare("UPDATE deliveries SET status = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ? AND status = 'pending'").run(this.now(), id).changes === 1;
  }

  markCommitting(id: number): void {
    const r = this.db.prepare("UPDATE deliveries SET status = 'committing', updated_at = ? WHERE id = ? AND status = 'sending'").run(this.now(), id);
    if (r.changes !== 1) throw new Error(`delivery ${id} is no longer being sent by this run`);
  }

  markSent(id: number, response: string, note?: string): void {
    this.db.prepare("UPDATE deliveries SET status = 'sent', response = ?, last_error = ?, sent_at = ?, updated_at = ? WHERE id = ?").run(response.slice(0, 500), note ?? null, this.now(), this.now(), id);
  }

  markRetry(id: number, error: string, nextAt: number, inDoubt: boolean): void {
    this.db
      .prepare("UPDATE deliveries SET status = 'pending', last_error = ?, next_attempt_at = ?, in_doubt = in_doubt + ?, updated_at = ? WHERE id = ?")
      .run(error.slice(0, 500), nextAt, inDoubt ? 1 : 0, this.now(), id);
  }

  markFailed(id: number, error: string): void {
    this.db.prepare("UPDATE deliveries SET status = 'failed', last_error = ?, updated_at = ? WHERE id = ?").run(error.slice(0, 500), this.now(), id);
  }

  /** A notification is sent when all its deliveries are, failed when the rest are done and one failed. */
  refreshNotification(uid: string): void {
    const rows = this.db.prepare('SELECT status, attempts FROM deliveries WHERE notification_uid = ?').all(uid) as { status: string; attempts: number }[];
    let status = 'prepared';
    if (rows.length && rows.every((r) => r.status === 'sent')) status = 'sent';
    else if (rows.some((r) => r.status === 'failed') && rows.every((r) => r.status === 'sent' || r.status === 'failed')) status = 'failed';
    else if (rows.some((r) => r.attempts > 0)) status = 'sending';
    this.db.prepare('UPDATE notifications SET status = ?, updated_at = ? WHERE uid = ? AND status != ?').run(status, this.now(), uid, status);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
