/**
 * @module store/migrations/002-campaigns
 * Campaigns joined across organisations and their attribution. `json` is the whole campaign object as
 * `vigil detect --campaigns FILE` writes it; the columns are what the API and notifications filter on.
 */
import type { Migration } from './types.js';

export const m002: Migration = {
  version: 2,
  name: 'campaigns',
  sql: `
    CREATE TABLE campaigns (
      uid TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      first_seen INTEGER NOT NULL,
      last_seen INTEGER NOT NULL,
      actor TEXT,                 -- attributed actor, NULL when unattributed
      confidence INTEGER,         -- 0-100
      json TEXT NOT NULL,
      updated_at INTEGER NOT NULL
    );
    CREATE TABLE campaign_members (
      campaign_uid TEXT NOT NULL,
      finding_uid TEXT NOT NULL,
      tenant TEXT NOT NULL,
      PRIMARY KEY (campaign_uid, finding_uid)
    );
    -- Lists of recent campaigns, and of one actor's campaigns, without reading every row's JSON.
    CREATE INDEX campaigns_last_seen ON campaigns (last_seen);
    CREATE INDEX campaigns_actor ON campaigns (actor, last_seen);
    CREATE INDEX campaign_members_tenant ON campaign_members (tenant, campaign_uid);
    CREATE INDEX campaign_members_finding ON campaign_members (finding_uid);
  `,
};
