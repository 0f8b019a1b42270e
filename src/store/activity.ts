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

/**
 * The hour (epoch ms of its start) an event is counted in: sign-in successes (status 1) and failures (2) of a named
 * organisation at a real time; undefined for anything else (MFA prompts, other statuses are not attempts).
 */
export function activityHour(t: number, status: number, tenant: string): number | undefined {
  if (status !== 1 && status !== 2) return undefined;
  if (!tenant || !Number.isFinite(t)) return undefined;
  return Math.floor(t / HOUR_MS) * HOUR_MS;
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
    const hour = activityHour(s.t, s.status, s.tenant);
    if (hour === undefined) return;
    const c = this.countsOf(hour, s.tenant, s.country);
    if (s.status === 1) c.successes++;
    else c.failures++;
  }

  /** Adds counts made elsewhere (a batch's, by the reading thread: see `signal-pack`), as `addSignal` would have. */
  addCounts(hour: number, tenant: string, country: string, failures: number, successes: number): void {
    const c = this.countsOf(hour, tenant, country);
    c.failures += failures;
    c.successes += successes;
  }

  private countsOf(hour: number, tenant: string, country: string): Counts {
    let byTenant = this.counts.get(hour);
    if (!byTenant) this.counts.set(hour, (byTenant = new Map()));
    let byCountry = byTenant.get(tenant);
    if (!byCountry) byTenant.set(tenant, (byCountry = new Map()));
    let c = byCountry.get(country);
    if (!c) byCountry.set(country, (c = { failures: 0, successes: 0 }));
    return c;
  }

  /** Adds what was counted since the last save to the store. Call inside the checkpoint's transaction. */
  save(): void {
    for (const [hour, byTenant] of this.counts)
      for (const [tenant, byCountry] of byTenant)
        for (const [country, c] of byCountry) this.upsert.run(hour, tenant, country, c.failures, c.successes);
    this.counts.clear();
  }
}
