/**
 * The HTTP API against a real store: records go in through POST /api/v1/ingest (the detection fixtures, moved to
 * three organisations) and are detected and joined into campaigns at once; notifications are added as the
 * notifier would; and every rule of the issue is checked: tokens, tenant scoping (another organisation's findings, campaign victims and notifications are
 * invisible), filters and pages, garbage bodies (4xx with a reason, never 5xx), size limits and metrics.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { loadIntel } from '../campaigns/index.js';
import { loadRules } from '../detect/rules.js';
import { Enricher } from '../enrich/index.js';
import { openStore, type Db } from '../store/db.js';
import { createApp } from './app.js';
import { saveOrganisations } from './directory.js';
import { fixtureBody, sshdBruteForce, stixBundle } from './fixtures/bodies.js';
import { campaignsInStore, seedNotifications, type SeededCampaign } from './fixtures/seed.js';
import { IngestService } from './ingest.js';
import { createToken, revokeToken, TokenVerifier } from './tokens.js';

const MAX_BODY = 2 * 1024 * 1024;
const ORGS = [
  { id: 'org-a', name: 'Alpha Campaign HQ', sector: 'political' as const, language: 'en' },
  { id: 'org-b', name: 'Beta Newsroom', sector: 'media' as const, language: 'de' },
  { id: 'org-c', name: 'Gamma Rights Watch', sector: 'ngo' as const, language: 'es' },
];

let dir: string;
let db: Db;
let ingest: IngestService;
let app: ReturnType<typeof createApp>;
const tok: Record<string, string> = {};

async function call(path: string, token?: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  const res = await app.request(path, { ...init, headers });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}

const post = (path: string, token: string, body: string | Uint8Array) => call(path, token, { method: 'POST', body: body as BodyInit });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-api-'));
  db = openStore(join(dir, 'vigil.db'));
  const orgs = ORGS.map((o) => ({ ...o, contacts: [], domains: [], webhooks: [], protected_accounts: [] })) as never[];
  saveOrganisations(db, orgs);
  const enricher = await Enricher.create({ intel: [], geo: false });
  // Intel naming some of the spray's addresses as APT28's, so the campaign is attributed (with victimology reasons).
  const ips = [...new Set([...fixtureBody('spray-distributed', 'org-a').matchAll(/"ip":"(185\.[\d.]+)"/g)].map((m) => m[1]))].slice(0, 12);
  const stix = join(dir, 'apt28.stix.json');
  writeFileSync(stix, stixBundle(ips));
  const catalogue = loadIntel([{ path: stix }]);
  ingest = new IngestService({ db, rules: await loadRules(), enricher, campaigns: { catalogue, orgs: { organisations: orgs } as never } });
  app = createApp({ db, verifier: new TokenVerifier(db), ingest, maxBodyBytes: MAX_BODY, log: () => {} });
  tok.op = createToken(db, { role: 'operator' }).token;
  for (const o of ORGS) tok[o.id] = createToken(db, { role: 'org', tenant: o.id }).token;
});

after(async () => {
  await ingest.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('authentication', () => {
  test('/healthz needs no token; the API and metrics need one (401 JSON with WWW-Authenticate)', async () => {
    const h = await call('/healthz');
    assert.equal(h.status, 200);
    assert.equal(h.json.status, 'ok');
    for (const path of ['/api/v1/findings', '/api/v1/campaigns', '/api/v1/notifications', '/api/v1/organisations', '/metrics']) {
      const r = await call(path);
      assert.equal(r.status, 401, path);
      assert.equal(r.json.error, 'unauthorized');
      assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/);
    }
    const ing = await post('/api/v1/ingest', '', '{}');
    assert.equal(ing.status, 401);
  });

  test('a wrong, malformed or revoked token is refused', async () => {
    assert.equal((await call('/api/v1/findings', 'vgl_' + 'A'.repeat(43))).status, 401);
    assert.equal((await call('/api/v1/findings', 'not-a-token')).status, 401);
    const t = createToken(db, { role: 'operator', name: 'short-lived' });
    assert.equal((await call('/api/v1/findings', t.token)).status, 200);
    assert.ok(revokeToken(db, t.info.id));
    assert.equal((await call('/api/v1/findings', t.token)).status, 401);
  });

  test('/api/v1/me says who the token is', async () => {
    assert.deepEqual((await call('/api/v1/me', tok.op)).json, { role: 'operator', tenant: null, organisation: null });
    assert.deepEqual((await call('/api/v1/me', tok['org-b'])).json, { role: 'org', tenant: 'org-b', organisation: 'Beta Newsroom' });
  });
});

describe('an empty store', () => {
  test('every list is empty, not an error, while campaigns and notifications tables are empty', async () => {
    for (const path of ['/api/v1/findings', '/api/v1/campaigns', '/api/v1/notifications', '/api/v1/accounts']) {
      for (const t of [tok.op, tok['org-a']]) {
        const r = await call(path, t);
        assert.equal(r.status, 200, path);
        assert.deepEqual(r.json, { items: [], next: null }, path);
      }
    }
    const a = await call('/api/v1/activity', tok.op);
    assert.equal(a.status, 200);
    assert.deepEqual(a.json.countries, []);
  });
});

describe('ingest', () => {
  test('records go through detection at once: the findings are in the API when the answer comes', async () => {
    const r = await post('/api/v1/ingest', tok.op, fixtureBody('spray-distributed', 'org-a'));
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.accepted, 1520);
    assert.equal(r.json.rejected, 0);
    assert.ok(r.json.findings.created >= 1);
    const f = await call('/api/v1/findings?type=password_spray', tok.op);
    assert.equal(f.json.items.length, 1);
    assert.equal(f.json.items[0].metadata.tenant_uid, 'org-a');
    assert.ok(f.json.items[0].unmapped.accounts_count >= 8);
  });

  test("an organisation's token ingests only its own records: another tenant's are rejected and counted", async () => {
    const own = fixtureBody('spray-distributed', 'org-b', 1);
    const foreign = fixtureBody('brute-single-ip', 'org-a', 1).split('\n').slice(0, 7).join('\n') + '\n';
    const r = await post('/api/v1/ingest', tok['org-b'], own + foreign);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.accepted, 1520);
    assert.equal(r.json.rejected, 7);
    assert.deepEqual(r.json.reasons, { 'record names another organisation': 7 });
    assert.equal(r.json.examples[0].line, 1521);
    const b = await call('/api/v1/findings', tok['org-b']);
    assert.ok(b.json.items.length >= 1);
    assert.ok(b.json.items.every((f: any) => f.metadata.tenant_uid === 'org-b'));
    // Only foreign records: refused as a whole.
    const all = await post('/api/v1/ingest', tok['org-b'], foreign.replace(/"time":(\d+)/g, (_m, t) => `"time":${Number(t) + 1}`));
    assert.equal(all.status, 403);
    assert.equal(all.json.accepted, 0);
    const asked = await post('/api/v1/ingest?tenant=org-a', tok['org-b'], own);
    assert.equal(asked.status, 403);
  });

  test("records that name no organisation (sshd) take the token's organisation; the operator names it with ?tenant", async () => {
    const r = await post('/api/v1/ingest?year=2020', tok['org-c'], sshdBruteForce(30, 26));
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.accepted, 30);
    assert.equal(r.json.findings.created, 1);
    const c = await call('/api/v1/findings?type=brute_force', tok['org-c']);
    assert.equal(c.json.items.length, 1);
    assert.equal(c.json.items[0].metadata.tenant_uid, 'org-c');
    // gzip is recognised by content; the operator chooses the tenant.
    const z = await post('/api/v1/ingest?year=2020&tenant=org-c', tok.op, gzipSync(sshdBruteForce(25, 27, 'other')));
    assert.equal(z.status, 200, z.text);
    assert.equal(z.json.accepted, 25);
    const again = (await call('/api/v1/findings?type=brute_force', tok['org-c'])).json.items;
    assert.equal(again.length, 1, 'the same account attacked again: the finding grows');
    assert.ok(again[0].finding_info.last_seen_time >= Date.UTC(2020, 7, 27));
  });

  test('the same body twice is recognised and not counted again', async () => {
    const body = fixtureBody('stuffing', 'org-c', 3);
    const first = await post('/api/v1/ingest', tok['org-c'], body);
    assert.equal(first.status, 200);
    assert.equal(first.json.duplicate, false);
    const events = (await call('/metrics', tok.op)).text.match(/^vigil_events_total (\d+)$/m)![1];
    const again = await post('/api/v1/ingest', tok['org-c'], body);
    assert.equal(again.status, 200);
    assert.equal(again.json.duplicate, true);
    assert.equal(again.json.accepted, 0);
    assert.equal((await call('/metrics', tok.op)).text.match(/^vigil_events_total (\d+)$/m)![1], events);
  });

  test('garbage bodies get a 4xx with a reason, never a 5xx', async () => {
    const garbage: [string, string | Uint8Array, number, RegExp][] = [
      ['empty', '', 400, /empty/],
      ['whitespace', '  \n\n ', 400, /empty/],
      ['binary noise', new Uint8Array(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)), 400, /binary|no record/],
      ['an object of no format', '{"hello": "world"}', 400, /unknown record shape/],
      ['broken JSON lines', '{"class_uid": 3002,\n{"oops"\n', 400, /invalid JSON|no record/],
      ['a JSON array of numbers', '[1, 2, 3]', 400, /not a JSON object/],
      ['truncated gzip', gzipSync(Buffer.from(fixtureBody('tor-signin', 'org-a', 9))).subarray(0, 40), 400, /no record/],
      ['an unknown format', 'x', 400, /format must be one of/],
    ];
    for (const [what, body, status, reason] of garbage) {
      const path = what === 'an unknown format' ? '/api/v1/ingest?format=excel' : '/api/v1/ingest';
      const r = await post(path, tok.op, body);
      assert.equal(r.status, status, `${what}: ${r.text}`);
      assert.match(r.json.message, reason, what);
      assert.equal(typeof r.json.error, 'string');
    }
    const year = await post('/api/v1/ingest?year=nineteen', tok.op, 'x');
    assert.equal(year.status, 400);
  });

  test('a body over the documented limit gets 413, with or without a length header', async () => {
    const big = 'x'.repeat(MAX_BODY + 1);
    const r = await post('/api/v1/ingest', tok.op, big);
    assert.equal(r.status, 413);
    assert.equal(r.json.error, 'too_large');
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(big));
        c.close();
      },
    });
    const res = await app.request('/api/v1/ingest', { method: 'POST', body: stream, headers: { authorization: `Bearer ${tok.op}` }, duplex: 'half' } as RequestInit);
    assert.equal(res.status, 413);
  });
});

describe('reading', () => {
  let campaigns: SeededCampaign[];

  before(() => {
    campaigns = campaignsInStore(db);
    seedNotifications(db, campaigns, (t) => ORGS.find((o) => o.id === t)?.language ?? 'en');
  });

  test('ingest joined the same spray on two organisations into one campaign', () => {
    const spray = campaigns.find((c) => c.tenants.includes('org-a') && c.tenants.includes('org-b'));
    assert.ok(spray, JSON.stringify(campaigns));
  });

  test('findings: filters by tenant, type and time, newest first, pages without gaps or repeats', async () => {
    const all = (await call('/api/v1/findings?limit=1000', tok.op)).json.items as any[];
    assert.ok(all.length >= 4);
    assert.deepEqual(new Set(all.map((f) => f.metadata.tenant_uid)), new Set(['org-a', 'org-b', 'org-c']));
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].time >= all[i].time, 'newest first');
    const seen: string[] = [];
    let next: string | null = null;
    do {
      const page: any = (await call(`/api/v1/findings?limit=2${next ? `&next=${next}` : ''}`, tok.op)).json;
      assert.ok(page.items.length <= 2);
      seen.push(...page.items.map((f: any) => f.finding_info.uid));
      next = page.next;
    } while (next);
    assert.deepEqual(seen, all.map((f) => f.finding_info.uid));
    const a = (await call('/api/v1/findings?tenant=org-a&type=password_spray', tok.op)).json.items;
    assert.equal(a.length, 1);
    const newest = all[0].time;
    const since = (await call(`/api/v1/findings?since=${newest}`, tok.op)).json.items as any[];
    assert.ok(since.length >= 1 && since.every((f) => f.time >= newest));
    const iso = (await call(`/api/v1/findings?since=${new Date(newest).toISOString()}`, tok.op)).json.items;
    assert.equal(iso.length, since.length);
  });

  test('bad query parameters are a 400 with the reason', async () => {
    for (const [q, reason] of [
      ['limit=0', /limit/],
      ['limit=many', /limit/],
      ['limit=100000', /limit/],
      ['type=phishing', /type must be one of/],
      ['since=yesterday', /since/],
      ['next=garbage', /cursor/],
    ] as const) {
      const r = await call(`/api/v1/findings?${q}`, tok.op);
      assert.equal(r.status, 400, q);
      assert.match(r.json.message, reason, q);
    }
    assert.equal((await call('/api/v1/notifications?status=lost', tok.op)).status, 400);
    assert.equal((await call('/api/v1/nothing', tok.op)).status, 404);
  });

  test("an organisation sees only its own findings: another's are forbidden or not found", async () => {
    const b = (await call('/api/v1/findings?limit=1000', tok['org-b'])).json.items as any[];
    assert.ok(b.length >= 1 && b.every((f) => f.metadata.tenant_uid === 'org-b'));
    assert.equal((await call('/api/v1/findings?tenant=org-a', tok['org-b'])).status, 403);
    const aUid = (await call('/api/v1/findings?tenant=org-a', tok.op)).json.items[0].finding_info.uid;
    assert.equal((await call(`/api/v1/findings/${aUid}`, tok['org-b'])).status, 404);
    assert.equal((await call(`/api/v1/findings/${aUid}`, tok.op)).status, 200);
    assert.equal((await call(`/api/v1/findings/${b[0].finding_info.uid}`, tok['org-b'])).status, 200);
  });

  test('the operator sees every campaign whole, with victims, reasons and the stored object', async () => {
    const list = (await call('/api/v1/campaigns', tok.op)).json.items as any[];
    assert.equal(list.length, campaigns.length);
    const spray = list.find((c) => c.organisations.includes('org-a') && c.organisations.includes('org-b'));
    assert.equal(spray.actor, 'APT28');
    assert.ok(spray.reasons.length >= 1);
    assert.equal(spray.campaign.organisations.count, spray.organisations.length);
    const one = (await call(`/api/v1/campaigns/${spray.uid}`, tok.op)).json;
    assert.deepEqual(one.findings, spray.findings);
    const members = (await call(`/api/v1/findings?campaign=${spray.uid}&limit=1000`, tok.op)).json.items as any[];
    assert.deepEqual(members.map((f) => f.finding_info.uid).sort(), [...spray.findings].sort());
  });

  test('a campaign shown to an organisation names no other victim and counts none', async () => {
    const others = (tenant: string) => ORGS.filter((o) => o.id !== tenant).flatMap((o) => [o.id, o.name]);
    for (const tenant of ['org-a', 'org-b']) {
      const list = await call('/api/v1/campaigns', tok[tenant]);
      assert.equal(list.status, 200);
      assert.ok(list.json.items.length >= 1);
      const texts = [list.text];
      for (const c of list.json.items) {
        assert.deepEqual(c.organisations, [tenant]);
        assert.equal(c.reasons, undefined);
        assert.equal(c.campaign, undefined);
        assert.doesNotMatch(c.name, /\d+ organisations?/);
        const one = await call(`/api/v1/campaigns/${c.uid}`, tok[tenant]);
        texts.push(one.text);
        const mine = await call(`/api/v1/findings?campaign=${c.uid}&limit=1000`, tok[tenant]);
        assert.ok(mine.json.items.every((f: any) => f.metadata.tenant_uid === tenant));
        texts.push(mine.text);
      }
      // Findings carry the campaign's attribution; its reasons count victims, so they stay out.
      const findings = await call('/api/v1/findings?limit=1000', tok[tenant]);
      texts.push(findings.text);
      const attributed = findings.json.items.find((f: any) => f.enrichments);
      assert.ok(attributed, 'a finding with its campaign attribution');
      assert.equal(attributed.enrichments[0].value, 'APT28');
      assert.equal(attributed.enrichments[0].data.reasons, undefined);
      assert.ok(findings.json.items.every((f: any) => (f.evidences ?? []).every((e: any) => e.data?.source === undefined)), 'no log file paths');
      for (const text of texts) for (const other of others(tenant)) assert.ok(!text.includes(other), `${tenant} sees ${other}`);
      assert.ok(!texts.join('').match(/targeted organisation/), 'no victim counts from attribution reasons');
    }
    // A campaign the organisation is not part of does not exist for it.
    const notMine = campaigns.find((c) => !c.tenants.includes('org-c'));
    assert.ok(notMine);
    assert.equal((await call(`/api/v1/campaigns/${notMine.uid}`, tok['org-c'])).status, 404);
    // The operator's view of the same finding keeps the reasons.
    const full = (await call('/api/v1/findings?tenant=org-a&type=password_spray', tok.op)).json.items[0];
    assert.ok(full.enrichments[0].data.reasons.some((r: string) => /targeted organisation/.test(r)), 'the reasons do count victims');
  });

  test("notifications, organisations, accounts and summary are each organisation's own", async () => {
    const allNotes = (await call('/api/v1/notifications', tok.op)).json.items as any[];
    assert.ok(new Set(allNotes.map((n) => n.tenant)).size >= 2);
    for (const tenant of ['org-a', 'org-b']) {
      const notes = await call('/api/v1/notifications', tok[tenant]);
      assert.ok(notes.json.items.length >= 1);
      assert.ok(notes.json.items.every((n: any) => n.tenant === tenant));
      assert.ok(notes.json.items.every((n: any) => n.eml === undefined && Array.isArray(n.deliveries)));
      const one = await call(`/api/v1/notifications/${notes.json.items[0].uid}`, tok[tenant]);
      assert.equal(one.status, 200);
      assert.match(one.json.messages[0].eml, /^From: /);
      const foreign = allNotes.find((n) => n.tenant !== tenant)!;
      assert.equal((await call(`/api/v1/notifications/${foreign.uid}`, tok[tenant])).status, 404);
      assert.equal((await call(`/api/v1/notifications?tenant=${foreign.tenant}`, tok[tenant])).status, 403);

      const orgs = (await call('/api/v1/organisations', tok[tenant])).json.items as any[];
      assert.deepEqual(orgs.map((o) => o.id), [tenant]);
      const accounts = (await call('/api/v1/accounts?limit=1000', tok[tenant])).json.items as any[];
      assert.ok(accounts.length >= 8 && accounts.every((a) => a.tenant === tenant && a.account.endsWith(`@${tenant}.example`)));
      const s = (await call('/api/v1/summary', tok[tenant])).json;
      assert.equal(s.tenant, tenant);
      assert.equal(s.organisations_attacked, 1);
      const act = (await call('/api/v1/activity', tok[tenant])).json;
      assert.ok(act.hours.some((h: any) => h.attacks.password_spray));
    }
    const orgs = (await call('/api/v1/organisations', tok.op)).json.items as any[];
    assert.deepEqual(orgs.map((o) => o.id), ['org-a', 'org-b', 'org-c']);
    assert.equal(orgs.find((o) => o.id === 'org-b').name, 'Beta Newsroom');
    assert.ok(orgs.find((o) => o.id === 'org-a').findings_by_type.password_spray >= 1);
    assert.equal((await call('/metrics', tok['org-a'])).status, 403);
  });

  test('metrics: events, rejects, findings by type and the lag behind the newest event', async () => {
    const m = await call('/metrics', tok.op);
    assert.equal(m.status, 200);
    assert.match(m.headers.get('content-type') ?? '', /^text\/plain/);
    const value = (name: string) => Number(m.text.match(new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm'))?.[1]);
    assert.equal(value('vigil_events_total'), 1520 + 1520 + 30 + 25 + 120);
    assert.equal(value('vigil_records_rejected_total{reason="tenant"}'), 7 + 7);
    assert.ok(value('vigil_records_rejected_total{reason="unreadable"}') >= 5);
    assert.equal(value('vigil_findings{type="password_spray"}'), 2);
    assert.ok(value('vigil_event_lag_seconds') > 0);
    assert.match(m.text, /^# TYPE vigil_events_total counter$/m);
  });

  test('activity: sign-in failures per hour from ingested records (kept by detection runs)', async () => {
    const a = (await call('/api/v1/activity?tenant=org-c', tok.op)).json;
    const sum = (k: 'failures' | 'successes') => a.hours.reduce((s: number, h: any) => s + h[k], 0);
    // 30 + 25 sshd failures and the stuffing fixture's 60 failures and 60 successes, all of org-c.
    assert.equal(sum('failures'), 30 + 25 + 60);
    assert.equal(sum('successes'), 60);
  });
});
