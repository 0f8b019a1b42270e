/**
 * @module simulate/attacks/mfa-fatigue
 * MFA push bombing: the attacker already has the password (phished or bought) and signs in again and again, late in
 * the victim's evening, each time triggering a push the victim denies or ignores, until a tired victim approves one.
 * Then the intruder uses the session. Okta writes the push sequence itself; Entra and Microsoft 365 write a 500121
 * failure per denied or unanswered push; formats without MFA events get the closest shape (see the world's note).
 */
import type { Emit } from '../benign.js';
import { parseDuration } from '../clock.js';
import { Result, type SimEvent } from '../event.js';
import { Rng } from '../rng.js';
import type { MfaFatigueScenario } from '../scenarios.js';
import { attackEvent, dayIndex, drawSources, incidentTime, pickAccounts, pickOrgs, placeWindow, poolSize, type Attack, type AttackContext } from './context.js';

export function mfaFatigueAttack(s: MfaFatigueScenario, index: number, ctx: AttackContext): Attack {
  const rng = Rng.from(ctx.seed, 'attack', s.id);
  const window = placeWindow(s, ctx);
  const orgs = pickOrgs(s, ctx, rng.fork('orgs'), (o) => o.mfa);
  const sources = drawSources(s, ctx, poolSize(s, ctx), rng.fork('pool'));
  const lo = parseDuration(s.push_interval[0]) ?? 30_000;
  const hi = parseDuration(s.push_interval[1]) ?? 120_000;
  const { user_agent: ua, client } = s.tool;

  // The whole incident is small: lay it out now, hand it out by day.
  const events: SimEvent[] = [];
  for (const org of orgs) {
    for (const user of pickAccounts(s, org, rng.fork('accounts', org.idx))) {
      const src = rng.pick(sources);
      let t = incidentTime(org, window, s.local_hour, rng);
      const pushes = rng.range(s.pushes[0], s.pushes[1]);
      for (let i = 0; i < pushes; i++) {
        const answer = rng.chance(0.6) ? Result.MfaDenied : Result.MfaTimeout;
        events.push(attackEvent(index, org, user, user.login, t, src, answer, client, ua, true));
        t += rng.real(lo, hi);
      }
      events.push(attackEvent(index, org, user, user.login, t, src, Result.Success, client, ua, true));
      for (let i = 0; i < s.follow_up_signins; i++) {
        t += rng.real(10, 50) * 60_000;
        events.push(attackEvent(index, org, user, user.login, t, src, Result.Success, client, ua));
      }
    }
  }
  return {
    index,
    scenario: s,
    day(day: number, emit: Emit) {
      for (const e of events) if (dayIndex(ctx, e.t) === day && e.t >= ctx.start) emit(e);
    },
  };
}
