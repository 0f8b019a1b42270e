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
 *
 * In a large world every account is tried now and then, so this memory holds every account (100k) and is kept
 * small: an account's first failure as the few values its evidence is made of, its days and their attempts in one
 * list of numbers, its addresses in one string, and one shared tool triple per tool.
 */
import { evidenceOf, type Evidence } from '../findings.js';
import { interned } from '../intern.js';
import { BoundedMap, remembered } from '../lru.js';
import { hours, type Detector, type DetectorContext } from '../detector.js';
import { param, RuleError, type Rule } from '../rules.js';
import { netblockOf, netKeyOf, type Signal } from '../signal.js';
import { accountKey, type AttemptGroup } from '../attempts.js';
import { netText, Watch } from '../profiles.js';

const DAY = 86400_000;
const MAX_ACCOUNTS = 100_000;
const MAX_TENANTS = 100_000;
/** Day numbers and addresses kept per account: a month, and an attacker's handful of exits. */
const MAX_DAYS = 31;
const MAX_IPS = 8;
/** Accounts waiting for their day to end, per organisation (an organisation-wide attack is the spray rule's). */
const RAISE_EVERY_MS = 3600_000;
const MAX_CANDIDATES = 500;
/**
 * A day and its attempts are one number, day * DAY_ENTRY + attempts. Attempts stop counting at DAY_ENTRY - 1: the
 * rule only asks whether a day had more than its handful (and a small integer stays one machine word until 2059).
 */
const DAY_ENTRY = 65536;
const MAX_DAY_ATTEMPTS = DAY_ENTRY - 1;
/** Distinct tools remembered for sharing (a handful in practice; when full the table starts again). */
const MAX_TOOLS = 10_000;

/**
 * A few addresses as one string, separated by spaces (no address has one: every format takes only what net.isIP
 * accepts). A list of strings costs an array and a string object per address: three times as much.
 */
type Addresses = string;
const SPACE = 32;

type Tool = readonly [userAgent: string, clientApp: string, protocol: string];

/**
 * An account's first failure: the values `evidenceOf` reads, flat. (The Evidence object it makes is eight objects,
 * which kept for every account for weeks was the largest part of this detector's memory.) The account's name is
 * the tally's, and a counted attempt is always a failure.
 */
type Sample = [time: number, ip: string, country: string, asn: number, asOrg: string, reason: Signal['reason'], userAgent: string, clientApp: string, file: string | null, line: number];

/** Failures of one account, day by day. */
interface Tally {
  user: string;
  first: number;
  last: number;
  /** Distinct UTC days with counted failures, ascending, each with its attempts: day * DAY_ENTRY + attempts. */
  days: number[];
  /** Addresses of past days that stayed quiet (most recent last). */
  ips: Addresses;
  /** Addresses of the newest day, kept apart until it is known to have stayed quiet. */
  dayIps: Addresses;
  /** User agent, client app and protocol of the latest attempt on a quiet day (campaigns join attacks on the tool). */
  tool: Tool;
}

/** An account's memory: its tally over the last `within_days`, and its first failure as findings show it. */
interface Account extends Tally {
  sample: Sample;
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

const dayAt = (days: readonly number[], i: number): number => Math.floor(days[i] / DAY_ENTRY);
const attemptsAt = (days: readonly number[], i: number): number => days[i] - dayAt(days, i) * DAY_ENTRY;
const dayEntry = (day: number, attempts: number): number => day * DAY_ENTRY + Math.min(attempts, MAX_DAY_ATTEMPTS);

const splitAddresses = (list: Addresses): string[] => (list === '' ? [] : list.split(' '));
/** One flat string (made by `join`: a string made by `+` is a tree of its parts, kept as long as the account). */
const joinAddresses = (ips: readonly string[]): Addresses => ips.join(' ');
const addressCount = (list: Addresses): number => {
  let n = list === '' ? 0 : 1;
  for (let at = list.indexOf(' '); at >= 0; at = list.indexOf(' ', at + 1)) n++;
  return n;
};
/** Is the address in the list? (Without splitting it: asked for every attempt.) */
function listed(list: Addresses, ip: string): boolean {
  for (let at = list.indexOf(ip); at >= 0; at = list.indexOf(ip, at + 1)) {
    const end = at + ip.length;
    if ((at === 0 || list.charCodeAt(at - 1) === SPACE) && (end === list.length || list.charCodeAt(end) === SPACE)) return true;
  }
  return false;
}

/**
 * Does the list hold the signal's address, or one in its netblock? Asked for every success of an account with
 * failures kept, so without splitting the list or making a netblock per address: only an address that begins as
 * the signal's IPv4 /24 does is looked at closely.
 */
function failedFrom(list: Addresses, s: Signal): boolean {
  if (list === '') return false;
  if (listed(list, s.ip)) return true;
  const net = s.netKey;
  if (net === '') return false;
  const v4Prefix = typeof net === 'number' ? netText(net).slice(0, -4) : undefined; // 'a.b.c.' of 'a.b.c.0/24'
  for (let start = 0; start < list.length; ) {
    let end = list.indexOf(' ', start);
    if (end < 0) end = list.length;
    if ((v4Prefix === undefined || list.startsWith(v4Prefix, start)) && netKeyOf(list.slice(start, end)) === net) return true;
    start = end + 1;
  }
  return false;
}

/** The string as one flat sequence of characters (whatever it was made of), in a string of its own. */
const flatCopy = (s: string): string => JSON.parse(JSON.stringify(s));

/** The list with each of `ips` remembered in turn (see `remembered`). */
function rememberedAll(list: string[], ips: string[]): string[] {
  for (const ip of ips) list = remembered(list, ip, MAX_IPS);
  return list;
}

/** The first failure of a new account, as kept (its repeated strings shared, not copied per account). */
export function sampleOf(s: Signal): Sample {
  const src = s.source;
  return [s.t, s.ip, interned(s.country), s.asn, interned(s.asOrg), interned(s.reason) as Signal['reason'], interned(s.ua), interned(s.app), src ? interned(src.file) : null, src ? src.line : 0];
}

/** The kept first failure as findings show it: made by `evidenceOf` itself, from the fields it reads. */
export function evidenceOfSample(sample: Sample, user: string): Evidence {
  const [t, ip, country, asn, asOrg, reason, ua, app, file, line] = sample;
  return evidenceOf({ t, ip, country, asn, asOrg, user, ok: false, reason, ua, app, source: file === null ? undefined : { file, line } } as Signal);
}

/** A sample kept as an Evidence object (states saved before samples were flat). */
export function sampleOfEvidence(e: Evidence): Sample {
  const src = e.src_endpoint;
  const d = e.data;
  return [e.time, src.ip ?? '', src.location?.country ?? '', src.autonomous_system?.number ?? 0, src.autonomous_system?.name ?? '', d.reason ?? '', d.user_agent ?? '', d.client_app ?? '', d.source ? d.source.file : null, d.source ? d.source.line : 0];
}

export function slowGuessing(rule: Rule): Detector {
  const minDays = param(rule, 'min_days');
  const withinDays = param(rule, 'within_days');
  const minAttempts = param(rule, 'min_attempts');
  const maxPerDay = param(rule, 'max_attempts_per_day');
  const minIps = param(rule, 'min_ips');
  const withinMs = withinDays * DAY;
  if (maxPerDay >= MAX_DAY_ATTEMPTS) throw new RuleError(`${rule.file}: max_attempts_per_day must be below ${MAX_DAY_ATTEMPTS}`);
  /** One triple per tool, shared by the accounts tried with it. */
  let tools = new Map<string, Tool>();

  /** tenant \u0001 account -> counted failures. */
  let accounts = new BoundedMap<string, Account>(MAX_ACCOUNTS);
  /** tenant -> accounts that may qualify once their newest day is over. */
  let candidates = new BoundedMap<string, string[]>(MAX_TENANTS);
  /** tenant -> newest UTC day of its events: each organisation's own clock (inputs may come one organisation at a time). */
  let tenantDay = new BoundedMap<string, number>(MAX_TENANTS);
  let episodes = new BoundedMap<string, Episode>(MAX_TENANTS);
  let lastSweep = -Infinity;
  /**
   * A member's facts as its last attempt left them (members change only there: a new judgement or a restore makes
   * new member objects), so each attempt makes them once rather than before and after.
   */
  const shownFacts = new WeakMap<Tally, string>();
  /** What a finding shows of a member: its days, busy days and quiet addresses. */
  const factsOf = (m: Tally): string => `${m.days.length} ${busyDayCount(m)} ${quietAddresses(m).sort().join(' ')}`;

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
      // Saved tallies are brought to the current form (and their tools and strings shared again): states saved
      // before it kept days and attempts in two lists and samples as Evidence objects.
      for (const [key, a] of accounts.entries()) accounts.map.set(key, { ...savedTally(a), sample: savedSample(Array.isArray(a.sample) ? a.sample : sampleOfEvidence(a.sample)) });
      for (const ep of episodes.map.values()) for (const [user, m] of ep.members) ep.members.set(user, savedTally(m));
    },
    onEvent(s: Signal, ctx: DetectorContext) {
      if (s.ok && s.ip && ctx.profiles.mayHold(s, Watch.slowGuessing)) {
        // The owner signed in where the failures came from: a stale device or a forgotten password, now fixed. The
        // same netblock counts too: a phone's carrier or a home line hands out a neighbouring address next time.
        const e = ctx.profiles.accountEntry(s, 'slowGuessingEntry', accounts, accountKey);
        if (!e) ctx.profiles.held(s, Watch.slowGuessing, false);
        else if (failedFrom(e.v.ips, s) || failedFrom(e.v.dayIps, s)) accounts.deleteEntry(e);
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
      const e = ctx.profiles.accountEntry(s, 'slowGuessingEntry', accounts, accountKey);
      let a = e?.v;
      if (a && s.t - a.last > withinMs) a = undefined;
      a ??= { user: s.user, first: s.t, last: s.t, days: [], ips: '', dayIps: '', tool: toolOf(s.ua, s.app, s.proto), sample: sampleOf(s) };
      const newDay = !hasDay(a, dayOf(s.t));
      count(a, s, withinDays);
      if (e) accounts.setEntry(e, a);
      else {
        // The map keeps the key an account was first stored with, for as long as it lives: a flat copy, rather than
        // the concatenation made for this event (a tree of strings, holding the event's own copy of the name).
        ctx.profiles.keepEntry(s, 'slowGuessingEntry', accounts.set(flatCopy(accountKey(s)), a));
      }
      ctx.profiles.held(s, Watch.slowGuessing, true);

      const ep = episodes.get(s.tenant);
      const member = ep?.members.get(s.userKey);
      if (ep && member && s.t - ep.last <= withinMs) {
        // An account already named: the finding follows its new days and addresses, and is re-emitted when they
        // change (a new day, a new address, a day turning busy), not on every attempt.
        const before = shownFacts.get(member) ?? factsOf(member);
        count(member, s, MAX_DAYS);
        ep.last = Math.max(ep.last, s.t);
        const after = factsOf(member);
        shownFacts.set(member, after);
        // Raising costs as much as the finding's accounts (thousands, when a spray also guesses slowly): at most
        // once an hour of event time; changes in between are written with the next raise or at the end of input.
        if (before !== after && s.t - (ep.raisedAt ?? -Infinity) >= RAISE_EVERY_MS) raise(s.tenant, ep, s.t, evidenceOf(s), ctx);
        else ep.dirty = true;
      } else if (newDay && a.days.length >= minDays) {
        const key = accountKey(s);
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

  /** The shared triple of a tool. */
  function toolOf(ua: string, app: string, proto: string): Tool {
    const key = `${ua}\u0001${app}\u0001${proto}`;
    let tool = tools.get(key);
    if (tool === undefined) {
      if (tools.size >= MAX_TOOLS) tools = new Map();
      tool = [interned(ua), interned(app), interned(proto)];
      tools.set(key, tool);
    }
    return tool;
  }

  /** A tally as saved, in the current form: restored from this version or an earlier one. */
  function savedTally(x: any): Tally {
    // Saved by earlier versions: day numbers in `days`, their attempts in `perDay`.
    const days: number[] = x.perDay ? x.days.map((d: number, i: number) => dayEntry(d, x.perDay[i])) : x.days;
    // ... and addresses in lists.
    const list = (ips: string | string[]): Addresses => (typeof ips === 'string' ? ips : joinAddresses(ips));
    return { user: x.user, first: x.first, last: x.last, days, ips: list(x.ips), dayIps: list(x.dayIps), tool: toolOf(x.tool[0], x.tool[1], x.tool[2]) };
  }

  function savedSample(x: Sample): Sample {
    const [t, ip, country, asn, asOrg, reason, ua, app, file, line] = x;
    return [t, ip, interned(country), asn, interned(asOrg), interned(reason) as Signal['reason'], interned(ua), interned(app), file === null ? null : interned(file), line];
  }

  /** A finding's own copy of an account's tally (the account's memory may be forgotten first). */
  function copyOf(x: Tally): Tally {
    return { user: x.user, first: x.first, last: x.last, days: x.days.slice(), ips: x.ips, dayIps: x.dayIps, tool: x.tool };
  }

  function hasDay(x: Tally, day: number): boolean {
    for (let i = x.days.length - 1; i >= 0; i--) if (dayAt(x.days, i) === day) return true;
    return false;
  }

  function busyDayCount(x: Tally): number {
    let n = 0;
    for (let i = 0; i < x.days.length; i++) if (attemptsAt(x.days, i) > maxPerDay) n++;
    return n;
  }

  /** Count one failure in a tally, keeping days within `keepDays` of the newest and moving a quiet day's addresses on when it ends. */
  function count(x: Tally, s: Signal, keepDays: number): void {
    const day = dayOf(s.t);
    let i = x.days.length - 1;
    if (i >= 0 && day > dayAt(x.days, i)) {
      if (attemptsAt(x.days, i) <= maxPerDay && x.dayIps !== '') x.ips = joinAddresses(rememberedAll(splitAddresses(x.ips), splitAddresses(x.dayIps)));
      x.dayIps = '';
    }
    while (i >= 0 && dayAt(x.days, i) > day) i--; // an event later than the lateness bound may belong to an earlier day
    if (i < 0 || dayAt(x.days, i) !== day) {
      // A new list of exact size (a list grown in place keeps room for many more).
      x.days = i === x.days.length - 1 ? x.days.concat(dayEntry(day, 0)) : x.days.slice(0, i + 1).concat(dayEntry(day, 0), x.days.slice(i + 1));
      i++;
    }
    const n = attemptsAt(x.days, i) + 1;
    x.days[i] = dayEntry(day, n);
    const newest = i === x.days.length - 1;
    if (s.ip && newest && !listed(x.dayIps, s.ip) && addressCount(x.dayIps) < MAX_IPS) x.dayIps = x.dayIps === '' ? s.ip : joinAddresses([x.dayIps, s.ip]);
    else if (s.ip && !newest && n <= maxPerDay) x.ips = joinAddresses(remembered(splitAddresses(x.ips), s.ip, MAX_IPS));
    if (n <= maxPerDay && (x.tool[0] !== s.ua || x.tool[1] !== s.app || x.tool[2] !== s.proto)) x.tool = toolOf(s.ua, s.app, s.proto);
    x.first = Math.min(x.first, s.t);
    x.last = Math.max(x.last, s.t);
    let drop = 0;
    const top = dayAt(x.days, x.days.length - 1);
    while (drop < x.days.length && (x.days.length - drop > MAX_DAYS || dayAt(x.days, drop) <= top - keepDays)) drop++;
    if (drop) x.days = x.days.slice(drop);
  }

  /** Addresses of the tally's quiet days, the newest day's included while it stays quiet. */
  function quietAddresses(x: Tally): string[] {
    const out = splitAddresses(x.ips);
    return x.days.length && attemptsAt(x.days, x.days.length - 1) <= maxPerDay ? rememberedAll(out, splitAddresses(x.dayIps)) : out;
  }

  /** The account's quiet days among the `within_days` ending with its newest day that is over (before `today`). */
  function quietDays(a: Tally, today: number): { days: number; attempts: number; first: number } {
    const end = Math.min(today - 1, dayAt(a.days, a.days.length - 1));
    let days = 0;
    let attempts = 0;
    let first = Infinity;
    for (let i = 0; i < a.days.length; i++) {
      const d = dayAt(a.days, i);
      const n = attemptsAt(a.days, i);
      if (d > end || d <= end - withinDays || n > maxPerDay) continue;
      days++;
      attempts += n;
      first = Math.min(first, d);
    }
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
      if (q.days < minDays || q.attempts < minAttempts || quietAddresses(a).length < minIps) {
        if (dayAt(a.days, a.days.length - 1) >= today) keep.push(key); // its newest day is not over yet
        continue;
      }
      let ep = episodes.get(tenant);
      if (!ep || a.first - ep.last > withinMs) {
        if (ep !== joined) emit();
        ep = { key: String(q.first), first: a.first, last: a.last, members: new Map(), samples: [], dirty: false };
      }
      // (A flat copy of the name: a slice would keep the whole key it was cut from.)
      ep.members.set(flatCopy(key.slice(tenant.length + 1)), copyOf(a));
      ep.first = Math.min(ep.first, a.first);
      ep.last = Math.max(ep.last, a.last);
      if (ep.samples.length < 3) ep.samples.push(evidenceOfSample(a.sample, a.user));
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
      for (let i = 0; i < m.days.length; i++) {
        const perDay = attemptsAt(m.days, i);
        if (perDay > maxPerDay) continue;
        days.add(dayAt(m.days, i));
        quiet++;
        n += perDay;
      }
      const addresses = quietAddresses(m);
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
