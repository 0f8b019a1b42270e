/**
 * @module peers/types
 * What the re-implemented peer rules (Microsoft Sentinel, Elastic, CrowdSec, fail2ban) read and write, so that they
 * can be scored on the same worlds as Vigil. They read the normalised OCSF Authentication event (any AuthEvent will
 * do; `slimEvent` keeps only the fields the rules look at, so a week of events fits in memory) and write alerts in
 * one shape: which rule, which organisation, the addresses and accounts it names, its time span, when it would have
 * fired, and the kind of attack the rule claims to see.
 *
 * The Microsoft rules are written against Entra ID result codes. Entra events keep theirs in `status_code`; for the
 * other formats `entraCode` derives the code an Entra tenant would have logged from Vigil's normalised failure
 * reason (`unmapped.reason`):
 *
 * | reason            | code   | Entra meaning                                        |
 * |-------------------|--------|------------------------------------------------------|
 * | (success)         | 0      | success                                              |
 * | bad_password      | 50126  | invalid username or password                         |
 * | unknown_user      | 50034  | user account not found                               |
 * | locked_out        | 50053  | account locked (smart lock-out)                      |
 * | password_expired  | 50055  | password expired                                     |
 * | disabled          | 50057  | user disabled                                        |
 * | mfa_required      | 50076  | MFA required (the password was right)                |
 * | mfa_denied        | 500121 | strong authentication failed (push denied, ignored)  |
 * | blocked_by_policy | 53003  | blocked by Conditional Access                        |
 * | other             | none   | (no rule counts it)                                  |
 *
 * Events with status_id 99 (an MFA prompt sent, not a sign-in result) get no code.
 */
import type { AuthEvent, FailureReason } from '../ocsf/authentication.js';
import type { AttackType } from '../simulate/scenarios.js';

/** The parts of an OCSF Authentication event the peer rules read; every AuthEvent is one. */
export interface PeerEvent {
  time: number;
  status_id: number;
  status_code?: string;
  is_mfa?: boolean;
  metadata: { tenant_uid: string };
  user: { name: string };
  src_endpoint: { ip?: string; autonomous_system?: { name?: string } };
  http_request?: { user_agent?: string };
  service?: { name?: string };
  unmapped: { reason?: FailureReason; format?: string };
}

/** One alert of a peer rule, in the shape the scorer reads (the same as a Vigil finding, see eval/detections). */
export interface PeerAlert {
  /** The product: sentinel, elastic, crowdsec, fail2ban. */
  peer: string;
  /** The rule or scenario that fired, as the product names it. */
  rule: string;
  tenant: string;
  ips: string[];
  accounts: string[];
  /** Event times (epoch ms) of the first and last event the alert covers. */
  first: number;
  last: number;
  /** The event time at which the rule's condition was first met: the earliest the alert could be raised. */
  time: number;
  /** The kind of attack the rule says it sees, in Vigil's vocabulary. */
  type: AttackType;
}

/** A copy of the fields peers read, so the full events (with raw text, geo, evidence) can be let go. */
export function slimEvent(ev: AuthEvent): PeerEvent {
  const slim: PeerEvent = {
    time: ev.time,
    status_id: ev.status_id,
    metadata: { tenant_uid: ev.metadata.tenant_uid },
    user: { name: ev.user.name },
    src_endpoint: {},
    unmapped: {},
  };
  if (ev.status_code !== undefined) slim.status_code = ev.status_code;
  if (ev.is_mfa !== undefined) slim.is_mfa = ev.is_mfa;
  if (ev.src_endpoint.ip) slim.src_endpoint.ip = ev.src_endpoint.ip;
  const asName = ev.src_endpoint.autonomous_system?.name;
  if (asName) slim.src_endpoint.autonomous_system = { name: asName };
  const ua = ev.http_request?.user_agent;
  if (ua) slim.http_request = { user_agent: ua };
  if (ev.service?.name) slim.service = { name: ev.service.name };
  if (ev.unmapped.reason) slim.unmapped.reason = ev.unmapped.reason;
  if (ev.unmapped.format) slim.unmapped.format = ev.unmapped.format;
  return slim;
}

const CODE_OF_REASON: Record<FailureReason, number | undefined> = {
  bad_password: 50126,
  unknown_user: 50034,
  locked_out: 50053,
  password_expired: 50055,
  disabled: 50057,
  mfa_required: 50076,
  mfa_denied: 500121,
  blocked_by_policy: 53003,
  other: undefined,
};

/** The Entra result code of an event: its own for Entra, derived from the failure reason otherwise (see above). */
export function entraCode(ev: PeerEvent): number | undefined {
  if (ev.unmapped.format === 'entra') {
    const n = Number(ev.status_code);
    return ev.status_code !== undefined && ev.status_code !== '' && Number.isInteger(n) ? n : undefined;
  }
  if (ev.status_id === 1) return 0;
  if (ev.status_id !== 2) return undefined;
  return ev.unmapped.reason ? CODE_OF_REASON[ev.unmapped.reason] : undefined;
}

/** The account as the rules compare it: user names are case-insensitive in every product here. */
export function accountKey(ev: PeerEvent): string {
  return ev.user.name.toLowerCase();
}

/** Events in time order (a stable sort of a copy: the rules are pure functions of their input). */
export function byTime<T extends { time: number }>(events: readonly T[]): T[] {
  return events.slice().sort((a, b) => a.time - b.time);
}

/** A failure that a password-guessing rule counts: a failed sign-in, not an MFA step. */
export function isCredentialFailure(ev: PeerEvent): boolean {
  return ev.status_id === 2 && ev.unmapped.reason !== 'mfa_denied' && ev.unmapped.reason !== 'mfa_required';
}
