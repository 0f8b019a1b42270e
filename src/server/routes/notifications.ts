/**
 * @module server/routes/notifications
 * `GET /api/v1/notifications` (filters tenant, campaign, status, since) and `GET /api/v1/notifications/:uid`
 * (adds the rendered e-mails). Notifications are prepared per organisation, so scoping by tenant is the whole of
 * an organisation's view; each item carries its deliveries. JSON columns come back parsed. The notification
 * schema belongs to the notifier, so columns are read by name as they are, not assumed.
 */
import type { Hono } from 'hono';
import type { Db } from '../../store/db.js';
import { tenantScope, type Env } from '../auth.js';
import { badRequest, notFound } from '../errors.js';
import { decodeCursor, encodeCursor, limitParam, timeParam } from '../params.js';

const STATUSES = ['prepared', 'sending', 'sent', 'failed'];
/** Columns holding JSON text, returned parsed. */
const JSON_COLUMNS = new Set(['payload', 'reported', 'finding_uids', 'recipients']);
/** Columns left out of items: the message bodies (see the single-notification endpoint) and internal links. */
const HIDDEN = new Set(['eml', 'message_rowid']);

type Row = Record<string, unknown>;

function present(row: Row, hidden: Set<string> = HIDDEN): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    if (hidden.has(k)) continue;
    if (JSON_COLUMNS.has(k) && typeof v === 'string') {
      try {
        out[k] = JSON.parse(v);
      } catch {
        out[k] = v;
      }
    } else out[k] = v;
  }
  return out;
}

function columnsOf(db: Db, table: string): Set<string> {
  return new Set((db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[]).map((r) => r.name));
}

export function notificationRoutes(app: Hono<Env>, db: Db): void {
  const deliveriesOf = (uids: string[]) => {
    const out = new Map<string, Row[]>(uids.map((u) => [u, []]));
    if (!uids.length) return out;
    const rows = db.prepare('SELECT * FROM deliveries WHERE notification_uid IN (SELECT value FROM json_each(?)) ORDER BY id').all(JSON.stringify(uids)) as Row[];
    for (const { notification_uid, id: _id, ...d } of rows) out.get(notification_uid as string)?.push(present(d));
    return out;
  };

  app.get('/api/v1/notifications', (c) => {
    const q = c.req.query();
    const tenant = tenantScope(c.get('principal'), q.tenant);
    if (q.status && !STATUSES.includes(q.status)) throw badRequest(`status must be one of ${STATUSES.join(', ')}`);
    const since = timeParam(q.since, 'since');
    const limit = limitParam(q.limit);
    const after = decodeCursor(q.next, ['number', 'string']);
    const cols = columnsOf(db, 'notifications');
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (tenant !== undefined) where.push('tenant = ?'), args.push(tenant);
    if (q.campaign) {
      if (cols.has('campaign_uid')) where.push('campaign_uid = ?'), args.push(q.campaign);
      else where.push('campaign_key = ?'), args.push(`campaign:${q.campaign}`);
    }
    if (q.status) where.push('status = ?'), args.push(q.status);
    if (since !== undefined) where.push('created_at >= ?'), args.push(since);
    if (after) where.push('(created_at < ? OR (created_at = ? AND uid < ?))'), args.push(after[0], after[0], after[1]);
    const rows = db
      .prepare(`SELECT * FROM notifications ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY created_at DESC, uid DESC LIMIT ?`)
      .all(...args, limit + 1) as Row[];
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const deliveries = deliveriesOf(page.map((r) => r.uid as string));
    const last = page[page.length - 1];
    return c.json({
      items: page.map((r) => ({ ...present(r), deliveries: deliveries.get(r.uid as string) ?? [] })),
      next: more ? encodeCursor([last.created_at as number, last.uid as string]) : null,
    });
  });

  app.get('/api/v1/notifications/:uid', (c) => {
    const tenant = tenantScope(c.get('principal'), undefined);
    const row = db.prepare('SELECT * FROM notifications WHERE uid = ?').get(c.req.param('uid')) as Row | undefined;
    if (!row || (tenant !== undefined && row.tenant !== tenant)) throw notFound('no such notification');
    let messages: Row[] = [];
    if (columnsOf(db, 'notification_messages').size) {
      messages = (db.prepare('SELECT * FROM notification_messages WHERE notification_uid = ? ORDER BY id').all(row.uid) as Row[]).map(({ id: _id, notification_uid: _n, ...m }) => present(m, new Set()));
    } else if (typeof row.eml === 'string') messages = [{ language: row.language, eml: row.eml }];
    return c.json({ ...present(row), deliveries: deliveriesOf([row.uid as string]).get(row.uid as string) ?? [], messages });
  });
}
