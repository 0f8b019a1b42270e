/**
 * @module notify/send
 * Works the outbox (notify/outbox): takes the sender lock, recovers what a crashed run left behind, then sends
 * every due delivery through its channel, retrying transient failures with exponential backoff (and the
 * receiver's Retry-After) until it succeeds, fails for good, or runs out of attempts. It waits for retries that
 * are due soon; deliveries due later than `maxWaitMs` stay pending for the next run.
 *
 * Exactly once over SMTP is impossible in general: between the final "." and the server's "250 OK" the message
 * may be accepted and the answer lost (RFC 1047). Vigil narrows that window to that exchange (the `committing`
 * state is written just before the "."), sends again whatever was caught in it (the same bytes and Message-ID, so
 * the receiving side can recognise the copy), and reports each such delivery as in doubt. Outside the window a
 * crash neither loses a message nor sends it twice. Webhooks have the same window between writing the request and
 * reading the answer; there `Vigil-Delivery` lets the receiver drop the repeat.
 */
import type { OrganisationsFile } from '../orgs/organisations.js';
import type { Db } from '../store/db.js';
import { SmtpSendError, sendSmtp } from './channels/smtp.js';
import { postWebhook, WebhookSendError } from './channels/webhook.js';
import type { Lookup } from './destination-guard.js';
import { Outbox, type DeliveryRef, type DueDelivery } from './outbox.js';

export interface SendOptions {
  /** Attempts per delivery before it is marked failed (default 5). */
  maxAttempts?: number;
  /** First retry delay; doubles each attempt (default 2 s), capped at `maxBackoffMs` (default 5 min). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** How long this run waits for retries that are not yet due (default 10 min); later ones wait for the next run. */
  maxWaitMs?: number;
  timeoutMs?: number;
  retryFailed?: boolean;
  userAgent?: string;
  lookup?: Lookup;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Called after each attempt (for progress lines). */
  onAttempt?: (e: AttemptEvent) => void;
}

export interface AttemptEvent {
  delivery: DeliveryRef;
  attempt: number;
  outcome: 'sent' | 'retry' | 'failed';
  inDoubt: boolean;
  detail: string;
}

export interface SendReport {
  sent: DeliveryRef[];
  failed: (DeliveryRef & { error: string })[];
  /** Still pending when the run ended (a retry due later than the run waits). */
  waiting: (DeliveryRef & { error: string; nextAt: number })[];
  /** Left `committing` by a crashed run: may have been delivered already, sent again. */
  recoveredInDoubt: DeliveryRef[];
  /** Left `sending` by a crashed run: known not delivered, sent again. */
  recoveredResumed: DeliveryRef[];
  /** Lost the answer after the message was complete during this run: sent again, may arrive twice. */
  inDoubt: DeliveryRef[];
  /** E-mails left pending because the organisations file has no sender settings. */
  unsendableEmail: number;
}

const ref = (d: DueDelivery): DeliveryRef => ({ id: d.id, notification_uid: d.notification_uid, tenant: d.tenant, channel: d.channel, target: d.target });

export async function sendOutbox(db: Db, orgs: OrganisationsFile, o: SendOptions = {}): Promise<SendReport> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const maxAttempts = o.maxAttempts ?? 5;
  const backoff = o.backoffMs ?? 2_000;
  const maxBackoff = o.maxBackoffMs ?? 300_000;
  const maxWait = o.maxWaitMs ?? 600_000;
  const outbox = new Outbox(db, now);
  const report: SendReport = { sent: [], failed: [], waiting: [], recoveredInDoubt: [], recoveredResumed: [], inDoubt: [], unsendableEmail: 0 };

  const release = outbox.acquireLock();
  try {
    const recovered = outbox.recover();
    report.recoveredInDoubt = recovered.inDoubt;
    report.recoveredResumed = recovered.resumed;
    if (o.retryFailed) outbox.retryFailed();
    const smtp = orgs.sender?.smtp;
    const from = orgs.sender?.from;
    const channels = smtp && from ? ['smtp', 'webhook'] : ['webhook'];
    const webhooks = new Map(orgs.organisations.flatMap((org) => org.webhooks.map((w) => [`${org.id}\u0000${w.url}`, w] as const)));

    for (;;) {
      const due = outbox.due(channels);
      if (!due.length) {
        const next = outbox.nextDueAt(channels);
        if (next === undefined || next - now() > maxWait) break;
        await sleep(Math.max(0, next - now()));
        continue;
      }
      for (const d of due) {
        if (!outbox.markSending(d.id)) continue;
        const attempt = d.attempts + 1;
        let committing = false;
        const beforeCommit = () => {
          outbox.markCommitting(d.id);
          committing = true;
        };
        try {
          let response: string;
          let note: string | undefined;
          if (d.channel === 'smtp') {
            const r = await sendSmtp({ settings: smtp!, from: from!, to: JSON.parse(d.recipients ?? '[]'), eml: d.eml ?? '', beforeCommit, timeoutMs: o.timeoutMs });
            response = r.response;
            if (r.rejected.length) note = `refused by the server: ${r.rejected.join(', ')}`;
          } else {
            const hook = webhooks.get(`${d.tenant}\u0000${d.target}`);
            if (!hook) throw new WebhookSendError(`webhook ${d.target} is no longer in the organisations file for ${d.tenant}`, true, false);
            const r = await postWebhook({
              url: d.target,
              body: d.payload,
              secret: hook.secret,
              allowPrivate: hook.allow_private,
              allowHttp: hook.allow_http,
              deliveryId: `${d.notification_uid}.${d.id}`,
              attempt,
              userAgent: o.userAgent ?? 'Vigil',
              beforeCommit,
              timeoutMs: o.timeoutMs,
              lookup: o.lookup,
              now,
            });
            response = `HTTP ${r.status}`;
          }
          outbox.markSent(d.id, response, note);
          report.sent.push(ref(d));
          o.onAttempt?.({ delivery: ref(d), attempt, outcome: 'sent', inDoubt: false, detail: response });
        } catch (e) {
          const known = e instanceof SmtpSendError || e instanceof WebhookSendError;
          const message = (e as Error).message;
          const permanent = known ? (e as SmtpSendError).permanent : false;
          // Only a failure after the message was complete can have delivered it.
          const inDoubt = committing && (known ? (e as SmtpSendError).inDoubt : true);
          if (inDoubt) report.inDoubt.push(ref(d));
          if (permanent || attempt >= maxAttempts) {
            outbox.markFailed(d.id, permanent ? message : `${message} (gave up after ${attempt} attempts)`);
            report.failed.push({ ...ref(d), error: message });
            o.onAttempt?.({ delivery: ref(d), attempt, outcome: 'failed', inDoubt, detail: message });
          } else {
            const wait = Math.min(maxBackoff, Math.max(backoff * 2 ** (attempt - 1), e instanceof WebhookSendError && e.retryAfterMs !== undefined ? e.retryAfterMs : 0));
            outbox.markRetry(d.id, message, now() + wait, inDoubt);
            o.onAttempt?.({ delivery: ref(d), attempt, outcome: 'retry', inDoubt, detail: message });
          }
        } finally {
          outbox.refreshNotification(d.notification_uid);
        }
      }
    }
    if (!channels.includes('smtp')) report.unsendableEmail = outbox.pendingCount('smtp');
    const waiting = db
      .prepare("SELECT d.id, d.notification_uid, n.tenant, d.channel, d.target, d.last_error, d.next_attempt_at FROM deliveries d JOIN notifications n ON n.uid = d.notification_uid WHERE d.status = 'pending' ORDER BY d.id")
      .all() as (DeliveryRef & { last_error: string | null; next_attempt_at: number })[];
    report.waiting = waiting.map((w) => ({ id: w.id, notification_uid: w.notification_uid, tenant: w.tenant, channel: w.channel, target: w.target, error: w.last_error ?? '', nextAt: w.next_attempt_at }));
    return report;
  } finally {
    release();
  }
}
