/**
 * @module server/routes/campaigns
 * `GET /api/v1/campaigns` and `GET /api/v1/campaigns/:uid`. The operator sees each campaign whole: its victims,
 * findings, attribution reasons and the stored campaign object. An organisation sees only campaigns that touched
 * it, rebuilt from its own findings alone: its tenant, its findings, their types and period, the actor and the
 * confidence, and a name made from those (the stored name counts the victims). Nothing of the stored object is
 * passed through (no other victim, no victim count, no reasons, which cite other victims), so what the campaign
 * code writes there can never leak to another organisation.
 */
import type { Hono } from 'hono';
import type { Db } from '../../store/db.js';
import { tenantScope, type Env } from '../auth.js';
import { notFound } from '../errors.js';
import { decodeCursor, encodeCursor, limitParam, timeParam } from '../params.js';
import { campaignNameForOrganisation } from '../redact.js';

interface CampaignRow {
  uid: string;
  name: string;
  first_seen: number;
  last_seen: number;
  actor: string | null;
  confidence: number | null;
  json: string;
  updated_at: number;
}

interface MemberRow {
  campaign_uid: string;
  finding_uid: string;
  tenant: string;
  type: string | null;
  first_seen: number | null;
  last_seen: number | null;
}

/** Attribution reasons as plain sentences, wherever the campaign object keeps them. */
export function reasonsOf(campaign: any): string[] {
  const list = campaign?.reasons ?? campaign?.attribution?.reasons ?? campaign?.actor?.reasons;
  if (!Array.isArray(list)) return [];
  return list
    .map((r: any) => (typeof r === 'string' ? r : (r?.text ?? r?.reason ?? r?.description ?? r?.detail)))
    .filter((r: unknown): r is string => typeof r === 'string' && r.length > 0);
}

function parse(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return null;
  }
}

const uniq = <T>(xs: T[]) => [...new Set(xs)].sort();

/** The campaign as an API item: whole for the operator (tenant undefined), reduced to one organisation otherwise. */
export function campaignView(row: CampaignRow, members: MemberRow[], tenant: string | undefined) {
  const mine = tenant === undefined ? members : members.filter((m) => m.tenant === tenant);
  const types = uniq(mine.map((m) => m.type).filter((t): t is string => !!t));
  if (tenant !== undefined) {
    const firsts = mine.map((m) => m.first_seen).filter((t): t is number => t !== null);
    const lasts = mine.map((m) => m.last_seen).filter((t): t is number => t !== null);
    return {
      uid: row.uid,
      name: campaignNameForOrganisation(types, row.actor),
      first_seen: firsts.length ? Math.min(...firsts) : null,
      last_seen: lasts.length ? Math.max(...lasts) : null,
      actor: row.actor,
      confidence: row.confidence,
      organisations: [tenant],
      findings: uniq(mine.map((m) => m.finding_uid)),
      types,
      updated_at: row.updated_at,
    };
  }
  const campaign = parse(row.json);
  return {
    uid: row.uid,
    name: row.name,
    first_seen: row.first_seen,
    last_seen: row.last_seen,
    actor: row.actor,
    confidence: row.confidence,
    reasons: reasonsOf(campaign),
    organisations: uniq(members.map((m) => m.tenant)),
    findings: uniq(members.map((m) => m.finding_uid)),
    types,
    updated_at: row.updated_at,
    campaign,
  };
}

export function campaignRoutes(app: Hono<Env>, db: Db): void {
  const membersOf = (uids: string[], tenant: string | undefined): Map<string, MemberRow[]> => {
    const out = new Map<string, MemberRow[]>(uids.map((u) => [u, []]));
    if (!uids.length) return out;
    const rows = db
      .prepare(`SELECT m.campaign_uid, m.finding_uid, m.tenant, f.type, f.first_seen, f.last_seen FROM campaign_members m
        LEFT JOIN findings f ON f.uid = m.finding_uid
        WHERE m.campaign_uid IN (SELECT value FROM json_each(?)) ${tenant !== undefined ? 'AND m.tenant = ?' : ''}`)
      .all(...(tenant !== undefined ? [JSON.stringify(uids), tenant] : [JSON.stringify(uids)])) as MemberRow[];
    for (const r of rows) out.get(r.campaign_uid)?.push(r);
    return out;
  };

  app.get('/api/v1/campaigns', (c) => {
    const q = c.req.query();
    const tenant = tenantScope(c.get('principal'), q.tenant);
    const since = timeParam(q.since, 'since');
    const limit = limitParam(q.limit);
    const after = decodeCursor(q.next, ['number', 'string']);
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (tenant !== undefined) where.push('c.uid IN (SELECT campaign_uid FROM campaign_members WHERE tenant = ?)'), args.push(tenant);
    if (q.actor) where.push('c.actor = ?'), args.push(q.actor);
    if (since !== undefined) where.push('c.last_seen >= ?'), args.push(since);
    if (after) where.push('(c.last_seen < ? OR (c.last_seen = ? AND c.uid < ?))'), args.push(after[0], after[0], after[1]);
    const rows = db
      .prepare(`SELECT c.* FROM campaigns c ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY c.last_seen DESC, c.uid DESC LIMIT ?`)
      .all(...args, limit + 1) as CampaignRow[];
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const members = membersOf(page.map((r) => r.uid), tenant);
    const last = page[page.length - 1];
    return c.json({ items: page.map((r) => campaignView(r, members.get(r.uid) ?? [], tenant)), next: more ? encodeCursor([last.last_seen, last.uid]) : null });
  });

  app.get('/api/v1/campaigns/:uid', (c) => {
    const tenant = tenantScope(c.get('principal'), undefined);
    const row = db.prepare('SELECT * FROM campaigns WHERE uid = ?').get(c.req.param('uid')) as CampaignRow | undefined;
    const members = row ? (membersOf([row.uid], tenant).get(row.uid) ?? []) : [];
    if (!row || (tenant !== undefined && members.length === 0)) throw notFound('no such campaign');
    return c.json(campaignView(row, members, tenant));
  });
}
