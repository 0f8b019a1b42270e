/**
 * @module formats/entra
 * Microsoft Entra ID sign-ins in the three shapes people export them in:
 * - Graph `signIn` objects (camelCase: `createdDateTime`, `userPrincipalName`, `status.errorCode`);
 * - Azure Monitor diagnostic records (`category: SignInLogs`, `resultType`, the sign-in under `properties`);
 * - Log Analytics `SigninLogs` rows (PascalCase: `TimeGenerated`, `ResultType`, `LocationDetails`, JSON or CSV,
 *   where nested objects may arrive as JSON text).
 * Error codes map to Vigil's failure reasons; the codes Microsoft's own spray rule counts as "password valid"
 * set `unmapped.password_valid`.
 */
import { isLegacyProtocol, makeAuthEvent, type FailureReason } from '../ocsf/authentication.js';
import { cleanIp, domainOf, jsonField, num, parseTime, str } from './common.js';
import { RecordError, type JsonFormat, type NormalizeContext } from './types.js';

const PRODUCT = { name: 'Entra ID', vendor_name: 'Microsoft' };

/** Entra error code -> failure reason. Unlisted non-zero codes are `other`. */
const REASONS: Record<number, FailureReason> = {
  50126: 'bad_password', 50056: 'bad_password', 50064: 'bad_password', 50196: 'bad_password',
  50034: 'unknown_user', 50020: 'unknown_user', 50059: 'unknown_user', 50128: 'unknown_user', 90072: 'unknown_user',
  16003: 'unknown_user', 50053: 'locked_out', 50055: 'password_expired', 50144: 'password_expired',
  50133: 'password_expired', 50057: 'disabled', 50074: 'mfa_required', 50076: 'mfa_required', 50079: 'mfa_required',
  50072: 'mfa_required', 50158: 'mfa_required', 53004: 'mfa_required', 500121: 'mfa_denied', 50097: 'blocked_by_policy',
  50129: 'blocked_by_policy', 50105: 'blocked_by_policy', 50005: 'blocked_by_policy', 50131: 'blocked_by_policy',
  53000: 'blocked_by_policy', 53001: 'blocked_by_policy', 53002: 'blocked_by_policy', 53003: 'blocked_by_policy',
  530032: 'blocked_by_policy', 530034: 'blocked_by_policy',
};

/**
 * Codes after which the password is known to have been right (Microsoft Sentinel's SigninPasswordSpray list,
 * plus 500121: MFA was denied, which Entra only asks for after a correct password).
 */
export const ENTRA_PASSWORD_VALID = new Set([
  50055, 50057, 50155, 50105, 50133, 50005, 50076, 50079, 50173, 50158, 50072, 50074, 53003, 53000, 53001, 50129,
  500121,
]);

/** Field access tolerant of camelCase (Graph), PascalCase (Log Analytics) and lower-case (some pipelines). */
function get(o: any, camel: string): any {
  if (!o || typeof o !== 'object') return undefined;
  const v = o[camel];
  if (v !== undefined && v !== null) return v;
  const pascal = camel[0].toUpperCase() + camel.slice(1);
  const p = o[pascal];
  if (p !== undefined && p !== null) return p;
  const l = o[camel.toLowerCase()];
  return l === null ? undefined : l;
}

const SIGNIN_CATEGORIES = /^(SignInLogs|NonInteractiveUserSignInLogs|AADNonInteractiveUserSignInLogs|SigninLogs)$/i;
const NON_USER_CATEGORIES = /^(ServicePrincipalSignInLogs|ManagedIdentitySignInLogs|AADServicePrincipalSignInLogs|AADManagedIdentitySignInLogs)$/i;

export const entra: JsonFormat = {
  name: 'entra',
  matches(rec) {
    const cat = get(rec, 'category') ?? get(rec, 'type');
    if (typeof cat === 'string' && (SIGNIN_CATEGORIES.test(cat) || NON_USER_CATEGORIES.test(cat))) return true;
    if (get(rec, 'operationName') === 'Sign-in activity') return true;
    if (get(rec, 'resourceId') && String(get(rec, 'resourceId')).includes('Microsoft.aadiam') && get(rec, 'properties')) return true;
    // Graph signIn object or Log Analytics row.
    return get(rec, 'userPrincipalName') !== undefined && (get(rec, 'createdDateTime') !== undefined || get(rec, 'timeGenerated') !== undefined || get(rec, 'resultType') !== undefined || get(rec, 'status') !== undefined);
  },
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

function toEvent(rec: any, s: any, ctx: NormalizeContext) {
  const upn = str(get(s, 'userPrincipalName')) ?? str(get(s, 'userDisplayName'));
  if (!upn) throw new RecordError('entra sign-in without userPrincipalName');
  const time = parseTime(get(s, 'createdDateTime') ?? get(rec, 'timeGenerated') ?? get(rec, 'time') ?? get(rec, 'TimeGenerated [UTC]'), 'createdDateTime');
  const code = errorCodeOf(rec, s);
  const success = code === 0;
  const status = jsonField(get(s, 'status')) ?? {};
  const loc = jsonField(get(s, 'location')) ?? jsonField(get(s, 'locationDetails')) ?? {};
  const geo = get(loc, 'geoCoordinates') ?? {};
  const device = jsonField(get(s, 'deviceDetail')) ?? {};
  const clientApp = str(get(s, 'clientAppUsed'));
  const protocol = str(get(s, 'authenticationProtocol'));
  const appName = str(get(s, 'appDisplayName'));
  const requirement = str(get(s, 'authenticationRequirement'));
  const mfaDetail = jsonField(get(s, 'mfaDetail')) ?? {};
  const tenant =
    str(get(s, 'resourceTenantId')) ?? str(get(s, 'homeTenantId')) ?? str(get(rec, 'aADTenantId')) ?? str(rec.AADTenantId) ??
    str(get(rec, 'tenantId')) ?? ctx.tenant;
  if (!tenant) throw new RecordError('entra sign-in without tenant id (resourceTenantId/homeTenantId/AADTenantId); pass --tenant');
  const country = str(get(loc, 'countryOrRegion')) ?? (typeof get(rec, 'location') === 'string' ? str(get(rec, 'location')) : undefined);
  const city = str(get(loc, 'city'));
  const asn = num(get(s, 'autonomousSystemNumber'));
  const interactive = get(s, 'isInteractive');
  const cat = String(get(rec, 'category') ?? get(rec, 'type') ?? '');
  const mfaUsed = requirement === 'multiFactorAuthentication' || !!get(mfaDetail, 'authMethod');
  let reason: FailureReason | undefined;
  if (!success) reason = REASONS[code] ?? 'other';
  const uaParts = [str(get(s, 'userAgent')), str(get(device, 'browser'))];
  return makeAuthEvent({
    time,
    success,
    tenant,
    user: { name: upn, uid: str(get(s, 'userId')), email_addr: upn.includes('@') ? upn : undefined, domain: domainOf(upn) },
    ip: cleanIp(get(s, 'ipAddress')) ?? cleanIp(get(rec, 'callerIpAddress')) ?? cleanIp(get(rec, 'iPAddress')),
    location: {
      country: country && country !== 'Unknown' ? country : undefined,
      region: str(get(loc, 'state')),
      city: city && city !== 'Unknown' ? city : undefined,
      lat: num(get(geo, 'latitude')),
      long: num(get(geo, 'longitude')),
    },
    autonomous_system: asn ? { number: asn } : undefined,
    user_agent: uaParts[0] ?? uaParts[1],
    service: { name: appName, uid: str(get(s, 'appId')) },
    auth_protocol: protocol ?? clientApp,
    is_mfa: mfaUsed,
    status_code: String(code < 0 ? get(rec, 'resultType') : code),
    status_detail: str(get(status, 'failureReason')) ?? str(get(rec, 'resultDescription')),
    uid: str(get(s, 'id')) ?? str(get(rec, 'correlationId')),
    product: PRODUCT,
    log_name: cat || undefined,
    facts: {
      reason,
      password_valid: success || ENTRA_PASSWORD_VALID.has(code),
      legacy_protocol: isLegacyProtocol(clientApp, protocol) || /^ropc$/i.test(protocol ?? ''),
      client_app: clientApp,
      non_interactive: interactive === false || interactive === 'false' || /NonInteractive/i.test(cat) || undefined,
    },
  });
}
