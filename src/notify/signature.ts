/**
 * @module notify/signature
 * Webhook signatures. Each request carries
 *
 *   Vigil-Timestamp: <unix seconds when this attempt was sent>
 *   Vigil-Signature: v1=<hex HMAC-SHA256(secret, "<Vigil-Timestamp>.<raw body>")>
 *   Vigil-Delivery:  <id, the same on every attempt of one notification to one URL: use it to drop repeats>
 *
 * A receiver recomputes the HMAC over the timestamp, a full stop and the body bytes exactly as received (before
 * any JSON parsing), compares in constant time, and rejects timestamps more than five minutes from its clock so a
 * captured request cannot be replayed later. `v1=` names the scheme so that it can change without ambiguity.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'Vigil-Timestamp';
export const SIGNATURE_HEADER = 'Vigil-Signature';
export const DELIVERY_HEADER = 'Vigil-Delivery';
export const DEFAULT_TOLERANCE_S = 300;

export function signBody(secret: string, timestamp: number, body: string | Buffer): string {
  return 'v1=' + createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/** The receiver's check, as documented above; `now` in seconds. */
export function verifySignature(o: { secret: string; timestamp: string | undefined; signature: string | undefined; body: string | Buffer; now?: number; toleranceS?: number }): boolean {
  if (!o.timestamp || !/^\d{1,12}$/.test(o.timestamp) || !o.signature) return false;
  const ts = Number(o.timestamp);
  const now = o.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - ts) > (o.toleranceS ?? DEFAULT_TOLERANCE_S)) return false;
  const expected = Buffer.from(signBody(o.secret, ts, o.body));
  const given = Buffer.from(o.signature.trim());
  return given.length === expected.length && timingSafeEqual(given, expected);
}
