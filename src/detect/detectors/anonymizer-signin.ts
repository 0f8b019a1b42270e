/**
 * @module detect/detectors/anonymizer-signin
 * A sign-in through Tor (or a listed malicious address) that the account has never used: nearly never the owner.
 * Commercial VPNs and hosting addresses are common among staff, so they raise a finding only when the account was
 * under attack in the days before from that same exit address.
 *
 * The intruder rarely signs in once: Tor gives a new exit every few minutes. Once raised for Tor or a malicious
 * address, the finding follows the account's later sign-ins through the same kind within `follow_hours` of each other,
 * naming every exit (the profile has learnt the kind from the first one by then, so it would no longer be news on its
 * own). Not for VPNs: there only the attack's own exit says anything, and the staff's other exits are innocent.
 */
import { BoundedMap } from '../lru.js';
import { hours, type Detector, type DetectorContext } from '../detector.js';
import { param, type Rule } from '../rules.js';
import type { Signal } from '../signal.js';

/** A raised finding still followed: its first sign-in, the last, the exits so far (at most MAX_IPS), what it says. */
interface Followed {
  first: number;
  last: number;
  ips: string[];
  /** Whether any of them signed in (rather than only proving the password). */
  ok: boolean;
  /** The first sign-in's account of what happened. */
  opening: string;
}
const MAX_IPS = 50;

export function anonymizerSignin(rule: Rule): Detector {
  const attackLookbackMs = param(rule, 'vpn_attack_lookback_hours') * 3600_000;
  const followMs = param(rule, 'follow_hours') * 3600_000;
  /** tenant \u0001 account \u0001 anonymiser kind -> the finding being followed. */
  const followed = new BoundedMap<string, Followed>(50_000);
  return {
    rule,
    state: () => ({ f: [...followed.entries()] }),
    restore(st: any) {
      for (const [k, v] of st?.f ?? []) followed.set(k, v);
    },
    onEvent(s: Signal, ctx: DetectorContext) {
      if (!s.passwordValid || !s.anon) return;
      const strong = s.anon === 'tor' || s.anon === 'malicious';
      const key = `${s.tenant}\u0001${s.userKey}\u0001${s.anon}`;
      const f = strong ? followed.get(key) : undefined;
      if (f !== undefined && s.t - f.last <= followMs) {
        f.last = Math.max(f.last, s.t);
        f.ok ||= s.ok;
        if (s.ip && !f.ips.includes(s.ip) && f.ips.length < MAX_IPS) f.ips = f.ips.concat(s.ip);
        followed.set(key, f);
        raise(s, f, ctx, strong);
        return;
      }
      const used = ctx.profiles.user(s)?.anon ?? [];
      if (used.includes(s.anon)) return;
      if (!strong) {
        // Staff use commercial VPNs all the time, even during an attack on them: only a VPN exit the attack itself
        // used (the same address: VPN netblocks are shared by crowds) says the attacker is behind this sign-in.
        const attacked = ctx.tracker
          .groupsOf(s)
          .some((g) => Object.keys(g.findings).length > 0 && s.t - g.last <= attackLookbackMs && g.ipInfo.has(s.ip));
        if (!attacked) return;
      }
      const prev = ctx.profiles.user(s)?.lastOk;
      const opening =
        `${s.user} ${s.ok ? 'signed in' : `gave the right password (then stopped by ${s.reason.replace('_', ' ')})`} from ${s.ip}, a listed ${s.anon} address; ` +
        `this account has not used one before` + (prev ? ` (last sign-in ${hours(s.t - prev.t)} earlier from ${prev.ip}${prev.country ? `, ${prev.country}` : ''})` : '') +
        (strong ? '.' : ', and the attack on it in the days before came through the same exit.');
      const fresh: Followed = { first: s.t, last: s.t, ips: s.ip ? [s.ip] : [], ok: s.ok, opening };
      if (strong) followed.set(key, fresh);
      raise(s, fresh, ctx, strong);
    },
  };

  /** The finding as of `s`: the first sign-in's account of what happened, and every exit since. */
  function raise(s: Signal, f: Followed, ctx: DetectorContext, strong: boolean) {
    const later = f.ips.length > 1 ? ` Then through ${f.ips.length - 1} more such address(es), ${hours(f.last - f.first)} in all.` : '';
    ctx.sink.upsert({
      rule,
      tenant: s.tenant,
      key: `${s.userKey}\u0001${s.anon}`,
      time: s.t,
      first: f.first,
      last: f.last,
      title: `${f.ok ? 'Sign-in' : 'Valid password'} for ${s.user} through ${s.anon === 'tor' ? 'Tor' : `a ${s.anon} address`}`,
      desc: f.opening + later,
      severity: strong ? 'high' : rule.severity,
      ips: f.ips,
      accounts: [s.user],
      evidence: [s],
      data: { anonymizer: s.anon, asn: s.asn || undefined },
    });
  }
}
