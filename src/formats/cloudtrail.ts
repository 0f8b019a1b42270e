/**
 * @module formats/cloudtrail
 * AWS CloudTrail records, one at a time (the reader expands the `{"Records":[...]}` files CloudTrail delivers).
 * Only `ConsoleLogin` from signin.amazonaws.com is a password attempt; every other event (AssumeRole, API calls,
 * the sign-in service's CheckMfa, GetSigninToken...) is the vendor's but no attempt, and is skipped.
 * EventBridge deliveries (`{"detail-type": ..., "detail": {record}}`) are unwrapped. Object fields that CloudTrail
 * Lake and Athena return as JSON text are parsed. Digest files, which sit beside the logs in a bucket, are skipped.
 */
import { makeAuthEvent, type FailureReason } from '../ocsf/authentication.js';
import { cleanIp, domainOf, jsonField, parseTime, str } from './common.js';
import { RecordError, type JsonFormat, type NormalizeContext } from './types.js';

const PRODUCT = { name: 'CloudTrail', vendor_name: 'AWS' };

/** The CloudTrail record itself, out of an EventBridge envelope when there is one. */
function recordOf(rec: Record<string, any>): Record<string, any> {
  const d = rec.detail;
  return d && typeof d === 'object' && typeof d.eventName === 'string' ? d : rec;
}

/** An object field that may arrive as JSON text; {} when absent or unreadable. */
function objectField(value: unknown): Record<string, any> {
  const v = jsonField(value);
  return v && typeof v === 'object' && !Array.isArray(v) ? v : {};
}

/**
 * Failure reason and what it says about the password, from `errorMessage`. AWS documents "Failed authentication"
 * (wrong password) and "No username found in supplied account" (no such IAM user); the rest are matched by words.
 */
function failureOf(message: string | undefined): { reason: FailureReason; password_valid?: boolean } {
  if (!message) return { reason: 'other' };
  if (/failed authentication|incorrect password|invalid password/i.test(message)) return { reason: 'bad_password', password_valid: false };
  if (/no username found|user.*(not found|does not exist)/i.test(message)) return { reason: 'unknown_user', password_valid: false };
  if (/locked/i.test(message)) return { reason: 'locked_out' };
  if (/mfa|multi-?factor/i.test(message)) return { reason: 'mfa_denied', password_valid: true };
  if (/expired/i.test(message)) return { reason: 'password_expired' };
  if (/disabled|deactivated|suspended/i.test(message)) return { reason: 'disabled' };
  return { reason: 'other' };
}

/**
 * Who signed in: "root" for the account's root user, else `userName`, the last part of the ARN (the IAM user, or
 * the session name of an assumed role, usually the federated user's e-mail), or the principal id's session part.
 */
function userNameOf(identity: Record<string, any>): string | undefined {
  if (/^root$/i.test(str(identity.type) ?? '')) return 'root';
  const userName = str(identity.userName);
  if (userName) return userName;
  const arn = str(identity.arn);
  if (arn) {
    const last = arn.includes('/') ? arn.slice(arn.lastIndexOf('/') + 1) : arn.slice(arn.lastIndexOf(':') + 1);
    if (last) return last;
  }
  const principal = str(identity.principalId);
  if (principal) return principal.includes(':') ? principal.slice(principal.indexOf(':') + 1) || principal : principal;
  return undefined;
}

/**
 * `eventTime` is ISO 8601 UTC ("2024-03-07T09:00:01Z"; some pipelines write "2024-03-07 09:00:01"). Anything else
 * is refused rather than left to a lenient parser that would read it in the machine's zone.
 */
function eventTime(value: unknown): number {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(value.trim())) {
    throw new RecordError(`invalid time in eventTime: ${JSON.stringify(value)?.slice(0, 60) ?? 'missing'}`);
  }
  return parseTime(value, 'eventTime');
}

/** A digest file (CloudTrail-Digest/ beside the logs in a bucket): CloudTrail's, but it holds no events. */
function isDigest(rec: Record<string, any>): boolean {
  return rec.digestStartTime !== undefined && rec.awsAccountId !== undefined && Array.isArray(rec.logFiles);
}

export const cloudtrail: JsonFormat = {
  name: 'cloudtrail',
  matches(rec) {
    if (isDigest(rec)) return true;
    const r = recordOf(rec);
    return (
      typeof r.eventName === 'string' &&
      typeof r.eventSource === 'string' &&
      (r.eventTime !== undefined || r.eventVersion !== undefined || r.awsRegion !== undefined || r.userIdentity !== undefined)
    );
  },
  normalize(rec, ctx) {
    const r = recordOf(rec);
    if (r.eventName !== 'ConsoleLogin' || r.eventSource !== 'signin.amazonaws.com') return []; // includes digests
    return [toEvent(r, rec, ctx)];
  },
};

function toEvent(r: Record<string, any>, envelope: Record<string, any>, ctx: NormalizeContext) {
  const time = eventTime(r.eventTime);
  const identity = objectField(r.userIdentity);
  const name = userNameOf(identity);
  if (!name) throw new RecordError('cloudtrail ConsoleLogin without a user (userIdentity.userName, arn or principalId)');
  const tenant = str(r.recipientAccountId) ?? str(identity.accountId) ?? str(envelope.account) ?? ctx.tenant;
  if (!tenant) throw new RecordError('cloudtrail ConsoleLogin without an account id (recipientAccountId); pass --tenant');
  const result = str(objectField(r.responseElements).ConsoleLogin);
  const errorMessage = str(r.errorMessage);
  let success: boolean;
  if (result && /^success$/i.test(result)) success = true;
  else if ((result && /^failure$/i.test(result)) || errorMessage || str(r.errorCode)) success = false;
  else throw new RecordError('cloudtrail ConsoleLogin without a result (responseElements.ConsoleLogin)');
  const failure = success ? undefined : failureOf(errorMessage);
  const mfaUsed = str(objectField(r.additionalEventData).MFAUsed);
  return makeAuthEvent({
    time,
    success,
    tenant,
    user: { name, uid: str(identity.arn) ?? str(identity.principalId), email_addr: name.includes('@') ? name : undefined, domain: domainOf(name) },
    ip: cleanIp(r.sourceIPAddress),
    user_agent: str(r.userAgent),
    service: { name: 'AWS Management Console' },
    is_mfa: mfaUsed ? /^yes$/i.test(mfaUsed) : undefined,
    status_code: str(r.errorCode),
    status_detail: errorMessage,
    uid: str(r.eventID),
    product: PRODUCT,
    log_name: str(r.eventType) ?? 'AwsConsoleSignIn',
    facts: {
      reason: failure?.reason,
      password_valid: success ? true : failure?.password_valid,
    },
  });
}
