/**
 * @module detect/detectors/slow-guessing
 * Slow targeted guessing: a few hand-picked accounts of one organisation tried a handful of times a day, for days
 * or weeks, from unfamiliar and changing addresses. Every per-hour threshold and lock-out counter stays quiet, and
 * the attempt groups of the other detectors end after two quiet days, so this detector keeps its own memory per
 * organisation and account: the distinct UTC days with counted failures, the attempts on each, the addresses.
 *
 * A day counts once it is over (a stale device fixed, or a forgotten password reset, later that day is no guess),
 * and only when it had few attempts (a busy day is the brute-force rule's, a spray's, or a device's retry loop;
 * its addresses are not the guesser's either). An account that signs in from an address (or netblock) that
 * failed was its owner all along and is forgotten. All targeted accounts of an organisation within one attack
 * are one finding, re-emitted as days and addresses are added.
 */
import { evidenceOf, type Evidence } from '../findings.js';
import { interned } from '../intern.js';
import { BoundedMap, remember } from '../lru.js';
import { hours, type Detector, type DetectorContext } from '../detector.js';
import { param, type Rule } from '../rules.js';
import { netblockOf, type Signal } from '../signal.js';
import { accountKey, type AttemptGroup } from '../attempts.js';

const DAY = 86400_000;
const MAX_ACCOUNTS = 100_000;
const MAX_TENANTS = 100_000;
/** Day numbers and addresses kept per account: a month, and an attacker's handful of exits. */
const MAX_DAYS = 31;
const MAX_IPS = 8;
/** Accounts waiting for their day to end, per organisation (an organisation-wide attack is the spray rule's). */
const RAISE_EVERY_MS = 3600_000;
const MAX_CANDIDATES = 500;

type Tool = [userAgent: string, clientApp: string, protocol: string];

/** Failures of one account, day by day. */
interface Tally {
  user: string;
  first: number;
  last: number;
  /** Distinct UTC day numbers with counted failures (ascending) and the attempts on each. */
  days: number[];
  perDay: number[];
  /** Addresses of past days that stayed quiet (most recent last). */
  ips: string[];
  /** Addresses of the newest day, kept apart until it is known to have stayed quiet. */
  dayIps: string[];
  /** User agent, client app and protocol of the latest attempt on a quiet day (campaigns join attacks on the tool). */
  tool: Tool;
}

/** An account's memory: its tally over the last `within_days`, and its first failure as findings show it. */
interface Account extends Tally {
  sample: Evidence;
}

/** The finding of one organisation: the accounts found guessed at slowly, until the attack is quiet for the window. */
interface Episode {
  key: string;
  first: number;
  last: number;
  /** Copies of the accounts' tallies (an account's own memory may be forgotten first). */
  members: Map<string, Tally>;
  samples: Evidence[];
  /** Attempts were counted since the finding was last raised (written out at the end of input). */
  dirty: boolean;
  /** Event time of the last raise (absent in states saved before it was kept). */
  raisedAt?: number;
}

export const dayOf = (t: number): number => Math.floor(t / DAY);

export function slowGuessing(rule: Rule): Detector {
  const minDays = param(rule, 'min_days');
  const withinDays = param(rule, 'within_days');
  const minAttempts = param(rule, 'min_attempts');
  const maxPerDay = param(rule, 'max_attempts_per_day');
  const minIps = param(rule, 'min_ips');
  const withinMs = withinDays * DAY;

  /** tenant \u0001 account -> counted failures. */
  let accounts = new BoundedMap<string, Account>(MAX_ACCOUNTS);
  /** tenant -> accounts that may qualify once their newest day is over. */
  let candidates = new BoundedMap<string, string[]>(MAX_TENANTS);
  /** tenant -> newest UTC day of its events: each organisation's own clock (inputs may come one organisation at a time). */
  let tenantDay = new BoundedMap<string, number>(MAX_TENANTS);
  let episodes = new BoundedMap<string, Episode>(MAX_TENANTS);
  let lastSweep = -Infinity;

  return {
    rule,
    state: () => ({ accounts, candidates, tenantDay, episodes, lastSweep }),
    restore(st: any) {
      if (!st) return;
      accounts = st.accounts;
      candidates = st.candidates;
      tenantDay = st.tenantDay;
      episodes = st.episodes;
      lastSweep = st.lastSweep;
    },
    onEvent(s: Signal, ctx: DetectorContext) {
      if (s.ok && s.ip) {
        // The owner signed in where the failures came from: a stale device or a forgotten password, now fixed. The
        // same netblock counts too: a phone's carrier or a home line hands out a neighbouring address next time.
        const key = accountKey(s);
        const a = accounts.get(key);
        if (a && [...a.ips, ...a.dayIps].some((ip) => ip === s.ip || (s.net !== '' && netblockOf(ip) === s.net))) accounts.delete(key);
      }
      const day = dayOf(s.t);
      const seen = tenantDay.get(s.tenant);
      if (seen === undefined || day > seen) {
        tenantDay.set(s.tenant, day);
        if (seen !== undefined) judge(s.tenant, day, s.t, ctx);
      }
    },
    onAttempt(_g: AttemptGroup, s: Signal, ctx: DetectorContext) {
      // A name that does not exist cannot be taken over, and a right password (MFA or policy stopped it) is no guess.
      if (s.reason === 'unknown_user' || s.passwordValid) return;
      const key = accountKey(s);
      let a = accounts.get(key);
      if (a && s.t - a.last > withinMs) a = undefined;
      a ??= { user: s.user, first: s.t, last: s.t, days: [], perDay: [], ips: [], dayIps: [], tool: [interned(s.ua), interned(s.app), interned(s.proto)], sample: evidenceOf(s) };
      const newDay = !a.days.includes(dayOf(s.t));
      count(a, s, withinDays);
      accounts.set(key, a);

      const ep = episodes.get(s.tenant);
      const member = ep?.members.get(s.userKey);
      if (ep && member && s.t - ep.last <= withinMs) {
        // An account already named: the finding follows its new days and addresses, and is re-emitted when they
        // change (a new day, a new address, a day turning busy), not on every attempt.
        const facts = () => `${member.days.length} ${member.perDay.filter((n) => n > maxPerDay).length} ${addressesOf(member).sort().join(' ')}`;
        const before = facts();
        count(member, s, MAX_DAYS);
        ep.last = Math.max(ep.last, s.t);
        const after = facts();
        // Raising costs as much as the finding's accounts (thousands, when a spray also guesses slowly): at most
        // once an hour of event time; changes in between are written with the next raise or at the end of input.
        if (before !== after && s.t - (ep.raisedAt ?? -Infinity) >= RAISE_EVERY_MS) raise(s.tenant, ep, s.t, evidenceOf(s), ctx);
        else ep.dirty = true;
      } else if (newDay && a.days.length >= minDays) {
        const list = candidates.get(s.tenant) ?? [];
        if (!list.includes(key) && list.length < MAX_CANDIDATES) list.push(key);
        candidates.set(s.tenant, list);
      }
      if (s.t - lastSweep > DAY) sweep(s.t, ctx);
    },
    onFlush(now: number, ctx: DetectorContext) {
      // End of input: the newest day of every organisation is over as far as this log can tell.
      for (const tenant of [...candidates.map.keys()]) judge(tenant, Infinity, now, ctx);
      for (const [tenant, ep] of episodes.entries()) if (ep.dirty) raise(tenant, ep, Math.max(now, ep.last), undefined, ctx);
    },
  };

  /** Count one failure in a tally, keeping days within `keepDays` of the newest and moving a quiet day's addresses on when it ends. */
  function count(x: Tally, s: Signal, keepDays: number): void {
    const day = dayOf(s.t);
    let i = x.days.length - 1;
    if (i >= 0 && day > x.days[i]) {
      if (x.perDay[i] <= maxPerDay) for (const ip of x.dayIps) remember(x.ips, ip, MAX_IPS);
      x.dayIps = [];
    }
    while (i >= 0 && x.days[i] > day) i--; // an event later than the lateness bound may belong to an earlier day
    if (i < 0 || x.days[i] !== day) {
      x.days.splice(i + 1, 0, day);
      x.perDay.splice(i + 1, 0, 0);
      i++;
    }
    const n = ++x.perDay[i];
    const newest = i === x.days.length - 1;
    if (s.ip && newest && !x.dayIps.includes(s.ip) && x.dayIps.length < MAX_IPS) x.dayIps.push(s.ip);
    else if (s.ip && !newest && n <= maxPerDay) remember(x.ips, s.ip, MAX_IPS);
    if (n <= maxPerDay && (!x.tool || x.tool[0] !== s.ua || x.tool[1] !== s.app || x.tool[2] !== s.proto)) x.tool = [interned(s.ua), interned(s.app), interned(s.proto)];
    x.first = Math.min(x.first, s.t);
    x.last = Math.max(x.last, s.t);
    let drop = 0;
    const top = x.days[x.days.length - 1];
    while (drop < x.days.length && (x.days.length - drop > MAX_DAYS || x.days[drop] <= top - keepDays)) drop++;
    x.days.splice(0, drop);
    x.perDay.splice(0, drop);
  }

  /** Addresses of the tally's quiet days, the newest day's included while it stays quiet. */
  function addressesOf(x: Tally): string[] {
    const out = [...x.ips];
    if (x.perDay.length && x.perDay[x.perDay.length - 1] <= maxPerDay) for (const ip of x.dayIps) remember(out, ip, MAX_IPS);
    return out;
  }

  /** The account's quiet days among the `within_days` ending with its newest day that is over (before `today`). */
  function quietDays(a: Tally, today: number): { days: number; attempts: number; first: number } {
    const end = Math.min(today - 1, a.days[a.days.length - 1]);
    let days = 0;
    let attempts = 0;
    let first = Infinity;
    a.days.forEach((d, i) => {
      if (d > end || d <= end - withinDays || a.perDay[i] > maxPerDay) return;
      days++;
      attempts += a.perDay[i];
      first = Math.min(first, d);
    });
    return { days, attempts, first };
  }

  /** A day of the organisation is over: name the candidates whose failures now span enough quiet days. */
  function judge(tenant: string, today: number, now: number, ctx: DetectorContext): void {
    const list = candidates.get(tenant);
    if (!list) return;
    const keep: string[] = [];
    let joined: Episode | undefined;
    let latest = -Infinity;
    const emit = () => joined && raise(tenant, joined, now === Infinity ? latest : Math.max(now, latest), undefined, ctx);
    for (const key of list) {
      const a = accounts.get(key);
      if (!a) continue; // resolved or forgotten
      const q = quietDays(a, today);
      if (q.days < minDays || q.attempts < minAttempts || addressesOf(a).length < minIps) {
        if (a.days[a.days.length - 1] >= today) keep.push(key); // its newest day is not over yet
        continue;
      }
      let ep = episodes.get(tenant);
      if (!ep || a.first - ep.last > withinMs) {
        if (ep !== joined) emit();
        ep = { key: String(q.first), first: a.first, last: a.last, members: new Map(), samples: [], dirty: false };
      }
      const { sample, ...tally } = a;
      ep.members.set(key.slice(tenant.length + 1), structuredClone(tally));
      ep.first = Math.min(ep.first, a.first);
      ep.last = Math.max(ep.last, a.last);
      if (ep.samples.length < 3) ep.samples.push(sample);
      episodes.set(tenant, ep);
      joined = ep;
      latest = Math.max(latest, a.last);
    }
    if (keep.length) candidates.set(tenant, keep);
    else candidates.delete(tenant);
    // One finding line for all the accounts that qualified as this day began, not one per account.
    emit();
  }

  function raise(tenant: string, ep: Episode, time: number, latest: Evidence | undefined, ctx: DetectorContext): void {
    ep.dirty = false;
    ep.raisedAt = time;
    const members = [...ep.members.values()].sort((x, y) => (x.user < y.user ? -1 : x.user > y.user ? 1 : 0));
    const ips = new Set<string>();
    const days = new Set<number>();
    let attempts = 0;
    let accountDays = 0;
    let busyDays = 0;
    const targeted = members.map((m) => {
      let n = 0;
      let quiet = 0;
      m.days.forEach((d, i) => {
        if (m.perDay[i] > maxPerDay) return;
        days.add(d);
        quiet++;
        n += m.perDay[i];
      });
      const addresses = addressesOf(m);
      for (const ip of addresses) ips.add(ip);
      attempts += n;
      accountDays += quiet;
      busyDays += m.days.length - quiet;
      return { account: m.user, days: quiet, attempts: n, busy_days: m.days.length - quiet, addresses };
    });
    const n = members.length;
    const [ua, app, proto] = members[0].tool;
    const oneTool = members.every((m) => m.tool[0] === ua && m.tool[1] === app && m.tool[2] === proto);
    const netblocks = [...new Set([...ips].map(netblockOf).filter((b) => b))].sort();
    ctx.sink.upsert({
      rule,
      tenant,
      key: `slow\u0001${ep.key}`,
      time,
      first: ep.first,
      last: ep.last,
      title: `Slow password guessing against ${n === 1 ? members[0].user : `${n} accounts`} over ${days.size} days`,
      desc:
        `${n} account(s) of this organisation failed to sign in on ${days.size} different days over ${hours(ep.last - ep.first)} ` +
        `(${attempts} attempts, ${(attempts / Math.max(1, accountDays)).toFixed(1)} per account per day on average` +
        `${busyDays ? `; ${busyDays} busier account-day(s) with more than ${maxPerDay} attempts are left out` : ''}) from ` +
        `${ips.size} address(es) that neither the account nor the organisation had signed in from, and which none of ` +
        `these accounts has signed in from since. Each account failed on at least ${minDays} days within ${withinDays}, ` +
        `at most ${maxPerDay} times a day: a patient guesser keeping under rate and lock-out thresholds, not a stale ` +
        `device or a forgotten password.`,
      severity: n >= 2 ? 'high' : rule.severity,
      ips: [...ips],
      accounts: members.map((m) => m.user),
      evidence: latest ? [...ep.samples, latest] : [...ep.samples],
      data: {
        attempts,
        days: days.size,
        targeted,
        netblocks,
        // The tool when every account was tried with the same one (one operator), as the other attack findings carry it.
        ...(oneTool && (ua || app) ? { fingerprint: { user_agent: ua, client_app: app, protocol: proto } } : {}),
      },
    });
  }

  /** Forget accounts idle for longer than the window, and organisations' findings whose attack went quiet. */
  function sweep(now: number, ctx: DetectorContext): void {
    lastSweep = now;
    for (const [k, a] of [...accounts.entries()]) if (now - a.last > withinMs) accounts.delete(k);
    for (const [k, ep] of [...episodes.entries()]) {
      if (now - ep.last <= withinMs) continue;
      if (ep.dirty) raise(k, ep, ep.last, undefined, ctx); // its last changes, before it is forgotten
      episodes.delete(k);
    }
  }
}
