/**
 * @module detect/detectors/stuffing-waves
 * Part of the credential-stuffing rule: a stuffing wave inside a group that holds other attempts too. Where the log
 * gives no user agent (sshd, Google Workspace), the tool fingerprint is the same for everyone who fails, so one
 * organisation's group can hold a days-long spray, the staff's own failures and a stuffing run of a few hours all at
 * once; judged as a whole it reads as the spray (reported first) and the stuffing is never named.
 *
 * What tells the wave apart inside the group is its account names: a spray comes back to its names hour after hour
 * (STRONTIUM about four times an hour), while stuffing tries each leaked name once or twice and moves on, and most of
 * those names do not exist. So: names new to the group, tried at most `max_attempts_per_account` times even
 * `wave_settle_minutes` after their first attempt, at least `min_accounts` of them joining within `wave_hours` from at
 * least `min_ips` addresses, `wave_min_unknown_ratio` of them unknown, and at most `wave_max_names_per_address` names
 * per address: stuffing spreads its list thin over residential proxies so that no address stands out, while an
 * internet scanner runs its dictionary of default accounts (admin, pi, oracle) from a few addresses, each trying
 * dozens (the group's own finding, a spray of made-up names, has those). The wave's finding names only the wave's
 * names and the addresses that tried them, and grows while new names keep joining; `wave_hours` without one ends it.
 *
 * No memory of its own: the names are read from the group (accounts in the order they joined) and the wave's start
 * and finding are kept in the group's own records, which checkpoints save.
 */
import { mayHaveUnknownAccounts, type AccountAttempts, type AttemptGroup } from '../attempts.js';
import { hours, type DetectorContext } from '../detector.js';
import { param, type Rule } from '../rules.js';
import { netblockOf, sourcesText, type Signal } from '../signal.js';

/** A wave runs for hours: judged every half hour, it is found at most that much later. */
const JUDGE_EVERY_MS = 30 * 60_000;

export function stuffingWaves(rule: Rule) {
  const minAccounts = param(rule, 'min_accounts');
  const minIps = param(rule, 'min_ips');
  const maxPerAccount = param(rule, 'max_attempts_per_account');
  const waveMs = param(rule, 'wave_hours') * 3600_000;
  const settleMs = param(rule, 'wave_settle_minutes') * 60_000;
  const minUnknown = param(rule, 'wave_min_unknown_ratio');
  const maxNamesPerIp = param(rule, 'wave_max_names_per_address');
  /** Where a group keeps its current wave: the start in `evaluated`, the finding in `findings`. */
  const slot = `${rule.id}:wave`;
  /** Where a group keeps the time its names were last walked (in `evaluated`). */
  const walked = `${rule.id}:wave-walked`;

  /**
   * The names that joined the group from `from` on and had their first attempt at least the settle time before
   * `now`, still tried no more than a stuffing tries one (a spray's names are retried by then), and the first join
   * time of the newest of them.
   */
  function newNames(g: AttemptGroup, from: number, now: number): { names: AccountAttempts[]; newest: number } {
    const names: AccountAttempts[] = [];
    const seen = new Set<string>();
    let newest = -Infinity;
    // `order` is in joining order: walk back from the newest to the first that joined before `from`.
    for (let i = g.order.length - 1; i >= 0; i--) {
      const k = g.order[i];
      const a = g.accounts.map.get(k);
      if (a === undefined || seen.has(k)) continue;
      if (a.first < from) break;
      seen.add(k);
      if (now - a.first < settleMs || a.resolved || a.n > maxPerAccount) continue;
      names.push(a);
      if (a.first > newest) newest = a.first;
    }
    return { names: names.reverse(), newest };
  }

  return {
    /** Judge group `g` at event time `now` (`s` the attempt that brought the evaluation, if any). */
    judge(g: AttemptGroup, now: number, s: Signal | undefined, ctx: DetectorContext): void {
      if (g.reportedAs === 'credential_stuffing') return; // the whole group is the stuffing: reported as such
      let start = g.evaluated[slot] as number | undefined;
      // No unknown name in the group: no wave can start (most groups, and every one of logs that leave those out).
      if (start === undefined && !mayHaveUnknownAccounts(g)) return;
      // The walk costs as much as the names that joined within the window, which an attack on many names makes
      // thousands: at most every JUDGE_EVERY_MS of event time (and at the end), not at each of the rule's evaluations.
      if (s !== undefined && now - (g.evaluated[walked] ?? -Infinity) < JUDGE_EVERY_MS) return;
      g.evaluated[walked] = now;
      const { names, newest } = newNames(g, start ?? now - settleMs - waveMs, now);
      if (start !== undefined && (names.length === 0 || now - settleMs - newest > waveMs)) {
        // Quiet for a wave's length: this wave is over (a later one is a finding of its own).
        const uid = g.findings[slot];
        if (uid) ctx.sink.settle(uid);
        delete g.evaluated[slot];
        delete g.findings[slot];
        return;
      }
      if (names.length < minAccounts) return;
      const ips = new Set<string>();
      let unknown = 0;
      let attempts = 0;
      let last = newest;
      for (const a of names) {
        for (const ip of a.ips) ips.add(ip);
        if (a.unknown) unknown++;
        attempts += a.n;
        if (a.last > last) last = a.last;
      }
      if (ips.size < minIps) return;
      // Once raised, the wave's finding grows with it whatever the mix of its later names.
      if (start === undefined) {
        if (unknown / names.length < minUnknown) return;
        // Spread thin over proxies, a name or two an address; a scanner runs its dictionary from a few addresses.
        if (names.length / ips.size > maxNamesPerIp) return;
        start = names[0].first;
        g.evaluated[slot] = start;
      }
      const accounts = names.map((a) => a.user);
      const keys = new Set(names.map((a) => a.user.toLowerCase()));
      const valid = names.filter((a) => a.valid).map((a) => a.user);
      const sorted = [...ips].sort();
      const uid = ctx.sink.upsert({
        rule,
        tenant: g.tenant,
        key: `${g.fp}\u0001${g.episode}\u0001wave\u0001${start}`,
        time: s ? s.t : now,
        first: start,
        last,
        title: `Credential stuffing: ${names.length} account names tried`,
        desc:
          `${names.length} account names new to this client's failures were tried ${attempts} times ` +
          `(${(attempts / names.length).toFixed(1)} per name) over ${hours(newest - start)} from ${sourcesText(sorted)}, ` +
          `${Math.round((unknown / names.length) * 100)}% of them names that do not exist here: a leaked list of another ` +
          `service's credentials, run beside other failures with the same client (${g.ua || 'no user agent'}${g.app ? `, ${g.app}` : ''}) ` +
          `that keep coming back to their accounts.` +
          (valid.length ? ` ${valid.length} pair(s) were valid.` : ''),
        severity: valid.length ? 'critical' : rule.severity,
        ips: sorted,
        accounts,
        compromised: valid,
        evidence: [...g.head, ...g.tail].filter((e) => keys.has((typeof e.user === 'string' ? e.user : e.user.name).toLowerCase())),
        data: {
          attempts,
          unknown_account_ratio: Number((unknown / names.length).toFixed(3)),
          wave_start: start,
          netblocks: [...new Set(sorted.map(netblockOf).filter((b) => b))].sort(),
          fingerprint: { user_agent: g.ua, client_app: g.app, protocol: g.proto },
        },
      });
      g.findings[slot] = uid;
      ctx.attackRaised(g, uid, now);
    },
  };
}
