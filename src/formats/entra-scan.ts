/**
 * @module formats/entra-scan
 * Reads the few fields detection needs straight out of one Entra Graph `signIn` JSON line, without building the
 * parsed object: `JSON.parse` of a 1.4 KB sign-in makes some sixty values of which detection reads a dozen, and it
 * was the largest single cost of a detection run.
 *
 * How: an export repeats one layout (the same keys in the same order) line after line. When a line has no layout
 * known yet, it is parsed once and its layout, if every key in it is one the scanner knows, becomes a regular
 * expression that matches exactly the compact JSON lines of that layout and captures the fields detection reads.
 * V8 compiles it to machine code that runs over a line several times faster than `JSON.parse` builds its objects.
 *
 * The expression is strict JSON for what it matches: strings without escapes or control characters, numbers in the
 * JSON grammar, literals, nested values to a fixed depth, nothing before or after the object. So a line it matches
 * is one `JSON.parse` reads, with exactly those keys: no other spelling, envelope or wrapper can change its meaning.
 * Anything else (escapes, whitespace, another layout, a damaged line) returns `undefined` and goes the full way
 * (parse, normalise), which is also where bad records are quarantined with their reason.
 */
import { jsonNumber } from './common.js';

/** The fields of a sign-in that decide its detection signal, as JSON values (`undefined`: absent; null kept). */
export interface ScannedSignIn {
  createdDateTime: unknown;
  userPrincipalName: unknown;
  userDisplayName: unknown;
  resourceTenantId: unknown;
  homeTenantId: unknown;
  ipAddress: unknown;
  clientAppUsed: unknown;
  authenticationProtocol: unknown;
  userAgent: unknown;
  autonomousSystemNumber: unknown;
  /** status.errorCode */
  errorCode: unknown;
  /** location.* */
  city: unknown;
  state: unknown;
  countryOrRegion: unknown;
  /** location.geoCoordinates.* */
  latitude: unknown;
  longitude: unknown;
  /** deviceDetail.browser */
  browser: unknown;
}

/** Top-level fields kept, and the objects opened for the fields inside them. */
const KEPT_TOP = new Set<keyof ScannedSignIn>([
  'createdDateTime', 'userPrincipalName', 'userDisplayName', 'resourceTenantId', 'homeTenantId', 'ipAddress', 'clientAppUsed',
  'authenticationProtocol', 'userAgent', 'autonomousSystemNumber',
]);
type Nested = { kept: Record<string, keyof ScannedSignIn>; open?: Record<string, Nested>; known: Set<string> };
const GEO: Nested = { kept: { latitude: 'latitude', longitude: 'longitude' }, known: new Set(['altitude']) };
const NESTED: Record<string, Nested> = {
  status: { kept: { errorCode: 'errorCode' }, known: new Set(['failureReason', 'additionalDetails']) },
  location: { kept: { city: 'city', state: 'state', countryOrRegion: 'countryOrRegion' }, open: { geoCoordinates: GEO }, known: new Set() },
  deviceDetail: { kept: { browser: 'browser' }, known: new Set(['deviceId', 'displayName', 'operatingSystem', 'isCompliant', 'isManaged', 'trustType']) },
};

/**
 * Top-level keys of a Graph signIn (v1.0 and beta) that the Entra format reads only for facts detection does not use
 * (ids, MFA detail, interactivity, risk). Keys of envelopes and other shapes (`category`, `properties`, `resultType`,
 * `TimeGenerated`, PascalCase spellings, wrapper arrays) are deliberately absent: a line with them has no layout here.
 */
const STEPPED_OVER = new Set([
  'id', 'userId', 'appId', 'appDisplayName', 'resourceDisplayName', 'resourceId', 'correlationId', 'conditionalAccessStatus',
  'isInteractive', 'riskDetail', 'riskLevelAggregated', 'riskLevelDuringSignIn', 'riskState', 'riskEventTypes',
  'riskEventTypes_v2', 'appliedConditionalAccessPolicies', 'authenticationRequirement', 'mfaDetail', 'signInEventTypes',
  'authenticationDetails', 'authenticationMethodsUsed', 'authenticationProcessingDetails', 'networkLocationDetails',
  'servicePrincipalId', 'servicePrincipalName', 'tokenIssuerType', 'tokenIssuerName', 'processingTimeInMilliseconds',
  'uniqueTokenIdentifier', 'incomingTokenType', 'flaggedForReview', 'userType', 'crossTenantAccessType', 'homeTenantName',
  'resourceServicePrincipalId', 'originalRequestId', 'isTenantRestricted', 'ipAddressFromResourceProvider',
  'authenticationContextClassReferences', 'sessionLifetimePolicies', 'privateLinkDetails', 'appliedEventListeners',
  'authenticationAppDeviceDetails', 'authenticationAppPolicyEvaluationDetails', 'signInIdentifier', 'signInIdentifierType',
  'clientCredentialType', 'federatedCredentialId', 'managedServiceIdentity', 'servicePrincipalCredentialKeyId',
  'servicePrincipalCredentialThumbprint', 'appOwnerTenantId', 'resourceOwnerTenantId', 'isThroughGlobalSecureAccess',
  'globalSecureAccessIpAddress', 'conditionalAccessAudiences', 'sessionId', 'originalTransferMethod', 'appTokenProtectionStatus',
  'signInTokenProtectionStatus', 'tokenProtectionStatusDetails', 'azureResourceId', 'agent',
]);

// JSON pieces as regular-expression source. Strings without escapes or control characters; numbers as the grammar
// has them (JSON.parse rejects 01, +1, .5, 1.). Values that are objects or arrays may nest as Graph's lists do
// (a list of policies, each with lists of strings): an object or list of scalars, flat lists and objects of those.
// Anything deeper goes the full way. (JavaScript expressions cannot recurse, so each level is written out.)
const STRING_CHARS = '[^"\\\\\\u0000-\\u001f]*';
const STRING = `"${STRING_CHARS}"`;
const NUMBER = '-?(?:0|[1-9]\\d*)(?:\\.\\d+)?(?:[eE][+-]?\\d+)?';
const SCALAR = `(?:${STRING}|${NUMBER}|true|false|null)`;
/**
 * A kept field's value in two groups: a string's characters without its quotes, or any other scalar as written. A
 * string's value is then its capture (no second substring made to drop the quotes: most kept fields are strings).
 */
const KEPT_SCALAR = `(?:"(${STRING_CHARS})"|(${NUMBER}|true|false|null))`;
const FLAT_LIST = `\\[(?:${SCALAR}(?:,${SCALAR})*)?\\]`;
const FLAT_VALUE = `(?:${SCALAR}|${FLAT_LIST})`;
const FLAT_OBJECT = `\\{(?:${STRING}:${FLAT_VALUE}(?:,${STRING}:${FLAT_VALUE})*)?\\}`;
const ITEM = `(?:${FLAT_VALUE}|${FLAT_OBJECT})`;
const NESTED_VALUE = `(?:null|\\{(?:${STRING}:${ITEM}(?:,${STRING}:${ITEM})*)?\\}|\\[(?:${ITEM}(?:,${ITEM})*)?\\])`;

/** The expression for a value stepped over: any scalar, or any nested value when this line has an object or list. */
function steppedOver(v: unknown): string {
  return typeof v === 'object' && v !== null ? NESTED_VALUE : SCALAR;
}

/**
 * One learned layout: the expression, and where each field's value is, by the field's place in `FIELD_ORDER`: the
 * first of its two capture groups (see `KEPT_SCALAR`), 0 when the layout has no such field.
 */
interface Layout {
  re: RegExp;
  groups: Int32Array;
}

/** The fields of `ScannedSignIn` in the order a scanned sign-in is made. */
const FIELD_ORDER: readonly (keyof ScannedSignIn)[] = [
  'createdDateTime', 'userPrincipalName', 'userDisplayName', 'resourceTenantId', 'homeTenantId', 'ipAddress', 'clientAppUsed',
  'authenticationProtocol', 'userAgent', 'autonomousSystemNumber', 'errorCode', 'city', 'state', 'countryOrRegion', 'latitude',
  'longitude', 'browser',
];

/** Layouts kept (most recently matched first); an export has one or two. */
const MAX_LAYOUTS = 8;
/** Lines parsed to learn a layout, at most: input whose layout changes all the time just goes the full way. */
const MAX_LEARNING = 2000;

/** The layouts learned in this process, and how many lines were parsed to learn them. */
export class EntraScanner {
  private readonly layouts: Layout[] = [];
  private learned = 0;

  /** The sign-in's detection fields, or undefined when the line must go the full way. `text` is trimmed. */
  scan(text: string): ScannedSignIn | undefined {
    if (text.charCodeAt(0) !== 123) return undefined; // {
    const layouts = this.layouts;
    for (let i = 0; i < layouts.length; i++) {
      const m = layouts[i].re.exec(text);
      if (!m) continue;
      if (i > 0) layouts.unshift(layouts.splice(i, 1)[0]);
      return fieldsOf(m, layouts[0].groups);
    }
    if (this.learned >= MAX_LEARNING) return undefined;
    this.learned++;
    const layout = layoutOf(text);
    // A known layout that did not match (a kept field holding an object, say) is not learned twice.
    if (!layout || layouts.some((l) => l.re.source === layout.re.source)) return undefined;
    layouts.unshift(layout);
    if (layouts.length > MAX_LAYOUTS) layouts.pop();
    const m = layout.re.exec(text);
    return m ? fieldsOf(m, layout.groups) : undefined;
  }
}

/**
 * The sign-in's fields from a match, made as one object literal: every field stored by name, in one order, so the
 * object always has one shape (a store keyed by each field's name was a megamorphic store per field, 3% of the
 * reading thread in a whole run).
 */
function fieldsOf(m: RegExpExecArray, g: Int32Array): ScannedSignIn {
  return {
    createdDateTime: valueAt(m, g[0]), userPrincipalName: valueAt(m, g[1]), userDisplayName: valueAt(m, g[2]),
    resourceTenantId: valueAt(m, g[3]), homeTenantId: valueAt(m, g[4]), ipAddress: valueAt(m, g[5]), clientAppUsed: valueAt(m, g[6]),
    authenticationProtocol: valueAt(m, g[7]), userAgent: valueAt(m, g[8]), autonomousSystemNumber: valueAt(m, g[9]),
    errorCode: valueAt(m, g[10]), city: valueAt(m, g[11]), state: valueAt(m, g[12]), countryOrRegion: valueAt(m, g[13]),
    latitude: valueAt(m, g[14]), longitude: valueAt(m, g[15]), browser: valueAt(m, g[16]),
  };
}

/** The value of the kept field whose first capture group is `i` (0: not in the layout). */
function valueAt(m: RegExpExecArray, i: number): unknown {
  if (i === 0) return undefined;
  const text = m[i];
  if (text !== undefined) return text; // strings have no escapes: their characters are their value
  const raw = m[i + 1]; // one of the two groups matched; checked all the same
  return raw !== undefined ? scalarValue(raw) : undefined;
}

/** A matched scalar's value other than a string. */
function scalarValue(raw: string): unknown {
  const c = raw.charCodeAt(0);
  if (c === 110) return null;
  if (c === 116) return true;
  if (c === 102) return false;
  return jsonNumber(raw);
}

/** The layout of a line as an expression, or undefined when the line is not plain JSON of known keys. */
function layoutOf(text: string): Layout | undefined {
  let rec: unknown;
  try {
    rec = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(rec)) return undefined;
  const fields: (keyof ScannedSignIn)[] = [];
  const parts: string[] = [];
  for (const k of Object.keys(rec)) {
    const v = rec[k];
    if (KEPT_TOP.has(k as keyof ScannedSignIn)) {
      fields.push(k as keyof ScannedSignIn);
      parts.push(`"${k}":${KEPT_SCALAR}`);
    } else if (NESTED[k]) {
      const inner = nestedSource(NESTED[k], v, fields);
      if (inner === undefined) return undefined;
      parts.push(`"${k}":${inner}`);
    } else if (STEPPED_OVER.has(k)) parts.push(`"${k}":${steppedOver(v)}`);
    else return undefined;
  }
  const groups = new Int32Array(FIELD_ORDER.length);
  for (let f = 0; f < fields.length; f++) groups[FIELD_ORDER.indexOf(fields[f])] = 1 + 2 * f;
  return { re: new RegExp(`^\\{${parts.join(',')}\\}$`), groups };
}

/** An opened object's expression: null, or its keys in this line's order (fields captured, the rest any value). */
function nestedSource(n: Nested, v: unknown, fields: (keyof ScannedSignIn)[]): string | undefined {
  if (v === null) return 'null';
  if (!isObject(v)) return undefined; // a string or array where the format expects an object: let it judge
  const parts: string[] = [];
  for (const k of Object.keys(v)) {
    const field = n.kept[k];
    if (field) {
      fields.push(field);
      parts.push(`"${k}":${KEPT_SCALAR}`);
    } else if (n.open?.[k]) {
      const inner = nestedSource(n.open[k], v[k], fields);
      if (inner === undefined) return undefined;
      parts.push(`"${k}":${inner}`);
    } else if (n.known.has(k)) parts.push(`"${k}":${steppedOver(v[k])}`);
    else return undefined;
  }
  return `\\{${parts.join(',')}\\}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
