/**
 * @module store/activity
 * Hourly sign-in counts per organisation and source country, for the dashboard's timeline and map. Findings say
 * what was attacked; these counts say how much was going on, attacks or not. A detection run adds each event it
 * feeds the engine and saves the counts inside its checkpoint transaction, so counts and input progress commit
 * together: a run killed and resumed counts every event exactly once.
 */
import type { AuthEvent } from '../ocsf/authentication.js';
import type { Db } from './db.js';

const HOUR_MS = 3600_000;

interface Counts {
  failures: number;
  successes: number;
}

export class ActivityCounter {
  private readonly counts = new Map<string, Counts>();
  private readonly upsert;

  constructor(db: Db) {
    this.upsert = db.prepare(`INSERT INTO activity_hourly (hour, tenant, country, failures, successes) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (hour, tenant, country) DO UPDATE SET failures = failures + excluded.failures, successes = successes + excluded.successes`);
  }

  /** Counts one enriched event: sign-in successes and failures; MFA prompts and other statuses are not attempts. */
  add(ev: AuthEvent): void {
    const ok = ev.status_id === 1;
    if (!ok && ev.status_id !== 2) return;
    const tenant = ev.metadata?.tenant_uid;
    if (!tenant || !Number.isFinite(ev.time)) return;
    const hour = Math.floor(ev.time / HOUR_MS) * HOUR_MS;
    const key = `${hour}\u0000${tenant}\u0000${ev.src_endpoint?.location?.country ?? ''}`;
    let c = this.counts.get(key);
    if (!c) this.counts.set(key, (c = { failures: 0, successes: 0 }));
    if (ok) c.successes++;
    else c.failures++;
  }

  /** The same count from an event's signal. */
  addSignal(s: { t: number; tenant: string; status: number; country: string }): void {
    if (s.status !== 1 && s.status !== 2) return;
    if (!s.tenant || !Number.isFinite(s.t)) return;
    const key = `${Math.floor(s.t / HOUR_MS) * HOUR_MS}\u0000${s.tenant}\u0000${s.country}`;
    let c = this.counts.get(key);
    if (!c) this.counts.set(key, (c = { failures: 0, successes: 0 }));
    if (s.status === 1) c.successes++;
    else c.failures++;
  }

  /** Adds what was counted since the last save to the store. Call inside the checkpoint's transaction. */
  save(): void {
    for (const [key, c] of this.counts) {
      const [hour, tenant, country] = key.split('\u0000');
      this.upsert.run(Number(hour), tenant, country, c.failures, c.successes);
    }
    this.counts.clear();
  }
}
