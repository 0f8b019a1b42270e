/**
 * @module detect/detectors/account-compromise
 * The finding that matters most: an attacked account whose password worked. Raised once per account and attack
 * when a sign-in succeeded, or the password proved valid before MFA or a policy stopped it, from the attack's
 * addresses or tool, during the attack or within a grace period after it. Valid-password events that
 * come before the attack is recognised are remembered for a while and checked when it is.
 */
import { accountKey, attackAddress, type AttemptGroup } from '../attempts.js';
import { hours, iso, type Compromise, type Detector, type DetectorContext } from '../detector.js';
import { BoundedMap } from '../lru.js';
import { param, type Rule } from '../rules.js';
import { internSignal } from '../intern.js';
import { toSignal, type Signal } from '../signal.js';

export function accountCompromise(rule: Rule): Detector & { report(c: Compromise, ctx: DetectorContext): void } {
  const graceMs = param(rule, 'grace_hours') * 3600_000;
  const rememberMs = param(rule, 'remember_valid_hours') * 3600_000;
  /** tenant \u0001 user -> recent valid-password events from unfamiliar sources (signals: plain data for checkpoints). */
  const recentValid = new BoundedMap<string, Signal[]>(100000);
  const checked = new BoundedMap<string, true>(100000);

  function matches(g: AttemptGroup, s: Signal, ctx: DetectorContext): string | undefined {
    if (s.t < g.first || s.t > g.last + graceMs) return undefined;
    // An exit other staff of the organisation also sign in from (a shared VPN, a carrier NAT) proves nothing.
    const shared = s.anon === 'vpn' || s.anon === 'hosting' || (s.ip !== '' && ctx.profiles.tenantKnowsIp(s));
    if (s.ip && !shared && attackAddress(g, s.ip)) return `from ${s.ip}, one of the attack's addresses`;
    if (s.fp === g.fp && s.ua !== '' && !ctx.profiles.routineTool(s.tenant, s.fp)) return `with the attack's client (${s.ua || s.app || s.proto})`;
    if ((s.anon === 'tor' || s.anon === 'malicious') && (g.anon.get(s.anon) ?? 0) > g.attempts / 2) return `through a ${s.anon} address like most of the attack`;
    return undefined;
  }

  function check(g: AttemptGroup, attackUid: string, s: Signal, ctx: DetectorContext) {
    const seenKey = `${attackUid}\u0001${s.tenant}\u0001${s.userKey}\u0001${s.t}\u0001${s.ip}`;
    if (checked.has(seenKey)) return; // the same valid-password event against the same attack: already judged
    const how = matches(g, s, ctx);
    if (!how) return;
    checked.set(seenKey, true);
    const a = g.accounts.get(s.userKey);
    if (a) a.valid = true;
    report(
      {
        tenant: s.tenant,
        user: s.user,
        key: `${g.id}\u0001${g.episode}`, // one per account and attack group, however many findings the group raised
        s,
        first: g.first,
        ips: s.ip ? [s.ip] : [],
        why:
          `${s.user} was among the accounts attacked since ${iso(g.first)} and ${s.ok ? 'signed in successfully' : `gave the right password (stopped by ${s.reason.replace('_', ' ')})`} ` +
          `${how}, ${hours(Math.max(0, s.t - g.first))} after the attack began.`,
        data: { attack_finding_uid: attackUid, how: s.ok ? 'success' : 'password_valid', stopped_by: s.ok ? undefined : s.reason },
      },
      ctx,
    );
  }

  function report(c: Compromise, ctx: DetectorContext) {
    const success = c.s.ok;
    ctx.sink.upsert({
      rule,
      tenant: c.tenant,
      key: `${c.user.toLowerCase()}\u0001${c.key}`,
      time: c.s.t,
      first: c.first,
      last: c.s.t,
      title: success ? `Account ${c.user} signed in by the attacker` : `Valid password of ${c.user} found by the attacker`,
      desc: c.why,
      severity: success ? 'critical' : 'high',
      ips: c.ips,
      accounts: [c.user],
      compromised: [c.user],
      evidence: [c.s],
      data: c.data,
    });
  }

  return {
    rule,
    report,
    state: () => ({ v: [...recentValid.entries()], c: [...checked.entries()] }),
    restore(st: any) {
      for (const [k, v] of st?.v ?? []) {
        recentValid.set(k, v.map((x: any) => ('class_uid' in x ? toSignal(x) : x))); // events: saved by older versions
      }
      for (const [k, v] of st?.c ?? []) checked.set(k, v);
    },
    onEvent(s: Signal, ctx: DetectorContext) {
      if (!s.passwordValid) return;
      if (ctx.profiles.userKnowsSource(s)) return; // the owner's usual place
      for (const g of ctx.tracker.groupsOf(s)) {
        for (const uid of Object.values(g.findings)) check(g, uid, s, ctx);
      }
      const key = accountKey(s);
      const list = (recentValid.get(key) ?? []).filter((e) => s.t - e.t <= rememberMs);
      if (list.length < 8) list.push(internSignal(s));
      recentValid.set(key, list);
    },
    /**
     * An attack was raised or grew: check the remembered valid-password events of the accounts that joined its group
     * since the last look (events of accounts already in it were checked as they arrived, see onEvent).
     */
    onAttack(g: AttemptGroup, uid: string, ctx: DetectorContext) {
      for (let i = g.scanned[uid] ?? 0; i < g.order.length; i++) {
        const list = recentValid.get(`${g.tenant}\u0001${g.order[i]}`);
        if (list) for (const v of list) check(g, uid, v, ctx);
      }
      g.scanned[uid] = g.order.length;
    },
  } as Detector & { report(c: Compromise, ctx: DetectorContext): void; onAttack(g: AttemptGroup, uid: string, ctx: DetectorContext): void };
}
