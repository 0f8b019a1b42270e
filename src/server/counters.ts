/**
 * @module server/counters
 * Counters the server keeps in the store (so /metrics does not reset on restart): ingest requests and records it
 * refused before detection (for example, records an organisation's token sent for another organisation).
 */
import type { Db } from '../store/db.js';

export type CounterName = 'ingest_requests' | 'ingest_accepted' | 'ingest_unreadable' | 'ingest_refused_tenant';

export function addCounters(db: Db, deltas: Partial<Record<CounterName, number>>): void {
  const up = db.prepare('INSERT INTO server_counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value');
  db.transaction(() => {
    for (const [name, n] of Object.entries(deltas)) if (n) up.run(name, n);
  })();
}

export function readCounters(db: Db): Record<string, number> {
  const rows = db.prepare('SELECT name, value FROM server_counters').all() as { name: string; value: number }[];
  return Object.fromEntries(rows.map((r) => [r.name, r.value]));
}
