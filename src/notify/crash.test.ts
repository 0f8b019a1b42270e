/**
 * The durable outbox under SIGKILL. `vigil notify --send` runs as its own process against a real SMTP server in
 * this test, which kills it at chosen moments of a send:
 *  - during RCPT TO (the message is not complete): after a restart every message arrived exactly once;
 *  - after the whole message arrived but before the server's "250" (the unavoidable window): the restart reports
 *    that delivery as in doubt and sends it again, so it arrives twice, and only it;
 *  - a series of kills at every stage, including in the middle of preparing: nothing is lost, every notification
 *    is prepared once, and any message that arrived twice is one the store counts as in doubt.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { loadOrganisations } from '../orgs/organisations.js';
import { openStore } from '../store/db.js';
import { ENTRY, smtpOrgs, startSmtp, tempDir, worldStore, type SmtpHooks, type TestSmtp } from './fixtures/support.js';
import { prepareNotifications } from './prepare.js';
import { Catalogs } from './templates.js';

const ROOT = new URL('../../', import.meta.url).pathname;

interface Run {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function startNotify(args: string[]): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
  return { child, exited };
}

/** The test's view of one world: a store, an organisations file, the SMTP server and the process to kill. */
async function setup(prepareFirst: boolean, hooks: (w: { current: () => Run | undefined }) => SmtpHooks) {
  const dir = tempDir('crash');
  let current: Run | undefined;
  const smtp: TestSmtp = await startSmtp(hooks({ current: () => current }));
  const db = join(dir, 'vigil.db');
  worldStore(db);
  const orgs = smtpOrgs(join(dir, 'orgs.yaml'), smtp.port);
  if (prepareFirst) {
    const store = openStore(db);
    await prepareNotifications(store, loadOrganisations(orgs), new Catalogs());
    store.close();
  }
  const args = ['--db', db, '--orgs', orgs, '--send', '--backoff', '50', '--timeout', '10'];
  return {
    smtp,
    db,
    run(): Run {
      current = startNotify(args);
      return current;
    },
  };
}

interface DeliveryState {
  id: number;
  status: string;
  in_doubt: number;
  message_id: string;
}
function deliveries(db: string): DeliveryState[] {
  const d = new Database(db, { readonly: true });
  const rows = d
    .prepare("SELECT d.id, d.status, d.in_doubt, m.message_id FROM deliveries d JOIN notification_messages m ON m.id = d.message_rowid WHERE d.channel = 'smtp' ORDER BY d.id")
    .all() as DeliveryState[];
  d.close();
  return rows;
}
const arrivals = (smtp: TestSmtp, messageId: string) => smtp.received.filter((m) => m.messageId === messageId).length;

function killNow(run: Run | undefined): Promise<unknown> {
  run?.child.kill('SIGKILL');
  return run ? run.exited : Promise.resolve();
}

test('killed while the message is not complete (during RCPT TO): after a restart every message arrived exactly once', async () => {
  let armed = true;
  const w = await setup(true, ({ current }) => ({
    async onRcpt(_address, count) {
      if (armed && count === 5) {
        armed = false;
        await killNow(current()); // the answer to RCPT never comes: the sender dies waiting for it
      }
    },
  }));
  try {
    const first = await w.run().exited;
    assert.equal(first.signal, 'SIGKILL');
    const interrupted = deliveries(w.db).filter((d) => d.status === 'sending');
    assert.equal(interrupted.length, 1, 'one delivery was being sent when the process died');
    const second = await w.run().exited;
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /resumed 1 delivery\(ies\) interrupted before the message was complete/);
    assert.doesNotMatch(second.stderr, /in doubt/);
    const all = deliveries(w.db);
    assert.ok(all.length >= 18);
    for (const d of all) {
      assert.equal(d.status, 'sent');
      assert.equal(d.in_doubt, 0);
      assert.equal(arrivals(w.smtp, d.message_id), 1, `${d.message_id} arrived once`);
    }
  } finally {
    await w.smtp.close();
  }
});

test('killed after the message arrived but before the server confirmed it: reported in doubt, sent again, the only duplicate', async () => {
  let armed = true;
  let caught = '';
  const w = await setup(true, ({ current }) => ({
    async onData(m, count) {
      if (armed && count === 3) {
        armed = false;
        caught = m.messageId;
        await killNow(current()); // the server has the whole message; the "250" never reaches the sender
      }
    },
  }));
  try {
    assert.equal((await w.run().exited).signal, 'SIGKILL');
    const before = deliveries(w.db);
    const window = before.filter((d) => d.status === 'committing');
    assert.deepEqual(window.map((d) => d.message_id), [caught], 'the store knows which delivery is in doubt');
    const second = await w.run().exited;
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, new RegExp(`in doubt: delivery ${window[0].id} .*may see it twice`));
    for (const d of deliveries(w.db)) {
      assert.equal(d.status, 'sent');
      if (d.message_id === caught) {
        assert.equal(d.in_doubt, 1);
        assert.equal(arrivals(w.smtp, d.message_id), 2, 'the message caught in the window arrived twice, with the same Message-ID');
      } else {
        assert.equal(d.in_doubt, 0);
        assert.equal(arrivals(w.smtp, d.message_id), 1, `${d.message_id} arrived once`);
      }
    }
  } finally {
    await w.smtp.close();
  }
});

test('a series of kills at every stage, preparation included: nothing lost, nothing twice outside the reported window', async () => {
  // Each run is killed at its own moment: counts are per run, stages cover both sides of the window.
  const plan: { stage: 'prepare' | 'rcpt' | 'data' | 'accepted'; at: number }[] = [
    { stage: 'prepare', at: 4 },
    { stage: 'rcpt', at: 2 },
    { stage: 'accepted', at: 2 },
    { stage: 'data', at: 1 },
    { stage: 'accepted', at: 3 },
  ];
  let step = -1;
  let seen = { rcpt: 0, data: 0, accepted: 0 };
  const now = (stage: 'rcpt' | 'data' | 'accepted') => {
    const p = plan[step];
    return p && p.stage === stage && ++seen[stage] === p.at;
  };
  const w = await setup(false, ({ current }) => ({
    async onRcpt() {
      if (now('rcpt')) await killNow(current());
    },
    async onData() {
      if (now('data')) await killNow(current());
    },
    afterAccept() {
      if (now('accepted')) void killNow(current());
    },
  }));
  try {
    for (step = 0; step < plan.length; step++) {
      seen = { rcpt: 0, data: 0, accepted: 0 };
      const run = w.run();
      if (plan[step].stage === 'prepare') {
        // Kill once a few notifications are stored and before all of them are.
        for (;;) {
          await new Promise((r) => setTimeout(r, 5));
          let n = 0;
          try {
            const d = new Database(w.db, { readonly: true, timeout: 1000 });
            n = (d.prepare('SELECT COUNT(*) AS n FROM notifications').get() as { n: number }).n;
            d.close();
          } catch {
            /* not created yet */
          }
          if (n >= plan[step].at) break;
        }
        await killNow(run);
      }
      const end = await run.exited;
      assert.equal(end.signal, 'SIGKILL', `run ${step} (${plan[step].stage}) was killed: ${end.stderr}`);
    }
    const last = await w.run().exited;
    assert.equal(last.code, 0, last.stderr);
    const d = new Database(w.db, { readonly: true });
    const notifications = (d.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT tenant || campaign_key) AS k FROM notifications').get() as { n: number; k: number });
    d.close();
    assert.deepEqual(notifications, { n: 16, k: 16 }, 'every notification prepared, each once');
    let duplicates = 0;
    for (const x of deliveries(w.db)) {
      assert.equal(x.status, 'sent');
      const n = arrivals(w.smtp, x.message_id);
      assert.ok(n >= 1, `${x.message_id} was lost`);
      assert.ok(n - 1 <= x.in_doubt, `${x.message_id} arrived ${n} times but was in doubt only ${x.in_doubt} time(s)`);
      duplicates += n - 1;
    }
    assert.ok(duplicates <= 3, 'at most one duplicate per kill inside the window');
  } finally {
    await w.smtp.close();
  }
});
