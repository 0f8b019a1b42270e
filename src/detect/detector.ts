/**
 * @module detect/detector
 * The contract of one detector: it sees every event in event-time order (`onEvent`, before the profiles learn
 * from it) and every counted failed attempt with its group (`onAttempt`), and raises findings through the sink.
 * Its memory must be plain data (Maps, arrays, objects) so the engine can save and restore it.
 */
import type { AttemptGroup, AttemptTracker } from './attempts.js';
import type { FindingSink } from './findings.js';
import type { Profiles } from './profiles.js';
import type { Rule } from './rules.js';
import type { Signal } from './signal.js';

export interface DetectorContext {
  profiles: Profiles;
  tracker: AttemptTracker;
  sink: FindingSink;
  /** Called by attack detectors when a group's finding is raised or grows, so compromises can be checked. */
  attackRaised(g: AttemptGroup, uid: string, now: number): void;
  /** Report an account as compromised (raised by the account-compromise rule). */
  compromised(c: Compromise): void;
}

export interface Compromise {
  tenant: string;
  user: string;
  /** Distinguishes compromises of one account by different attacks. */
  key: string;
  s: Signal;
  first: number;
  ips: string[];
  why: string;
  data: Record<string, unknown>;
}

export interface Detector {
  readonly rule: Rule;
  onEvent?(s: Signal, ctx: DetectorContext): void;
  onAttempt?(g: AttemptGroup, s: Signal, ctx: DetectorContext): void;
  /** End of input at event time `now`: settle what waits for time to pass. */
  onFlush?(now: number, ctx: DetectorContext): void;
  /** A group's episode ended (quiet for its window): judge what arrived since the last evaluation. */
  onExpire?(g: AttemptGroup, ctx: DetectorContext): void;
  /** Plain-data state for checkpoints. */
  state?(): unknown;
  restore?(state: unknown): void;
}

export type DetectorFactory = (rule: Rule) => Detector;

export function hours(ms: number): string {
  const h = ms / 3600_000;
  return h < 1 ? `${Math.max(1, Math.round(ms / 60000))} minutes` : h < 48 ? `${h.toFixed(1)} hours` : `${(h / 24).toFixed(1)} days`;
}

export function iso(t: number): string {
  return new Date(t).toISOString().replace('.000Z', 'Z');
}

/**
 * The evaluation schedule of detectors that judge a whole attempt group (spray, stuffing): at most every
 * `everyMs` of event time as attempts arrive, and once more at the end of input for groups with attempts since,
 * judged as if `settleMs` had passed (a finished log has no later events to move time on).
 */
export function periodicGroupEvaluation(
  rule: Rule,
  everyMs: number,
  settleMs: number,
  evaluate: (g: AttemptGroup, now: number, s: Signal | undefined, ctx: DetectorContext) => void,
): Pick<Detector, 'onAttempt' | 'onFlush' | 'onExpire'> {
  return {
    onAttempt(g, s, ctx) {
      const last = g.evaluated[rule.id] ?? -Infinity;
      if (s.t - last < everyMs) return;
      // Once raised, a finding is judged again when its group grew by a tenth or an hour passed, not every few
      // minutes: judging a group costs as much as its accounts, and a week-long spray has thousands.
      const attemptsThen = g.evaluatedAttempts[rule.id] ?? 0;
      if (g.findings[rule.id] && s.t - last < 3600_000 && g.attempts < attemptsThen * 1.1) return;
      g.evaluated[rule.id] = s.t;
      g.evaluatedAttempts[rule.id] = g.attempts;
      evaluate(g, s.t, s, ctx);
    },
    onFlush(now, ctx) {
      for (const [, g] of ctx.tracker.groups.entries()) {
        if ((g.evaluated[rule.id] ?? -Infinity) >= g.last) continue;
        g.evaluated[rule.id] = now + settleMs;
        evaluate(g, now + settleMs, undefined, ctx);
      }
    },
    onExpire(g, ctx) {
      if ((g.evaluated[rule.id] ?? -Infinity) >= g.last) return;
      g.evaluated[rule.id] = g.last + settleMs;
      evaluate(g, g.last + settleMs, undefined, ctx);
    },
  };
}
