/**
 * @module store/migrations/003-notifications
 * Prepared notifications and the durable outbox: a notification is prepared once per organisation and campaign
 * (follow-ups get the next sequence number); each channel's delivery is tracked with its attempts, so a crash
 * loses nothing and a restart sends nothing twice.
 */
import type { Migration } from './types.js';

export const m003: Migration = {
  version: 3,
  name: 'notifications',
  sql: `
    CREATE TABLE notifications (
      uid TEXT PRIMARY KEY,
      tenant TEXT NOT NULL,
      campaign_uid TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('initial', 'follow_up')),
      sequence INTEGER NOT NULL,
      language TEXT NOT NULL,
      subject TEXT NOT NULL,
      state_digest TEXT NOT NULL,   -- what it reported (accounts, compromised), to know when a follow-up is due
      eml TEXT NOT NULL,            -- the RFC 5322 message
      payload TEXT NOT NULL,        -- the JSON body for webhooks
      status TEXT NOT NULL CHECK (status IN ('prepared', 'sending', 'sent', 'failed')),
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      UNIQUE (tenant, campaign_uid, sequence)
    );
    CREATE INDEX notifications_tenant ON notifications (tenant, created_at);
    CREATE TABLE deliveries (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      notification_uid TEXT NOT NULL REFERENCES notifications (uid),
      channel TEXT NOT NULL,        -- smtp:<address>, webhook:<url>, file:<path>
      status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER,
      last_error TEXT,
      sent_at INTEGER,
      UNIQUE (notification_uid, channel)
    );
  `,
};
