/**
 * @module formats/entra
 * Microsoft Entra ID sign-ins in the three shapes people export them in:
 * - Graph `signIn` objects (camelCase: `createdDateTime`, `userPrincipalName`, `status.errorCode`);
 * - Azure Monitor diagnostic records (`category: SignInLogs`, `resultType`, the sign-in under `properties`);
 * - Log Analytics `SigninLogs` rows (PascalCase: `TimeGenerated`, `ResultType`, `LocationDetails`, JSON or CSV,
 *   where nested objects may arrive as JSON text and the portal writes times as "5/25/2023, 4:32:49.469 AM").
 * Error codes map to Vigil's failure reasons; the codes Microsoft's own spray rule counts as "password valid"
 * set `unmapped.password_valid`. The code table is exported for Microsoft 365 audit records, which carry the
 * same codes.
 */
import { isLegacyProtocol, makeAuthEvent, STATUS_FAILURE, STATUS_SUCCESS, type FailureReason } from '../ocsf/authentication.js';
import type { FlatSignIn } from '../ocsf/flat-sign-in.js';
import { cleanIp, detachedText, domainOf, jsonField, num, parseTime, str } from './common.js';
import { EntraScanner } from './entra-scan.js';
import { RecordError, type JsonFormat, type NormalizeContext } from './types.js';

const PRODUCT = { name: 'Entra ID', vendor_name: 'Microsoft' };

/** Entra error code -> failure reason (names from Microsoft's AADSTS error reference). Unlisted non-zero codes are `other`. */
const REASONS: Record<number, FailureReason> = {
  50126: 'bad_password', // InvalidUserNameOrPassword
  50056: 'bad_password', // InvalidPasswordOrNull: no password stored for the user
  50064: 'bad_password', // CredentialAuthenticationError
  50034: 'unknown_user', // UserAccountNotFound
  50020: 'unknown_user', // UserUnauthorized: the account does not exist in the tenant
  50059: 'unknown_user', // MissingTenantRealmAndNoUserInformationProvided
  50128: 'unknown_user', // InvalidDomainName
  90072: 'unknown_user', // PassThroughUserMfaError: external account not in the tenant
  16003: 'unknown_user', // SsoUserAccountNotFoundInResourceTenant
  50053: 'locked_out', // IdsLocked (smart lockout, or sign-in from a known-malicious address)
  50055: 'password_expired', // InvalidPasswordExpiredPassword
  50144: 'password_expired', // InvalidPasswordExpiredOnPremPassword
  50133: 'password_expired', // SsoArtifactInvalidOrExpired: session ended by a password change
  50057: 'disabled', // UserDisabled
  50074: 'mfa_required', // UserStrongAuthClientAuthNRequiredInterrupt
  50076: 'mfa_required', // UserStrongAuthClientAuthNRequired
  50079: 'mfa_required', // UserStrongAuthEnrollmentRequired
  50072: 'mfa_required', // UserStrongAuthEnrollmentRequiredInterrupt
  50158: 'mfa_required', // ExternalSecurityChallenge
  53004: 'mfa_required', // ProofUpBlockedDueToRisk
  500121: 'mfa_denied', // AuthenticationFailedDuringStrongAuthRequest
  50097: 'blocked_by_policy', // DeviceAuthenticationRequired
  50155: 'blocked_by_policy', // DeviceAuthenticationFailed
  50129: 'blocked_by_policy', // DeviceIsNotWorkplaceJoined
  50105: 'blocked_by_policy', // EntitlementGrantsNotFound: user not assigned to the app
  50005: 'blocked_by_policy', // DevicePolicyError
  50131: 'blocked_by_policy', // ConditionalAccessFailed
  53000: 'blocked_by_policy', // DeviceNotCompliant
  53001: 'blocked_by_policy', // DeviceNotDomainJoined
  53002: 'blocked_by_policy', // ApplicationUsedIsNotAnApprovedApp
  53003: 'blocked_by_policy', // BlockedByConditionalAccess
  530032: 'blocked_by_policy', // BlockedByConditionalAccessOnSecurityPolicy
  530034: 'blocked_by_policy', // DelegationDeniedByPolicy
};

/**
 * Codes after which the password is known to have been right: Microsoft Sentinel's SigninPasswordSpray list
 * (0, 50055, 50057, 50155, 50105, 50133, 50005, 50076, 50079, 50173, 50158, 50072, 50074, 53003, 53000, 53001,
 * 50129), plus 500121 (MFA failed, which Entra only asks for after a correct password) and 50140 (the
 * "Keep me signed in?" prompt, shown after a correct password and logged as a failure).
 */
export const ENTRA_PASSWORD_VALID = new Set([
  50055, 50057, 50155, 50105, 50133, 50005, 50076, 50079, 50173, 50158, 50072, 50074, 53003, 53000, 53001, 50129,
  500121, 50140,
]);

/** Reasons after which the credential is known to have been wrong (as opposed to unknown, e.g. locked out). */
const PASSWORD_WRONG: ReadonlySet<FailureReason> = new Set<FailureReason>(['bad_password', 'unknown_user']);

/** What an Entra result code says about an attempt. */
export interface EntraOutcome {
  success: boolean;
  /** Failure reason; undefined on success. */
  reason?: FailureReason;
  /** true: the password was right; false: it was wrong or the user does not exist; undefined: not known. */
  password_valid?: boolean;
}

/** The outcome of an Entra error code (0 is success), shared and frozen. Shared with the Microsoft 365 audit format. */
export function entraOutcome(code: number): Readonly<EntraOutcome> {
  let known = OUTCOMES.get(code);
  if (known === undefined) {
    if (OUTCOMES.size >= MAX_OUTCOMES) OUTCOMES.clear(); // codes are input: keep the memo bounded
    OUTCOMES.set(code, (known = Object.freeze(outcomeOf(code))));
  }
  return known;
}

/** Outcomes made so far, by code: a log has a few dozen codes, and every sign-in asked for one. */
const OUTCOMES = new Map<number, Readonly<EntraOutcome>>();
const MAX_OUTCOMES = 1000;

function outcomeOf(code: number): EntraOutcome {
  if (code === 0) return { success: true, password_valid: true };
  const reason = REASONS[code] ?? 'other';
  const password_valid = ENTRA_PASSWORD_VALID.has(code) ? true : PASSWORD_WRONG.has(reason) ? false : undefined;
  return { success: false, reason, password_valid };
}

/**
 * `clientAppUsed` values Entra reports for protocols without modern authentication (Microsoft's "legacy
 * authentication clients" list). Matched exactly, since names such as "IMAP4" defeat word-boundary patterns.
 */
const LEGACY_CLIENT_APPS = new Set(
  [
    'Authenticated SMTP', 'AutoDiscover', 'Exchange ActiveSync', 'Exchange Online PowerShell', 'Exchange Web Services',
    'IMAP4', 'IMAP', 'MAPI Over HTTP', 'Offline Address Book', 'Other clients', 'Outlook Anywhere (RPC over HTTP)',
    'Outlook Service', 'POP3', 'POP', 'Reporting Web Services', 'Universal Outlook',
  ].map((s) => s.toLowerCase()),
);

/**
 * "BAV2ROPC" (Basic Auth Version 2, resource owner password credentials) is the user agent Exchange Online sends
 * when it turns a basic-auth protocol login into an ROPC token request: the mark of legacy-protocol spraying.
 */
export function isBasicAuthUserAgent(ua: string | undefined): boolean {
  return !!ua && /\bBAV2ROPC\b/i.test(ua);
}

/** Field access tolerant of camelCase (Graph), PascalCase (Log Analytics) and lower-case (some pipelines). */
function get(o: any, camel: string): any {
  if (!o || typeof o !== 'object') return undefined;
  const v = o[camel];
  if (v !== undefined && v !== null) return v;
  let spellings = SPELLINGS.get(camel);
  if (!spellings) {
    spellings = [camel[0].toUpperCase() + camel.slice(1), camel.toLowerCase()];
    SPELLINGS.set(camel, spellings); // built once per field name: this runs several times per record
  }
  const p = o[spellings[0]];
  if (p !== undefined && p !== null) return p;
  const l = o[spellings[1]];
  return l === null ? undefined : l;
}
const SPELLINGS = new Map<string, [string, string]>();

const SIGNIN_CATEGORIES = /^(SignInLogs|NonInteractiveUserSignInLogs|AADNonInteractiveUserSignInLogs|SigninLogs)$/i;
const NON_USER_CATEGORIES = /^(ServicePrincipalSignInLogs|ManagedIdentitySignInLogs|AADServicePrincipalSignInLogs|AADManagedIdentitySignInLogs)$/i;
/** Other Entra diagnostic categories: the vendor's records, but no sign-in attempts. */
const OTHER_ENTRA_CATEGORIES = /^(AuditLogs|ProvisioningLogs|RiskyUsers|UserRiskEvents|RiskyServicePrincipals|ServicePrincipalRiskEvents|MicrosoftGraphActivityLogs|EnrichedOffice365AuditLogs|NetworkAccessTrafficLogs)$/i;

export const entra: JsonFormat = {
  name: 'entra',
  matches(rec) {
    const cat = get(rec, 'category') ?? get(rec, 'type');
    if (typeof cat === 'string' && (SIGNIN_CATEGORIES.test(cat) || NON_USER_CATEGORIES.test(cat))) return true;
    if (get(rec, 'operationName') === 'Sign-in activity') return true;
    // A diagnostic-settings envelope of another Entra category (audit, provisioning...): recognised, then skipped.
    if (typeof cat === 'string' && OTHER_ENTRA_CATEGORIES.test(cat) && get(rec, 'operationName') !== undefined && get(rec, 'properties') !== undefined) return true;
    if (get(rec, 'resourceId') && String(get(rec, 'resourceId')).toLowerCase().includes('microsoft.aadiam') && get(rec, 'properties')) return true;
    // Graph signIn object or Log Analytics row.
    return get(rec, 'userPrincipalName') !== undefined && (get(rec, 'createdDateTime') !== undefined || get(rec, 'timeGenerated') !== undefined || get(rec, 'resultType') !== undefined || get(rec, 'status') !== undefined);
  },
  detectionSignIn: detectionSignInOf,
  normalize(rec, ctx) {
    const cat = String(get(rec, 'category') ?? get(rec, 'type') ?? '');
    if (NON_USER_CATEGORIES.test(cat)) return []; // workload identities are not people's accounts
    const op = get(rec, 'operationName');
    if (op !== undefined && op !== 'Sign-in activity') return []; // audit records share the envelope
    if (cat && !SIGNIN_CATEGORIES.test(cat) && !get(rec, 'userPrincipalName') && !get(get(rec, 'properties'), 'userPrincipalName')) return [];
    const props = jsonField(get(rec, 'properties')) ?? {};
    // In diagnostic records the sign-in is in `properties`; elsewhere the record itself is the sign-in.
    const s: any = props && typeof props === 'object' && get(props, 'userPrincipalName') !== undefined ? props : rec;
    return [toEvent(rec, s, ctx)];
  },
};

function errorCodeOf(rec: any, s: any): number {
  const status = jsonField(get(s, 'status')) ?? jsonField(get(rec, 'status'));
  const fromStatus = num(get(status, 'errorCode'));
  if (fromStatus !== undefined) return fromStatus;
  const rt = get(rec, 'resultType') ?? get(s, 'resultType');
  const n = num(rt);
  if (n !== undefined) return n;
  if (typeof rt === 'string') {
    if (/^success$/i.test(rt)) return 0;
    if (/^fail/i.test(rt)) return -1; // failure with no code: reason `other`
  }
  const sig = get(rec, 'resultSignature');
  if (typeof sig === 'string' && /^success$/i.test(sig)) return 0;
  if (get(s, 'result') === 'success') return 0;
  throw new RecordError('entra sign-in without a result (no status.errorCode or resultType)');
}

/** The Azure portal's CSV export time, US style and in UTC: "5/25/2023, 4:32:49.469 AM". */
const PORTAL_TIME = /^(\d{1,2})\/(\d{1,2})\/(\d{4}),?\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*([AP]M)$/i;

/** Epoch ms of an Entra time; the portal's US-style stamps are read as UTC, never in the machine's zone. */
function parseEntraTime(value: unknown, field: string): number {
  // ISO times (Graph's) have no slash: the portal's expression is not tried on them.
  const m = typeof value === 'string' && value.includes('/') ? PORTAL_TIME.exec(value.trim()) : null;
  if (!m) return parseTime(value, field);
  const invalid = () => new RecordError(`invalid time in ${field}: ${JSON.stringify(value)}`);
  const hour12 = +m[4];
  if (hour12 < 1 || hour12 > 12) throw invalid();
  const hour = (hour12 % 12) + (/^pm$/i.test(m[8]) ? 12 : 0);
  const pad = (v: string | number) => String(v).padStart(2, '0');
  const iso = `${m[3]}-${pad(m[1])}-${pad(m[2])}T${pad(hour)}:${m[5]}:${m[6] ?? '00'}${m[7] ? '.' + m[7] : ''}Z`;
  try {
    return parseTime(iso, field);
  } catch {
    throw invalid(); // name the value as written, not its ISO rewrite
  }
}

/** The key under which `get` finds a field, so messages name the field as the record spells it. */
function keyOf(o: any, camel: string): string | undefined {
  if (!o || typeof o !== 'object') return undefined;
  const pascal = camel[0].toUpperCase() + camel.slice(1);
  return [camel, pascal, camel.toLowerCase()].find((k) => o[k] !== undefined && o[k] !== null);
}

/** The sign-in's time: Graph's createdDateTime, else Log Analytics' TimeGenerated, else the envelope's time. */
function timeOf(rec: any, s: any): number {
  for (const field of ['createdDateTime', 'timeGenerated', 'time']) {
    for (const o of [s, rec]) {
      const key = keyOf(o, field);
      if (key) return parseEntraTime(o[key], key);
    }
  }
  throw new RecordError('entra sign-in without a time (createdDateTime, TimeGenerated or time)');
}

/** Log Analytics rows carry `TimeGenerated` / `Type`; their `TenantId` column is the workspace id, not Entra's. */
function isLogAnalyticsRow(rec: any): boolean {
  return rec.TimeGenerated !== undefined || rec.Type !== undefined;
}

/** The organisation attacked: resource tenant, then home tenant, then the record's Entra tenant, then `--tenant`. */
function tenantOf(rec: any, s: any, ctx: NormalizeContext): string | undefined {
  return (
    str(get(s, 'resourceTenantId')) ??
    str(get(s, 'homeTenantId')) ??
    str(get(rec, 'aADTenantId')) ??
    str(rec.tenantId) ??
    str(rec.tenantid) ??
    (isLogAnalyticsRow(rec) ? undefined : str(rec.TenantId)) ??
    ctx.tenant
  );
}

/** Entra writes "Unknown" for places it could not resolve. */
function known(place: string | undefined): string | undefined {
  return place && !/^unknown$/i.test(place) ? place : undefined;
}

function isFalse(v: unknown): boolean {
  return v === false || (typeof v === 'string' && /^false$/i.test(v.trim()));
}

function toEvent(rec: any, s: any, ctx: NormalizeContext) {
  const upn = str(get(s, 'userPrincipalName')) ?? str(get(s, 'userDisplayName'));
  if (!upn) throw new RecordError('entra sign-in without userPrincipalName');
  const time = timeOf(rec, s);
  const code = errorCodeOf(rec, s);
  const outcome = entraOutcome(code);
  const status = jsonField(get(s, 'status')) ?? {};
  const loc = jsonField(get(s, 'location')) ?? jsonField(get(s, 'locationDetails')) ?? {};
  const geo = get(loc, 'geoCoordinates') ?? {};
  const device = jsonField(get(s, 'deviceDetail')) ?? {};
  const clientApp = str(get(s, 'clientAppUsed'));
  const protocol = protocolOf(get(s, 'authenticationProtocol'));
  const appName = str(get(s, 'appDisplayName'));
  const requirement = str(get(s, 'authenticationRequirement'));
  const mfaDetail = jsonField(get(s, 'mfaDetail')) ?? {};
  const tenant = tenantOf(rec, s, ctx);
  if (!tenant) throw new RecordError('entra sign-in without tenant id (resourceTenantId/homeTenantId/AADTenantId); pass --tenant');
  const country = str(get(loc, 'countryOrRegion')) ?? (typeof get(rec, 'location') === 'string' ? str(get(rec, 'location')) : undefined);
  const city = str(get(loc, 'city'));
  const asn = num(get(s, 'autonomousSystemNumber'));
  const cat = String(get(rec, 'category') ?? get(rec, 'type') ?? '');
  const eventTypes = jsonField(get(s, 'signInEventTypes'));
  const nonInteractive =
    isFalse(get(s, 'isInteractive')) || /NonInteractive/i.test(cat) || (Array.isArray(eventTypes) && eventTypes.includes('nonInteractiveUser'));
  // MFA was used when a method was tried (a failed MFA included), or when a sign-in that required it succeeded;
  // a failure that merely asked for it (50074, 50076) used none. Unknown when nothing says (Graph v1.0).
  const mfaTried = !!get(mfaDetail, 'authMethod') || outcome.reason === 'mfa_denied';
  const mfaUsed =
    requirement === undefined && get(s, 'mfaDetail') === undefined && !mfaTried
      ? undefined
      : mfaTried || (outcome.success && requirement === 'multiFactorAuthentication');
  const userAgent = str(get(s, 'userAgent')) ?? str(get(device, 'browser'));
  const detail = outcome.success ? str(get(status, 'additionalDetails')) : str(get(status, 'failureReason')) ?? str(get(rec, 'resultDescription'));
  return makeAuthEvent({
    time,
    success: outcome.success,
    tenant,
    user: { name: upn, uid: str(get(s, 'userId')), email_addr: upn.includes('@') ? upn : undefined, domain: domainOf(upn) },
    ip: cleanIp(get(s, 'ipAddress')) ?? cleanIp(get(rec, 'callerIpAddress')) ?? cleanIp(get(rec, 'iPAddress')),
    location: {
      country: known(country),
      region: known(str(get(loc, 'state'))),
      city: known(city),
      lat: num(get(geo, 'latitude')),
      long: num(get(geo, 'longitude')),
    },
    autonomous_system: asn ? { number: asn } : undefined,
    user_agent: userAgent,
    service: { name: appName, uid: str(get(s, 'appId')) },
    auth_protocol: protocol,
    is_mfa: mfaUsed,
    status_code: String(code < 0 ? get(rec, 'resultType') : code),
    status_detail: detail,
    uid: str(get(s, 'id')) ?? str(get(rec, 'correlationId')),
    product: PRODUCT,
    log_name: cat || undefined,
    facts: {
      reason: outcome.reason,
      password_valid: outcome.password_valid,
      legacy_protocol: isLegacySignIn(clientApp, protocol, userAgent),
      client_app: clientApp,
      non_interactive: nonInteractive || undefined,
    },
  });
}

/** The authentication protocol, if any: Entra writes "none" for sign-ins without one. */
function protocolOf(raw: unknown): string | undefined {
  const p = str(raw);
  return p && !(p.length === 4 && p.toLowerCase() === 'none') ? p : undefined;
}

/**
 * `isLegacySignIn`, remembered for recent (client app, protocol, user agent) triples in slots chosen by their lengths
 * and a character: a log repeats a few tools line after line, and each verdict runs four expressions over them
 * (mostly a search of the user agent). The strings are compared by content, so a verdict is only ever reused for
 * the same three values; they are kept as copies (a value cut from a line would keep the line's whole chunk).
 */
function legacySignIn(clientApp: string | undefined, protocol: string | undefined, userAgent: string | undefined): boolean {
  const a = clientApp ?? '';
  const p = protocol ?? '';
  const u = userAgent ?? ''; // str() never gives '': '' stands for absent without mixing the two
  const slot = (a.length * 31 + p.length * 7 + u.length + (u.length === 0 ? 0 : u.charCodeAt(u.length >> 1))) & (LEGACY_SLOTS - 1);
  const k = slot * 3;
  const keys = legacyKeys;
  if (keys[k] === a && keys[k + 1] === p && keys[k + 2] === u) return legacyVerdicts[slot] === 1;
  const verdict = isLegacySignIn(clientApp, protocol, userAgent);
  keys[k] = detachedText(a);
  keys[k + 1] = detachedText(p);
  keys[k + 2] = detachedText(u);
  legacyVerdicts[slot] = verdict ? 1 : 0;
  return verdict;
}
const LEGACY_SLOTS = 64;
/** Three strings per slot; a slot never filled matches nothing (no string is null). */
const legacyKeys: (string | null)[] = new Array<string | null>(LEGACY_SLOTS * 3).fill(null);
const legacyVerdicts = new Uint8Array(LEGACY_SLOTS);

/** A sign-in through a protocol that cannot do modern MFA: legacy client app, basic-auth protocol, or BAV2ROPC. */
function isLegacySignIn(clientApp: string | undefined, protocol: string | undefined, userAgent: string | undefined): boolean {
  return (
    (!!clientApp && LEGACY_CLIENT_APPS.has(clientApp.toLowerCase())) ||
    isLegacyProtocol(clientApp, protocol) ||
    /^ropc$/i.test(protocol ?? '') ||
    isBasicAuthUserAgent(userAgent)
  );
}

const scanner = new EntraScanner();

/**
 * The flat sign-in of a plain Graph sign-in line (time, outcome, tenant, account, address, place, tool), made from the
 * scanned fields without parsing the line: the values `normalize` gives those fields, checked line by line against it
 * in the tests. undefined when the line needs the full way: it is not a plain Graph sign-in, or it has something
 * `normalize` would reject or treat specially.
 */
function detectionSignInOf(text: string, ctx: NormalizeContext): FlatSignIn | undefined {
  const f = scanner.scan(text);
  // A record without userPrincipalName is not recognised as Entra when formats are detected: leave it to them.
  if (!f || f.userPrincipalName === undefined || f.userPrincipalName === null) return undefined;
  const upn = str(f.userPrincipalName) ?? str(f.userDisplayName);
  const code = num(f.errorCode);
  const tenant = str(f.resourceTenantId) ?? str(f.homeTenantId) ?? ctx.tenant;
  if (!upn || code === undefined || !tenant || f.createdDateTime === undefined || f.createdDateTime === null) return undefined;
  let time: number;
  try {
    time = parseEntraTime(f.createdDateTime, 'createdDateTime');
  } catch {
    return undefined; // quarantined by the full way, with its message
  }
  const outcome = entraOutcome(code);
  const clientApp = str(f.clientAppUsed);
  const protocol = protocolOf(f.authenticationProtocol);
  const userAgent = str(f.userAgent) ?? str(f.browser);
  const asn = num(f.autonomousSystemNumber);
  // One object literal, every field set: one shape for all sign-ins.
  return {
    flat: true,
    time,
    status_id: outcome.success ? STATUS_SUCCESS : STATUS_FAILURE,
    tenant,
    user: upn,
    ip: cleanIp(f.ipAddress) ?? '',
    country: known(str(f.countryOrRegion)),
    region: known(str(f.state)),
    city: known(str(f.city)),
    lat: num(f.latitude),
    long: num(f.longitude),
    asn: asn ? asn : undefined, // 0 is no AS, as in `normalize`
    as_name: undefined,
    type: undefined,
    reason: outcome.reason,
    password_valid: outcome.password_valid,
    legacy_protocol: legacySignIn(clientApp, protocol, userAgent),
    client_app: clientApp,
    user_agent: userAgent,
    auth_protocol: protocol,
    format: 'entra',
    file: ctx.file,
    line: ctx.line,
  };
}
