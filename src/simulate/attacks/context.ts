/**
 * @module simulate/attacks/context
 * What every attack engine shares: the world it attacks (organisations, address space, Tor network, the pools of
 * other scenarios), the contract of an attack (its events, day by day, so memory stays bounded), and the helpers to
 * place a scenario's window in the world, choose its targets and draw its source addresses.
 */
import type { Address, AddressSpace } from '../addresses.js';
import type { Emit } from '../benign.js';
import { DAY, isWeekend, localTime, parseDuration, utcOffsetMinutes } from '../clock.js';
import type { Client, SimEvent } from '../event.js';
import { FAMILY, GIVEN, GUESSED_ROLE_NAMES } from '../names.js';
import type { Org, User } from '../population.js';
import type { Rng } from '../rng.js';
import type { Scenario } from '../scenarios.js';
import type { TorNetwork } from '../tor.js';

export interface AttackContext {
  seed: number;
  start: number;
  days: number;
  scale: number;
  orgs: Org[];
  space: AddressSpace;
  tor: TorNetwork;
  /** Day-by-day source pools of the scenarios planned so far, by id (for `share_pool_with`). */
  pools: Map<string, Address[][]>;
}

export interface Attack {
  index: number;
  scenario: Scenario;
  /** Emits the attack's events that fall in world day `day` (UTC, from the world's start). */
  day(day: number, emit: Emit): void;
  /** Caveat about how the scenario is rendered in the chosen format, for the truth file. */
  note?: string;
}

/** The scenario's window, moved and shortened to fit the world: [from, to) in epoch ms. */
export function placeWindow(s: Scenario, ctx: AttackContext): { from: number; to: number } {
  const worldLength = ctx.days * DAY;
  let offset = parseDuration(s.window.start) ?? 0;
  let length = s.window.duration === 'all' ? worldLength : (parseDuration(s.window.duration) ?? worldLength);
  length = Math.min(length, worldLength);
  if (offset + length > worldLength) offset = worldLength - length;
  return { from: ctx.start + offset, to: ctx.start + offset + length };
}

/** Target organisations: preferred kinds first, each group in random order. */
export function pickOrgs(s: Scenario, ctx: AttackContext, rng: Rng, prefer?: (o: Org) => boolean): Org[] {
  const kinds = s.targets.kinds;
  const rank = (o: Org) => (kinds && !kinds.includes(o.kind) ? 2 : 0) + (prefer && !prefer(o) ? 1 : 0);
  const shuffled = rng.shuffle(ctx.orgs.slice());
  shuffled.sort((a, b) => rank(a) - rank(b));
  return shuffled.slice(0, Math.min(s.targets.organisations, shuffled.length));
}

/** Real accounts to target in an organisation (among `eligible` of its staff when given and not empty). */
export function pickAccounts(s: Scenario, org: Org, rng: Rng, eligible?: (u: User) => boolean): User[] {
  const t = s.targets;
  const n = Math.min(org.users.length, Math.max(1, t.accounts ?? Math.round((t.account_share ?? 0.1) * org.users.length)));
  const preferred = eligible ? org.users.filter(eligible) : [];
  const staff = preferred.length >= n ? preferred : org.users;
  if (t.pick === 'senior') {
    const senior = rng.shuffle(staff.filter((u) => u.senior));
    const rest = rng.shuffle(staff.filter((u) => !u.senior));
    return [...senior, ...rest].slice(0, n);
  }
  return rng.sample(staff, n);
}

/** Names an attacker guesses that match no account: role mailboxes and plausible staff names. */
export function guessNames(org: Org, n: number, rng: Rng): string[] {
  const out = new Set<string>();
  for (const role of rng.sample(GUESSED_ROLE_NAMES, Math.min(n, Math.ceil(n / 3)))) if (!org.byLogin.has(role)) out.add(role);
  const langs = [org.language, 'en'] as const;
  for (let tries = 0; out.size < n && tries < n * 20; tries++) {
    const lang = rng.pick(langs);
    const given = rng.pick(GIVEN[lang]);
    const family = rng.pick(FAMILY[lang]);
    const name = rng.chance(0.7) ? `${given}.${family}` : rng.chance(0.5) ? `${given[0]}${family}` : `${given}`;
    if (!org.byLogin.has(name)) out.add(name);
  }
  return [...out];
}

/** Draws `n` source addresses with the scenario's network mix. */
export function drawSources(s: Scenario, ctx: AttackContext, n: number, rng: Rng): Address[] {
  const mix = Object.entries(s.sources.mix).filter(([, v]) => (v ?? 0) > 0) as [string, number][];
  if (mix.length === 0) mix.push(['hosting', 1]);
  const total = mix.reduce((a, [, v]) => a + v, 0);
  const out: Address[] = [];
  let left = n;
  mix.forEach(([kind, share], i) => {
    const k = i === mix.length - 1 ? left : Math.min(left, Math.round((n * share) / total));
    left -= k;
    if (k <= 0) return;
    if (kind === 'tor') out.push(...ctx.tor.fresh(k));
    else out.push(...ctx.space.takeMany(kind as 'vpn' | 'hosting' | 'broadband' | 'mobile', k, s.sources.countries));
  });
  return rng.shuffle(out);
}

/** The pool size after --scale. */
export function poolSize(s: Scenario, ctx: AttackContext): number {
  return s.sources.scaled ? Math.max(1, Math.round(s.sources.pool * ctx.scale)) : s.sources.pool;
}

/**
 * Day-by-day pools: the first day's pool, then each day `churn` addresses leave and as many new ones join
 * (STRONTIUM: about 20 a day out of 1,100). A scenario sharing another's pool uses that one's days.
 */
export function dailyPools(s: Scenario, ctx: AttackContext, rng: Rng): Address[][] {
  const shared = s.sources.share_pool_with;
  if (shared) {
    const other = ctx.pools.get(shared);
    if (!other) throw new Error(`scenario ${s.id}: pool of '${shared}' is not planned yet`);
    return other;
  }
  const size = poolSize(s, ctx);
  const churn = s.sources.scaled ? Math.round(s.sources.churn_per_day * ctx.scale) : s.sources.churn_per_day;
  const days: Address[][] = [drawSources(s, ctx, size, rng)];
  for (let d = 1; d < ctx.days; d++) {
    const pool = days[d - 1].slice();
    const k = Math.min(churn, pool.length);
    for (let i = 0; i < k; i++) pool.splice(rng.int(pool.length), 1);
    pool.push(...drawSources(s, ctx, k, rng));
    days.push(pool);
  }
  ctx.pools.set(s.id, days);
  return days;
}

export function dayIndex(ctx: AttackContext, t: number): number {
  return Math.min(ctx.days - 1, Math.max(0, Math.floor((t - ctx.start) / DAY)));
}

export function attackEvent(index: number, org: Org, user: User | undefined, login: string, t: number, src: Address, result: SimEvent['result'], client: Client, ua: string, mfa = false): SimEvent {
  return { t: Math.round(t), org, user, login, src, result, client, ua, interactive: true, mfa, attack: index };
}

/** A time in the window at the victim's local hour (a working day when there is one); the window start otherwise. */
export function incidentTime(org: Org, window: { from: number; to: number }, localHour: number, rng: Rng): number {
  const candidates: number[] = [];
  for (let d = Math.floor(window.from / DAY) - 1; d * DAY <= window.to; d++) {
    const t = localTime(org.timeZone, d * DAY, localHour);
    if (t >= window.from && t < window.to) candidates.push(t);
  }
  const workdays = candidates.filter((t) => !isWeekend(Math.floor((t + utcOffsetMinutes(org.timeZone, t) * 60_000) / DAY) * DAY));
  const pool = workdays.length ? workdays : candidates;
  if (pool.length === 0) return window.from + rng.next() * Math.max(1, window.to - window.from);
  return rng.pick(pool) + rng.real(0, 20) * 60_000;
}
