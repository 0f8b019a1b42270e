/**
 * Webhook delivery against a real HTTP server on 127.0.0.1: the body is the notification and the organisation's
 * own findings, signed as documented (HMAC-SHA256 over "<timestamp>.<body>"), retried with backoff on 5xx, never
 * sent to private or loopback destinations unless the organisation's entry allows it, never over plain http
 * unless allowed, and never to a name that resolves to an internal address.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadOrganisations } from '../orgs/organisations.js';
import { openStore } from '../store/db.js';
import { tempDir, worldOrgs, worldStore } from './fixtures/support.js';
import { prepareNotifications } from './prepare.js';
import { sendOutbox } from './send.js';
import { verifySignature } from './signature.js';
import { Catalogs } from './templates.js';

const catalogs = new Catalogs();
const SECRET = 'greystone-webhook-secret-0123456789';
const GREYSTONE = 'e2b64ca6-890f-4a8c-b9c0-e5d770201555';
const fast = { backoffMs: 20, maxBackoffMs: 200, timeoutMs: 5_000 };

interface Hit {
  headers: IncomingHttpHeaders;
  body: string;
}

async function startHttp(answer: (n: number) => { status: number; headers?: Record<string, string> }) {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const a = answer(hits.length);
      res.writeHead(a.status, a.headers);
      res.end(a.status < 300 ? 'ok' : 'not now');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return { port, hits, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** The world with only Greystone-Stiftung reachable, through one webhook. */
async function world(webhook: Record<string, unknown>) {
  const dir = tempDir('hook');
  const db = openStore(worldStore(join(dir, 'vigil.db')));
  const orgs = loadOrganisations(
    worldOrgs(join(dir, 'orgs.yaml'), (doc) => {
      for (const o of doc.organisations) o.contacts = [];
      doc.organisations.find((o: any) => o.id === GREYSTONE).webhooks = [{ secret: SECRET, ...webhook }];
    }),
  );
  const r = await prepareNotifications(db, orgs, catalogs);
  assert.deepEqual(r.errors, []);
  return { db, orgs };
}

/** The receiver's check, written from the documentation rather than with Vigil's own function. */
function documentedCheck(h: Hit): boolean {
  const ts = String(h.headers['vigil-timestamp']);
  const expected = 'v1=' + createHmac('sha256', SECRET).update(`${ts}.${h.body}`).digest('hex');
  return h.headers['vigil-signature'] === expected && Math.abs(Date.now() / 1000 - Number(ts)) < 300;
}

test('a webhook gets the notification and only its own findings, signed as documented', async () => {
  const http = await startHttp(() => ({ status: 204 }));
  try {
    const { db, orgs } = await world({ url: `http://127.0.0.1:${http.port}/vigil?x=1`, allow_private: true, allow_http: true });
    const report = await sendOutbox(db, orgs, fast);
    assert.equal(report.sent.length, 1);
    assert.equal(http.hits.length, 1);
    const hit = http.hits[0];
    assert.ok(documentedCheck(hit), 'signature verifies by the documented recipe');
    assert.ok(verifySignature({ secret: SECRET, timestamp: hit.headers['vigil-timestamp'] as string, signature: hit.headers['vigil-signature'] as string, body: hit.body }));
    assert.ok(!verifySignature({ secret: SECRET, timestamp: hit.headers['vigil-timestamp'] as string, signature: hit.headers['vigil-signature'] as string, body: hit.body + ' ' }), 'a changed body fails');
    assert.ok(!verifySignature({ secret: 'another-secret-0123456789', timestamp: hit.headers['vigil-timestamp'] as string, signature: hit.headers['vigil-signature'] as string, body: hit.body }));
    assert.ok(
      !verifySignature({ secret: SECRET, timestamp: hit.headers['vigil-timestamp'] as string, signature: hit.headers['vigil-signature'] as string, body: hit.body, now: Math.floor(Date.now() / 1000) + 3600 }),
      'an old request is refused',
    );
    assert.equal(hit.headers['content-type'], 'application/json; charset=utf-8');
    const body = JSON.parse(hit.body);
    assert.equal(body.schema, 'vigil.notification/1');
    assert.equal(body.notification.organisation.id, GREYSTONE);
    assert.equal(body.notification.language, 'ur');
    assert.equal(body.notification.attribution.actor, 'APT28');
    assert.ok(body.findings.length >= 1 && body.findings.every((f: any) => f.metadata.tenant_uid === GREYSTONE));
    assert.ok(!hit.body.includes('correlation_uid') && !hit.body.includes('cmp-0001') && !hit.body.includes('"source"'), 'no shared campaign ids, no input file names');
    const d = db.prepare("SELECT status, attempts, response FROM deliveries WHERE channel = 'webhook'").get() as { status: string; attempts: number; response: string };
    assert.deepEqual(d, { status: 'sent', attempts: 1, response: 'HTTP 204' });
    db.close();
  } finally {
    await http.close();
  }
});

test('5xx answers are retried with backoff, each attempt freshly signed, under one delivery id', async () => {
  const http = await startHttp((n) => (n <= 2 ? { status: 503, headers: { 'Retry-After': '0' } } : { status: 200 }));
  try {
    const { db, orgs } = await world({ url: `http://127.0.0.1:${http.port}/hook`, allow_private: true, allow_http: true });
    const report = await sendOutbox(db, orgs, fast);
    assert.equal(report.sent.length, 1);
    assert.equal(http.hits.length, 3);
    assert.ok(http.hits.every(documentedCheck));
    assert.deepEqual(http.hits.map((h) => h.headers['vigil-attempt']), ['1', '2', '3']);
    assert.equal(new Set(http.hits.map((h) => h.headers['vigil-delivery'])).size, 1, 'the receiver can drop repeats by Vigil-Delivery');
    assert.equal(new Set(http.hits.map((h) => h.body)).size, 1, 'the same body every time');
    const d = db.prepare("SELECT status, attempts FROM deliveries WHERE channel = 'webhook'").get();
    assert.deepEqual(d, { status: 'sent', attempts: 3 });
    db.close();
  } finally {
    await http.close();
  }
});

test('refused: loopback without allow_private, plain http without allow_http, names resolving to internal addresses; 4xx is final', async () => {
  const http = await startHttp(() => ({ status: 401 }));
  try {
    const cases: { hook: Record<string, unknown>; lookup?: Record<string, string[]>; error: RegExp }[] = [
      { hook: { url: `http://127.0.0.1:${http.port}/hook`, allow_http: true }, error: /127\.0\.0\.1 is a loopback address.*allow_private/ },
      { hook: { url: `https://[::1]:${http.port}/hook` }, error: /::1 is the loopback address/ },
      { hook: { url: `http://127.0.0.1:${http.port}/hook`, allow_private: true }, error: /plain http.*allow_http/ },
      { hook: { url: 'https://hooks.example.org/vigil' }, lookup: { 'hooks.example.org': ['10.20.30.40'] }, error: /hooks\.example\.org resolves to 10\.20\.30\.40; 10\.20\.30\.40 is a private address/ },
      { hook: { url: 'https://metadata.example.org/' }, lookup: { 'metadata.example.org': ['93.184.215.14', '169.254.169.254'] }, error: /169\.254\.169\.254 is a link-local address/ },
      { hook: { url: 'https://mapped.example.org/' }, lookup: { 'mapped.example.org': ['::ffff:127.0.0.1'] }, error: /IPv4-mapped 127\.0\.0\.1/ },
      { hook: { url: `http://127.0.0.1:${http.port}/hook`, allow_private: true, allow_http: true }, error: /HTTP 401/ },
    ];
    for (const c of cases) {
      const { db, orgs } = await world(c.hook);
      const lookup = c.lookup ? async (host: string) => (c.lookup![host] ?? []).map((address) => ({ address, family: (address.includes(':') ? 6 : 4) as 4 | 6 })) : undefined;
      const report = await sendOutbox(db, orgs, { ...fast, lookup });
      assert.equal(report.failed.length, 1, JSON.stringify(c.hook));
      assert.match(report.failed[0].error, c.error);
      const d = db.prepare("SELECT status, attempts FROM deliveries WHERE channel = 'webhook'").get();
      assert.deepEqual(d, { status: 'failed', attempts: 1 }, 'a refusal is not retried');
      db.close();
    }
    assert.equal(http.hits.length, 1, 'only the allowed destination was ever called');
  } finally {
    await http.close();
  }
});
