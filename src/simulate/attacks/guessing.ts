/**
 * @module simulate/attacks/guessing
 * Password guessing in all its shapes, from one engine: password spray (many accounts, few tries each, for days),
 * brute force (few accounts, hundreds of tries an hour), credential stuffing (many mostly-unknown names, one or two
 * tries each) and slow targeted guessing (a handful of tries a day for weeks). The scenario sets targets, the source
 * pool and its churn, the cadence, the tool's fingerprint and error mix, and what is found: a password that MFA
 * stops (password_valid) or one that gets in on a protocol without MFA (compromised). After finding a password the
 * tool stops guessing that account.
 */
import type { Address } from '../addresses.js';
import type { Emit } from '../benign.js';
import { DAY, HOUR, parseDuration } from '../clock.js';
import { Result } from '../event.js';
import type { Org, User } from '../population.js';
import { Rng } from '../rng.js';
import type { GuessingScenario } from '../scenarios.js';
import { attackEvent, dailyPools, dayIndex, guessNames, pickAccounts, pickOrgs, placeWindow, type Attack, type AttackContext } from './context.js';

interface Target {
  org: Org;
  user: User | undefined;
  login: string;
  /** When the tool finds the password (then stops); Infinity when it never does. */
  found: number;
  foundAs: 'password_valid' | 'compromised' | undefined;
}

export function guessingAttack(s: GuessingScenario, index: number, ctx: AttackContext): Attack {
  const rng = Rng.from(ctx.seed, 'attack', s.id);
  const { from, to } = placeWindow(s, ctx);
  const pools = dailyPools(s, ctx, rng.fork('pool'));

  const targets: Target[] = [];
  for (const org of pickOrgs(s, ctx, rng.fork('orgs'))) {
    const accounts = pickAccounts(s, org, rng.fork('accounts', org.idx));
    for (const user of accounts) targets.push({ org, user, login: user.login, found: Infinity, foundAs: undefined });
    const share = s.targets.guessed_names;
    const guessed = share > 0 ? Math.max(1, Math.round(share * accounts.length)) : 0;
    for (const login of guessNames(org, guessed, rng.fork('guess', org.idx))) targets.push({ org, user: undefined, login, found: Infinity, foundAs: undefined });
  }

  // Which passwords are found, and when: somewhere in the middle of the window.
  const real = rng.shuffle(targets.filter((t) => t.user));
  const span = to - from;
  for (const t of real.slice(0, s.outcome.password_valid)) Object.assign(t, { found: from + span * rng.real(0.2, 0.8), foundAs: 'password_valid' });
  for (const t of real.slice(s.outcome.password_valid, s.outcome.password_valid + s.outcome.compromised)) Object.assign(t, { found: from + span * rng.real(0.2, 0.8), foundAs: 'compromised' });

  // Stuffing-style cadence: every try is placed up front (few per account), in waves.
  let scheduled: { t: number; target: Target }[] | undefined;
  const c = s.cadence;
  if (c.tries_per_account) {
    const r = rng.fork('schedule');
    const waveLength = Math.min(parseDuration(c.wave_length) ?? 20 * 60_000, span);
    const waveStarts = Array.from({ length: c.waves }, (_, i) => from + ((span - waveLength) * (i + r.next() * 0.5)) / Math.max(1, c.waves));
    scheduled = [];
    for (const target of targets) {
      const tries = r.range(c.tries_per_account[0], c.tries_per_account[1]);
      let t = r.pick(waveStarts) + r.next() * waveLength;
      for (let i = 0; i < tries; i++) {
        scheduled.push({ t, target });
        t += r.real(2, 30) * 1000; // the second try comes seconds later
      }
    }
    scheduled.sort((a, b) => a.t - b.t);
  }

  const mfaAnswer = s.errors.mfa_answer === 'interrupt' ? Result.MfaInterrupt : Result.MfaRequired;
  const { user_agent: ua, client } = s.tool;
  const active = c.active_hours_utc;
  const activeHours = active ? active[1] - active[0] : 24;
  /** Each account's last address, across days (days are generated in order). */
  const lastIp = new Map<Target, string>();

  return {
    index,
    scenario: s,
    day(day, emit: Emit) {
      const dayFrom = ctx.start + day * DAY;
      const a = Math.max(from, dayFrom);
      const b = Math.min(to, dayFrom + DAY);
      if (a >= b) return;
      const r = Rng.from(ctx.seed, 'attack', s.id, 'day', day);
      const pool = pools[dayIndex(ctx, a)];
      const source = (target: Target): Address => {
        // Each attempt from another address than the account's previous one.
        let src = r.pick(pool);
        for (let i = 0; i < 4 && pool.length > 1 && src.ip === lastIp.get(target); i++) src = r.pick(pool);
        lastIp.set(target, src.ip);
        return src;
      };
      const attempt = (target: Target, t: number) => {
        if (t >= target.found) return; // the tool stopped guessing this account
        const result = !target.user ? Result.UnknownUser : r.chance(s.errors.locked_share) ? Result.Locked : Result.BadPassword;
        emit(attackEvent(index, target.org, target.user, target.login, t, source(target), result, client, ua));
      };

      if (scheduled) {
        for (const { t, target } of scheduled) if (t >= a && t < b) attempt(target, t);
      } else {
        // Each account is tried as a Poisson process: `rate` attempts per hour (or per active day).
        const rate = c.per_account_per_hour ?? (c.per_account_per_day ?? 1) / activeHours;
        const meanGap = HOUR / rate;
        for (const target of targets) {
          for (let t = a + r.exp(meanGap); t < b; t += r.exp(meanGap)) {
            if (active) {
              const hour = ((t - dayFrom) / HOUR) % 24;
              if (hour < active[0] || hour >= active[1]) continue;
            }
            attempt(target, t);
          }
        }
      }

      // The found passwords, and an intruder's sign-ins after a compromise.
      for (const target of targets) {
        if (!target.foundAs || target.found < a || target.found >= b) continue;
        const src = source(target);
        if (target.foundAs === 'password_valid') {
          emit(attackEvent(index, target.org, target.user, target.login, target.found, src, mfaAnswer, client, ua));
        } else {
          emit(attackEvent(index, target.org, target.user, target.login, target.found, src, Result.Success, client, ua));
          let t = target.found;
          for (let i = 0; i < s.outcome.follow_up_signins; i++) {
            t += r.real(20, 90) * 60_000;
            if (t < to) emit(attackEvent(index, target.org, target.user, target.login, t, source(target), Result.Success, client, ua));
          }
        }
      }
    },
  };
}
