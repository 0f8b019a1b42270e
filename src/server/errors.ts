/**
 * @module server/errors
 * Every error the API returns is JSON: `{"error": CODE, "message": TEXT}` with a fitting status. Handlers throw
 * `ApiError`; anything else thrown is an internal error (500), logged once, its details never sent to the client.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string, extra?: Record<string, unknown>) => new ApiError(400, 'bad_request', message, extra);
export const notFound = (message = 'not found') => new ApiError(404, 'not_found', message);
export const forbidden = (message: string) => new ApiError(403, 'forbidden', message);

export function errorBody(code: string, message: string, extra: Record<string, unknown> = {}) {
  return { error: code, message, ...extra };
}

export function sendError(c: Context, e: unknown, log: (line: string) => void) {
  if (e instanceof ApiError) {
    if (e.status === 401) c.header('WWW-Authenticate', 'Bearer realm="vigil"');
    return c.json(errorBody(e.code, e.message, e.extra), e.status);
  }
  const status = (e as { status?: number })?.status;
  // Hono's own HTTP exceptions (malformed requests it rejects itself) keep their 4xx status.
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return c.json(errorBody('bad_request', (e as Error).message || 'bad request'), status as ContentfulStatusCode);
  }
  log(`vigil serve: internal error on ${c.req.method} ${c.req.path}: ${(e as Error)?.stack ?? String(e)}`);
  return c.json(errorBody('internal', 'internal error; see the server log'), 500);
}
