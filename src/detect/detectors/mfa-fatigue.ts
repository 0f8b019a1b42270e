/**
 * @module detect/detectors/mfa-fatigue
 * MFA push bombing: someone who already has the password sends push after push until the tired owner approves.
 * Counts denied or unanswered MFA prompts per account in a short window; an approval or success right after
 * makes it critical (the account is very likely taken over).
 */
import { accountKey } from '../attempts.js';
import { Watch } from '../profiles.js';
import { BoundedMap } from '../lru.js';
import { hours, type Detector, type DetectorContext } from '../detector.js';
import { param, type Rule } from '../rules.js';
import type { Signal } from '../signal.js';

interface Bombing {
  user: string;
  /** Prompts seen: pushes sent where the log shows them (Okta), else denials (Entra 500121, Okta deny_push). */
  times: number[];
  sent: number;
  denied: number;
  ips: string[];
  first: number;
  last: number;
  raised?: string;
  approved?: number;
}

export function mfaFatigue(rule: Rule): Detector {
  const minPrompts = param(rule, 'min_prompts');
  const windowMs = param(rule, 'window_minutes') * 60_000;
  const approvalMs = param(rule, 'approval_within_minutes') * 60_000;
  const state = new BoundedMap<string, Bombing>(200000);
  const isPrompt = (s: Signal) => s.mfaEvent === 'push_denied' || s.mfaEvent === 'push_sent' || s.reason === 'mfa_denied';
  return {
    rule,
    state: () => ({ m: [...state.entries()] }),
    restore(st: any) {
      for (const [k, v] of st?.m ?? []) state.set(k, v);
    },
    onEvent(s: Signal, ctx: DetectorContext) {
      const prompt = isPrompt(s) && !s.ok && s.mfaEvent !== 'push_approved';
      const approved = s.ok || s.mfaEvent === 'push_approved';
      if (!prompt && !approved) return; // (most events: neither concerns a bombing)
      // An approval or success of an account never prompted (most successes) needs no lookup.
      if (!prompt && !ctx.profiles.mayHold(s, Watch.mfa)) return;
      const key = accountKey(s);
      let b = state.get(key);
      if (!prompt && b === undefined) ctx.profiles.held(s, Watch.mfa, false);
      if (prompt) {
        if (!b || s.t - b.last > windowMs) b = { user: s.user, times: [], sent: 0, denied: 0, ips: [], first: s.t, last: s.t };
        // A sent push and its denial are one prompt: count denials only until the log shows sent pushes.
        if (s.mfaEvent === 'push_sent') b.sent++;
        else b.denied++;
        if (s.mfaEvent === 'push_sent' ? true : b.sent === 0) b.times.push(s.t);
        while (b.times.length && s.t - b.times[0] > windowMs && !b.raised) b.times.shift();
        if (b.times.length > 500) b.times.shift();
        if (s.ip && !b.ips.includes(s.ip) && b.ips.length < 50) b.ips.push(s.ip);
        b.last = s.t;
        state.set(key, b);
        ctx.profiles.held(s, Watch.mfa, true);
        if (b.times.length >= minPrompts) raise(b, s, ctx);
        return;
      }
      if (b?.raised && approved && !b.approved && s.t - b.last <= approvalMs) {
        b.approved = s.t;
        if (s.ip && !b.ips.includes(s.ip)) b.ips.push(s.ip);
        raise(b, s, ctx);
        ctx.compromised({
          tenant: s.tenant,
          user: b.user,
          key: `mfa\u0001${b.first}`,
          s,
          first: b.first,
          ips: b.ips,
          why: `${b.user} received ${b.times.length} MFA prompts in ${hours(b.last - b.first)} and then approved one: the password is known to someone else and the session is probably theirs.`,
          data: { prompts: b.times.length, how: 'mfa_fatigue_approval', attack_finding_uid: b.raised },
        });
      }
    },
  };

  function raise(b: Bombing, s: Signal, ctx: DetectorContext) {
    b.raised = ctx.sink.upsert({
      rule,
      tenant: s.tenant,
      key: `${s.userKey}\u0001${b.first}`,
      time: s.t,
      first: b.first,
      last: Math.max(b.last, s.t),
      title: `MFA push bombing against ${b.user}${b.approved ? ', then approved' : ''}`,
      desc:
        `${b.user} got ${b.times.length} MFA prompts that were denied or not answered within ${hours(Math.max(b.last - b.first, 60000))}` +
        ` from ${b.ips.length} address(es). Only someone who knows the password can trigger them.` +
        (b.approved ? ' One was then approved.' : ''),
      severity: b.approved ? 'critical' : rule.severity,
      ips: b.ips,
      accounts: [b.user],
      compromised: b.approved ? [b.user] : [],
      evidence: [s],
      data: { prompts: b.times.length },
    });
  }
}
