/**
 * @module store/migrations/003-notifications
 * Prepared notifications and the durable outbox. A notification is prepared once per organisation and campaign;
 * an escalation adds a follow-up with the next sequence number. Its rendered e-mails (one per audience: language
 * and level of detail) and its webhook body are stored when it is prepared, so every retry sends the same bytes.
 * Each delivery (one e-mail to an audience, one webhook call) is a row whose status moves
 * pending -> sending -> committing -> sent | failed; `committing` is written just before the receiver can accept
 * the message, so after a crash a delivery in `sending` is known not to have arrived and one in `committing` is
 * known to be in doubt (see notify/send.ts). The lock row keeps two senders from working the outbox at once.
 */
import type { Migration } from './types.js';

export const m003: Migration = {
  version: 3,
  name: 'notifications',
  sql: `
    CREATE TABLE notifications (
      uid TEXT PRIMARY KEY,             -- hash of organisation, campaign key and sequence
      tenant TEXT NOT NULL,             -- the organisation (its id in the organisations file)
      campaign_key TEXT NOT NULL,       -- campaign:<uid>, correlation:<uid> or finding:<uid>
      reference TEXT NOT NULL,          -- shown to the organisation; differs between organisations of one campaign
      kind TEXT NOT NULL CHECK (kind IN ('initial', 'follow_up')),
      sequence INTEGER NOT NULL,
      previous_uid TEXT,                -- the notification a follow-up follows
      language TEXT NOT NULL,           -- the organisation's language (the webhook body's text)
      subject TEXT NOT NULL,
      reported TEXT NOT NULL,           -- JSON: attack types, compromised and valid-password accounts, protected accounts, actor
      finding_uids TEXT NOT NULL,       -- JSON list of the organisation's findings it covers
      payload TEXT NOT NULL,            -- the JSON body for webhooks: the notification and its findings
      status TEXT NOT NULL CHECK (status IN ('prepared', 'sending', 'sent', 'failed')),
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      UNIQUE (tenant, campaign_key, sequence)
    );
    CREATE INDEX notifications_tenant ON notifications (tenant, created_at);
    CREATE TABLE notification_messages (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      notification_uid TEXT NOT NULL REFERENCES notifications (uid),
      audience TEXT NOT NULL,           -- <language>.<full|summary>
      language TEXT NOT NULL,
      recipients TEXT NOT NULL,         -- JSON list of addresses (empty: a preview for the outbox only)
      message_id TEXT NOT NULL,         -- the Message-ID header, stable across retries
      eml TEXT NOT NULL,                -- the RFC 5322 message
      UNIQUE (notification_uid, audience)
    );
    CREATE TABLE deliveries (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      notification_uid TEXT NOT NULL REFERENCES notifications (uid),
      channel TEXT NOT NULL CHECK (channel IN ('smtp', 'webhook')),
      target TEXT NOT NULL,             -- smtp: the audience; webhook: the URL
      message_rowid INTEGER REFERENCES notification_messages (id),
      status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'committing', 'sent', 'failed')),
      attempts INTEGER NOT NULL DEFAULT 0,
      in_doubt INTEGER NOT NULL DEFAULT 0,  -- times it was left in 'committing' (crash, lost reply) and sent again
      next_attempt_at INTEGER NOT NULL DEFAULT 0,
      last_error TEXT,
      response TEXT,                    -- the receiver's answer when sent (SMTP reply, HTTP status)
      sent_at INTEGER,
      updated_at INTEGER NOT NULL,
      UNIQUE (notification_uid, channel, target)
    );
    CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
    CREATE TABLE notify_lock (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      owner TEXT NOT NULL,              -- random per run
      pid INTEGER NOT NULL,
      host TEXT NOT NULL,
      heartbeat_at INTEGER NOT NULL
    );
  `,
};
