/**
 * @module detect/detectors/account-compromise
 * The finding that matters most: an attacked account whose password worked. Raised once per account and attack
 * when a sign-in succeeded, or the password proved valid before MFA or a policy stopped it, from the attack's
 * addresses or tool, during the attack or within a grace period after it. Valid-password events that
 * come before the attack is recognised are remembered for a while and checked when it is.
 *
 * Memory (one list per account, for up to 100,000 accounts): a remembered event keeps only what judging and
 * reporting it reads (see `KeptValid`), and lists that no attack can match any more are dropped as event time
 * passes instead of waiting for the account's next sign-in or for the capacity to push them out.
 */
import type { FailureReason } from '../../ocsf/authentication.js';
import { accountKey, attackAddress, type AttemptGroup } from '../attempts.js';
import { hours, iso, type Compromise, type Detector, type DetectorContext } from '../detector.js';
import { BoundedMap } from '../lru.js';
import { param, type Rule } from '../rules.js';
import { interned } from '../intern.js';
import { netKeyOf, toSignal, type Signal } from '../signal.js';

/** What judging a valid-password event reads: the event's own signal has it, and so does a remembered one. */
type Judged = Pick<Signal, 't' | 'ip' | 'ok' | 'reason' | 'anon' | 'fp' | 'ua' | 'app' | 'proto'>;

/**
 * A remembered valid-password event: the fields `matches` and the finding's evidence read, repeated strings shared
 * (a whole signal, with its coordinates, netblock, MFA step and source object, is about twice the size). The
 * organisation and account are the list's key. Saved in checkpoints as a tuple.
 */
export class KeptValid implements Judged {
  constructor(
    readonly t: number,
    readonly ip: string,
    /** The account as the log wrote it, or '' when that is its key (already lower case, as most are). */
    readonly name: string,
    readonly ok: boolean,
    readonly reason: FailureReason | '',
    readonly anon: string,
    readonly fp: string,
    readonly ua: string,
    readonly app: string,
    readonly proto: string,
    readonly asn: number,
    readonly asOrg: string,
    readonly country: string,
    /** Where the event came from: file and line, or '' and -1 when unknown. */
    readonly file: string,
    readonly line: number,
  ) {}

  static of(s: Signal): KeptValid {
    const i = interned;
    return new KeptValid(
      s.t, s.ip, s.user === s.userKey ? '' : s.user, s.ok, s.reason, i(s.anon), i(s.fp), i(s.ua), i(s.app), i(s.proto), s.asn, i(s.asOrg), i(s.country),
      s.source ? i(s.source.file) : '', s.source ? s.source.line : -1,
    );
  }

  /** A kept event as saved by `toJSON`, or as older versions saved it (a whole signal, or before that an event). */
  static restored(x: any): KeptValid {
    if (!Array.isArray(x)) return KeptValid.of('class_uid' in x ? toSignal(x) : x);
    const [t, ip, name, ok, reason, anon, fp, ua, app, proto, asn, asOrg, country, file, line] = x;
    const i = interned;
    return new KeptValid(t, ip, name, ok === 1, reason, i(anon), i(fp), i(ua), i(app), i(proto), asn, i(asOrg), i(country), i(file), line);
  }

  toJSON(): unknown[] {
    const { t, ip, name, ok, reason, anon, fp, ua, app, proto, asn, asOrg, country, file, line } = this;
    return [t, ip, name, ok ? 1 : 0, reason, anon, fp, ua, app, proto, asn, asOrg, country, file, line];
  }

  /**
   * The event as a signal again, for the finding's evidence. Fields not kept (coordinates, legacy protocol, MFA step,
   * input format) are left empty: only `evidenceOf` and `report` read the signal of a compromise.
   */
  signal(tenant: string, userKey: string): Signal {
    const { t, ip, ok, reason } = this;
    return {
      t, tenant, user: this.name || userKey, userKey, ip, netKey: ip ? netKeyOf(ip) : '', asn: this.asn, asOrg: this.asOrg, country: this.country,
      lat: undefined, lon: undefined, anon: this.anon, ok, status: ok ? 1 : reason ? 2 : 99, passwordValid: true, reason,
      legacy: false, mfaEvent: '', ua: this.ua, app: this.app, proto: this.proto, fp: this.fp,
      source: this.line < 0 ? undefined : { file: this.file, line: this.line }, format: '',
    };
  }
}

/**
 * How often (in event time) remembered events that can no longer be matched are looked for: a twelfth of
 * `remember_valid_hours` (6 hours for 72), so an event outlives its use by at most that (a twelfth more memory).
 * Each sweep walks again the lists an organisation's long attack still holds (its start is later than their old
 * events): hourly, that was 168 sweeps and 226,000 list visits in a 1M-event Entra run, 190 ms of the detection
 * thread; every 6 hours 43 ms, the same findings.
 */
const SWEEPS_PER_REMEMBER = 12;
const MAX_ACCOUNTS = 100_000;
/** Remembered events per account within `remember_valid_hours`. */
const MAX_PER_ACCOUNT = 8;
const NONE_KEPT: readonly KeptValid[] = Object.freeze([]);

/**
 * The events of `list` still within `rememberMs` of the signal's, then the signal's own while fewer than
 * `MAX_PER_ACCOUNT`: one exact-size list (a list pushed to reserves room for 17 and is kept for up to a day).
 */
function keptWith(list: readonly KeptValid[], s: Signal, rememberMs: number): KeptValid[] {
  let n = 0;
  for (let i = 0; i < list.length; i++) if (s.t - list[i].t <= rememberMs) n++;
  const add = n < MAX_PER_ACCOUNT ? 1 : 0;
  const out: KeptValid[] = new Array(n + add);
  let j = 0;
  for (let i = 0; i < list.length; i++) if (s.t - list[i].t <= rememberMs) out[j++] = list[i];
  if (add) out[j] = KeptValid.of(s);
  return out;
}

export function accountCompromise(rule: Rule): Detector & { report(c: Compromise, ctx: DetectorContext): void } {
  const graceMs = param(rule, 'grace_hours') * 3600_000;
  const rememberMs = param(rule, 'remember_valid_hours') * 3600_000;
  const sweepEveryMs = rememberMs / SWEEPS_PER_REMEMBER;
  /** tenant \u0001 user -> recent valid-password events from unfamiliar sources, oldest first. */
  const recentValid = new BoundedMap<string, KeptValid[]>(MAX_ACCOUNTS);
  /** attack finding uid \u0001 tenant \u0001 user \u0001 time \u0001 address: valid-password events found to match an attack. */
  const checked = new BoundedMap<string, true>(MAX_ACCOUNTS);
  let lastSweep = -Infinity;

  function matches(g: AttemptGroup, v: Judged, tenant: string, ctx: DetectorContext): string | undefined {
    if (v.t < g.first || v.t > g.last + graceMs) return undefined;
    // An exit other staff of the organisation also sign in from (a shared VPN, a carrier NAT) proves nothing.
    const shared = v.anon === 'vpn' || v.anon === 'hosting' || (v.ip !== '' && ctx.profiles.tenantKnowsAddress(tenant, v.ip, v.t));
    if (v.ip && !shared && attackAddress(g, v.ip)) return `from ${v.ip}, one of the attack's addresses`;
    if (v.fp === g.fp && v.ua !== '' && !ctx.profiles.routineTool(tenant, v.fp)) return `with the attack's client (${v.ua || v.app || v.proto})`;
    if ((v.anon === 'tor' || v.anon === 'malicious') && (g.anon.get(v.anon) ?? 0) > g.attempts / 2) return `through a ${v.anon} address like most of the attack`;
    return undefined;
  }

  /** Judge one valid-password event of the account `tenant`/`userKey` against an attack (the event's signal, or a kept one). */
  function check(g: AttemptGroup, attackUid: string, v: Signal | KeptValid, tenant: string, userKey: string, ctx: DetectorContext) {
    const seenKey = `${attackUid}\u0001${tenant}\u0001${userKey}\u0001${v.t}\u0001${v.ip}`;
    if (checked.has(seenKey)) return; // the same valid-password event against the same attack: already judged
    const how = matches(g, v, tenant, ctx);
    if (!how) return;
    checked.set(seenKey, true);
    const a = g.accounts.get(userKey);
    if (a) a.valid = true;
    const s = v instanceof KeptValid ? v.signal(tenant, userKey) : v;
    report(
      {
        tenant,
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

  /**
   * Forget remembered events that can change nothing any more, so that lists of accounts not seen again do not wait
   * for the capacity to push them out. An event `v` is dropped only when both hold at event time `now`:
   * - `now - v.t > rememberMs`: the account's next valid-password event (at `now` or later) would drop it from the
   *   list anyway (onEvent keeps `s.t - v.t <= rememberMs`), so it no longer counts towards the list's cap;
   * - `v.t` is before the start of every attack group of its organisation still held: `matches` needs
   *   `g.first <= v.t`, and a group started from now on has `first >= now`.
   * (Both assume events in time order; events released later than the reorder bound are not.)
   * Lists are walked from the least recently touched, up to the first whose newest event is still within
   * `rememberMs` (touched since `now - rememberMs`, as all lists after it): their older events are reached by later
   * sweeps, once the lists before them are gone or old.
   */
  function sweep(now: number, ctx: DetectorContext) {
    lastSweep = now;
    const firstOf = new Map<string, number>(); // organisation -> earliest start of its groups
    ctx.tracker.groups.map.forEachUnordered((g) => {
      const f = firstOf.get(g.tenant);
      if (f === undefined || g.first < f) firstOf.set(g.tenant, g.first);
    });
    recentValid.map.walk((list, key) => {
      // Only events older than `rememberMs` can go: a list without one needs no look at its organisation's groups.
      let old = 0;
      for (let i = 0; i < list.length; i++) if (now - list[i].t > rememberMs) old++;
      let n = 0;
      if (old > 0) {
        const first = firstOf.get(key.slice(0, key.indexOf('\u0001'))) ?? Infinity;
        for (let i = 0; i < list.length; i++) if (done(list[i], now, first)) n++;
        if (n === list.length) recentValid.delete(key);
        else if (n > 0) recentValid.map.set(key, list.filter((v) => !done(v, now, first))); // in place: dropping events is not a touch
      }
      return !(n < list.length && now - list[list.length - 1].t <= rememberMs);
    });
  }

  /** Can a remembered event go at event time `now`, its organisation's groups starting at `first` at the earliest? */
  function done(v: KeptValid, now: number, first: number): boolean {
    return now - v.t > rememberMs && v.t < first;
  }

  return {
    rule,
    report,
    state: () => ({ v: [...recentValid.entries()], c: [...checked.entries()], s: lastSweep }),
    restore(st: any) {
      for (const [k, v] of st?.v ?? []) {
        recentValid.set(k, v.map(KeptValid.restored));
      }
      for (const [k, v] of st?.c ?? []) checked.set(k, v);
      if (typeof st?.s === 'number') lastSweep = st.s;
    },
    onEvent(s: Signal, ctx: DetectorContext) {
      if (s.t - lastSweep >= sweepEveryMs) sweep(s.t, ctx);
      if (!s.passwordValid) return;
      if (ctx.profiles.userKnowsSource(s)) return; // the owner's usual place
      for (const g of ctx.tracker.groupsOf(s)) {
        for (const uid of Object.values(g.findings)) check(g, uid, s, s.tenant, s.userKey, ctx);
      }
      // The account's entry as its profile keeps it: no key made and looked up for an account that signs in often.
      const e = ctx.profiles.accountEntry(s, 'compromiseEntry', recentValid, accountKey);
      const list = keptWith(e === undefined ? NONE_KEPT : e.v, s, rememberMs);
      if (e !== undefined) recentValid.setEntry(e, list);
      else ctx.profiles.keepEntry(s, 'compromiseEntry', recentValid.set(accountKey(s), list));
    },
    /**
     * An attack was raised or grew: check the remembered valid-password events of the accounts that joined its group
     * since the last look (events of accounts already in it were checked as they arrived, see onEvent).
     */
    onAttack(g: AttemptGroup, uid: string, ctx: DetectorContext) {
      for (let i = g.scanned[uid] ?? 0; i < g.order.length; i++) {
        const userKey = g.order[i];
        const list = recentValid.get(`${g.tenant}\u0001${userKey}`);
        if (list) for (const v of list) check(g, uid, v, g.tenant, userKey, ctx);
      }
      g.scanned[uid] = g.order.length;
    },
  } as Detector & { report(c: Compromise, ctx: DetectorContext): void; onAttack(g: AttemptGroup, uid: string, ctx: DetectorContext): void };
}
