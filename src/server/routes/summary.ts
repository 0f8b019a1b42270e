/**
 * @module server/routes/summary
 * `GET /api/v1/summary`: the headline numbers of the dashboard (findings by type and severity, campaigns,
 * organisations attacked, accounts targeted and compromised, notifications, newest finding), scoped like every
 * other endpoint.
 */
import type { Hono } from 'hono';
import type { Db } from '../../store/db.js';
import { tenantScope, type Env } from '../auth.js';
import { targetedAccounts } from './accounts.js';

export function summary(db: Db, tenant: string | undefined) {
  const where = tenant !== undefined ? 'WHERE tenant = ?' : '';
  const args = tenant !== undefined ? [tenant] : [];
  const types = db.prepare(`SELECT type, count(*) AS n FROM findings ${where} GROUP BY type`).all(...args) as { type: string; n: number }[];
  const severities = db.prepare(`SELECT severity_id, count(*) AS n FROM findings ${where} GROUP BY severity_id`).all(...args) as { severity_id: number; n: number }[];
  const f = db.prepare(`SELECT count(*) AS n, count(DISTINCT tenant) AS orgs, max(last_seen) AS newest FROM findings ${where}`).get(...args) as { n: number; orgs: number; newest: number | null };
  const campaigns = (tenant === undefined
    ? db.prepare('SELECT count(*) AS n FROM campaigns').get()
    : db.prepare('SELECT count(DISTINCT campaign_uid) AS n FROM campaign_members WHERE tenant = ?').get(tenant)) as { n: number };
  const notifications = db.prepare(`SELECT count(*) AS n FROM notifications ${where}`).get(...args) as { n: number };
  const accounts = targetedAccounts(db, tenant);
  return {
    findings: f.n,
    findings_by_type: Object.fromEntries(types.map((r) => [r.type, r.n])),
    findings_by_severity: Object.fromEntries(severities.map((r) => [String(r.severity_id), r.n])),
    organisations_attacked: f.orgs,
    campaigns: campaigns.n,
    accounts_targeted: accounts.length,
    accounts_compromised: accounts.filter((a) => a.compromised).length,
    notifications: notifications.n,
    newest_finding: f.newest,
  };
}

export function summaryRoutes(app: Hono<Env>, db: Db): void {
  app.get('/api/v1/summary', (c) => {
    const tenant = tenantScope(c.get('principal'), c.req.query('tenant'));
    return c.json({ tenant: tenant ?? null, ...summary(db, tenant) });
  });
}
