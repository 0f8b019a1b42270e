/**
 * @module server/routes/accounts
 * `GET /api/v1/accounts`: the accounts attacks were aimed at, per organisation, with the attack types, how many
 * findings name them, when, and whether the attacker got in (named in a finding's compromised accounts).
 * Compromised accounts come first, then the most recently attacked.
 */
import type { Hono } from 'hono';
import type { Db } from '../../store/db.js';
import { tenantScope, type Env } from '../auth.js';
import { badRequest } from '../errors.js';
import { decodeCursor, encodeCursor, limitParam } from '../params.js';

export interface AccountItem {
  tenant: string;
  account: string;
  compromised: boolean;
  findings: number;
  types: string[];
  first_seen: number;
  last_seen: number;
}

/** Every targeted account within the scope (one tenant, or all when undefined), in display order. */
export function targetedAccounts(db: Db, tenant: string | undefined): AccountItem[] {
  const filter = tenant !== undefined ? 'WHERE f.tenant = ?' : '';
  const args = tenant !== undefined ? [tenant] : [];
  const rows = db
    .prepare(`SELECT f.tenant, o.value ->> 'value' AS account, count(*) AS findings, group_concat(DISTINCT f.type) AS types,
        min(f.first_seen) AS first_seen, max(f.last_seen) AS last_seen
      FROM findings f, json_each(f.json, '$.observables') o
      ${filter ? filter + ' AND' : 'WHERE'} o.value ->> 'type_id' = 4
      GROUP BY f.tenant, account`)
    .all(...args) as (Omit<AccountItem, 'types' | 'compromised'> & { types: string })[];
  const compromised = new Set(
    (db
      .prepare(`SELECT DISTINCT f.tenant, c.value AS account FROM findings f, json_each(f.json, '$.unmapped.compromised_accounts') c ${filter}`)
      .all(...args) as { tenant: string; account: string }[]).map((r) => `${r.tenant}\u0000${r.account}`),
  );
  const items = rows.map((r) => ({ ...r, types: r.types.split(',').sort(), compromised: compromised.has(`${r.tenant}\u0000${r.account}`) }));
  return items.sort((a, b) => Number(b.compromised) - Number(a.compromised) || b.last_seen - a.last_seen || a.tenant.localeCompare(b.tenant) || a.account.localeCompare(b.account));
}

export function accountRoutes(app: Hono<Env>, db: Db): void {
  app.get('/api/v1/accounts', (c) => {
    const q = c.req.query();
    const tenant = tenantScope(c.get('principal'), q.tenant);
    if (q.compromised && q.compromised !== 'true' && q.compromised !== 'false') throw badRequest('compromised must be true or false');
    const limit = limitParam(q.limit);
    const after = decodeCursor(q.next, ['string', 'string']);
    let items = targetedAccounts(db, tenant);
    if (q.compromised) items = items.filter((a) => a.compromised === (q.compromised === 'true'));
    if (after) {
      const i = items.findIndex((a) => a.tenant === after[0] && a.account === after[1]);
      items = i >= 0 ? items.slice(i + 1) : [];
    }
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    return c.json({ items: page, next: items.length > limit ? encodeCursor([last.tenant, last.account]) : null });
  });
}
