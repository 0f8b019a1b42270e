/**
 * E-mail delivery through a real SMTP server started in the test (smtp-server): every prepared message arrives
 * once with its recipients and stored Message-ID; temporary refusals are retried with backoff; a permanent refusal
 * fails that delivery alone, and --retry-failed gives it another chance.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadOrganisations } from '../orgs/organisations.js';
import { openStore, type Db } from '../store/db.js';
import { parseMessage, smtpError, smtpOrgs, startSmtp, tempDir, worldStore } from './fixtures/support.js';
import { prepareNotifications } from './prepare.js';
import { sendOutbox } from './send.js';
import { Catalogs } from './templates.js';

const catalogs = new Catalogs();
const fast = { backoffMs: 20, maxBackoffMs: 100, timeoutMs: 5_000 };

async function preparedWorld(port: number) {
  const dir = tempDir('smtp');
  const db = openStore(worldStore(join(dir, 'vigil.db')));
  const orgs = loadOrganisations(smtpOrgs(join(dir, 'orgs.yaml'), port));
  const r = await prepareNotifications(db, orgs, catalogs);
  assert.deepEqual(r.errors, []);
  return { db, orgs };
}

const emailDeliveries = (db: Db) =>
  db
    .prepare(
      `SELECT d.id, d.status, d.attempts, d.last_error, d.in_doubt, m.recipients, m.message_id, m.eml FROM deliveries d JOIN notification_messages m ON m.id = d.message_rowid WHERE d.channel = 'smtp' ORDER BY d.id`,
    )
    .all() as { id: number; status: string; attempts: number; last_error: string | null; in_doubt: number; recipients: string; message_id: string; eml: string }[];

test('every prepared e-mail arrives once, to its recipients, with its stored Message-ID and content', async () => {
  const smtp = await startSmtp();
  try {
    const { db, orgs } = await preparedWorld(smtp.port);
    const report = await sendOutbox(db, orgs, fast);
    const expected = emailDeliveries(db);
    assert.ok(expected.length >= 18, `the world has many e-mails (${expected.length})`);
    assert.equal(report.sent.length, expected.length);
    assert.equal(smtp.received.length, expected.length, 'one message per delivery');
    for (const d of expected) {
      assert.equal(d.status, 'sent');
      assert.equal(d.attempts, 1);
      const got = smtp.received.filter((m) => m.messageId === d.message_id);
      assert.equal(got.length, 1, `${d.message_id} arrived once`);
      assert.deepEqual(got[0].to, JSON.parse(d.recipients));
      assert.equal(got[0].from, 'alerts@vigil.example');
      // What arrived is what was stored (dot-stuffing undone by the server).
      assert.equal(got[0].raw.replace(/\r\n$/, ''), d.eml.replace(/\r\n$/, ''));
      const m = parseMessage(got[0].raw);
      assert.equal(m.headers.get('from'), 'Vigil test <alerts@vigil.example>');
      assert.ok(m.text.length > 500 && m.html.startsWith('<!DOCTYPE html>'));
    }
    const statuses = db.prepare('SELECT status, COUNT(*) AS n FROM notifications GROUP BY status').all() as { status: string; n: number }[];
    assert.deepEqual(statuses, [{ status: 'sent', n: 16 }], 'every notification of the world is sent');
    // Sending again sends nothing.
    const again = await sendOutbox(db, orgs, fast);
    assert.equal(again.sent.length, 0);
    assert.equal(smtp.received.length, expected.length);
    db.close();
  } finally {
    await smtp.close();
  }
});

test('temporary refusals are retried with backoff; a permanent refusal fails only that delivery', async () => {
  let tempfails = 0;
  let refuseMontealegre = true;
  const smtp = await startSmtp({
    onRcpt(address) {
      // The first three recipients are told to come back later (greylisting).
      if (tempfails < 3) {
        tempfails++;
        throw smtpError(451, 'greylisted, try again later');
      }
      if (refuseMontealegre && address === 'seguridad@movimiento-montealegre.example') throw smtpError(550, 'no such mailbox');
    },
  });
  try {
    const { db, orgs } = await preparedWorld(smtp.port);
    const attempts: string[] = [];
    const t0 = Date.now();
    const report = await sendOutbox(db, orgs, { ...fast, onAttempt: (a) => attempts.push(`${a.outcome}:${a.attempt}`) });
    const deliveries = emailDeliveries(db);
    const montealegre = deliveries.filter((d) => d.recipients.includes('seguridad@movimiento-montealegre.example'));
    assert.equal(montealegre.length, 1);
    assert.equal(montealegre[0].status, 'failed');
    assert.equal(montealegre[0].attempts, 1, 'a permanent refusal is not retried');
    assert.match(montealegre[0].last_error!, /550|no such mailbox/);
    assert.equal(report.failed.length, 1);
    const others = deliveries.filter((d) => d !== montealegre[0]);
    assert.ok(others.every((d) => d.status === 'sent'));
    assert.equal(others.filter((d) => d.attempts === 2).length, 3, 'the three greylisted deliveries took a second attempt');
    assert.equal(attempts.filter((a) => a.startsWith('retry')).length, 3);
    assert.ok(Date.now() - t0 >= 20, 'waited for the backoff');
    assert.equal(smtp.accepted.length, others.length);
    assert.equal(new Set(smtp.accepted.map((m) => m.messageId)).size, others.length, 'no message twice');
    const failedNotification = db.prepare("SELECT COUNT(*) AS n FROM notifications WHERE status = 'failed'").get() as { n: number };
    assert.equal(failedNotification.n, 1);

    // The mailbox is fixed; --retry-failed sends it, and only it.
    refuseMontealegre = false;
    const retry = await sendOutbox(db, orgs, { ...fast, retryFailed: true });
    assert.equal(retry.sent.length, 1);
    assert.equal(emailDeliveries(db).find((d) => d.id === montealegre[0].id)!.status, 'sent');
    assert.equal(smtp.accepted.filter((m) => m.messageId === montealegre[0].message_id).length, 1);
    db.close();
  } finally {
    await smtp.close();
  }
});

test('a delivery that keeps failing gives up after --attempts and says so', async () => {
  const smtp = await startSmtp({
    onRcpt() {
      throw smtpError(421, 'service not available');
    },
  });
  try {
    const { db, orgs } = await preparedWorld(smtp.port);
    const report = await sendOutbox(db, orgs, { ...fast, maxAttempts: 3 });
    const deliveries = emailDeliveries(db);
    assert.ok(deliveries.every((d) => d.status === 'failed' && d.attempts === 3));
    assert.ok(deliveries.every((d) => /gave up after 3 attempts/.test(d.last_error!)));
    assert.equal(report.failed.length, deliveries.length);
    assert.equal(smtp.received.length, 0);
    db.close();
  } finally {
    await smtp.close();
  }
});
