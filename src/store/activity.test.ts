/**
 * Hourly activity counts: every (hour, organisation, country) counted, sign-in attempts only, and a save adds to what
 * the store holds.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActivityCounter } from './activity.js';
import { openStore } from './db.js';

const HOUR = 3600_000;

test('every hour, organisation and country is counted, and saves add up', () => {
  const db = openStore(':memory:');
  try {
    const counter = new ActivityCounter(db);
    // 3 organisations x 7 countries (one unknown) x 10 hours = 210 rows.
    const countries = ['US', 'DE', 'FR', 'PK', 'ES', 'GB', ''];
    const expected = new Map<string, { failures: number; successes: number }>();
    for (let round = 0; round < 2; round++) {
      for (let h = 0; h < 10; h++)
        for (const tenant of ['org-a', 'org-b', 'org-c'])
          countries.forEach((country, c) => {
            const n = 1 + ((h + c + round) % 4);
            for (let k = 0; k < n; k++) {
              const status = (k + h) % 3 === 0 ? 1 : 2;
              counter.addSignal({ t: h * HOUR + k * 1000, tenant, status, country });
              const e = expected.get(`${h * HOUR}|${tenant}|${country}`) ?? { failures: 0, successes: 0 };
              if (status === 1) e.successes++;
              else e.failures++;
              expected.set(`${h * HOUR}|${tenant}|${country}`, e);
            }
            counter.addSignal({ t: h * HOUR, tenant, status: 99, country }); // an MFA prompt: no attempt
          });
      counter.save();
    }
    const rows = db.prepare('SELECT hour, tenant, country, failures, successes FROM activity_hourly').all() as {
      hour: number; tenant: string; country: string; failures: number; successes: number;
    }[];
    assert.equal(rows.length, 210);
    for (const r of rows) assert.deepEqual({ failures: r.failures, successes: r.successes }, expected.get(`${r.hour}|${r.tenant}|${r.country}`), `${r.hour} ${r.tenant} ${r.country}`);
  } finally {
    db.close();
  }
});
