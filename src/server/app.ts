/**
 * @module server/app
 * The HTTP application (Hono): `/healthz` without a token; `/metrics` and `/api/v1/*` behind a bearer token with
 * tenant scoping; the dashboard's static files at `/`. Every error is JSON with a reason; bodies over the limit get
 * 413; only a bug gives a 500. Kept free of sockets so tests can call `app.request()` directly.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { FORMAT_NAMES, type FormatName } from '../formats/types.js';
import type { Db } from '../store/db.js';
import type { DashboardAssets } from './assets.js';
import { requireToken, type Env } from './auth.js';
import { directory } from './directory.js';
import { ApiError, badRequest, errorBody, forbidden, sendError } from './errors.js';
import { REFUSED_TENANT, type IngestService } from './ingest.js';
import { accountRoutes } from './routes/accounts.js';
import { activityRoutes } from './routes/activity.js';
import { campaignRoutes } from './routes/campaigns.js';
import { findingRoutes } from './routes/findings.js';
import { metricsRoutes } from './routes/metrics.js';
import { notificationRoutes } from './routes/notifications.js';
import { organisationRoutes } from './routes/organisations.js';
import { summaryRoutes } from './routes/summary.js';
import type { TokenVerifier } from './tokens.js';

export const DEFAULT_MAX_BODY = 10 << 20;

export interface AppOptions {
  db: Db;
  verifier: TokenVerifier;
  ingest?: IngestService;
  assets?: DashboardAssets;
  /** Largest ingest body in bytes (default 10 MiB). */
  maxBodyBytes?: number;
  log?: (line: string) => void;
}

/** Scripts only from this origin; styles inline too (chart tooltips); no frames, no plugins, API calls to self. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

export function createApp(o: AppOptions): Hono<Env> {
  const log = o.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const maxBody = o.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const app = new Hono<Env>();

  app.onError((e, c) => sendError(c, e, log));
  app.notFound((c) => c.json(errorBody('not_found', `no such endpoint: ${c.req.method} ${c.req.path}`), 404));
  app.use('*', async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    if (c.req.path.startsWith('/api/')) c.header('Cache-Control', 'no-store');
  });

  app.get('/healthz', (c) => {
    const v = o.db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number };
    return c.json({ status: 'ok', schema_version: v.v });
  });

  app.use('/api/*', requireToken(o.verifier));
  app.use('/metrics', requireToken(o.verifier));

  app.get('/api/v1/me', (c) => {
    const p = c.get('principal');
    if (p.role === 'operator') return c.json({ role: 'operator', tenant: null, organisation: null });
    return c.json({ role: 'org', tenant: p.tenant, organisation: directory(o.db).get(p.tenant)?.name ?? null });
  });
  findingRoutes(app, o.db);
  campaignRoutes(app, o.db);
  notificationRoutes(app, o.db);
  organisationRoutes(app, o.db);
  accountRoutes(app, o.db);
  activityRoutes(app, o.db);
  summaryRoutes(app, o.db);
  metricsRoutes(app, o.db);

  app.post(
    '/api/v1/ingest',
    bodyLimit({ maxSize: maxBody, onError: (c) => c.json(errorBody('too_large', `the body is over the limit of ${maxBody} bytes; send smaller batches`), 413) }),
    async (c) => {
      if (!o.ingest) throw new ApiError(503, 'unavailable', 'ingest is not enabled on this server');
      const p = c.get('principal');
      const q = c.req.query();
      if (p.role === 'org' && q.tenant && q.tenant !== p.tenant) throw forbidden('this token may only ingest records of its own organisation');
      if (q.format && !(FORMAT_NAMES as readonly string[]).includes(q.format)) throw badRequest(`format must be one of ${FORMAT_NAMES.join(', ')}`);
      const year = q.year ? Number(q.year) : undefined;
      if (year !== undefined && !(Number.isInteger(year) && year >= 1970 && year <= 2100)) throw badRequest('year must be a whole number from 1970 to 2100');
      const body = new Uint8Array(await c.req.arrayBuffer());
      if (!body.some((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09)) throw badRequest('the body is empty: send sign-in records (JSON lines, a JSON array, CSV or sshd lines)');
      const r = await o.ingest.ingest({ body, principal: p, tenant: q.tenant || undefined, format: q.format as FormatName | undefined, year });
      if (r.accepted === 0 && r.rejected > 0 && !r.duplicate) {
        const onlyTenant = Object.keys(r.reasons).every((k) => k === REFUSED_TENANT);
        const first = r.examples[0];
        return c.json(
          errorBody(onlyTenant ? 'forbidden' : 'bad_request', `no record in the body was accepted${first ? `: line ${first.line}: ${first.reason}` : ''}`, { ...r }),
          onlyTenant ? 403 : 400,
        );
      }
      return c.json(r);
    },
  );

  app.get('*', (c) => serveAsset(c, o.assets));
  return app;
}

function serveAsset(c: Context<Env>, assets: DashboardAssets | undefined) {
  const path = c.req.path;
  if (path.startsWith('/api/')) return c.json(errorBody('not_found', `no such endpoint: GET ${path}`), 404);
  const a = assets?.get(path);
  if (!a) {
    if (path === '/' || path === '/index.html') return c.text('The dashboard is not built. Run `npm run build` (it runs scripts/build-web.mjs), then restart vigil serve.\n', 404);
    return c.json(errorBody('not_found', `no such file: ${path}`), 404);
  }
  const headers: Record<string, string> = { 'content-type': a.type, etag: a.etag, vary: 'accept-encoding', 'cache-control': path === '/' || path.endsWith('.html') ? 'no-cache' : 'public, max-age=300' };
  if (a.type.startsWith('text/html')) Object.assign(headers, { 'content-security-policy': CSP, 'x-frame-options': 'DENY' });
  if (c.req.header('if-none-match') === a.etag) return c.body(null, 304, headers);
  const gz = a.gzip && /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
  if (gz) headers['content-encoding'] = 'gzip';
  return c.body((gz ? a.gzip! : a.body) as Uint8Array<ArrayBuffer>, 200, headers);
}
