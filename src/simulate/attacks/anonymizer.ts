/**
 * @module simulate/attacks/anonymizer
 * A sign-in through an anonymiser by an account that never used one: a failed try or two and then a success from
 * Tor exits (or VPN exits, as the scenario's source mix says), followed by a few more sign-ins. The account is
 * compromised: the attacker had its password and the organisation asked for no second factor.
 */
import type { Emit } from '../benign.js';
import { Result, type SimEvent } from '../event.js';
import { Rng } from '../rng.js';
import type { AnonymizerScenario } from '../scenarios.js';
import { attackEvent, dayIndex, drawSources, incidentTime, pickAccounts, pickOrgs, placeWindow, poolSize, type Attack, type AttackContext } from './context.js';

export function anonymizerAttack(s: AnonymizerScenario, index: number, ctx: AttackContext): Attack {
  const rng = Rng.from(ctx.seed, 'attack', s.id);
  const window = placeWindow(s, ctx);
  const orgs = pickOrgs(s, ctx, rng.fork('orgs'), (o) => !o.mfa);
  const sources = drawSources(s, ctx, poolSize(s, ctx), rng.fork('pool'));
  const { user_agent: ua, client } = s.tool;

  const events: SimEvent[] = [];
  for (const org of orgs) {
    for (const user of pickAccounts(s, org, rng.fork('accounts', org.idx))) {
      let t = incidentTime(org, window, s.local_hour, rng);
      for (let i = 0; i < s.failures_before; i++) {
        events.push(attackEvent(index, org, user, user.login, t, rng.pick(sources), Result.BadPassword, client, ua));
        t += rng.real(20, 300) * 1000;
      }
      events.push(attackEvent(index, org, user, user.login, t, rng.pick(sources), Result.Success, client, ua));
      for (let i = 0; i < s.follow_up_signins; i++) {
        t += rng.real(10, 60) * 60_000;
        events.push(attackEvent(index, org, user, user.login, t, rng.pick(sources), Result.Success, client, ua));
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
