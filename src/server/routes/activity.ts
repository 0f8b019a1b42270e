/**
 * @module server/routes/activity
 * `GET /api/v1/activity` feeds the dashboard's timeline and map: per hour, sign-in failures and successes (from the
 * hourly counts detection runs keep) and the attacks under way (findings active in that hour, by type); per source
 * country, failures and the attacks whose sources include it. The window defaults to the last 14 days of data.
 */
import type { Hono } from 'hono';
import type { Db } from '../../store/db.js';
import { tenantScope, type Env } from '../auth.js';
import { badRequest } from '../errors.js';
import { timeParam } from '../params.js';

const HOUR = 3600_000;
const DEFAULT_WINDOW = 14 * 24 * HOUR;
const MAX_WINDOW = 400 * 24 * HOUR;

interface HourBucket {
  t: number;
  failures: number;
  successes: number;
  attacks: Record<string, number>;
}

export function activity(db: Db, tenant: string | undefined, since?: number, until?: number) {
  const where = tenant !== undefined ? 'WHERE tenant = ?' : '';
  const args = tenant !== undefined ? [tenant] : [];
  const newest = db.prepare(`SELECT max(t) AS t FROM (SELECT max(hour) AS t FROM activity_hourly ${where} UNION ALL SELECT max(last_seen) AS t FROM findings ${where})`).get(...args, ...args) as { t: number | null };
  const oldest = db.prepare(`SELECT min(t) AS t FROM (SELECT min(hour) AS t FROM activity_hourly ${where} UNION ALL SELECT min(first_seen) AS t FROM findings ${where})`).get(...args, ...args) as { t: number | null };
  const to = Math.floor((until ?? (newest.t ?? Date.now()) + HOUR) / HOUR) * HOUR;
  const from = Math.floor((since ?? Math.max(oldest.t ?? to - DEFAULT_WINDOW, to - DEFAULT_WINDOW)) / HOUR) * HOUR;
  if (to <= from) return { from, to, hours: [], countries: [] };
  if (to - from > MAX_WINDOW) throw badRequest('the window from since to until may span at most 400 days');

  const hours: HourBucket[] = [];
  for (let t = from; t < to; t += HOUR) hours.push({ t, failures: 0, successes: 0, attacks: {} });
  const scope = tenant !== undefined ? 'AND tenant = ?' : '';
  const counts = db
    .prepare(`SELECT hour, sum(failures) AS failures, sum(successes) AS successes FROM activity_hourly WHERE hour >= ? AND hour < ? ${scope} GROUP BY hour`)
    .all(from, to, ...args) as { hour: number; failures: number; successes: number }[];
  for (const r of counts) {
    const b = hours[(r.hour - from) / HOUR];
    if (b) (b.failures = r.failures), (b.successes = r.successes);
  }
  const findings = db
    .prepare(`SELECT uid, type, first_seen, last_seen FROM findings WHERE last_seen >= ? AND first_seen < ? ${scope}`)
    .all(from, to, ...args) as { uid: string; type: string; first_seen: number; last_seen: number }[];
  for (const f of findings) {
    const a = Math.max(0, Math.floor((f.first_seen - from) / HOUR));
    const z = Math.min(hours.length - 1, Math.floor((f.last_seen - from) / HOUR));
    for (let i = a; i <= z; i++) hours[i].attacks[f.type] = (hours[i].attacks[f.type] ?? 0) + 1;
  }

  const byCountry = new Map<string, { country: string; failures: number; successes: number; attacks: number }>();
  const entry = (cc: string) => {
    let e = byCountry.get(cc);
    if (!e) byCountry.set(cc, (e = { country: cc, failures: 0, successes: 0, attacks: 0 }));
    return e;
  };
  const perCountry = db
    .prepare(`SELECT country, sum(failures) AS failures, sum(successes) AS successes FROM activity_hourly WHERE hour >= ? AND hour < ? AND country != '' ${scope} GROUP BY country`)
    .all(from, to, ...args) as { country: string; failures: number; successes: number }[];
  for (const r of perCountry) Object.assign(entry(r.country), { failures: r.failures, successes: r.successes });
  const attackCountries = db
    .prepare(`SELECT c.value AS country, count(DISTINCT f.uid) AS n FROM findings f, json_each(f.json, '$.unmapped.countries') c
      WHERE f.last_seen >= ? AND f.first_seen < ? ${scope ? 'AND f.tenant = ?' : ''} GROUP BY c.value`)
    .all(from, to, ...args) as { country: string; n: number }[];
  for (const r of attackCountries) if (typeof r.country === 'string' && r.country) entry(r.country).attacks = r.n;
  const countries = [...byCountry.values()].sort((a, b) => b.attacks - a.attacks || b.failures - a.failures || a.country.localeCompare(b.country));
  return { from, to, hours, countries };
}

export function activityRoutes(app: Hono<Env>, db: Db): void {
  app.get('/api/v1/activity', (c) => {
    const q = c.req.query();
    const tenant = tenantScope(c.get('principal'), q.tenant);
    return c.json(activity(db, tenant, timeParam(q.since, 'since'), timeParam(q.until, 'until')));
  });
}
