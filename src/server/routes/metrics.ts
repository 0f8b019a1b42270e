/**
 * @module server/routes/metrics
 * `GET /metrics` in the Prometheus text format (operator token): events and records read by detection runs,
 * records rejected (unreadable, or refused at ingest), findings by type, campaigns, notifications by status, and
 * the lag between now and the newest event detection has seen (the engine's watermark in its saved state).
 */
import type { Hono } from 'hono';
import type { Db } from '../../store/db.js';
import { requireOperator, type Env } from '../auth.js';
import { readCounters } from '../counters.js';

type Sample = [labels: Record<string, string>, value: number];

function family(name: string, type: 'counter' | 'gauge', help: string, samples: Sample[]): string {
  const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  for (const [labels, value] of samples) {
    const l = Object.entries(labels).map(([k, v]) => `${k}="${esc(v)}"`).join(',');
    lines.push(`${name}${l ? `{${l}}` : ''} ${Number.isFinite(value) ? value : 'NaN'}`);
  }
  return lines.join('\n');
}

/** The newest event time detection has processed: the saved engine's watermark, else the newest finding. */
function newestEventTime(db: Db): number | null {
  try {
    const r = db.prepare("SELECT json_extract(state, '$.watermark') AS w FROM detector_state WHERE id = 1").get() as { w: unknown } | undefined;
    if (typeof r?.w === 'number' && Number.isFinite(r.w)) return r.w;
  } catch {
    // The state is not JSON (a future encoding): fall back to findings.
  }
  const f = db.prepare('SELECT max(time) AS t FROM findings').get() as { t: number | null };
  return f.t;
}

export function metricsText(db: Db, now = Date.now()): string {
  const runs = db.prepare('SELECT count(*) AS n, coalesce(sum(events), 0) AS events, coalesce(sum(records), 0) AS records, coalesce(sum(quarantined), 0) AS quarantined, coalesce(sum(skipped), 0) AS skipped FROM runs').get() as Record<string, number>;
  const runStatus = db.prepare('SELECT status, count(*) AS n FROM runs GROUP BY status').all() as { status: string; n: number }[];
  const types = db.prepare('SELECT type, count(*) AS n FROM findings GROUP BY type ORDER BY type').all() as { type: string; n: number }[];
  const campaigns = db.prepare('SELECT count(*) AS n FROM campaigns').get() as { n: number };
  const notes = db.prepare('SELECT status, count(*) AS n FROM notifications GROUP BY status ORDER BY status').all() as { status: string; n: number }[];
  const counters = readCounters(db);
  const newest = newestEventTime(db);
  const out = [
    family('vigil_events_total', 'counter', 'Sign-in events fed to detection.', [[{}, runs.events]]),
    family('vigil_records_total', 'counter', 'Records read by detection runs.', [[{}, runs.records]]),
    family('vigil_records_skipped_total', 'counter', 'Records of a known vendor that are not sign-in attempts.', [[{}, runs.skipped]]),
    family('vigil_records_rejected_total', 'counter', 'Records rejected: unreadable (quarantined) or refused at ingest (another tenant).', [
      [{ reason: 'unreadable' }, runs.quarantined + (counters.ingest_unreadable ?? 0)],
      [{ reason: 'tenant' }, counters.ingest_refused_tenant ?? 0],
    ]),
    family('vigil_detection_runs', 'gauge', 'Detection runs in the store by status.', runStatus.map((r) => [{ status: r.status }, r.n])),
    family('vigil_ingest_requests_total', 'counter', 'POST /api/v1/ingest requests that reached detection or were refused.', [[{}, counters.ingest_requests ?? 0]]),
    family('vigil_findings', 'gauge', 'Findings in the store by type.', types.map((r) => [{ type: r.type }, r.n])),
    family('vigil_campaigns', 'gauge', 'Campaigns in the store.', [[{}, campaigns.n]]),
    family('vigil_notifications', 'gauge', 'Notifications by status.', notes.map((r) => [{ status: r.status }, r.n])),
  ];
  if (newest !== null) {
    out.push(family('vigil_newest_event_timestamp_seconds', 'gauge', 'Time of the newest event detection has seen.', [[{}, newest / 1000]]));
    out.push(family('vigil_event_lag_seconds', 'gauge', 'Now minus the time of the newest event detection has seen.', [[{}, Math.max(0, (now - newest) / 1000)]]));
  }
  return out.join('\n') + '\n';
}

export function metricsRoutes(app: Hono<Env>, db: Db): void {
  app.get('/metrics', (c) => {
    requireOperator(c.get('principal'));
    return c.body(metricsText(db), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
  });
}
