/**
 * @module store/activity
 * Hourly sign-in counts per organisation and source country, for the dashboard's timeline and map. Findings say
 * what was attacked; these counts say how much was going on, attacks or not. A detection run adds each event it
 * feeds the engine and saves the counts inside its checkpoint transaction, so counts and input progress commit
 * together: a run killed and resumed counts every event exactly once.
 */
import type { Db } from './db.js';

const HOUR_MS = 3600_000;

interface Counts {
  failures: number;
  successes: number;
}

export class ActivityCounter {
  /** hour -> tenant -> country -> counts: nested so that an event costs lookups of strings it shares, not a new key. */
  private readonly counts = new Map<number, Map<string, Map<string, Counts>>>();
  private readonly upsert;

  constructor(db: Db) {
    this.upsert = db.prepare(`INSERT INTO activity_hourly (hour, tenant, country, failures, successes) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (hour, tenant, country) DO UPDATE SET failures = failures + excluded.failures, successes = successes + excluded.successes`);
  }

  /** Counts one event's signal: sign-in successes and failures; MFA prompts and other statuses are not attempts. */
  addSignal(s: { t: number; tenant: string; status: number; country: string }): void {
    if (s.status !== 1 && s.status !== 2) return;
    if (!s.tenant || !Number.isFinite(s.t)) return;
    const hour = Math.floor(s.t / HOUR_MS) * HOUR_MS;
    let byTenant = this.counts.get(hour);
    if (!byTenant) this.counts.set(hour, (byTenant = new Map()));
    let byCountry = byTenant.get(s.tenant);
    if (!byCountry) byTenant.set(s.tenant, (byCountry = new Map()));
    let c = byCountry.get(s.country);
    if (!c) byCountry.set(s.country, (c = { failures: 0, successes: 0 }));
    if (s.status === 1) c.successes++;
    else c.failures++;
  }

  /** Adds what was counted since the last save to the store. Call inside the checkpoint's transaction. */
  save(): void {
    for (const [hour, byTenant] of this.counts)
      for (const [tenant, byCountry] of byTenant)
        for (const [country, c] of byCountry) this.upsert.run(hour, tenant, country, c.failures, c.successes);
    this.counts.clear();
  }
}
