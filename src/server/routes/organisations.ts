/**
 * @module server/routes/organisations
 * `GET /api/v1/organisations`: every organisation known from the directory or from findings, with how much it was
 * attacked (findings by type, accounts targeted and compromised, campaigns, last activity). An organisation's
 * token sees only its own entry.
 */
import type { Hono } from 'hono';
import type { Db } from '../../store/db.js';
import { tenantScope, type Env } from '../auth.js';
import { directory } from '../directory.js';
import { decodeCursor, encodeCursor, limitParam } from '../params.js';
import { targetedAccounts } from './accounts.js';

export function organisationRoutes(app: Hono<Env>, db: Db): void {
  app.get('/api/v1/organisations', (c) => {
    const q = c.req.query();
    const tenant = tenantScope(c.get('principal'), q.tenant);
    const limit = limitParam(q.limit);
    const after = decodeCursor(q.next, ['string']);
    const dir = directory(db);
    const where = tenant !== undefined ? 'WHERE tenant = ?' : '';
    const args = tenant !== undefined ? [tenant] : [];
    const byType = db.prepare(`SELECT tenant, type, count(*) AS n, max(last_seen) AS last_seen FROM findings ${where} GROUP BY tenant, type`).all(...args) as { tenant: string; type: string; n: number; last_seen: number }[];
    const campaigns = db.prepare(`SELECT tenant, count(DISTINCT campaign_uid) AS n FROM campaign_members ${where} GROUP BY tenant`).all(...args) as { tenant: string; n: number }[];
    const notifications = db.prepare(`SELECT tenant, count(*) AS n FROM notifications ${where} GROUP BY tenant`).all(...args) as { tenant: string; n: number }[];
    const accounts = targetedAccounts(db, tenant);

    const ids = new Set<string>([...byType.map((r) => r.tenant), ...campaigns.map((r) => r.tenant)]);
    for (const id of dir.keys()) if (tenant === undefined || id === tenant) ids.add(id);
    if (tenant !== undefined) ids.add(tenant);
    const items = [...ids].sort().map((id) => {
      const d = dir.get(id);
      const types = byType.filter((r) => r.tenant === id);
      const acc = accounts.filter((a) => a.tenant === id);
      const last = Math.max(...types.map((r) => r.last_seen));
      return {
        id,
        name: d?.name ?? null,
        sector: d?.sector ?? null,
        language: d?.language ?? null,
        findings: types.reduce((s, r) => s + r.n, 0),
        findings_by_type: Object.fromEntries(types.map((r) => [r.type, r.n])),
        accounts_targeted: acc.length,
        accounts_compromised: acc.filter((a) => a.compromised).length,
        campaigns: campaigns.find((r) => r.tenant === id)?.n ?? 0,
        notifications: notifications.find((r) => r.tenant === id)?.n ?? 0,
        last_seen: Number.isFinite(last) ? last : null,
      };
    });
    const start = after ? items.findIndex((o) => o.id > (after[0] as string)) : 0;
    const rest = start < 0 ? [] : items.slice(start);
    const page = rest.slice(0, limit);
    return c.json({ items: page, next: rest.length > limit ? encodeCursor([page[page.length - 1].id]) : null });
  });
}
