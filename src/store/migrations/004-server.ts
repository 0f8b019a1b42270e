/**
 * @module store/migrations/004-server
 * What `vigil serve` keeps: API tokens (only their SHA-256 hashes), the organisations directory it shows (loaded
 * with `--orgs`), hourly sign-in counts for the dashboard's timeline and map (written by detection runs in the same
 * transaction as their input progress, so a resumed run counts nothing twice), and a few server counters for
 * /metrics that must survive a restart.
 */
import type { Migration } from './types.js';

export const m004: Migration = {
  version: 4,
  name: 'server',
  sql: `
    CREATE TABLE api_tokens (
      id TEXT PRIMARY KEY,              -- public handle for list and revoke
      token_hash TEXT NOT NULL UNIQUE,  -- hex SHA-256 of the token; the token itself is never stored
      role TEXT NOT NULL CHECK (role IN ('operator', 'org')),
      tenant TEXT,                      -- the organisation an org token is bound to
      name TEXT,
      created_at INTEGER NOT NULL,
      last_used_at INTEGER,
      revoked_at INTEGER,
      CHECK ((role = 'org' AND tenant IS NOT NULL) OR (role = 'operator' AND tenant IS NULL))
    );
    CREATE TABLE organisations (
      id TEXT PRIMARY KEY,              -- the tenant id
      name TEXT NOT NULL,
      sector TEXT NOT NULL,
      language TEXT NOT NULL,
      json TEXT NOT NULL,               -- the organisation as validated from the organisations file
      updated_at INTEGER NOT NULL
    );
    -- Sign-in attempts per hour, organisation and source country ('' when unknown).
    CREATE TABLE activity_hourly (
      hour INTEGER NOT NULL,            -- epoch ms of the start of the hour (UTC)
      tenant TEXT NOT NULL,
      country TEXT NOT NULL,
      failures INTEGER NOT NULL DEFAULT 0,
      successes INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (hour, tenant, country)
    );
    CREATE INDEX activity_hourly_tenant ON activity_hourly (tenant, hour);
    CREATE TABLE server_counters (
      name TEXT PRIMARY KEY,
      value INTEGER NOT NULL
    );
  `,
};
