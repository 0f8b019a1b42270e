/**
 * @module server/params
 * Query parameters shared by the list endpoints, validated into a 400 with a reason: `limit`, `since`/`until`
 * (epoch milliseconds or an ISO 8601 date), and the opaque `next` cursor of keyset pagination (the sort key of the
 * last item returned, so pages stay stable while new rows arrive).
 */
import { badRequest } from './errors.js';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

export function limitParam(value: string | undefined, def = DEFAULT_LIMIT, max = MAX_LIMIT): number {
  if (value === undefined || value === '') return def;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw badRequest(`limit must be a whole number from 1 to ${max}`);
  return n;
}

/** Epoch ms from `1598227200000` or `2020-08-24` / `2020-08-24T10:00:00Z`. */
export function timeParam(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^\d{1,15}$/.test(value)) return Number(value);
  const t = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(t)) throw badRequest(`${name} must be epoch milliseconds or an ISO 8601 date, not '${value.slice(0, 40)}'`);
  return t;
}

/** A cursor holds the sort key of the last item of the previous page. */
export function encodeCursor(key: (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(value: string | undefined, shape: ('string' | 'number')[]): (string | number)[] | undefined {
  if (value === undefined || value === '') return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (!Array.isArray(key) || key.length !== shape.length || key.some((k, i) => typeof k !== shape[i])) throw badRequest('next is not a cursor this endpoint returned');
  return key;
}

/** The JSON list envelope, built from rows whose JSON text is already at hand (no parse and re-serialise). */
export function listBody(itemsJson: string[], next: string | null): string {
  return `{"items":[${itemsJson.join(',')}],"next":${next === null ? 'null' : JSON.stringify(next)}}`;
}
