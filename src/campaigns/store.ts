/**
 * @module campaigns/store
 * Campaigns in the SQLite store: reads the latest content of every finding, and writes campaigns, their members,
 * each finding's `campaign_uid` and the findings' new content in one transaction. A campaign row is rewritten only
 * when its content changed, so `updated_at` says when a campaign last changed.
 */
import type { Db } from '../store/db.js';
import type { Campaign } from './types.js';

/** The latest content of every finding, in uid order, parsed one at a time as they are taken, with its length. */
export function* readStoredFindings(db: Db): Generator<{ f: Record<string, any>; chars: number }> {
  for (const r of db.prepare('SELECT json FROM findings ORDER BY uid').iterate() as Iterable<{ json: string }>) yield { f: JSON.parse(r.json), chars: r.json.length };
}

/** Stored campaigns, oldest first; only those named when `ids` is given. */
export function readStoredCampaigns(db: Db, ids?: string[]): Campaign[] {
  const rows = db.prepare('SELECT uid, json FROM campaigns ORDER BY first_seen, uid').all() as { uid: string; json: string }[];
  return rows.filter((r) => !ids || ids.includes(r.uid)).map((r) => JSON.parse(r.json));
}

/**
 * `tenantOf` gives each member finding's organisation (finding uid -> tenant); the updated findings (uid and JSON
 * text) are taken one at a time, after the memberships are written.
 */
export function writeCampaigns(db: Db, campaigns: Campaign[], tenantOf: Map<string, string>, updatedFindings: Iterable<{ uid: string; json: string }>): void {
  const existing = new Map((db.prepare('SELECT uid, json FROM campaigns').all() as { uid: string; json: string }[]).map((r) => [r.uid, r.json]));
  const upsert = db.prepare(`INSERT INTO campaigns (uid, name, first_seen, last_seen, actor, confidence, json, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT(uid) DO UPDATE SET name = excluded.name, first_seen = excluded.first_seen, last_seen = excluded.last_seen, actor = excluded.actor,
    confidence = excluded.confidence, json = excluded.json, updated_at = excluded.updated_at`);
  const del = db.prepare('DELETE FROM campaigns WHERE uid = ?');
  const addMember = db.prepare('INSERT INTO campaign_members (campaign_uid, finding_uid, tenant) VALUES (?, ?, ?)');
  const setCampaign = db.prepare('UPDATE findings SET campaign_uid = ? WHERE uid = ? AND campaign_uid IS NOT ?');
  const setJson = db.prepare('UPDATE findings SET json = ? WHERE uid = ?');
  const now = Date.now();
  db.transaction(() => {
    const keep = new Set<string>();
    for (const c of campaigns) {
      keep.add(c.id);
      const json = JSON.stringify(c);
      if (existing.get(c.id) !== json) upsert.run(c.id, c.name, c.first_seen_time, c.last_seen_time, c.attribution.actor, c.attribution.confidence, json, now);
    }
    for (const uid of existing.keys()) if (!keep.has(uid)) del.run(uid);
    // Membership is rebuilt whole: campaigns merge and split as findings grow.
    db.prepare('DELETE FROM campaign_members').run();
    for (const c of campaigns) {
      for (const uid of c.findings.uids) {
        addMember.run(c.id, uid, tenantOf.get(uid) ?? '');
        setCampaign.run(c.id, uid, c.id);
      }
    }
    for (const f of updatedFindings) setJson.run(f.json, f.uid);
  })();
}
