/**
 * @module formats/okta
 * Okta System Log events (https://developer.okta.com/docs/reference/api/system-log/), as the API returns them and as
 * SIEM exports pass them on (Panther and some pipelines lower-case the keys: `eventtype`, `debugcontext`, so fields
 * are looked up case-insensitively). Only sign-in attempts become events: sessions, SSO, delegated and federated
 * authentication, factor verifications, the Okta Verify push sequence (sent / denied / approved, for MFA-fatigue
 * detection) and account lock-outs. Every other event type is the vendor's but no attempt, and is skipped.
 *
 * Decisions worth knowing:
 * - Okta events carry no org id, so `--tenant` is used when given. Without it the domain of the actor's login names
 *   the org: it is on every event of a user, so one user's attempts never land in two tenants. Only a login without
 *   a domain ("admin", typical of guessed names) falls back to an Okta-hosted sign-in widget origin
 *   (`debugData.origin` = `acme.okta.com`), which just some events carry; preferring it would split an org between
 *   events with and without an origin.
 * - `system.push.send_factor_verify_push` is neither a success nor a failure of the sign-in: it is emitted with
 *   status "Other" (99) and `mfa_event: push_sent`, so it never inflates failure or success counts.
 * - Okta asks for a second factor only after the primary (password) step in Classic Engine and in Identity Engine's
 *   usual "password + another factor" policies, so a denied push or a failed non-password factor sets
 *   `password_valid` (the attacker behind a push-bombing run holds the password). Passwordless Identity Engine
 *   flows break this assumption; their factor events cannot be told apart in a single record.
 * - Results: SUCCESS/ALLOW succeed (and, as for Entra, count as a valid password); FAILURE/DENY fail; CHALLENGE
 *   (another factor wanted) fails with `mfa_required`, `mfa_event: challenge`; SKIPPED/UNKNOWN decide nothing and are
 *   skipped. An actor id "unknown" means Okta could not resolve the typed login: `unknown_user` whatever the reason.
 * - `policy.evaluate_sign_on` and other policy events are skipped: the sign-in they decide is logged on its own, and
 *   counting both would double every policy denial.
 */
import { isLegacyProtocol, makeAuthEvent, type AuthEvent, type FailureReason, type VigilFacts } from '../ocsf/authentication.js';
import { cleanIp, domainOf, num, parseTime, str } from './common.js';
import { RecordError, type JsonFormat, type NormalizeContext } from './types.js';

const PRODUCT = { name: 'Okta', vendor_name: 'Okta' };

/** What an event type tells about a sign-in attempt. */
type Kind = 'signin' | 'factor' | 'push_sent' | 'push_denied' | 'lock';

/** Event types that are (steps of) sign-in attempts; everything else is skipped. */
const KINDS: Record<string, Kind> = {
  'user.session.start': 'signin',
  'user.authentication.sso': 'signin',
  'user.authentication.authenticate': 'signin', // delegated authentication (AD / LDAP agent)
  'user.authentication.auth': 'signin',
  'user.authentication.verify': 'signin',
  'user.authentication.auth_via_mfa': 'factor',
  'system.push.send_factor_verify_push': 'push_sent',
  'user.mfa.okta_verify.deny_push': 'push_denied',
  'user.mfa.okta_verify.deny_push_upgrade_needed': 'push_denied',
  'user.account.lock': 'lock',
  'user.account.lock.limit': 'lock',
};

/**
 * The kind of an event type. `user.authentication.auth_via_*` (IDP, social, radius, richclient, AD/LDAP agents...)
 * are all sign-ins. The `user.mfa.factor.*` family (activate, deactivate, suspend, reset_all, update) records
 * enrolment changes, not verifications (those are `auth_via_mfa`), so it is skipped like other admin events.
 */
function kindOf(eventType: string): Kind | undefined {
  const k = KINDS[eventType] ?? KINDS[eventType.toLowerCase()];
  if (k) return k;
  return /^user\.authentication\.auth_via_/i.test(eventType) ? 'signin' : undefined;
}

/** Field access that also finds lower-cased (`eventtype`) and otherwise re-cased keys; null counts as absent. */
function get(o: unknown, key: string): any {
  if (!o || typeof o !== 'object' || Array.isArray(o)) return undefined;
  const rec = o as Record<string, unknown>;
  const v = rec[key];
  if (v !== undefined) return v === null ? undefined : v;
  const lower = key.toLowerCase();
  for (const k of Object.keys(rec)) {
    if (k.toLowerCase() === lower) return rec[k] === null ? undefined : rec[k];
  }
  return undefined;
}

function list(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

/** Okta-hosted org domains: an origin on one of these names the org itself. */
const OKTA_HOSTS = /\.(okta|oktapreview|okta-emea|okta-gov)\.com$|\.okta\.mil$/i;

function oktaOrgHost(rec: unknown): string | undefined {
  const origin = str(get(get(get(rec, 'debugContext'), 'debugData'), 'origin'));
  if (!origin) return undefined;
  try {
    const host = new URL(origin).hostname.toLowerCase();
    return OKTA_HOSTS.test(host) ? host : undefined;
  } catch {
    return undefined;
  }
}

/** The factor an event verifies: debugData.factor ("OKTA_VERIFY_PUSH") or the AuthenticatorEnrollment target. */
function factorOf(rec: unknown): string | undefined {
  const factor = str(get(get(get(rec, 'debugContext'), 'debugData'), 'factor'));
  if (factor) return factor;
  const enrolment = list(get(rec, 'target')).find((t) => /^Authenticator(Enrollment)?$/i.test(str(get(t, 'type')) ?? ''));
  return str(get(enrolment, 'displayName'));
}

/** The person the event is about: the actor when it is a user, else the first user target. */
function personOf(rec: unknown): any {
  const actor = get(rec, 'actor');
  const actorType = str(get(actor, 'type'));
  if (actor && (!actorType || /^user$/i.test(actorType))) return actor;
  return list(get(rec, 'target')).find((t) => /^user$/i.test(str(get(t, 'type')) ?? '')) ?? actor;
}

const UNKNOWN = /^unknown$/i;
const OKTA_EVENT_TYPE = /^[a-z][a-z0-9_]*(\.[A-Za-z0-9_]+)+$/;

/**
 * outcome.reason (or debugData.loginResult) -> failure reason, for events that are not lock-outs or push denials.
 * A failed step of an MFA factor event is `mfa_denied` whatever the wording; VERIFICATION_ERROR is Okta's generic
 * "error during verification" and says nothing about the password, so it stays `other` for a known user.
 */
function reasonFor(text: string | undefined, result: string | undefined, secondFactor: boolean): FailureReason {
  const t = text ?? '';
  if (/LOCKED_OUT|locked/i.test(t)) return 'locked_out';
  if (/UNKNOWN_USER|user not found|no such user/i.test(t)) return 'unknown_user';
  if (/reject|deny_push|denied push/i.test(t)) return 'mfa_denied';
  if (/phishing/i.test(t)) return 'blocked_by_policy'; // FastPass refused to answer a phishing (AiTM) origin
  if (secondFactor) return 'mfa_denied';
  if (/INVALID_CREDENTIALS|invalid (password|credentials)|bad password/i.test(t)) return 'bad_password';
  if (/PASSWORD_EXPIRED|password (has )?expired/i.test(t)) return 'password_expired';
  if (/suspended|deactivated|USER_SUSPENDED|DEACTIVATED|disabled/i.test(t)) return 'disabled';
  if (/MFA_REQUIRED|MFA_ENROLL|factor required/i.test(t)) return 'mfa_required';
  if (/polic|not allowed|disallowed|not assigned|network zone|blocked|denied/i.test(t)) return 'blocked_by_policy';
  if (!t && result === 'DENY') return 'blocked_by_policy'; // DENY is a policy decision
  return 'other';
}

export const okta: JsonFormat = {
  name: 'okta',
  matches(rec) {
    // Okta event types are dotted lower-case names ("user.session.start"); CloudTrail's `eventType` is "AwsApiCall".
    const eventType = get(rec, 'eventType');
    if (typeof eventType !== 'string' || !OKTA_EVENT_TYPE.test(eventType)) return false;
    const actor = get(rec, 'actor');
    // `published` may be missing or broken in exports; the actor's alternateId is as telling, and the record is then
    // recognised and quarantined with a clear reason instead of being "unrecognised".
    return (get(rec, 'published') !== undefined && (typeof actor === 'object' || typeof get(rec, 'outcome') === 'object')) ||
      get(actor, 'alternateId') !== undefined;
  },
  normalize(rec, ctx) {
    const eventType = str(get(rec, 'eventType'));
    if (!eventType) throw new RecordError('okta event without eventType');
    const kind = kindOf(eventType);
    if (!kind) return [];
    const ev = toEvent(rec, eventType, kind, ctx);
    return ev ? [ev] : [];
  },
};

function toEvent(rec: Record<string, any>, eventType: string, kind: Kind, ctx: NormalizeContext): AuthEvent | undefined {
  const time = parseTime(get(rec, 'published'), 'published');
  const outcome = get(rec, 'outcome');
  const result = str(get(outcome, 'result'))?.toUpperCase();
  const debugData = get(get(rec, 'debugContext'), 'debugData');
  const reasonText = str(get(outcome, 'reason')) ?? str(get(debugData, 'loginResult'));

  const person = personOf(rec);
  const login = str(get(person, 'alternateId'));
  if (!login) throw new RecordError(`okta ${eventType} without actor.alternateId`);
  const personId = str(get(person, 'id'));
  const unknownUser = !!personId && UNKNOWN.test(personId);

  const authContext = get(rec, 'authenticationContext');
  const credentialType = str(get(authContext, 'credentialType'));
  const provider = str(get(authContext, 'authenticationProvider'));
  const iface = str(get(authContext, 'interface'));

  // Identity Engine names the authenticator being verified (debugData.factor or an AuthenticatorEnrollment target).
  const factor = factorOf(rec);
  const passwordFactor = !!factor && /password/i.test(factor);
  // An auth_via_mfa event without a named factor is a second factor: Okta names it "Authentication of user via MFA",
  // and Identity Engine, which also logs the password authenticator here, names that factor.
  const secondFactor = kind === 'push_denied' || (kind === 'factor' && !passwordFactor);
  const push = kind === 'push_sent' || kind === 'push_denied' || (kind === 'factor' && !!factor && /push/i.test(factor));

  let verdict: 'success' | 'failure' | 'other';
  let reason: FailureReason | undefined;
  let mfaEvent: VigilFacts['mfa_event'];
  let passwordValid = false;
  if (kind === 'push_sent') {
    if (result === 'FAILURE' || result === 'DENY') return undefined; // the push never reached the user
    verdict = 'other';
    mfaEvent = 'push_sent';
    passwordValid = true;
  } else if (kind === 'push_denied') {
    // The rejection is the event itself; its outcome only says whether Okta recorded it.
    verdict = 'failure';
    reason = 'mfa_denied';
    mfaEvent = 'push_denied';
    passwordValid = true;
  } else if (kind === 'lock') {
    verdict = 'failure';
    reason = 'locked_out';
  } else if (result === 'SUCCESS' || result === 'ALLOW') {
    verdict = 'success';
    passwordValid = true;
    if (push) mfaEvent = 'push_approved';
  } else if (result === 'FAILURE' || result === 'DENY') {
    verdict = 'failure';
    reason = unknownUser ? 'unknown_user' : reasonFor(reasonText, result, secondFactor);
    // No reason given while the password authenticator was being verified: the password was wrong.
    if (reason === 'other' && !reasonText && passwordFactor) reason = 'bad_password';
    // Only a refused second factor proves the first step passed; a phishing block or lock-out proves nothing.
    passwordValid = secondFactor && reason === 'mfa_denied';
    if (push && reason === 'mfa_denied' && /reject|den(y|ied)/i.test(reasonText ?? '')) mfaEvent = 'push_denied';
  } else if (result === 'CHALLENGE') {
    // Okta wants (another) factor: the sign-in is held, as Entra's "MFA required" interrupts are.
    verdict = 'failure';
    reason = 'mfa_required';
    mfaEvent = 'challenge';
    passwordValid = /^password$/i.test(credentialType ?? '');
  } else if (result === undefined) {
    throw new RecordError(`okta ${eventType} without outcome.result`);
  } else {
    return undefined; // SKIPPED / UNKNOWN: nothing was decided
  }

  const tenant = ctx.tenant ?? domainOf(login) ?? oktaOrgHost(rec);
  if (!tenant) throw new RecordError(`okta ${eventType} names no org and its login has no domain; pass --tenant`);

  const client = get(rec, 'client');
  const firstHop = list(get(get(rec, 'request'), 'ipChain'))[0];
  const geo = get(client, 'geographicalContext') ?? get(firstHop, 'geographicalContext');
  const point = get(geo, 'geolocation');
  const security = get(rec, 'securityContext');
  const app = list(get(rec, 'target')).find((t) => /^AppInstance$/i.test(str(get(t, 'type')) ?? ''));
  const userAgent = str(get(get(client, 'userAgent'), 'rawUserAgent'));
  const isMfa = kind === 'push_sent' || kind === 'push_denied' ? true : kind === 'factor' ? !passwordFactor : undefined;

  const ev = makeAuthEvent({
    time,
    success: verdict === 'success',
    tenant,
    user: {
      name: login,
      uid: unknownUser ? undefined : personId,
      email_addr: login.includes('@') ? login : undefined,
      domain: domainOf(login),
    },
    ip: cleanIp(get(client, 'ipAddress')) ?? cleanIp(get(firstHop, 'ip')),
    location: {
      country: str(get(geo, 'country')),
      region: str(get(geo, 'state')),
      city: str(get(geo, 'city')),
      lat: num(get(point, 'lat')),
      long: num(get(point, 'lon')),
    },
    autonomous_system: { number: num(get(security, 'asNumber')), name: str(get(security, 'asOrg')) },
    user_agent: userAgent && !UNKNOWN.test(userAgent) ? userAgent : undefined,
    service: { name: str(get(app, 'displayName')), uid: str(get(app, 'id')) },
    auth_protocol: credentialType ?? provider,
    is_mfa: isMfa,
    status_code: result,
    status_detail: str(get(outcome, 'reason')) ?? str(get(rec, 'displayMessage')),
    uid: str(get(rec, 'uuid')),
    product: PRODUCT,
    log_name: eventType,
    facts: {
      reason,
      password_valid: passwordValid,
      // Rich-client sign-ins are Office 365 basic-auth / WS-Trust logins relayed to Okta: no MFA possible.
      legacy_protocol: isLegacyProtocol(iface, credentialType, provider) || /auth_via_richclient$/i.test(eventType),
      client_app: iface,
      mfa_event: mfaEvent,
    },
  });
  if (verdict === 'other') {
    ev.status_id = 99;
    ev.status = 'Other';
  }
  return ev;
}
