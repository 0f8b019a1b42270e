/**
 * @module detect/engine
 * Runs the detectors over events in event-time order. Events pass a bounded-lateness reorder buffer; each
 * released event is shown to every detector before the profiles learn from it (so "never seen before" means
 * before this event); failures from unfamiliar sources join their organisation-and-tool group. All memory can be
 * saved with `snapshot()` and restored, which is how `--db` continues a previous run exactly.
 */
import type { AuthEvent } from '../ocsf/authentication.js';
import { AttemptTracker, packGroup, unpackGroup, type AttemptGroup } from './attempts.js';
import type { Compromise, Detector, DetectorContext, DetectorFactory } from './detector.js';
import { accountCompromise } from './detectors/account-compromise.js';
import { anonymizerSignin } from './detectors/anonymizer-signin.js';
import { bruteForce } from './detectors/brute-force.js';
import { credentialStuffing } from './detectors/credential-stuffing.js';
import { impossibleTravel } from './detectors/impossible-travel.js';
import { mfaFatigue } from './detectors/mfa-fatigue.js';
import { passwordSpray } from './detectors/password-spray.js';
import { slowGuessing } from './detectors/slow-guessing.js';
import { FindingSink } from './findings.js';
import { netKey, Profiles, Watch } from './profiles.js';
import { ReleasedSignals, ReorderBuffer } from './reorder.js';
import { param, RuleError, type Rule } from './rules.js';
import { decodeState, encodeState, encodeStateChunks, Lazy } from './state-codec.js';
import { toSignal, type Signal } from './signal.js';

export const DETECTORS: Record<string, DetectorFactory> = {
  password_spray: passwordSpray,
  brute_force: bruteForce,
  credential_stuffing: credentialStuffing,
  mfa_fatigue: mfaFatigue,
  impossible_travel: impossibleTravel,
  anonymizer_signin: anonymizerSignin,
  account_compromise: accountCompromise,
  slow_guessing: slowGuessing,
};

export interface EngineOptions {
  rules: Rule[];
  /** How far out of order events may arrive and still be processed in order (default 10 minutes). */
  latenessMs?: number;
}

export class Engine {
  readonly detectors: Detector[];
  /** The detectors that look at every event, and those that look at counted attempts (in rule order). */
  private readonly onEvents: Detector[] = [];
  private readonly onAttempts: Detector[] = [];
  readonly profiles = new Profiles();
  readonly tracker: AttemptTracker;
  readonly sink = new FindingSink();
  readonly reorder: ReorderBuffer;
  events = 0;
  private readonly compromise: ReturnType<typeof accountCompromise> & { onAttack(g: AttemptGroup, uid: string, ctx: DetectorContext): void };
  private readonly ctx: DetectorContext;
  private readonly ready = new ReleasedSignals();
  private readonly rulesById: Map<string, Rule>;

  constructor(opts: EngineOptions) {
    const enabled = opts.rules.filter((r) => r.enabled);
    this.rulesById = new Map(enabled.map((r) => [r.id, r]));
    this.detectors = enabled.map((r) => {
      const make = DETECTORS[r.detector];
      if (!make) throw new RuleError(`${r.file}: unknown detector '${r.detector}' (known: ${Object.keys(DETECTORS).join(', ')})`);
      return make(r);
    });
    for (const d of this.detectors) {
      if (d.onEvent) this.onEvents.push(d);
      if (d.onAttempt) this.onAttempts.push(d);
    }
    const spray = enabled.find((r) => r.detector === 'password_spray');
    const brute = enabled.find((r) => r.detector === 'brute_force');
    const rateWindowMs = brute ? Math.max(param(brute, 'burst_minutes'), param(brute, 'sustained_minutes')) * 60_000 : 3600_000;
    this.tracker = new AttemptTracker((spray ? param(spray, 'window_hours') : 48) * 3600_000, rateWindowMs);
    this.tracker.profiles = this.profiles;
    this.reorder = new ReorderBuffer(opts.latenessMs ?? 10 * 60_000);
    this.tracker.onExpire = (g) => {
      for (const d of this.detectors) d.onExpire?.(g, this.ctx);
      // The group's own findings end with it (a later attempt starts a new episode, with findings of its own).
      for (const uid of Object.values(g.findings)) this.sink.settle(uid);
    };
    this.compromise = this.detectors.find((d) => d.rule.detector === 'account_compromise') as any;
    const self = this;
    this.ctx = {
      profiles: this.profiles,
      tracker: this.tracker,
      sink: this.sink,
      attackRaised(g, uid) {
        self.compromise?.onAttack(g, uid, self.ctx);
      },
      compromised(c: Compromise) {
        self.compromise?.report(c, self.ctx);
      },
    };
  }

  push(ev: AuthEvent): void {
    this.pushSignal(toSignal(ev));
  }

  /** An event already reduced to its signal (by the reading thread). */
  pushSignal(s: Signal): void {
    this.reorder.push(s, this.ready);
    if (this.ready.size) this.process();
  }

  /** End of input: process everything still held for reordering, then write every pending finding update. */
  flush(): void {
    if (this.flushInput()) this.sink.flushPending();
  }

  /**
   * End of input without the pending updates: the caller writes those a part at a time
   * (`sink.flushPendingSome`), draining the findings in between. Whether any event was ever seen (else nothing
   * is pending).
   */
  flushInput(): boolean {
    this.reorder.drain(this.ready);
    this.process();
    if (this.reorder.watermark === -Infinity) return false;
    for (const d of this.detectors) d.onFlush?.(this.reorder.watermark, this.ctx);
    return true;
  }

  drainFindings(): Record<string, unknown>[] {
    return this.sink.drain();
  }

  private process(): void {
    const { ctx, tracker, profiles } = this;
    const onEvents = this.onEvents;
    const onAttempts = this.onAttempts;
    const ready = this.ready;
    for (let r = 0; r < ready.size; r++) {
      const s = ready.at(r);
      this.events++;
      for (let i = 0; i < onEvents.length; i++) onEvents[i].onEvent!(s, ctx);
      if (tracker.counts(s, profiles)) {
        const g = tracker.add(s);
        profiles.held(s, Watch.groups, true);
        for (let i = 0; i < onAttempts.length; i++) onAttempts[i].onAttempt!(g, s, ctx);
      } else if (s.ok && s.ip && profiles.mayHold(s, Watch.groups) && !tracker.resolve(s)) profiles.held(s, Watch.groups, false);
      profiles.observe(s);
    }
    ready.clear();
  }

  /** Everything the engine remembers, as text. Pending findings must have been drained first. */
  snapshot(): string {
    return encodeState(this.snapshotValue());
  }

  /** The same text as `snapshot()`, in pieces of about a megabyte, in order (large states are never whole in memory). */
  snapshotChunks(onChunk: (text: string) => void, maxChars?: number): void {
    encodeStateChunks(this.snapshotValue(), onChunk, maxChars);
  }

  private snapshotValue() {
    const held = this.reorder.held();
    const groups = this.tracker.groups.map;
    return {
      v: 1,
      events: this.events,
      watermark: this.reorder.watermark,
      late: this.reorder.late,
      held,
      profiles: { tenants: this.profiles.tenants },
      tracker: { groups: new Lazy(function* () { for (const g of groups.values()) yield packGroup(g); }), byUser: (this.tracker as any).byUser, lastSweep: (this.tracker as any).lastSweep },
      open: this.sink.open,
      pending: this.sink.pendingState(),
      detectors: Object.fromEntries(this.detectors.map((d) => [d.rule.id, d.state?.() ?? null])),
    };
  }

  restore(text: string): void {
    const st = decodeState(text);
    if (st.v !== 1) throw new Error('saved detector state has an unknown version');
    this.events = st.events;
    for (const [k, v] of st.profiles.tenants) this.profiles.tenants.set(k, v);
    const groups: unknown[] = Array.isArray(st.tracker.groups) ? st.tracker.groups : [...st.tracker.groups.map.values()];
    for (const p of groups) {
      const g = unpackGroup(p);
      this.tracker.groups.map.set(g.id, g);
    }
    for (const [k, v] of st.tracker.byUser.map) (this.tracker as any).byUser.map.set(k, v);
    (this.tracker as any).lastSweep = st.tracker.lastSweep;
    this.tracker.recount();
    for (const [k, v] of st.open) this.sink.open.set(k, v);
    this.sink.restorePending(st.pending, this.rulesById);
    for (const d of this.detectors) d.restore?.(st.detectors[d.rule.id]);
    for (const x of st.held as (Signal | AuthEvent)[]) this.reorder.push('class_uid' in x ? toSignal(x) : heldSignal(x), this.ready);
    this.reorder.watermark = Math.max(this.reorder.watermark, st.watermark);
    this.reorder.late = st.late;
    if (this.ready.size) this.process();
  }
}

/** A held signal as a checkpoint saved it: earlier versions kept its netblock as text (`net`), not as its key. */
function heldSignal(x: Signal | (Omit<Signal, 'netKey'> & { net: string })): Signal {
  if (!('net' in x)) return x;
  const { net, ...rest } = x;
  return { ...rest, netKey: netKey(net) };
}
