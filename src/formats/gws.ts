/**
 * @module formats/gws
 * Google Workspace sign-ins from the Admin SDK Reports API (`activities.list`, applications `login` and `saml`;
 * https://developers.google.com/admin-sdk/reports/v1/appendix/activity/login), one activity record per line. Both
 * the API's own shape (`events[]` with typed `parameters[]`) and the one-event-per-row shape SIEMs such as Panther
 * flatten it into (top-level `name`, `type`, `parameters` as a name -> value map) are read.
 *
 * One record may carry several events; each login attempt among them becomes one event:
 * - `login_success` / `login_failure`, and the SAML application's sign-ins to service providers;
 * - `login_challenge` / `login_verification`: Passed -> success, Failed -> failure; an empty status (result unknown)
 *   -> status Other (99). All carry `mfa_event: challenge`;
 * - `suspicious_login*`: Google blocked the attempt -> failure `blocked_by_policy`, at the attempt's own time
 *   (`login_timestamp`); the less-secure-app variant is IMAP/POP/SMTP basic auth -> `legacy_protocol`.
 * Google's account warnings (`gov_attack_warning`, `account_disabled_*`, suspicious-cookie sign-outs) are no attempts
 * but are too important to drop: they become activity and status Other (99), with the event name in `status_code`,
 * an explanation in `status_detail` and a raised `severity_id` (High for a government-backed attack warning), so
 * they never count as failures or successes yet stay reachable. Every other event is skipped.
 *
 * `password_valid`: Google asks for a second step only after the password was accepted, so a failed or missing
 * second factor, or a challenge that follows a `password` entry, means the password was right.
 *
 * Also: the tenant is `id.customerId` (always in API output), else `--tenant`; records of other applications
 * (drive, admin, token...) are skipped; `status_code` is the event name, `auth_protocol` the `login_type`
 * (`exchange` there means a credential exchange such as OAuth token to cookie, not Microsoft Exchange). Google folds
 * the retries of one sign-in session into one event (three `password` challenges then a key), so a burst of wrong
 * passwords may show as a single failure.
 */
import { isLegacyProtocol, makeAuthEvent, type AuthEvent, type FailureReason, type VigilFacts } from '../ocsf/authentication.js';
import { cleanIp, domainOf, num, parseTime, str } from './common.js';
import { RecordError, type JsonFormat, type NormalizeContext } from './types.js';

const PRODUCT = { name: 'Google Workspace', vendor_name: 'Google' };

const ACTIVITY_KINDS = /^(admin#reports|audit)#activity$/;

/** login_failure_type -> failure reason. */
const FAILURE_TYPES: Record<string, FailureReason> = {
  login_failure_invalid_password: 'bad_password',
  login_failure_invalid_second_factor: 'mfa_denied',
  login_failure_missing_second_factor: 'mfa_required',
  login_failure_account_disabled: 'disabled',
  login_failure_access_code_disallowed: 'blocked_by_policy',
  login_failure_unknown: 'other',
};
/** Failure types that are only reached after the password was accepted. */
const AFTER_PASSWORD = new Set(['login_failure_invalid_second_factor', 'login_failure_missing_second_factor']);

/** SAML failure_type -> failure reason (the SAML audit appendix). */
const SAML_FAILURE_TYPES: Record<string, FailureReason> = {
  failure_app_not_configured_for_user: 'blocked_by_policy',
  failure_request_denied: 'blocked_by_policy',
  failure_invalid_sp_id: 'other',
  failure_unknown: 'other',
};

/** Google's account warnings kept as Other events: what they mean and how loud they are (OCSF severity_id). */
const WARNINGS: Record<string, { detail: string; severity: number }> = {
  gov_attack_warning: { detail: 'Government-backed attack warning: Google believes state-sponsored attackers targeted this account', severity: 4 },
  account_disabled_hijacked: { detail: 'Account suspended by Google: hijacked', severity: 4 },
  account_disabled_password_leak: { detail: 'Account suspended by Google: password leaked', severity: 3 },
  account_disabled_spamming: { detail: 'Account suspended by Google: spamming', severity: 2 },
  account_disabled_spamming_through_relay: { detail: 'Account suspended by Google: spamming through relay', severity: 2 },
  account_disabled_generic: { detail: 'Account suspended by Google: suspicious activity', severity: 3 },
  user_signed_out_due_to_suspicious_session_cookie: { detail: 'User signed out by Google: suspicious session cookie', severity: 3 },
};

/** Google blocked these sign-in attempts as suspicious. */
const BLOCKED = new Set(['suspicious_login', 'suspicious_login_less_secure_app', 'suspicious_programmatic_login']);

/**
 * Challenge methods that are no second step proving a correct password: the password itself, checks Google runs
 * without the user (captcha, login_location), federation (saml, oidc) and the placeholders.
 */
const NOT_A_SECOND_STEP = new Set(['password', 'captcha', 'login_location', 'none', 'other', 'unknown', 'saml', 'oidc']);

interface ActivityEvent {
  type?: string;
  name: string;
  params: Map<string, unknown>;
}

/** A parameter list (API: `[{name, value|boolValue|intValue|multiValue...}]`) or map (flattened) as a Map. */
function paramsOf(parameters: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (Array.isArray(parameters)) {
    for (const p of parameters) {
      const name = str(p?.name);
      if (!name) continue;
      out.set(name, p.value ?? p.multiValue ?? p.boolValue ?? p.intValue ?? p.multiIntValue ?? p.messageValue ?? p.multiMessageValue);
    }
  } else if (parameters && typeof parameters === 'object') {
    for (const [k, v] of Object.entries(parameters)) out.set(k, v);
  }
  return out;
}

function eventsOf(rec: Record<string, any>): ActivityEvent[] {
  if (Array.isArray(rec.events)) {
    return rec.events
      .filter((e: any) => e && typeof e === 'object' && str(e.name))
      .map((e: any) => ({ type: str(e.type), name: str(e.name)!, params: paramsOf(e.parameters) }));
  }
  const name = str(rec.name);
  return name ? [{ type: str(rec.type), name, params: paramsOf(rec.parameters) }] : [];
}

function bool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

function methodsOf(params: Map<string, unknown>): string[] {
  const v = params.get('login_challenge_method');
  const all = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return all.map((m) => str(m)?.toLowerCase()).filter((m): m is string => !!m);
}

/** A second step (2SV, phone verification...) came after a password entry, so the password was accepted. */
function passwordThenSecondStep(methods: string[]): boolean {
  const first = methods.indexOf('password');
  return first >= 0 && methods.slice(first + 1).some((m) => !NOT_A_SECOND_STEP.has(m));
}

/** Microsecond `login_timestamp` of a warning, as epoch ms, when it is a plausible time. */
function attemptTime(params: Map<string, unknown>): number | undefined {
  const us = num(params.get('login_timestamp'));
  if (us === undefined || us < 1e14) return undefined;
  try {
    return parseTime(Math.round(us / 1000));
  } catch {
    return undefined;
  }
}

export const gws: JsonFormat = {
  name: 'gws',
  matches(rec) {
    if (typeof rec.kind === 'string' && ACTIVITY_KINDS.test(rec.kind)) return true;
    const id = rec.id as Record<string, unknown> | undefined;
    return !!id && typeof id === 'object' && typeof id.applicationName === 'string' && (Array.isArray(rec.events) || typeof rec.name === 'string');
  },
  normalize(rec, ctx) {
    const app = str(rec.id?.applicationName)?.toLowerCase();
    if (app !== 'login' && app !== 'saml') return [];
    const events = eventsOf(rec);
    const out: AuthEvent[] = [];
    events.forEach((e, index) => {
      const ev = toEvent(rec, app, e, events.length > 1 ? index : undefined, ctx);
      if (ev) out.push(ev);
    });
    return out;
  },
};

type Verdict = 'success' | 'failure' | 'other' | 'warning';

interface Judgement {
  verdict: Verdict;
  reason?: FailureReason;
  passwordValid: boolean;
  detail?: string;
  mfaEvent?: VigilFacts['mfa_event'];
  severity?: number;
}

/** What one event says about the attempt, or undefined when it is no attempt or warning. */
function judge(app: string, e: ActivityEvent, methods: string[]): Judgement | undefined {
  const p = e.params;
  if (app === 'saml') {
    if (e.name === 'login_success') return { verdict: 'success', passwordValid: true };
    if (e.name !== 'login_failure') return undefined;
    const type = str(p.get('failure_type'));
    return { verdict: 'failure', reason: (type ? SAML_FAILURE_TYPES[type] : undefined) ?? 'other', passwordValid: false, detail: type };
  }
  switch (e.name) {
    case 'login_success': {
      const suspicious = bool(p.get('is_suspicious')) === true;
      return {
        verdict: 'success',
        passwordValid: true,
        detail: suspicious ? 'Google flagged the sign-in as suspicious' : undefined,
        severity: suspicious ? 3 : undefined,
      };
    }
    case 'login_failure': {
      const type = str(p.get('login_failure_type'));
      if (type) {
        return { verdict: 'failure', reason: FAILURE_TYPES[type] ?? 'other', passwordValid: AFTER_PASSWORD.has(type), detail: type };
      }
      // login_failure_type is deprecated; without it the challenges passed through tell what failed.
      if (passwordThenSecondStep(methods)) return { verdict: 'failure', reason: 'mfa_denied', passwordValid: true };
      if (methods.length > 0 && methods.every((m) => m === 'password')) return { verdict: 'failure', reason: 'bad_password', passwordValid: false };
      return { verdict: 'failure', reason: 'other', passwordValid: false };
    }
    case 'login_challenge':
    case 'login_verification': {
      const status = str(p.get('login_challenge_status'));
      const secondFactor = bool(p.get('is_second_factor')) === true;
      const loginType = str(p.get('login_type'))?.toLowerCase();
      // A non-password challenge in a password sign-in is only shown once the password was accepted.
      const afterPassword =
        secondFactor ||
        passwordThenSecondStep(methods) ||
        (loginType === 'google_password' && methods.length > 0 && !methods.includes('password') && methods.some((m) => !NOT_A_SECOND_STEP.has(m)));
      if (status && /passed/i.test(status)) return { verdict: 'success', passwordValid: true, detail: status, mfaEvent: 'challenge' };
      if (status && /failed/i.test(status)) {
        const reason: FailureReason = afterPassword ? 'mfa_denied' : methods[methods.length - 1] === 'password' ? 'bad_password' : 'other';
        return { verdict: 'failure', reason, passwordValid: afterPassword, detail: status, mfaEvent: 'challenge' };
      }
      return { verdict: 'other', passwordValid: afterPassword, detail: status, mfaEvent: 'challenge' };
    }
  }
  if (BLOCKED.has(e.name)) {
    // Whether the password was right is not said; leave it false rather than claim a compromise.
    return { verdict: 'failure', reason: 'blocked_by_policy', passwordValid: false, detail: 'Google blocked the sign-in as suspicious', severity: 3 };
  }
  const warning = WARNINGS[e.name] ?? (e.name.startsWith('account_disabled_') ? { detail: `Account suspended by Google: ${e.name.slice(17)}`, severity: 3 } : undefined);
  if (warning) return { verdict: 'warning', passwordValid: false, detail: warning.detail, severity: warning.severity };
  return undefined;
}

function toEvent(rec: Record<string, any>, app: string, e: ActivityEvent, index: number | undefined, ctx: NormalizeContext): AuthEvent | undefined {
  const methods = methodsOf(e.params);
  const j = judge(app, e, methods);
  if (!j) return undefined;
  const aboutAnother = j.verdict === 'warning' || BLOCKED.has(e.name);
  const time = (aboutAnother ? attemptTime(e.params) : undefined) ?? parseTime(rec.id?.time, 'id.time');
  // Warnings name the affected account in a parameter; the actor, when present, is the same person.
  const email = (aboutAnother ? str(e.params.get('affected_email_address')) : undefined) ?? str(rec.actor?.email);
  if (!email) throw new RecordError(`gws ${e.name} without ${aboutAnother ? 'affected_email_address or ' : ''}actor.email`);
  const tenant = str(rec.id?.customerId) ?? ctx.tenant;
  if (!tenant) throw new RecordError(`gws ${e.name} without id.customerId; pass --tenant`);

  const loginType = str(e.params.get('login_type'));
  const secondSteps = methods.filter((m) => !NOT_A_SECOND_STEP.has(m));
  const federated = loginType === 'saml' || (methods.length > 0 && methods.every((m) => m === 'saml' || m === 'oidc'));
  const isMfa =
    bool(e.params.get('is_second_factor')) === true || secondSteps.length > 0 ? true : methods.length > 0 && !federated ? false : undefined;
  const network = rec.networkInfo ?? {};
  const asn = Array.isArray(network.ipAsn) ? num(network.ipAsn[0]) : num(network.ipAsn);
  const clientApp = e.name === 'suspicious_login_less_secure_app' ? 'less_secure_app' : e.name === 'suspicious_programmatic_login' ? 'programmatic' : undefined;
  const uq = str(rec.id?.uniqueQualifier);

  const ev = makeAuthEvent({
    time,
    success: j.verdict === 'success',
    tenant,
    user: { name: email, uid: email === str(rec.actor?.email) ? str(rec.actor?.profileId) : undefined, email_addr: email.includes('@') ? email : undefined, domain: domainOf(email) },
    ip: cleanIp(rec.ipAddress),
    location: { country: str(network.regionCode), region: str(network.subdivisionCode) },
    autonomous_system: asn ? { number: asn } : undefined,
    service: app === 'saml' ? { name: str(e.params.get('application_name')) } : undefined,
    auth_protocol: app === 'saml' ? 'SAML' : loginType && loginType !== 'unknown' ? loginType : undefined,
    is_mfa: isMfa,
    status_code: e.name,
    status_detail: j.detail,
    uid: uq && index !== undefined ? `${uq}#${index}` : uq,
    product: PRODUCT,
    log_name: app,
    facts: {
      reason: j.reason,
      password_valid: j.passwordValid,
      legacy_protocol: e.name === 'suspicious_login_less_secure_app' || isLegacyProtocol(loginType),
      client_app: clientApp,
      mfa_event: j.mfaEvent,
    },
  });
  if (j.severity) ev.severity_id = j.severity;
  if (j.verdict === 'other' || j.verdict === 'warning') {
    ev.status_id = 99;
    ev.status = 'Other';
  }
  if (j.verdict === 'warning') {
    ev.activity_id = 99;
    ev.activity_name = 'Other';
    ev.type_uid = 300299;
  }
  return ev;
}
