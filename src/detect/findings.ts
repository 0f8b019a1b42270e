/**
 * @module detect/findings
 * Turns detectors' current view of an attack into OCSF Detection Finding (class 2004) lines. A finding is created
 * once (activity_id 1) and re-emitted in full when it grows materially (activity_id 2: a compromise, a higher
 * severity, a quarter more accounts, twice the sources, or a day of activity), never for every single event; the
 * latest content of every finding is written at the end of input in any case. The uid is a
 * hash of rule, organisation and the detector's grouping key, so replays give the same ids.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { OCSF_VERSION } from '../ocsf/authentication.js';
import { SEVERITY_IDS, type Rule } from './rules.js';
import { interned } from './intern.js';
import { Lazy } from './state-codec.js';
import type { Signal } from './signal.js';

export const PRODUCT_VERSION = '0.1.0';
const MAX_OBSERVABLE_IPS = 5000;
const EVIDENCE_FIRST = 3;
const EVIDENCE_LAST = 2;

export interface FindingDraft {
  rule: Rule;
  tenant: string;
  /** Detector's grouping key within the organisation; with the rule id it makes the uid. */
  key: string;
  time: number;
  first: number;
  last: number;
  title: string;
  desc: string;
  severity?: Rule['severity'];
  ips: Iterable<string>;
  accounts: Iterable<string>;
  compromised?: Iterable<string>;
  /** Sample events: signals, or samples already in evidence form (kept by attempt groups across checkpoints). */
  evidence: (Signal | Evidence)[];
  /** Facts for analysts and for campaign joining: attempts, netblocks, ASNs, fingerprint, rates. */
  data: Record<string, unknown>;
}

interface OpenFinding {
  accounts: number;
  compromised: number;
  ips: number;
  severity: number;
  lastEmitted: number;
  evidence: Evidence[];
  /** Hash of the last emitted content (as an update, time zeroed), to tell whether a pending change is real. */
  shown: string;
}

export type Evidence = ReturnType<typeof evidenceOf>;

/** A sample in evidence form (samples kept across checkpoints already are). */
export const asEvidence = (x: Signal | Evidence): Evidence => ('userKey' in x ? evidenceOf(x) : x);

/** One sample event, as shown in a finding's `evidences`. */
export function evidenceOf(s: Signal) {
  // Samples are kept for days (per group, per account): their repeated strings are shared, not copied per sample.
  const address = isIP(s.ip) !== 0;
  return {
    time: s.t,
    src_endpoint: { ip: address ? s.ip : undefined, hostname: s.ip && !address ? s.ip : undefined, location: s.country ? { country: interned(s.country) } : undefined, autonomous_system: s.asn ? { number: s.asn, name: interned(s.asOrg) || undefined } : undefined },
    user: { name: s.user },
    status_id: s.ok ? 1 : 2,
    data: { reason: s.reason || undefined, user_agent: interned(s.ua) || undefined, client_app: interned(s.app) || undefined, source: s.source && { file: interned(s.source.file), line: s.source.line } },
  };
}

export function findingUid(ruleId: string, tenant: string, key: string): string {
  return 'vgl-' + createHash('sha256').update(`${ruleId}\u0000${tenant}\u0000${key}`).digest('hex').slice(0, 32);
}

/**
 * An update too small to write yet: the draft's content as plain data, rendered only if it is still the latest when
 * its finding settles or input ends (most are superseded first). Checkpoints save it as it is, with the rule's id.
 */
type PendingUpdate = Omit<FindingDraft, 'severity' | 'ips' | 'accounts' | 'compromised' | 'evidence'> & {
  severity: number;
  ips: string[];
  accounts: string[];
  compromised: string[];
  /** This update's samples, merged with the ones last written when rendered. */
  evidence: Evidence[];
};

/** A pending update as a checkpoint holds it: its rule by id, or (saved by older versions) the rendered line. */
type SavedPending = (Omit<PendingUpdate, 'rule'> & { rule: string }) | Record<string, any>;

export class FindingSink {
  readonly open = new Map<string, OpenFinding>();
  /** Latest content of findings whose last change was too small to emit; written out when they settle or at the end. */
  readonly pending = new Map<string, PendingUpdate | Record<string, any>>();
  readonly out: Record<string, unknown>[] = [];
  /** Observables of the lines in `out` (a line is an object per address and account: a spray's, thousands). */
  outObservables = 0;
  created = 0;
  updated = 0;

  upsert(d: FindingDraft): string {
    const uid = findingUid(d.rule.id, d.tenant, d.key);
    const rawIps = Array.isArray(d.ips) ? d.ips : [...d.ips];
    const rawAccounts = Array.isArray(d.accounts) ? d.accounts : [...d.accounts];
    const rawCompromised = d.compromised ? (Array.isArray(d.compromised) ? d.compromised : [...d.compromised]) : [];
    const severity = SEVERITY_IDS[d.severity ?? d.rule.severity];
    const prev = this.open.get(uid);
    if (prev) {
      // A compromise or a higher severity is news at once; growth only in steps (a quarter more accounts, twice the
      // addresses) or after a day: a week-long spray over thousands of rotating addresses is re-emitted a few
      // dozen times, not thousands (every line carries its whole current content).
      const grew =
        rawCompromised.length > prev.compromised ||
        severity > prev.severity ||
        rawAccounts.length >= Math.max(prev.accounts + 1, Math.ceil(prev.accounts * 1.25)) ||
        rawIps.length >= Math.max(prev.ips + 1, 2 * prev.ips) ||
        d.time - prev.lastEmitted >= 24 * 3600_000;
      if (!grew) {
        this.pending.set(uid, {
          rule: d.rule, tenant: d.tenant, key: d.key, time: d.time, first: d.first, last: d.last, title: d.title, desc: d.desc,
          severity: Math.max(severity, prev.severity), ips: rawIps, accounts: rawAccounts, compromised: rawCompromised,
          evidence: d.evidence.map(asEvidence), data: d.data,
        });
        return uid;
      }
    }
    const ips = [...rawIps].sort();
    const accounts = [...rawAccounts].sort();
    const compromised = [...rawCompromised].sort();
    const fresh = d.evidence.map(asEvidence);
    const evidence = prev ? mergeEvidence(prev.evidence, fresh) : fresh.slice(0, EVIDENCE_FIRST + EVIDENCE_LAST);
    this.pending.delete(uid);
    const line = render(uid, d, prev ? 2 : 1, severity, ips, accounts, compromised, evidence);
    this.open.set(uid, { accounts: accounts.length, compromised: compromised.length, ips: ips.length, severity, lastEmitted: d.time, evidence, shown: signature(line) });
    this.hold(line);
    if (prev) this.updated++;
    else this.created++;
    return uid;
  }

  /** End of input: emit the latest content of every finding that changed since it was last written. */
  flushPending(): void {
    while (this.flushPendingSome(Infinity));
  }

  /**
   * The same, at most `max` findings at a time (in the same order), so that a caller can write and emit each part
   * before the next is made: at the end of a long stream thousands of findings are pending, each with up to thousands
   * of addresses, and made all at once they were the largest memory peak of a run. Also stops once the lines made
   * hold `maxObservables` observables. Returns whether any are left.
   */
  flushPendingSome(max: number, maxObservables = Infinity): boolean {
    this.flushOrder ??= [...this.pending.keys()].sort();
    let n = 0;
    while (this.flushAt < this.flushOrder.length && n < max && this.outObservables < maxObservables) {
      const uid = this.flushOrder[this.flushAt++];
      if (this.pending.has(uid)) n++;
      this.writePending(uid);
    }
    if (this.flushAt < this.flushOrder.length) return true;
    this.flushOrder = undefined;
    this.flushAt = 0;
    return this.pending.size > 0 && this.flushPendingSome(max, maxObservables);
  }
  private flushOrder: string[] | undefined;
  private flushAt = 0;

  /** Render a pending update and write it, unless it shows nothing new since the finding was last written. */
  private writePending(uid: string): void {
    const p = this.pending.get(uid);
    if (p === undefined) return;
    this.pending.delete(uid);
    const o = this.open.get(uid);
    const line = isUpdate(p) ? renderPending(uid, p, o?.evidence ?? []) : (p as ReturnType<typeof render>);
    const shown = signature(line);
    if (o && o.shown === shown) return;
    if (o) o.shown = shown;
    this.hold(line);
    this.updated++;
  }

  /** Pending updates as plain data, for checkpoints (their rule by id). */
  pendingState(): Lazy {
    const pending = this.pending;
    return new Lazy(function* () {
      for (const [uid, p] of pending) yield [uid, isUpdate(p) ? { ...p, rule: p.rule.id } : p];
    });
  }

  /** Pending updates from a checkpoint; `rules` finds a rule by id (an update of a rule since removed is dropped). */
  restorePending(saved: Iterable<[string, SavedPending]>, rules: Map<string, Rule>): void {
    for (const [uid, p] of saved) {
      if (typeof p.rule !== 'string') {
        this.pending.set(uid, p); // a rendered line, saved by an older version
        continue;
      }
      const rule = rules.get(p.rule);
      if (rule) this.pending.set(uid, { ...(p as PendingUpdate), rule });
    }
  }

  /**
   * The attack behind a finding is over (its attempt group was forgotten): write its latest content now if it changed
   * since it was last written, and forget the finding. Without this every finding ever raised, and the draft of its
   * last change, would be held to the end of input: on an endless stream, memory without bound.
   */
  settle(uid: string): void {
    this.writePending(uid);
    this.open.delete(uid);
  }

  /** A line to write, counted with its observables. */
  private hold(line: ReturnType<typeof render>): void {
    this.out.push(line);
    this.outObservables += line.observables.length;
  }

  drain(): Record<string, unknown>[] {
    this.outObservables = 0;
    return this.out.splice(0);
  }
}

const isUpdate = (p: PendingUpdate | Record<string, any>): p is PendingUpdate => typeof p.rule === 'object' && p.rule !== null && 'detector' in p.rule;

function renderPending(uid: string, p: PendingUpdate, written: Evidence[]) {
  const d: FindingDraft = { ...p, severity: undefined, evidence: [] };
  return render(uid, d, 2, p.severity, [...p.ips].sort(), [...p.accounts].sort(), [...p.compromised].sort(), mergeEvidence(written, p.evidence));
}

/**
 * What makes an update worth writing: the numbers and facts in title and description, the span, the counts and the
 * severity. New sample evidence alone is not. Open findings keep this instead of their (possibly large) text.
 */
function signature(line: ReturnType<typeof render>): string {
  const fi = line.finding_info;
  const u = line.unmapped;
  return `${line.severity_id}\u0001${fi.title}\u0001${fi.desc}\u0001${fi.first_seen_time}\u0001${fi.last_seen_time}\u0001${u.accounts_count}\u0001${u.ips_count}\u0001${u.compromised_accounts.length}`;
}

function mergeEvidence(old: Evidence[], fresh: Evidence[]): Evidence[] {
  const first = old.slice(0, EVIDENCE_FIRST);
  const seen = new Set(first.map((e) => JSON.stringify(e)));
  const rest = [...old.slice(EVIDENCE_FIRST), ...fresh].filter((e) => !seen.has(JSON.stringify(e)));
  return [...first, ...rest.slice(-EVIDENCE_LAST)];
}

const SEVERITY_NAMES = ['Unknown', 'Informational', 'Low', 'Medium', 'High', 'Critical'];

function render(uid: string, d: FindingDraft, activity: 1 | 2, severity: number, ips: string[], accounts: string[], compromised: string[], evidence: Evidence[]) {
  const shownIps = ips.slice(0, MAX_OBSERVABLE_IPS);
  return {
    class_uid: 2004,
    class_name: 'Detection Finding',
    category_uid: 2,
    category_name: 'Findings',
    activity_id: activity,
    activity_name: activity === 1 ? 'Create' : 'Update',
    type_uid: 200400 + activity,
    time: d.time,
    severity_id: severity,
    severity: SEVERITY_NAMES[severity],
    status_id: 1,
    status: 'New',
    confidence_id: severity >= 4 ? 3 : 2,
    metadata: {
      version: OCSF_VERSION,
      product: { name: 'Vigil', vendor_name: 'Vigil', version: PRODUCT_VERSION },
      tenant_uid: d.tenant,
    },
    finding_info: {
      uid,
      title: d.title,
      desc: d.desc,
      types: [d.rule.type],
      first_seen_time: d.first,
      last_seen_time: d.last,
      analytic: { uid: d.rule.id, name: d.rule.name, type_id: 1, type: 'Rule' },
      attacks: d.rule.attacks.map((a) => ({ technique: a.technique, tactic: a.tactic, version: '18' })),
    },
    observables: [
      // A source the log named by host name only (see Signal.ip) is a Hostname observable, not an IP Address.
      ...shownIps.map((value) => (isIP(value) ? { name: 'src_endpoint.ip', type_id: 2, type: 'IP Address', value } : { name: 'src_endpoint.hostname', type_id: 1, type: 'Hostname', value })),
      ...accounts.map((value) => ({ name: 'user.name', type_id: 4, type: 'User Name', value })),
    ],
    evidences: evidence,
    unmapped: {
      accounts_count: accounts.length,
      ips_count: ips.length,
      compromised_accounts: compromised,
      ...d.data,
    },
  };
}
