/**
 * @module simulate/benign
 * Ordinary working life, which must be noisy without looking like an attack: people sign in at the start of their
 * working day (office NAT, home, VPN, or abroad on a trip), answer MFA prompts, mistype, open more apps during the
 * day, check mail on their phones, work a little in the evening and at weekends. On top of that, the situations that
 * trip naive detectors:
 * - forgotten passwords: a run of failures up to the lock-out threshold, "locked" answers, then a reset;
 * - stale phones: after a password change a phone with the old password retries ActiveSync / IMAP every 15 minutes,
 *   day and night, until its owner notices (a failure every 15 minutes from one address, one account);
 * - a Monday morning after a forced password change, when many people behind one office NAT mistype at once
 *   (many accounts failing from one address within an hour, each then succeeding).
 */
import type { Address } from './addresses.js';
import { HOUR, MINUTE, isWeekend, localTime, weekday } from './clock.js';
import { Result, UA, type Client, type SimEvent } from './event.js';
import { tripOn, type Org, type Trip, type User } from './population.js';
import type { Rng } from './rng.js';

export interface StalePhone {
  user: User;
  from: number;
  to: number;
}

export interface Lockout {
  user: User;
  day: number;
  /** Local hour of the first failed attempt. */
  hour: number;
  failures: number;
  lockedTries: number;
  /** Minutes from the lock-out to the reset and successful sign-in. */
  resetAfter: number;
}

export interface BenignPlan {
  lockouts: Map<User, Lockout>;
  stalePhones: StalePhone[];
  staleByUser: Map<User, StalePhone>;
  /** The organisation whose office mistypes on a Monday morning, and that local day. */
  monday: { org: Org; day: number } | undefined;
}

/** Chooses who forgets a password, whose phone goes stale, and which office has the bad Monday. */
export function planBenign(orgs: Org[], days: number, start: number, rng: Rng): BenignPlan {
  const plan: BenignPlan = { lockouts: new Map(), stalePhones: [], staleByUser: new Map(), monday: undefined };
  const workdays: number[] = [];
  for (let d = 0; d < days; d++) if (!isWeekend(start + d * 24 * HOUR)) workdays.push(d);
  if (workdays.length === 0) workdays.push(0);
  for (const org of orgs) {
    const r = rng.fork('plan', org.idx);
    // Forgotten passwords: about one person in a thousand per working day, at least one per organisation.
    const forgetful = Math.max(1, r.poisson(org.size * workdays.length * 0.001));
    for (const user of r.sample(org.users, forgetful)) {
      const day = r.pick(workdays);
      const lockout: Lockout = {
        user,
        day,
        hour: user.dayStart + r.real(0, 0.5),
        failures: org.lockoutThreshold,
        lockedTries: r.range(1, 3),
        resetAfter: r.range(12, 70),
      };
      plan.lockouts.set(user, lockout);
    }
    // Stale phones: after a reset or a routine change, a legacy mail client keeps the old password.
    const stale = Math.max(1, Math.round(org.size * 0.015));
    const legacy = org.users.filter((u) => u.mailClient !== 'mobile_app');
    for (let i = 0; i < stale; i++) {
      let user = legacy.length ? r.pick(legacy) : r.pick(org.users);
      if (plan.staleByUser.has(user)) continue;
      if (user.mailClient === 'mobile_app') {
        user.mailClient = 'activesync';
        user.mailUa = user.phoneUa === UA.safariIphone ? UA.iosMail : UA.androidMail;
      }
      const lockout = plan.lockouts.get(user);
      const day = lockout?.day ?? r.pick(workdays);
      const changed = lockout
        ? localTime(org.timeZone, start + day * 24 * HOUR, lockout.hour) + (lockout.failures + lockout.lockedTries) * 40_000 + lockout.resetAfter * MINUTE
        : localTime(org.timeZone, start + day * 24 * HOUR, r.real(9, 17));
      // Noticed the next morning or the day after.
      const stale = { user, from: changed + r.range(2, 20) * MINUTE, to: changed + r.real(14, 44) * HOUR };
      plan.stalePhones.push(stale);
      plan.staleByUser.set(user, stale);
    }
  }
  const mondayIdx = [...Array(days).keys()].find((d) => weekday(start + d * 24 * HOUR) === 1);
  if (mondayIdx !== undefined && orgs.length) {
    const officeStaff = (o: Org) => o.users.filter((u) => !u.remote).length;
    const org = orgs.reduce((best, o) => (officeStaff(o) > officeStaff(best) ? o : best), orgs[0]);
    plan.monday = { org, day: mondayIdx };
  }
  return plan;
}

export type Emit = (e: SimEvent) => void;

/** One organisation's ordinary day (local calendar day `day`, whose date starts at `dayUtc`). */
export function benignOrgDay(org: Org, day: number, dayUtc: number, plan: BenignPlan, rng: Rng, emit: Emit): void {
  const mondayRush = plan.monday?.org === org && plan.monday.day === day;
  for (const user of org.users) userDay(user, day, dayUtc, plan, mondayRush, rng, emit);
  for (const s of plan.stalePhones) if (s.user.org === org) stalePhoneDay(s, day, dayUtc, rng, emit);
}

function ev(user: User, t: number, src: Address, result: Result, client: Client, ua: string, interactive: boolean, mfa: boolean): SimEvent {
  return { t: Math.round(t), org: user.org, user, login: user.login, src, result, client, ua, interactive, mfa, attack: -1 };
}

function isStale(plan: BenignPlan, user: User, t: number): boolean {
  const s = plan.staleByUser.get(user);
  return !!s && t >= s.from && t < s.to;
}

function userDay(user: User, day: number, dayUtc: number, plan: BenignPlan, mondayRush: boolean, rng: Rng, emit: Emit): void {
  const org = user.org;
  const tz = org.timeZone;
  const weekend = isWeekend(dayUtc);
  const trip = tripOn(user, day);
  const desk: Address = trip ? rng.pick(trip.addrs) : weekend || user.remote || rng.chance(0.45) ? homeAddress(user, rng) : org.office;
  const atOffice = desk === org.office;

  // The phone: mail refreshes from morning to late evening (non-interactive token use, or a legacy client's logins).
  const phoneFrom = trip && day === trip.from ? 13 + rng.real(0, 3) : 6.5 + rng.real(0, 1.5);
  const legacyMail = user.mailClient !== 'mobile_app';
  for (let h = phoneFrom; h < 22.5; h += (legacyMail ? 1.5 : 1) * rng.real(0.6, 1.4)) {
    const t = localTime(tz, dayUtc, h);
    if (isStale(plan, user, t)) continue; // the stale phone fails instead, see stalePhoneDay
    emit(ev(user, t, phoneAddress(user, trip, atOffice, h, rng), Result.Success, user.mailClient, user.mailUa, legacyMail, false));
  }

  if (weekend) {
    const n = rng.chance(0.3) ? rng.range(1, 2) : 0;
    const earliest = trip && day === trip.from ? phoneFrom : 9.5; // travelling until the afternoon
    for (let i = 0; i < n; i++) {
      const h = rng.real(earliest, 21.5);
      const mobile = rng.chance(0.4);
      const src = mobile && !trip ? rng.pick(user.phone) : desk;
      emit(ev(user, localTime(tz, dayUtc, h), src, Result.Success, 'browser', mobile ? user.phoneUa : user.desktopUa, true, org.mfa && i === 0));
    }
    return;
  }

  const start = trip && day === trip.from ? 13 + rng.real(0, 4) : user.dayStart + rng.normal(0, 0.3);
  const end = start + user.dayLength;
  const lockout = plan.lockouts.get(user);
  let t0: number;
  if (lockout && lockout.day === day) {
    t0 = forgottenPassword(lockout, desk, dayUtc, rng, emit);
  } else {
    t0 = localTime(tz, dayUtc, start);
    // Mistakes before the first sign-in: the usual typo, or the whole office on the bad Monday.
    const typoChance = mondayRush && atOffice ? 0.4 : 0.04;
    if (rng.chance(typoChance)) {
      const n = rng.chance(0.25) ? 2 : 1;
      for (let i = n; i >= 1; i--) emit(ev(user, t0 - i * rng.real(8, 40) * 1000, desk, Result.BadPassword, 'browser', user.desktopUa, true, false));
    }
    if (org.mfa && rng.chance(0.15)) emit(ev(user, t0 - rng.real(15, 40) * 1000, desk, Result.MfaInterrupt, 'browser', user.desktopUa, true, false));
    emit(ev(user, t0, desk, Result.Success, 'browser', user.desktopUa, true, org.mfa));
  }

  // More applications during the day: Teams, SharePoint, the web mail, each a new interactive sign-in.
  const more = rng.poisson(2.5);
  for (let i = 0; i < more; i++) {
    const t = localTime(tz, dayUtc, rng.real(start + 0.2, end));
    if (t <= t0) continue;
    const teams = rng.chance(0.4) && user.desktopUa !== UA.safariMac;
    emit(ev(user, t, desk, Result.Success, teams ? 'desktop_app' : 'browser', teams ? UA.teamsWin : user.desktopUa, true, false));
  }
  if (rng.chance(0.3)) {
    const h = rng.real(Math.max(end, 19), 22.5);
    const mobile = rng.chance(0.5);
    emit(ev(user, localTime(tz, dayUtc, h), trip ? rng.pick(trip.addrs) : mobile ? rng.pick(user.phone) : homeAddress(user, rng), Result.Success, 'browser', mobile ? user.phoneUa : user.desktopUa, true, false));
  }
}

/** Home, or the commercial VPN some people switch on at home. */
function homeAddress(user: User, rng: Rng): Address {
  return user.vpn && rng.chance(0.6) ? rng.pick(user.vpn) : user.home;
}

/** Where the phone is: abroad, on the office Wi-Fi, on the home Wi-Fi during a home-working day, or on the mobile network. */
function phoneAddress(user: User, trip: Trip | undefined, atOffice: boolean, hour: number, rng: Rng): Address {
  if (trip) return rng.pick(trip.addrs);
  const working = hour >= user.dayStart && hour <= user.dayStart + user.dayLength;
  if (working && atOffice) return user.org.office;
  if (working && rng.chance(0.5)) return user.home;
  return rng.pick(user.phone);
}

/** Tries until locked out, a few more "locked" answers, then a reset and a successful sign-in. */
function forgottenPassword(l: Lockout, desk: Address, dayUtc: number, rng: Rng, emit: Emit): number {
  const u = l.user;
  let t = localTime(u.org.timeZone, dayUtc, l.hour);
  for (let i = 0; i < l.failures; i++) {
    emit(ev(u, t, desk, Result.BadPassword, 'browser', u.desktopUa, true, false));
    t += rng.real(15, 70) * 1000;
  }
  for (let i = 0; i < l.lockedTries; i++) {
    emit(ev(u, t, desk, Result.Locked, 'browser', u.desktopUa, true, false));
    t += rng.real(20, 90) * 1000;
  }
  t += l.resetAfter * MINUTE;
  emit(ev(u, t, desk, Result.Success, 'browser', u.desktopUa, true, u.org.mfa));
  return t;
}

/** The stale phone's failures within this local day: every 15 minutes, from the phone's network or home Wi-Fi (or abroad). */
function stalePhoneDay(s: StalePhone, day: number, dayUtc: number, rng: Rng, emit: Emit): void {
  const u = s.user;
  const trip = tripOn(u, day);
  const dayStart = localTime(u.org.timeZone, dayUtc, 0);
  const dayEnd = localTime(u.org.timeZone, dayUtc, 24);
  const from = Math.max(s.from, dayStart);
  const to = Math.min(s.to, dayEnd);
  if (from >= to) return;
  // Keep the phone's 15-minute rhythm anchored at the password change, across day boundaries.
  const period = 15 * MINUTE;
  let t = s.from + Math.ceil((from - s.from) / period) * period;
  for (; t < to; t += period) {
    const hour = ((t - dayStart) / HOUR) % 24;
    const atHome = hour < 8 || hour > 19;
    const src = trip ? trip.addrs[0] : atHome ? u.home : u.phone[0];
    emit(ev(u, t + rng.real(-20, 20) * 1000, src, Result.BadPassword, u.mailClient, u.mailUa, true, false));
  }
}
