/**
 * @module detect/detectors/credential-stuffing
 * Credential stuffing: leaked username/password pairs replayed once or twice each, so most names do not exist in
 * the organisation, from many (often residential proxy) addresses within an hour or so.
 */
import { groupEvidence, groupFacts, groupIps, mayHaveUnknownAccounts, settledAccounts, settledCounts, withoutStaleOnly, type AttemptGroup } from '../attempts.js';
import { hours, periodicGroupEvaluation, type Detector, type DetectorContext } from '../detector.js';
import { param, type Rule } from '../rules.js';
import type { Signal } from '../signal.js';
import { stuffingWaves } from './stuffing-waves.js';

export function credentialStuffing(rule: Rule): Detector {
  const minAccounts = param(rule, 'min_accounts');
  const minUnknown = param(rule, 'min_unknown_ratio');
  const maxPerAccount = param(rule, 'max_attempts_per_account');
  const minIps = param(rule, 'min_ips');
  const settleMs = param(rule, 'settle_minutes') * 60_000;
  const evalMs = param(rule, 'evaluate_every_minutes') * 60_000;
  const waves = stuffingWaves(rule);
  return { rule, ...periodicGroupEvaluation(rule, evalMs, settleMs, evaluate) };

  function evaluate(g: AttemptGroup, now: number, s: Signal | undefined, ctx: DetectorContext) {
    waves.judge(g, now, s, ctx);
    if (g.reportedAs === 'password_spray') return; // the attack has its finding already
    // Once reported, the finding grows with the attack whatever its later mix of names.
    const mix = g.reportedAs === '';
    // No unknown names at all: the unknown share below is 0 whatever the accounts (most groups are sprays).
    if (mix && minUnknown > 0 && !mayHaveUnknownAccounts(g)) return;
    // The same tests as below on the numbers alone (most groups fail them): the list is made only for a finding.
    const c = settledCounts(g, now, settleMs);
    if (c.accounts < minAccounts || g.ipInfo.size < minIps) return;
    if (mix && (c.unknown / c.accounts < minUnknown || c.attempts / c.accounts > maxPerAccount)) return;
    const accounts = withoutStaleOnly(g, settledAccounts(g, now, settleMs));
    if (accounts.length < minAccounts || g.ipInfo.size < minIps) return;
    const attempts = accounts.reduce((n, a) => n + a.n, 0);
    const unknown = accounts.filter((a) => a.unknown).length / accounts.length;
    if (mix && (unknown < minUnknown || attempts / accounts.length > maxPerAccount)) return;
    const valid = accounts.filter((a) => a.valid).map((a) => a.user);
    const ips = groupIps(g);
    const uid = ctx.sink.upsert({
      rule,
      tenant: g.tenant,
      key: `${g.fp}\u0001${g.episode}`,
      time: s ? s.t : g.last,
      first: g.first,
      last: g.last,
      title: `Credential stuffing: ${accounts.length} account names tried`,
      desc:
        `${accounts.length} account names were tried ${attempts} times (${(attempts / accounts.length).toFixed(1)} per name) over ` +
        `${hours(g.last - g.first)} from ${ips.length} addresses in ${g.asns.size} network(s) with one client ` +
        `(${g.ua || 'no user agent'}); ${Math.round(unknown * 100)}% of the names do not exist here, as with a leaked ` +
        `list of another service's credentials.` + (valid.length ? ` ${valid.length} pair(s) were valid.` : ''),
      severity: valid.length ? 'critical' : rule.severity,
      ips,
      accounts: accounts.map((a) => a.user),
      compromised: valid,
      evidence: groupEvidence(g),
      data: {
        attempts,
        unknown_account_ratio: Number(unknown.toFixed(3)),
        ...groupFacts(g),
      },
    });
    g.findings[rule.id] = uid;
    g.reportedAs = 'credential_stuffing';
    ctx.attackRaised(g, uid, now);
  }
}
