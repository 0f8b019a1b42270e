/**
 * @module detect/detectors/anonymizer-signin
 * A sign-in through Tor (or a listed malicious address) that the account has never used: nearly never the owner.
 * Commercial VPNs and hosting addresses are common among staff, so they raise a finding only when the account was
 * under attack in the days before from that same exit address.
 */
import { hours, type Detector, type DetectorContext } from '../detector.js';
import { param, type Rule } from '../rules.js';
import type { Signal } from '../signal.js';

export function anonymizerSignin(rule: Rule): Detector {
  const attackLookbackMs = param(rule, 'vpn_attack_lookback_hours') * 3600_000;
  return {
    rule,
    onEvent(s: Signal, ctx: DetectorContext) {
      if (!s.passwordValid || !s.anon) return;
      const used = ctx.profiles.user(s)?.anon ?? [];
      if (used.includes(s.anon)) return;
      const strong = s.anon === 'tor' || s.anon === 'malicious';
      if (!strong) {
        // Staff use commercial VPNs all the time, even during an attack on them: only a VPN exit the attack itself
        // used (the same address: VPN netblocks are shared by crowds) says the attacker is behind this sign-in.
        const attacked = ctx.tracker
          .groupsOf(s)
          .some((g) => Object.keys(g.findings).length > 0 && s.t - g.last <= attackLookbackMs && g.ipInfo.has(s.ip));
        if (!attacked) return;
      }
      const prev = ctx.profiles.user(s)?.lastOk;
      ctx.sink.upsert({
        rule,
        tenant: s.tenant,
        key: `${s.userKey}\u0001${s.anon}`,
        time: s.t,
        first: s.t,
        last: s.t,
        title: `${s.ok ? 'Sign-in' : 'Valid password'} for ${s.user} through ${s.anon === 'tor' ? 'Tor' : `a ${s.anon} address`}`,
        desc:
          `${s.user} ${s.ok ? 'signed in' : `gave the right password (then stopped by ${s.reason.replace('_', ' ')})`} from ${s.ip}, a listed ${s.anon} address; ` +
          `this account has not used one before` + (prev ? ` (last sign-in ${hours(s.t - prev.t)} earlier from ${prev.ip}${prev.country ? `, ${prev.country}` : ''})` : '') +
          (strong ? '.' : ', and the attack on it in the days before came through the same exit.'),
        severity: strong ? 'high' : rule.severity,
        ips: [s.ip],
        accounts: [s.user],
        evidence: [s],
        data: { anonymizer: s.anon, asn: s.asn || undefined },
      });
    },
  };
}
