/**
 * @module notify/outbox-files
 * The file channel and preview: every prepared message as an `.eml` file (RFC 5322, opens in any mail program)
 * under `DIR/<organisation>/`. Files are written once, through a temporary name and a rename, so a crash never
 * leaves half a message and a rerun writes only the missing ones.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../store/db.js';

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 100) || '_';

export interface OutboxFile {
  path: string;
  written: boolean;
}

export function outboxFileName(m: { created_at: number; reference: string; sequence: number; kind: string; audience: string }): string {
  const day = new Date(m.created_at).toISOString().slice(0, 10);
  return `${day}_${m.reference}_${m.sequence}-${m.kind === 'initial' ? 'initial' : 'follow-up'}_${safe(m.audience)}.eml`;
}

/** Writes the messages not yet in `dir`; returns every message's file and whether this call wrote it. */
export function writeOutbox(db: Db, dir: string): OutboxFile[] {
  const rows = db
    .prepare(
      `SELECT n.tenant, n.reference, n.sequence, n.kind, n.created_at, m.audience, m.eml
       FROM notification_messages m JOIN notifications n ON n.uid = m.notification_uid ORDER BY n.tenant, n.created_at, n.sequence, m.audience`,
    )
    .all() as { tenant: string; reference: string; sequence: number; kind: string; created_at: number; audience: string; eml: string }[];
  const out: OutboxFile[] = [];
  for (const r of rows) {
    const folder = join(dir, safe(r.tenant));
    const path = join(folder, outboxFileName(r));
    if (existsSync(path)) {
      out.push({ path, written: false });
      continue;
    }
    mkdirSync(folder, { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, r.eml);
    renameSync(tmp, path);
    out.push({ path, written: true });
  }
  return out;
}
