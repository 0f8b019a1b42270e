/**
 * @module formats/m365
 * Microsoft 365 unified audit records (Management Activity API, content type Audit.AzureActiveDirectory; the same
 * JSON is the `AuditData` of Search-UnifiedAuditLog). `UserLoggedIn` and `UserLoginFailed` are sign-in attempts;
 * every other operation of any workload is the vendor's but no attempt, and is skipped.
 * The failure is named twice: `ErrorNumber` is the Entra error code, mapped with Entra's own table so both formats
 * agree, and `LogonError` is that code's symbolic name, used when the number is missing.
 */
import { makeAuthEvent } from '../ocsf/authentication.js';
import { cleanIp, domainOf, num, parseTime, str } from './common.js';
import { entraOutcome, isBasicAuthUserAgent, type EntraOutcome } from './entra.js';
import { RecordError, type JsonFormat, type NormalizeContext } from './types.js';

const PRODUCT = { name: 'Microsoft 365', vendor_name: 'Microsoft' };

const SIGN_IN_OPERATIONS = new Set(['UserLoggedIn', 'UserLoginFailed']);

/** `LogonError` names (Microsoft's AADSTS error names) -> Entra error code. */
const LOGON_ERROR_CODES: Record<string, number> = {
  InvalidUserNameOrPassword: 50126,
  InvalidPasswordOrNull: 50056,
  CredentialAuthenticationError: 50064,
  UserAccountNotFound: 50034,
  UserUnauthorized: 50020,
  IdsLocked: 50053,
  InvalidPasswordExpiredPassword: 50055,
  InvalidPasswordExpiredOnPremPassword: 50144,
  SsoArtifactInvalidOrExpired: 50133,
  UserDisabled: 50057,
  UserStrongAuthClientAuthNRequiredInterrupt: 50074,
  UserStrongAuthClientAuthNRequired: 50076,
  UserStrongAuthEnrollmentRequired: 50079,
  UserStrongAuthEnrollmentRequiredInterrupt: 50072,
  ExternalSecurityChallenge: 50158,
  AuthenticationFailedDuringStrongAuthRequest: 500121,
  DeviceAuthenticationRequired: 50097,
  DeviceAuthenticationFailed: 50155,
  DeviceIsNotWorkplaceJoined: 50129,
  DevicePolicyError: 50005,
  EntitlementGrantsNotFound: 50105,
  ConditionalAccessFailed: 50131,
  DeviceNotCompliant: 53000,
  DeviceNotDomainJoined: 53001,
  ApplicationUsedIsNotAnApprovedApp: 53002,
  BlockedByConditionalAccess: 53003,
  KmsiInterrupt: 50140,
  FreshTokenNeeded: 50173,
};

/** Outcome of a failure named only by an unlisted `LogonError`, from the words Microsoft's names use. */
function outcomeFromName(name: string): EntraOutcome {
  if (/locked/i.test(name)) return { success: false, reason: 'locked_out' };
  if (/StrongAuth|Mfa|MultiFactor/i.test(name)) return { success: false, reason: 'mfa_required', password_valid: true };
  if (/Password.*Expired|Expired.*Password/i.test(name)) return { success: false, reason: 'password_expired', password_valid: true };
  if (/Disabled/i.test(name)) return { success: false, reason: 'disabled', password_valid: true };
  if (/ConditionalAccess|Device|Policy/i.test(name)) return { success: false, reason: 'blocked_by_policy' };
  if (/(User|Account)NotFound/i.test(name)) return { success: false, reason: 'unknown_user', password_valid: false };
  return { success: false, reason: 'other' };
}

function failureOutcome(errorNumber: number | undefined, logonError: string | undefined): EntraOutcome {
  if (errorNumber !== undefined && errorNumber !== 0) return entraOutcome(errorNumber);
  if (logonError) {
    const code = LOGON_ERROR_CODES[logonError];
    return code !== undefined ? entraOutcome(code) : outcomeFromName(logonError);
  }
  return { success: false, reason: 'other' };
}

/** `ExtendedProperties` / `DeviceProperties` are lists of {Name, Value}; the value of one name. */
function property(list: unknown, name: string): string | undefined {
  if (!Array.isArray(list)) return undefined;
  for (const p of list) if (p && typeof p === 'object' && p.Name === name) return str(p.Value);
  return undefined;
}

const NOT_AVAILABLE = /^not available$/i;

/**
 * `CreationTime` is always ISO 8601, in UTC without a zone. Anything else (say "07/03/2024 09:14") is refused
 * rather than left to a lenient parser that would read it in the machine's zone and guess the day order.
 */
function creationTime(value: unknown): number {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(value.trim())) {
    throw new RecordError(`invalid time in CreationTime: ${JSON.stringify(value)?.slice(0, 60)}`);
  }
  return parseTime(value, 'CreationTime');
}

/** The login: `UserId`, or the actor entry of type 5 (UPN) when `UserId` is missing or "Not Available". */
function loginOf(rec: Record<string, any>): string | undefined {
  const id = str(rec.UserId);
  if (id && !NOT_AVAILABLE.test(id)) return id;
  if (Array.isArray(rec.Actor)) {
    for (const a of rec.Actor) if (a && a.Type === 5 && str(a.ID)) return str(a.ID);
  }
  return undefined;
}

/** Protocol family from `RequestType` ("OAuth2:Token", "Saml2:...", "WsFederation:..."); undefined for UI steps. */
function protocolOf(requestType: string | undefined): string | undefined {
  const family = requestType?.split(':')[0];
  if (!family) return undefined;
  if (/^OAuth2$/i.test(family)) return 'OAuth 2.0';
  if (/^Saml2?$/i.test(family)) return 'SAML';
  if (/^WsFed(eration)?$/i.test(family)) return 'WS-Federation';
  if (/^WsTrust$/i.test(family)) return 'WS-Trust';
  return undefined;
}

export const m365: JsonFormat = {
  name: 'm365',
  matches(rec) {
    return (
      typeof rec.Operation === 'string' &&
      (rec.Workload !== undefined || rec.RecordType !== undefined || rec.OrganizationId !== undefined) &&
      rec.CreationTime !== undefined
    );
  },
  normalize(rec, ctx) {
    if (!SIGN_IN_OPERATIONS.has(rec.Operation)) return [];
    return [toEvent(rec, ctx)];
  },
};

function toEvent(rec: Record<string, any>, ctx: NormalizeContext) {
  const time = creationTime(rec.CreationTime);
  const login = loginOf(rec);
  if (!login) throw new RecordError('m365 sign-in without a login (UserId missing or "Not Available", no UPN actor)');
  const tenant = str(rec.OrganizationId) ?? ctx.tenant;
  if (!tenant) throw new RecordError('m365 sign-in without OrganizationId; pass --tenant');
  const success = rec.Operation === 'UserLoggedIn';
  const errorNumber = num(rec.ErrorNumber);
  const logonError = str(rec.LogonError);
  const outcome: EntraOutcome = success ? entraOutcome(0) : failureOutcome(errorNumber, logonError);
  const userAgent = property(rec.ExtendedProperties, 'UserAgent');
  const requestType = property(rec.ExtendedProperties, 'RequestType');
  const userKey = str(rec.UserKey);
  return makeAuthEvent({
    time,
    success,
    tenant,
    user: {
      name: login,
      uid: userKey && !NOT_AVAILABLE.test(userKey) ? userKey : undefined,
      email_addr: login.includes('@') ? login : undefined,
      domain: domainOf(login),
    },
    ip: cleanIp(rec.ClientIP) ?? cleanIp(rec.ActorIpAddress),
    user_agent: userAgent,
    service: { uid: str(rec.ApplicationId) },
    auth_protocol: protocolOf(requestType),
    // "SAS:" requests are steps of the Strong Authentication Service, i.e. the MFA challenge itself; a failed MFA
    // is MFA used too (as in the Entra format).
    is_mfa: /^SAS:/i.test(requestType ?? '') || outcome.reason === 'mfa_denied' || undefined,
    status_code: errorNumber !== undefined ? String(errorNumber) : undefined,
    status_detail: success ? undefined : logonError,
    uid: str(rec.Id),
    product: PRODUCT,
    log_name: str(rec.Workload) ?? 'AzureActiveDirectory',
    facts: {
      reason: outcome.reason,
      password_valid: outcome.password_valid,
      legacy_protocol: isBasicAuthUserAgent(userAgent),
    },
  });
}
