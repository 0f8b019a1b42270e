/**
 * @module ocsf/authentication
 * The one normalised event every vendor format is turned into: OCSF Authentication (class_uid 3002).
 * Vigil's own normalised facts that OCSF has no attribute for (failure reason, "password was valid",
 * legacy protocol) live under `unmapped`, as OCSF prescribes for source data without a home.
 */

export const OCSF_VERSION = '1.3.0';
export const AUTHENTICATION_CLASS_UID = 3002;

/** Why a sign-in failed, reduced to the kinds that matter for credential-attack detection. */
export const FAILURE_REASONS = [
  'bad_password',
  'unknown_user',
  'locked_out',
  'mfa_required',
  'mfa_denied',
  'password_expired',
  'disabled',
  'blocked_by_policy',
  'other',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

export const STATUS_SUCCESS = 1;
export const STATUS_FAILURE = 2;

export interface Location {
  country?: string; // ISO 3166-1 alpha-2
  region?: string;
  city?: string;
  lat?: number;
  long?: number;
}

export interface AutonomousSystem {
  number?: number;
  name?: string;
}

export interface SrcEndpoint {
  ip?: string;
  hostname?: string;
  port?: number;
  location?: Location;
  autonomous_system?: AutonomousSystem;
  /** Anonymiser / hosting classification from intel lists (tor, vpn, hosting, malicious). */
  type?: string;
}

/** Normalised facts Vigil adds; OCSF keeps such data under `unmapped`. */
export interface VigilFacts {
  /** Normalised failure reason; present when status_id is 2. */
  reason?: FailureReason;
  /** The password was right, but MFA, a policy or an account state stopped the sign-in. */
  password_valid?: boolean;
  /** IMAP, POP, SMTP AUTH, ActiveSync, ROPC and other protocols that cannot do modern MFA. */
  legacy_protocol?: boolean;
  /** Client application as the vendor names it (Entra clientAppUsed, Okta client type...). */
  client_app?: string;
  /** The sign-in was an MFA push / challenge event (for push-bombing detection). */
  mfa_event?: 'push_sent' | 'push_denied' | 'push_approved' | 'challenge';
  /** Intel list kinds the source address is on: tor, vpn, hosting, malicious. */
  intel?: string[];
  /** The source format that produced this event. */
  format?: string;
  /** Where the record came from, for evidence: file and line. */
  source?: { file: string; line: number };
  /** Non-interactive sign-in (token refresh, service). */
  non_interactive?: boolean;
}

export interface AuthEvent {
  class_uid: 3002;
  class_name: 'Authentication';
  category_uid: 3;
  category_name: 'Identity & Access Management';
  activity_id: number; // 1 Logon, 99 Other
  activity_name?: string;
  type_uid: number; // class_uid * 100 + activity_id
  time: number; // epoch ms
  severity_id: number;
  status_id: number; // 1 success, 2 failure, 99 other
  status?: string;
  status_code?: string;
  status_detail?: string;
  metadata: {
    version: string;
    product: { name: string; vendor_name: string };
    tenant_uid: string;
    uid?: string;
    log_name?: string;
  };
  user: { name: string; uid?: string; email_addr?: string; domain?: string };
  src_endpoint: SrcEndpoint;
  http_request?: { user_agent?: string };
  service?: { name?: string; uid?: string };
  auth_protocol?: string;
  is_mfa?: boolean;
  unmapped: VigilFacts;
  raw_data?: string;
}

/** Fields a format supplies; `makeAuthEvent` fills in the OCSF constants. */
export interface AuthEventInput {
  time: number;
  success: boolean;
  tenant: string;
  user: { name: string; uid?: string; email_addr?: string; domain?: string };
  ip?: string;
  port?: number;
  hostname?: string;
  location?: Location;
  autonomous_system?: AutonomousSystem;
  user_agent?: string;
  service?: { name?: string; uid?: string };
  auth_protocol?: string;
  is_mfa?: boolean;
  status_code?: string;
  status_detail?: string;
  uid?: string;
  product: { name: string; vendor_name: string };
  log_name?: string;
  facts?: VigilFacts;
}

export function makeAuthEvent(i: AuthEventInput): AuthEvent {
  const src: SrcEndpoint = {};
  if (i.ip) src.ip = i.ip;
  if (i.hostname) src.hostname = i.hostname;
  if (i.port !== undefined) src.port = i.port;
  const location = i.location && compact(i.location);
  if (location) src.location = location;
  const as = i.autonomous_system && compact(i.autonomous_system);
  if (as) src.autonomous_system = as;
  const ev: AuthEvent = {
    class_uid: 3002,
    class_name: 'Authentication',
    category_uid: 3,
    category_name: 'Identity & Access Management',
    activity_id: 1,
    activity_name: 'Logon',
    type_uid: 300201,
    time: i.time,
    severity_id: 1,
    status_id: i.success ? STATUS_SUCCESS : STATUS_FAILURE,
    status: i.success ? 'Success' : 'Failure',
    metadata: { version: OCSF_VERSION, product: i.product, tenant_uid: i.tenant },
    user: compact(i.user) ?? { name: i.user.name },
    src_endpoint: src,
    unmapped: compact(i.facts ?? {}) ?? {},
  };
  if (i.status_code !== undefined) ev.status_code = i.status_code;
  if (i.status_detail) ev.status_detail = i.status_detail;
  if (i.uid) ev.metadata.uid = i.uid;
  if (i.log_name) ev.metadata.log_name = i.log_name;
  if (i.user_agent) ev.http_request = { user_agent: i.user_agent };
  if (i.service && (i.service.name || i.service.uid)) ev.service = i.service;
  if (i.auth_protocol) ev.auth_protocol = i.auth_protocol;
  if (i.is_mfa !== undefined) ev.is_mfa = i.is_mfa;
  if (i.success) delete ev.unmapped.reason;
  return ev;
}

/**
 * The object without its undefined, null and empty members, or undefined when nothing is left. Called several times
 * for every event of every format: a `for...in` over own keys (the order `Object.entries` gives) rather than the
 * array of pairs `Object.entries` makes, which was a tenth of reading Google Workspace logs. A "__proto__" key (a
 * JSON record may have one of its own) is left out: assigned, it would set the copy's prototype.
 */
function compact<T extends object>(o: T): T | undefined {
  const out: Record<string, unknown> = {};
  let any = false;
  for (const k in o) {
    if (!Object.hasOwn(o, k) || k === '__proto__') continue;
    const v: unknown = o[k];
    if (v !== undefined && v !== null && v !== '') {
      out[k] = v;
      any = true;
    }
  }
  return any ? (out as T) : undefined;
}

/** Protocols that cannot carry modern MFA; attackers prefer them for spraying. */
const LEGACY = /\b(imap4?|pop3?|smtp|activesync|exchange ?activesync|autodiscover|ropc|basic auth|legacy|mapi|exchange web services|ews|offline address book|outlook anywhere|rpc)\b/i;
export function isLegacyProtocol(...names: (string | undefined)[]): boolean {
  return names.some((n) => !!n && LEGACY.test(n));
}
