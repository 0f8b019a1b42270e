/**
 * @module detect/detectors/brute-force
 * Brute force: one account tried at a rate no person reaches, from unfamiliar sources: the classic burst from
 * one address, and the distributed kind (STRONTIUM's ~335 attempts per account per hour from ~200 addresses).
 * Rates are per account within the organisation-and-tool group, so address rotation does not hide it.
 */
import { accountsIps, accountsIpsText, groupFacts, attemptsWithin, type AttemptGroup } from '../attempts.js';
import { hours, iso, type Detector, type DetectorContext } from '../detector.js';
import { param, type Rule } from '../rules.js';
import type { Signal } from '../signal.js';
import { unnamedBursts } from './unnamed-bursts.js';

export function bruteForce(rule: Rule): Detector {
  const burstN = param(rule, 'burst_attempts');
  const burstMs = param(rule, 'burst_minutes') * 60_000;
  const sustainedN = param(rule, 'sustained_attempts');
  const sustainedMs = param(rule, 'sustained_minutes') * 60_000;
  const rapidN = param(rule, 'rapid_attempts');
  const rapidMs = param(rule, 'rapid_seconds') * 1000;
  /** group key -> accounts found brute-forced in that episode, in the order found. */
  const hit = new Map<string, Hit[]>();
  const unnamed = unnamedBursts(rule, rapidN, rapidMs);
  /** A group's key in `hit` (a group object is one episode, so its key never changes). */
  const keys = new WeakMap<AttemptGroup, string>();
  const keyOf = (g: AttemptGroup): string => {
    let k = keys.get(g);
    if (k === undefined) keys.set(g, (k = `${g.id}\u0001${g.episode}`));
    return k;
  };
  return {
    rule,
    state: () => ({ hit: [...hit], unnamed: unnamed.state() }),
    restore(st: any) {
      hit.clear();
      // States saved before the reasons were kept list the accounts' names alone.
      for (const [k, v] of st?.hit ?? []) hit.set(k, v.map((h: Hit | string) => (typeof h === 'string' ? { user: h, why: '' } : h)));
      unnamed.restore(st?.unnamed);
    },
    onAttempt(g: AttemptGroup, s: Signal, ctx: DetectorContext) {
      const a = ctx.tracker.accountOf(g, s);
      if (!a) return;
      const key = keyOf(g);
      if (a.user === '') unnamed.attempt(g, key, s, ctx);
      let list = hit.get(key);
      const known = list?.some((h) => h.user === a.user);
      let added = false;
      if (!known) {
        const inBurst = attemptsWithin(a, s.t, burstMs);
        const inSustained = attemptsWithin(a, s.t, sustainedMs);
        // A script's burst at one named account; attempts that name no account (sshd's unknown users without a name)
        // are not one account, so they need the slower rates.
        const inRapid = a.user !== '' ? attemptsWithin(a, s.t, rapidMs) : 0;
        const burst = inBurst >= burstN;
        const sustained = inSustained >= sustainedN;
        const rapid = inRapid >= rapidN;
        if (!burst && !sustained && !rapid) {
          if (!list) return;
        } else {
          const rate = sustained
            ? `${inSustained} tries within ${sustainedMs / 60000} minutes`
            : burst
              ? `${inBurst} tries within ${burstMs / 60000} minutes`
              : `${inRapid} tries within ${rapidMs / 1000} seconds`;
          list ??= [];
          list.push({ user: a.user, why: `${rate} ending ${iso(s.t)}` });
          hit.set(key, list);
          added = true;
        }
      }
      if (!list) return;
      // Rebuilding the finding costs as much as its addresses: at most every 5 minutes of event time unless an account was added.
      if (!added && s.t - (g.evaluated[rule.id] ?? -Infinity) < 5 * 60_000) return;
      g.evaluated[rule.id] = s.t;
      const keys = new Set(list.map((h) => h.user.toLowerCase()));
      const accounts = [...keys].map((k) => g.accounts.get(k)).filter((x) => !!x);
      const attempts = accounts.reduce((n, x) => n + x.n, 0);
      // The addresses that tried these accounts, not all of the group's: where the tool fingerprint is weak, the
      // group also holds other accounts' failures (the staff's own among them).
      const ips = accountsIps(g, accounts, keys);
      const span = g.last - g.first;
      const rate = attempts / Math.max(1, span / 3600_000) / Math.max(1, accounts.length);
      const valid = accounts.filter((x) => x.valid).map((x) => x.user);
      const uid = ctx.sink.upsert({
        rule,
        tenant: g.tenant,
        key: `${g.fp}\u0001${g.episode}`,
        time: s.t,
        first: g.first,
        last: g.last,
        title: `Brute force against ${accounts.length === 1 ? accounts[0].user : `${accounts.length} accounts`}`,
        desc:
          `${accounts.length} account(s) of this organisation were tried ${attempts} times over ${hours(span)} ` +
          `(about ${Math.round(rate)} attempts per account per hour) ` +
          (ips.length ? `from ${accountsIpsText(g, ips)}, ` : 'from sources the log gives no address for, ') +
          `with one client (${g.ua || 'no user agent'}${g.app ? `, ${g.app}` : ''}). A person mistyping does not reach ` +
          `${burstN} attempts in ${burstMs / 60000} minutes, ${rapidN} in ${rapidMs / 1000} seconds or ${sustainedN} in ${sustainedMs / 60000} minutes.` +
          rates(g, list) +
          (valid.length ? ` The password of ${valid.length} account(s) proved valid.` : ''),
        severity: valid.length ? 'critical' : rule.severity,
        ips,
        accounts: accounts.map((x) => x.user),
        compromised: valid,
        evidence: [s],
        data: {
          attempts,
          attempts_per_account_hour: Math.round(rate),
          ...groupFacts(g),
        },
      });
      g.findings[rule.id] = uid;
      ctx.attackRaised(g, uid, s.t);
      if (hit.size > 50000) hit.delete(hit.keys().next().value as string);
    },
  };
}

/**
 * An account found brute-forced, and what gave it away: the rate that crossed a threshold, in words ("10 tries within
 * 60 seconds ending ..."), since a finding's average over a days-long episode can read "about 0 attempts per hour"
 * beside a burst of ten. '' when not known (states saved before it was kept).
 */
interface Hit {
  user: string;
  why: string;
}

/** What made each account the group still holds (the first three) brute-forced, as one sentence. */
function rates(g: AttemptGroup, list: Hit[]): string {
  const parts: string[] = [];
  let present = 0;
  for (const h of list) {
    if (!g.accounts.has(h.user.toLowerCase())) continue;
    present++;
    if (h.why && parts.length < 3) parts.push(`${h.user}, ${h.why}`);
  }
  return parts.length ? ` What gave it away: ${parts.join('; ')}${present > parts.length ? '; ...' : ''}.` : '';
}
