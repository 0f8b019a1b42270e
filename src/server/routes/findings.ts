/**
 * @module server/routes/findings
 * `GET /api/v1/findings` (filters tenant, type, campaign, since, until; newest first, keyset pages) and
 * `GET /api/v1/findings/:uid`. Items are the OCSF Detection Findings as stored. A finding never mixes
 * organisations, so scoping by tenant does most of an organisation's view; the campaign attribution written into
 * findings is reduced to the actor (see redact.ts).
 */
import type { Hono } from 'hono';
import { FINDING_TYPES } from '../../detect/rules.js';
import type { Db } from '../../store/db.js';
import { tenantScope, type Env } from '../auth.js';
import { badRequest, notFound } from '../errors.js';
import { decodeCursor, encodeCursor, limitParam, listBody, timeParam } from '../params.js';
import { findingForOrganisation } from '../redact.js';

export function findingRoutes(app: Hono<Env>, db: Db): void {
  app.get('/api/v1/findings', (c) => {
    const q = c.req.query();
    const tenant = tenantScope(c.get('principal'), q.tenant);
    const type = q.type || undefined;
    if (type !== undefined && !(FINDING_TYPES as readonly string[]).includes(type)) throw badRequest(`type must be one of ${FINDING_TYPES.join(', ')}`);
    const since = timeParam(q.since, 'since');
    const until = timeParam(q.until, 'until');
    const limit = limitParam(q.limit);
    const after = decodeCursor(q.next, ['number', 'string']);
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (tenant !== undefined) where.push('f.tenant = ?'), args.push(tenant);
    if (type !== undefined) where.push('f.type = ?'), args.push(type);
    if (since !== undefined) where.push('f.time >= ?'), args.push(since);
    if (until !== undefined) where.push('f.time < ?'), args.push(until);
    if (q.campaign) where.push('f.uid IN (SELECT finding_uid FROM campaign_members WHERE campaign_uid = ?)'), args.push(q.campaign);
    if (after) where.push('(f.time < ? OR (f.time = ? AND f.uid < ?))'), args.push(after[0], after[0], after[1]);
    const rows = db
      .prepare(`SELECT f.uid, f.time, f.json FROM findings f ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY f.time DESC, f.uid DESC LIMIT ?`)
      .all(...args, limit + 1) as { uid: string; time: number; json: string }[];
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const last = page[page.length - 1];
    const shown = c.get('principal').role === 'org' ? (json: string) => JSON.stringify(findingForOrganisation(JSON.parse(json))) : (json: string) => json;
    return c.body(listBody(page.map((r) => shown(r.json)), more ? encodeCursor([last.time, last.uid]) : null), 200, { 'content-type': 'application/json; charset=utf-8' });
  });

  app.get('/api/v1/findings/:uid', (c) => {
    const tenant = tenantScope(c.get('principal'), undefined);
    const row = db.prepare('SELECT tenant, json FROM findings WHERE uid = ?').get(c.req.param('uid')) as { tenant: string; json: string } | undefined;
    // Another organisation's finding is "not found", not "forbidden": its existence is not ours to reveal.
    if (!row || (tenant !== undefined && row.tenant !== tenant)) throw notFound('no such finding');
    const json = c.get('principal').role === 'org' ? JSON.stringify(findingForOrganisation(JSON.parse(row.json))) : row.json;
    return c.body(json, 200, { 'content-type': 'application/json; charset=utf-8' });
  });
}
