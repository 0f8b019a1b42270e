/**
 * @module simulate/attacks/travel
 * Impossible travel: the victim signs in as usual from home or the office, and minutes later the same account signs
 * in successfully from another continent, with another client: stolen credentials used on a protocol without MFA.
 * The victim's own sign-in is ordinary behaviour (labelled benign); the attacker's sign-ins are the attack.
 */
import type { Emit } from '../benign.js';
import { Result, type SimEvent } from '../event.js';
import { continentOf, NETBLOCKS, type BlockKind } from '../netblocks.js';
import { Rng } from '../rng.js';
import type { TravelScenario } from '../scenarios.js';
import { attackEvent, dayIndex, incidentTime, pickAccounts, pickOrgs, placeWindow, type Attack, type AttackContext } from './context.js';

export function travelAttack(s: TravelScenario, index: number, ctx: AttackContext): Attack {
  const rng = Rng.from(ctx.seed, 'attack', s.id);
  const window = placeWindow(s, ctx);
  const orgs = pickOrgs(s, ctx, rng.fork('orgs'), (o) => !o.mfa);
  const { user_agent: ua, client } = s.tool;
  const kinds = Object.entries(s.sources.mix).filter(([, v]) => (v ?? 0) > 0).map(([k]) => k) as ('broadband' | 'mobile' | 'hosting' | 'vpn')[];

  const events: SimEvent[] = [];
  for (const org of orgs) {
    // Victims at home all week, so their own sign-in comes from where they live.
    const users = pickAccounts(s, org, rng.fork('accounts', org.idx), (u) => u.country === org.country && u.trips.length === 0);
    for (const user of users) {
      // An address on another continent than the victim's home.
      const far = (s.sources.countries ?? ['NG', 'VN', 'BR', 'ID', 'IN']).filter((c) => continentOf(c) !== continentOf(user.country));
      const kind: BlockKind = rng.pick(kinds.length ? kinds : (['broadband'] as const));
      let country = rng.pick(far.length ? far : ['NG']);
      // A country without blocks of that kind would fall back to any block of it, perhaps in the victim's own country
      // (a Pakistani victim got a Pakistani "attacker"): then one of the far countries that has such blocks.
      if (!hasBlocks(kind, country)) {
        const ok = NETBLOCKS.filter((b) => b.kind === kind && continentOf(b.country) !== continentOf(user.country)).map((b) => b.country);
        if (ok.length) country = rng.pick([...new Set(ok)].sort());
      }
      const src = ctx.space.takeKind(kind, country);
      const t = incidentTime(org, window, s.local_hour, rng);
      const own = user.remote ? user.home : org.office;
      events.push({ t: Math.round(t), org, user, login: user.login, src: own, result: Result.Success, client: 'browser', ua: user.desktopUa, interactive: true, mfa: org.mfa, attack: -1 });
      let ta = t + rng.real(s.delay_minutes[0], s.delay_minutes[1]) * 60_000;
      events.push(attackEvent(index, org, user, user.login, ta, src, Result.Success, client, ua));
      for (let i = 0; i < s.follow_up_signins; i++) {
        ta += rng.real(5, 40) * 60_000;
        events.push(attackEvent(index, org, user, user.login, ta, src, Result.Success, client, ua));
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

function hasBlocks(kind: BlockKind, country: string): boolean {
  return NETBLOCKS.some((b) => b.kind === kind && b.country === country);
}
