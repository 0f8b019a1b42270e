/**
 * @module detect/detectors/password-spray
 * Password spray, including the distributed low-and-slow kind: many accounts of one organisation failing from
 * unfamiliar sources with one tool, each account tried a few times, over hours to days. Keyed on organisation and
 * tool, not on address, so ~1,100 rotating Tor exits read as one attack. Accounts that later sign in from the
 * address that failed are typos, not victims, and don't count.
 */
import { groupEvidence, groupFacts, groupIps, netblocksText, settledAccounts, settledCounts, withoutStaleOnly, type AttemptGroup } from '../attempts.js';
import { hours, periodicGroupEvaluation, type Detector, type DetectorContext } from '../detector.js';
import { param, type Rule } from '../rules.js';
import type { Signal } from '../signal.js';

export function passwordSpray(rule: Rule): Detector {
  const minAccounts = param(rule, 'min_accounts');
  const settleMs = param(rule, 'settle_minutes') * 60_000;
  const evalMs = param(rule, 'evaluate_every_minutes') * 60_000;
  const maxRate = param(rule, 'max_attempts_per_account_hour');
  const stuffingUnknown = param(rule, 'stuffing_unknown_ratio');
  const distributedIps = param(rule, 'distributed_min_ips');
  return { rule, ...periodicGroupEvaluation(rule, evalMs, settleMs, evaluate) };

  function evaluate(g: AttemptGroup, now: number, s: Signal | undefined, ctx: DetectorContext) {
    if (g.reportedAs === 'credential_stuffing') return; // the attack has its finding already
    // Too few accounts, known from the running counts (most judgements of small groups): no walk over the accounts.
    if (settledCounts(g, now, settleMs).accounts < minAccounts) return;
    const accounts = withoutStaleOnly(g, settledAccounts(g, now, settleMs));
    if (accounts.length < minAccounts) return;
    const spanH = Math.max(1, (g.last - g.first) / 3600_000);
    // One pass for the sums (the rate summed in the accounts' order, as floating-point sums depend on it).
    let attempts = 0;
    let rateSum = 0;
    let unknownAccounts = 0;
    for (const a of accounts) {
      attempts += a.n;
      rateSum += a.n / Math.max(1, (a.last - a.first) / 3600_000 + 1);
      if (a.unknown) unknownAccounts++;
    }
    const perAccountHour = rateSum / accounts.length;
    if (perAccountHour > maxRate) return; // hammering a few accounts is brute force
    const unknown = unknownAccounts / accounts.length;
    // Mostly unknown names once each: stuffing (unless reported as a spray already, which then goes on growing).
    if (g.reportedAs === '' && unknown >= stuffingUnknown && attempts / accounts.length <= 2) return;
    const ips = groupIps(g);
    const torShare = (g.anon.get('tor') ?? 0) / Math.max(1, g.attempts);
    const distributed = ips.length >= distributedIps;
    const users: string[] = new Array(accounts.length);
    const valid: string[] = [];
    for (let i = 0; i < accounts.length; i++) {
      const a = accounts[i];
      users[i] = a.user;
      if (a.valid) valid.push(a.user);
    }
    const uid = ctx.sink.upsert({
      rule,
      tenant: g.tenant,
      key: `${g.fp}\u0001${g.episode}`,
      time: s ? s.t : g.last,
      first: g.first,
      last: g.last,
      title: distributed ? `Distributed password spray against ${accounts.length} accounts` : `Password spray against ${accounts.length} accounts`,
      desc:
        `${accounts.length} accounts of this organisation failed to sign in ${attempts} times over ${hours(g.last - g.first)} ` +
        `from ${ips.length} address${ips.length === 1 ? '' : 'es'} in ${netblocksText(g)} netblock(s) and ${g.asns.size} network(s)` +
        `${torShare > 0 ? ` (${Math.round(torShare * 100)}% of attempts through Tor)` : ''}, all with the same client ` +
        `(${g.ua || 'no user agent'}${g.app ? `, ${g.app}` : ''}); about ${perAccountHour.toFixed(1)} attempts per account per hour, ` +
        `${Math.round(unknown * 100)}% on account names that do not exist. None of these accounts later signed in from those addresses.` +
        (valid.length ? ` The password of ${valid.length} account(s) proved valid.` : ''),
      severity: valid.length ? 'critical' : distributed ? 'high' : rule.severity,
      ips,
      accounts: users,
      compromised: valid,
      evidence: groupEvidence(g),
      data: {
        attempts,
        span_hours: Number(spanH.toFixed(2)),
        attempts_per_account_hour: Number(perAccountHour.toFixed(2)),
        unknown_account_ratio: Number(unknown.toFixed(3)),
        ...groupFacts(g),
      },
    });
    g.findings[rule.id] = uid;
    g.reportedAs = 'password_spray';
    ctx.attackRaised(g, uid, now);
  }
}
