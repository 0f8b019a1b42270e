/**
 * @module server/directory
 * The organisations the server shows by name: loaded from the organisations file (`vigil serve --orgs FILE`) into
 * the store, so a restart without the flag still knows them. Tenants that appear only in findings are shown by id.
 */
import type { Organisation } from '../orgs/organisations.js';
import type { Db } from '../store/db.js';

export interface DirectoryEntry {
  id: string;
  name: string;
  sector: string;
  language: string;
}

/** Adds or updates the given organisations (those not in the file are kept: findings may still name them). */
export function saveOrganisations(db: Db, orgs: Organisation[], now = Date.now()): void {
  const up = db.prepare(`INSERT INTO organisations (id, name, sector, language, json, updated_at) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, sector = excluded.sector, language = excluded.language, json = excluded.json, updated_at = excluded.updated_at`);
  db.transaction(() => {
    // Contacts, webhooks and their secrets stay in the file: the directory keeps only what the dashboard shows.
    for (const o of orgs) up.run(o.id, o.name, o.sector, o.language, JSON.stringify({ id: o.id, name: o.name, sector: o.sector, language: o.language, time_zone: o.time_zone }), now);
  })();
}

export function directory(db: Db): Map<string, DirectoryEntry> {
  const rows = db.prepare('SELECT id, name, sector, language FROM organisations').all() as DirectoryEntry[];
  return new Map(rows.map((r) => [r.id, r]));
}
