/**
 * @module detect/detectors/unnamed-bursts
 * Part of the brute-force rule: bursts from one address whose attempts name no account. Old sshd logs write a failed
 * password for a name that does not exist as a PAM line without `user=`, so those attempts all share the account "",
 * which no per-account rate can judge (ten of them in a minute may come from ten addresses). Per address instead:
 * `rapid_attempts` within `rapid_seconds` from one address is a script, whatever names it tried.
 */
import { groupFacts, type AttemptGroup } from '../attempts.js';
import { iso, type DetectorContext } from '../detector.js';
import { BoundedMap } from '../lru.js';
import type { Rule } from '../rules.js';
import type { Signal } from '../signal.js';

/** Recent times of one address's unnamed attempts (at most the rapid count), and its finding once raised. */
interface Burst {
  times: number[];
  raised?: { first: number; n: number; at: number };
}

export function unnamedBursts(rule: Rule, rapidN: number, rapidMs: number) {
  /** group episode \u0001 address -> its unnamed attempts. */
  const seen = new BoundedMap<string, Burst>(50_000);
  return {
    state: () => [...seen.entries()],
    restore(saved: unknown) {
      if (Array.isArray(saved)) for (const [k, v] of saved) seen.set(k, v);
    },
    /** An unnamed attempt `s` of group `g` (episode key `key`). */
    attempt(g: AttemptGroup, key: string, s: Signal, ctx: DetectorContext): void {
      if (!s.ip) return;
      const k = `${key}\u0001${s.ip}`;
      const b = seen.get(k) ?? { times: [] };
      b.times = b.times.concat(s.t).filter((t) => s.t - t <= rapidMs).slice(-rapidN);
      if (b.raised) b.raised.n++;
      else if (b.times.length >= rapidN) b.raised = { first: b.times[0], n: b.times.length, at: s.t };
      seen.set(k, b);
      if (!b.raised) return;
      const r = b.raised;
      ctx.sink.upsert({
        rule,
        tenant: g.tenant,
        key: `${g.fp}\u0001${g.episode}\u0001${s.ip}`,
        time: s.t,
        first: r.first,
        last: s.t,
        title: `Brute force from ${s.ip} (account names not in the log)`,
        desc:
          `${s.ip} failed to sign in ${r.n} times from ${iso(r.first)}, ${rapidN} of them within ${rapidMs / 1000} seconds ` +
          `(ending ${iso(r.at)}), with account names the log does not give (PAM lines without user=): a script, not a person.`,
        severity: rule.severity,
        ips: [s.ip],
        accounts: [],
        evidence: [s],
        data: { attempts: r.n, ...groupFacts(g) },
      });
    },
  };
}
