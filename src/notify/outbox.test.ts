/**
 * The outbox state machine and sender lock at unit level: what a crashed run leaves is recovered as "not
 * delivered" (sending) or "in doubt" (committing); one sender at a time, a dead one's lock is taken over.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore, type Db } from '../store/db.js';
import { tempDir } from './fixtures/support.js';
import { LockHeldError, Outbox } from './outbox.js';

function storeWithDeliveries(n: number): Db {
  const db = openStore(join(tempDir('outbox'), 'vigil.db'));
  db.prepare(
    "INSERT INTO notifications (uid, tenant, campaign_key, reference, kind, sequence, language, subject, reported, finding_uids, payload, status, created_at, updated_at) VALUES ('n1', 't1', 'finding:f1', 'VGL-1', 'initial', 1, 'en', 's', '{}', '[]', '{}', 'prepared', 1, 1)",
  ).run();
  for (let i = 0; i < n; i++) db.prepare("INSERT INTO deliveries (notification_uid, channel, target, status, updated_at) VALUES ('n1', 'webhook', ?, 'pending', 1)").run(`https://h${i}.example/`);
  return db;
}
const states = (db: Db) => db.prepare('SELECT id, status, attempts, in_doubt FROM deliveries ORDER BY id').all();

test('recovery: sending goes back to pending as not delivered, committing as in doubt; sent and failed stay', () => {
  const db = storeWithDeliveries(4);
  const o = new Outbox(db);
  assert.ok(o.markSending(1));
  assert.ok(o.markSending(2));
  o.markCommitting(2);
  assert.ok(o.markSending(3));
  o.markCommitting(3);
  o.markSent(3, 'HTTP 200');
  assert.ok(!o.markSending(3), 'a sent delivery is not taken again');
  assert.throws(() => o.markCommitting(4), /no longer being sent/);
  const r = o.recover();
  assert.deepEqual(r.resumed.map((d) => d.id), [1]);
  assert.deepEqual(r.inDoubt.map((d) => d.id), [2]);
  assert.deepEqual(states(db), [
    { id: 1, status: 'pending', attempts: 1, in_doubt: 0 },
    { id: 2, status: 'pending', attempts: 1, in_doubt: 1 },
    { id: 3, status: 'sent', attempts: 1, in_doubt: 0 },
    { id: 4, status: 'pending', attempts: 0, in_doubt: 0 },
  ]);
  o.refreshNotification('n1');
  assert.equal((db.prepare("SELECT status FROM notifications WHERE uid = 'n1'").get() as { status: string }).status, 'sending');
  for (const id of [1, 2, 4]) {
    o.markSending(id);
    o.markSent(id, 'HTTP 200');
  }
  o.refreshNotification('n1');
  assert.equal((db.prepare("SELECT status FROM notifications WHERE uid = 'n1'").get() as { status: string }).status, 'sent');
});

test('retries wait for their time; failed deliveries come back only when asked', () => {
  let now = 1000;
  const db = storeWithDeliveries(2);
  const o = new Outbox(db, () => now);
  o.markSending(1);
  o.markRetry(1, 'HTTP 503', 5000, false);
  o.markSending(2);
  o.markFailed(2, 'HTTP 404');
  assert.deepEqual(o.due(['webhook']).map((d) => d.id), []);
  assert.equal(o.nextDueAt(['webhook']), 5000);
  assert.equal(o.nextDueAt(['smtp']), undefined);
  now = 5000;
  assert.deepEqual(o.due(['webhook']).map((d) => d.id), [1]);
  assert.equal(o.retryFailed(), 1);
  assert.deepEqual(o.due(['webhook']).map((d) => d.id), [1, 2]);
});

test('one sender at a time; a lock left by a dead process or silent for a minute is taken over', () => {
  let now = 1_000_000;
  const db = storeWithDeliveries(0);
  const a = new Outbox(db, () => now);
  const release = a.acquireLock();
  assert.throws(() => new Outbox(db, () => now).acquireLock(), LockHeldError, 'a live holder (this very process) keeps it');
  release();
  new Outbox(db, () => now).acquireLock(); // free again; this holder now "crashes" without releasing
  db.prepare('UPDATE notify_lock SET pid = 2147483646').run(); // a process id that does not exist
  const take = new Outbox(db, () => now).acquireLock();
  take();
  new Outbox(db, () => now).acquireLock();
  db.prepare("UPDATE notify_lock SET host = 'another-host'").run();
  assert.throws(() => new Outbox(db, () => now).acquireLock(), /pid \d+ on another-host/);
  now += 61_000;
  new Outbox(db, () => now).acquireLock()();
});
