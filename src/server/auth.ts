/**
 * @module server/auth
 * Bearer-token authentication and tenant scoping. Every API route runs behind `requireToken`; handlers then ask
 * `tenantScope` which organisation a request may see: the operator any (or all), an organisation's token only its
 * own, and asking for another organisation is refused (403) rather than silently answered with nothing.
 */
import type { MiddlewareHandler } from 'hono';
import { ApiError, forbidden } from './errors.js';
import type { Principal, TokenVerifier } from './tokens.js';

export type Env = { Variables: { principal: Principal } };

export function requireToken(verifier: TokenVerifier): MiddlewareHandler<Env> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!m) throw new ApiError(401, 'unauthorized', 'an API token is required: Authorization: Bearer TOKEN');
    const principal = verifier.verify(m[1]);
    if (!principal) throw new ApiError(401, 'unauthorized', 'the API token is not valid (unknown or revoked)');
    c.set('principal', principal);
    await next();
  };
}

export function requireOperator(p: Principal): void {
  if (p.role !== 'operator') throw forbidden('only the operator token may use this endpoint');
}

/**
 * The tenant a request is limited to: undefined means every tenant (operator only). An organisation's token is
 * always limited to its own tenant; naming another one is forbidden.
 */
export function tenantScope(p: Principal, requested: string | undefined): string | undefined {
  const asked = requested === '' ? undefined : requested;
  if (p.role === 'operator') return asked;
  if (asked !== undefined && asked !== p.tenant) throw forbidden('this token may only see its own organisation');
  return p.tenant;
}
