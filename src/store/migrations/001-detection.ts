/**
 * @module store/migrations/001-detection
 * Inputs taken, runs, the finding line stream, the latest findings, and the detectors' saved memory.
 */
import type { Migration } from './types.js';

export const m001: Migration = {
  version: 1,
  name: 'detection store',
  sql: `
      CREATE TABLE inputs (
        fingerprint TEXT PRIMARY KEY,   -- size + hash of the first MiB: the same content under any name
        path TEXT NOT NULL,
        size INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('partial', 'done')),
        line INTEGER NOT NULL DEFAULT 0, -- records up to this line are in the saved state
        events INTEGER NOT NULL DEFAULT 0,
        quarantined INTEGER NOT NULL DEFAULT 0,
        run_id TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE runs (
        id TEXT PRIMARY KEY,             -- hash of the inputs and options: the same command resumes the same run
        command TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'done')),
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        events INTEGER NOT NULL DEFAULT 0,
        records INTEGER NOT NULL DEFAULT 0,
        quarantined INTEGER NOT NULL DEFAULT 0,
        skipped INTEGER NOT NULL DEFAULT 0
      );
      -- The append-only stream of finding lines, exactly as written to --out.
      CREATE TABLE finding_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id TEXT NOT NULL,
        uid TEXT NOT NULL,
        tenant TEXT NOT NULL,
        type TEXT NOT NULL,
        activity_id INTEGER NOT NULL,
        time INTEGER NOT NULL,
        json TEXT NOT NULL
      );
      CREATE INDEX finding_log_run ON finding_log (run_id, seq);
      -- The latest content of each finding.
      CREATE TABLE findings (
        uid TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        type TEXT NOT NULL,
        severity_id INTEGER NOT NULL,
        first_seen INTEGER NOT NULL,
        last_seen INTEGER NOT NULL,
        time INTEGER NOT NULL,
        campaign_uid TEXT,
        json TEXT NOT NULL
      );
      CREATE INDEX findings_tenant ON findings (tenant, time);
      CREATE INDEX findings_type ON findings (type, time);
      CREATE TABLE detector_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        rules_hash TEXT NOT NULL,
        state TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `,
};
