/**
 * Preparing notifications from the fixture world (src/notify/fixtures/world): one per organisation and campaign,
 * in the organisation's language, naming its own compromised accounts; nothing about any other organisation;
 * reruns prepare nothing; an escalation gives one follow-up; the outbox files.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { loadOrganisations } from '../orgs/organisations.js';
import { openStore, type Db } from '../store/db.js';
import { expected, fixtureFindings, insertFinding, parseMessage, tempDir, worldOrgs, worldStore, WORLD } from './fixtures/support.js';
import { writeOutbox } from './outbox-files.js';
import { prepareNotifications } from './prepare.js';
import { Catalogs } from './templates.js';

const catalogs = new Catalogs();
/** Message text as one line without the isolation marks around values, to look for whole template sentences. */
const flat = (s: string) => s.replace(/[\u2068\u2069]/g, '').replace(/\s+/g, ' ');
const orgsFile = () => loadOrganisations(worldOrgs(join(tempDir('orgs'), 'orgs.yaml')));

interface Row {
  uid: string;
  tenant: string;
  campaign_key: string;
  reference: string;
  kind: string;
  language: string;
  reported: string;
  payload: string;
}
interface MessageRow {
  notification_uid: string;
  audience: string;
  language: string;
  recipients: string;
  message_id: string;
  eml: string;
}
const notifications = (db: Db) => db.prepare('SELECT uid, tenant, campaign_key, reference, kind, language, reported, payload FROM notifications ORDER BY tenant, campaign_key, sequence').all() as Row[];
const messages = (db: Db, uid?: string) =>
  (uid
    ? db.prepare('SELECT * FROM notification_messages WHERE notification_uid = ? ORDER BY audience').all(uid)
    : db.prepare('SELECT * FROM notification_messages ORDER BY notification_uid, audience').all()) as MessageRow[];

let db: Db;
before(async () => {
  db = openStore(worldStore(join(tempDir('prep'), 'vigil.db')));
  const r = await prepareNotifications(db, orgsFile(), catalogs);
  assert.deepEqual(r.errors, []);
});

test('each organisation gets one notification per campaign that touched it, in its language, naming its own compromised accounts', () => {
  const want = expected();
  const rows = notifications(db);
  const got = rows.map((r) => `${r.tenant} ${r.campaign_key}`).sort();
  const keys = Object.entries(want).flatMap(([tenant, e]) => Object.keys(e.campaigns).map((k) => `${tenant} ${k}`)).sort();
  assert.deepEqual(got, keys, 'one notification per organisation and campaign, no more');
  for (const r of rows) {
    const e = want[r.tenant];
    const c = e.campaigns[r.campaign_key];
    const reported = JSON.parse(r.reported);
    assert.equal(r.language, e.language, `${r.tenant}: language`);
    assert.deepEqual(reported.compromised, c.compromised, `${r.tenant} ${r.campaign_key}: compromised accounts`);
    assert.deepEqual(reported.valid, c.valid, `${r.tenant} ${r.campaign_key}: valid-password accounts`);
    assert.equal(reported.actor, c.actor, `${r.tenant} ${r.campaign_key}: actor`);

    // The message in the organisation's own language, full detail, says it in that language and names the accounts.
    const own = messages(db, r.uid).find((m) => m.audience === `${e.language}.full`);
    assert.ok(own, `${r.tenant}: a message in ${e.language}`);
    const parsed = parseMessage(own.eml);
    const m = { ...parsed, text: flat(parsed.text), html: flat(parsed.html) };
    const cat = catalogs.get(e.language);
    assert.equal(m.headers.get('content-language'), e.language);
    assert.match(m.html, new RegExp(`<html lang="${e.language}" dir="${cat.dir}">`));
    for (const key of ['heading.what', 'heading.accounts', 'heading.who', 'heading.todo', 'note.not_proof']) {
      assert.ok(m.text.includes(cat.t(key)), `${r.tenant}: text has ${key} in ${e.language}`);
      assert.ok(m.html.includes(cat.t(key).replace(/'/g, '&#39;')), `${r.tenant}: html has ${key} in ${e.language}`);
    }
    if (e.language !== 'en') assert.ok(!m.text.includes(catalogs.get('en').t('heading.what')), `${r.tenant}: no English heading`);
    for (const a of [...c.compromised, ...c.valid]) {
      assert.ok(m.text.includes(a), `${r.tenant}: ${a} named in the text`);
      assert.ok(m.html.includes(a), `${r.tenant}: ${a} named in the HTML`);
    }
    if (c.compromised.length) assert.ok(m.text.includes(cat.t('accounts.compromised', { count: c.compromised.length })), `${r.tenant}: says which accounts the attacker signed in to`);
    if (!c.compromised.length && !c.valid.length) assert.ok(m.text.includes(cat.t('accounts.none')));
    if (c.actor) {
      assert.ok(m.text.includes(c.actor), `${r.tenant}: names the actor`);
      assert.ok(m.text.includes(cat.t('confidence.high')), `${r.tenant}: confidence in words`);
    } else assert.ok(m.text.includes(cat.t('who.unattributed')), `${r.tenant}: unattributed`);
  }
  // Urdu is right to left; the others left to right.
  const ur = rows.find((r) => r.language === 'ur')!;
  assert.match(parseMessage(messages(db, ur.uid)[0].eml).html, /<html lang="ur" dir="rtl">/);
});

test('advice follows the kind of attack: resets for exposed accounts, legacy protocols when the attack used them', () => {
  const payloads = notifications(db).map((r) => ({ tenant: r.tenant, key: r.campaign_key, n: JSON.parse(r.payload).notification }));
  const mitchell = payloads.find((p) => p.key === 'campaign:cmp-0001-strontium' && p.tenant.startsWith('9354870b'))!;
  assert.deepEqual(mitchell.n.actions, ['reset', 'review', 'mfa', 'legacy_seen', 'passwords', 'reply'], 'compromised accounts, ActiveSync spray');
  const stuffing = payloads.find((p) => p.key === 'finding:vgl-9116a8aae80e5d39c2371ad1389cd8b5')!;
  assert.ok(stuffing.n.actions.includes('reuse') && stuffing.n.actions.includes('reset') && !stuffing.n.actions.includes('review'), 'stuffing with a valid password');
  const mfa = payloads.find((p) => p.key === 'finding:vgl-878acf208b3f807bdb0f1c65cb5fad05')!;
  assert.ok(mfa.n.actions.includes('prompts') && mfa.n.actions.includes('review'), 'MFA push bombing approved');
  const tor = payloads.find((p) => p.key === 'finding:vgl-7a8e88b99800bcdf47a93346cb138143')!;
  assert.deepEqual(tor.n.actions, ['verify', 'reply'], 'a Tor sign-in from a browser: ask the person');
  const torActiveSync = payloads.find((p) => p.key === 'finding:vgl-16b724d39965c2e4befbfb3355143323')!;
  assert.deepEqual(torActiveSync.n.actions, ['legacy_seen', 'verify', 'reply'], 'a Tor sign-in over ActiveSync: also block legacy protocols');
});

test('audiences: a summary contact gets no account names, a contact in another language gets that language, no consent gets nothing', () => {
  const rows = notifications(db);
  const mitchell = rows.find((r) => r.tenant.startsWith('9354870b') && r.campaign_key === 'campaign:cmp-0001-strontium')!;
  const ms = messages(db, mitchell.uid);
  assert.deepEqual(ms.map((m) => m.audience), ['en.full', 'en.summary']);
  const summaryMsg = parseMessage(ms.find((m) => m.audience === 'en.summary')!.eml);
  const summary = { ...summaryMsg, text: flat(summaryMsg.text) };
  assert.match(summary.headers.get('to')!, /Dana Reyes <campaign-manager@mitchell-congress\.example>/);
  assert.ok(summary.text.startsWith('Dear Dana Reyes,'));
  assert.ok(!/@mitchell-congress\.example/.test(summary.text.replace(/campaign-manager@mitchell-congress\.example/g, '')), 'no account names in the summary');
  assert.ok(summary.text.includes(catalogs.get('en').t('accounts.summary_compromised', { count: 2 })));
  const full = parseMessage(ms.find((m) => m.audience === 'en.full')!.eml);
  assert.equal(full.headers.get('to'), 'security@mitchell-congress.example');
  assert.ok(flat(full.text).includes('george.scott@mitchell-congress.example (on your protected list)'), 'protected accounts are called out');

  const montealegre = rows.find((r) => r.tenant.startsWith('f64d396c'))!;
  const mm = messages(db, montealegre.uid);
  assert.deepEqual(mm.map((m) => `${m.audience} ${JSON.parse(m.recipients).join(',')}`), ['en.full it-contractor@movimiento-montealegre.example', 'es.full seguridad@movimiento-montealegre.example']);
  assert.equal(parseMessage(mm[0].eml).headers.get('content-language'), 'en');

  for (const r of rows.filter((x) => x.tenant.startsWith('57a20cc8')))
    for (const m of messages(db, r.uid)) assert.ok(!m.eml.includes('former-volunteer@'), 'a contact without consent is never written to');
});

test('nothing about one organisation reaches another: every message and webhook body scanned for every other organisation', () => {
  const orgs = orgsFile().organisations;
  const accountsOf = new Map<string, Set<string>>();
  for (const f of fixtureFindings())
    for (const o of f.observables) if (o.type_id === 4) accountsOf.set(f.metadata.tenant_uid, (accountsOf.get(f.metadata.tenant_uid) ?? new Set()).add(o.value.toLowerCase()));
  const campaigns = JSON.parse(readFileSync(join(WORLD, 'campaigns.json'), 'utf8'));
  const rows = notifications(db);
  let scanned = 0;
  for (const r of rows) {
    const texts: string[] = [r.payload];
    for (const m of messages(db, r.uid)) {
      const p = parseMessage(m.eml);
      texts.push([...p.headers.values()].join('\n'), p.subject, p.text, p.html);
    }
    const all = texts.join('\n').toLowerCase();
    for (const o of orgs) {
      if (o.id === r.tenant) continue;
      const forbidden = [o.id, o.name, ...o.domains, ...(accountsOf.get(o.id) ?? [])];
      for (const s of forbidden) assert.ok(!all.includes(s.toLowerCase()), `${r.tenant} ${r.campaign_key} mentions '${s}' of ${o.name}`);
    }
    // Nothing of the campaign that describes its other victims, nor the identifiers they share.
    for (const c of campaigns) {
      assert.ok(!all.includes(c.uid.toLowerCase()), `campaign uid ${c.uid} is shared by all its victims`);
      assert.ok(!all.includes(c.name.toLowerCase()));
    }
    assert.ok(!/\b8 organisations\b/.test(all), 'no count of victims');
    scanned++;
  }
  assert.equal(scanned, rows.length);
  // References differ between the organisations of one campaign, so comparing them reveals nothing.
  const refs = rows.filter((r) => r.campaign_key === 'campaign:cmp-0001-strontium').map((r) => r.reference);
  assert.equal(new Set(refs).size, refs.length);
  // The reasons that name or count other victims are withheld; general ones stay.
  const reasons = (tenant: string) => JSON.parse(rows.find((r) => r.tenant === tenant && r.campaign_key === 'campaign:cmp-0001-strontium')!.payload).notification.attribution.reasons as string[];
  const dupont = reasons('b71f52c9-d28d-4eab-8c0c-fdf18f6ee7c0');
  assert.deepEqual(dupont, [
    "Tor-heavy distributed password spray at about 4 attempts per account per hour for days, as in STRONTIUM's 2020 campaign",
    'Targets political parties, newsrooms and NGOs ahead of an election',
  ]);
  // An organisation may hear its own name back: the reason about Ridge Rights Watch reaches Ridge only.
  assert.ok(reasons('57a20cc8-5847-45f6-8149-b397b457e52b').includes('Infrastructure overlaps with the attack on Ridge Rights Watch'));
});

test('a second run prepares nothing; an escalation gives one follow-up, threaded to the first warning; growth alone gives none', async () => {
  const path = join(tempDir('esc'), 'vigil.db');
  const store = openStore(worldStore(path));
  const orgs = orgsFile();
  const first = await prepareNotifications(store, orgs, catalogs);
  const again = await prepareNotifications(store, orgs, catalogs);
  assert.equal(again.prepared.length, 0, 'nothing new');
  assert.equal(again.unchanged, first.prepared.length);

  // The spray grows (more attempts and addresses) without anything that changes what to do: no follow-up.
  const findings = fixtureFindings();
  const spray = findings.find((f) => f.finding_info.uid === 'vgl-a4663be177aa714496a32274b68f2084');
  spray.unmapped.attempts += 500;
  spray.observables.unshift({ name: 'src_endpoint.ip', type_id: 2, type: 'IP Address', value: '185.220.101.250' });
  insertFinding(store, spray);
  assert.equal((await prepareNotifications(store, orgs, catalogs)).prepared.length, 0);

  // Two new compromises at Lindenauer Rundschau before the next run: one follow-up naming both.
  const template = findings.find((f) => f.finding_info.uid === 'vgl-8efd4e1727f701937d748aaf48636949');
  for (const [uid, account] of [
    ['vgl-new-compromise-1', 'felix.wagner@lindenauer-rundschau.example'],
    ['vgl-new-compromise-2', 'sabine.krause@lindenauer-rundschau.example'],
  ]) {
    const c = structuredClone(template);
    c.finding_info.uid = uid;
    c.unmapped.compromised_accounts = [account];
    c.observables = c.observables.filter((o: any) => o.type_id !== 4).concat([{ name: 'user.name', type_id: 4, type: 'User Name', value: account }]);
    insertFinding(store, c);
  }
  const escalated = await prepareNotifications(store, orgs, catalogs);
  assert.equal(escalated.prepared.length, 1, 'one follow-up, not one per finding and not a copy of everything');
  const f = escalated.prepared[0];
  assert.equal(f.tenant, 'fb3916a0-35ef-4c4f-8e56-2a982ff53b74');
  assert.equal(f.kind, 'follow_up');
  assert.equal(f.sequence, 2);
  const [initial] = store.prepare("SELECT uid FROM notifications WHERE tenant = ? AND campaign_key = 'campaign:cmp-0001-strontium' AND sequence = 1").all(f.tenant) as { uid: string }[];
  const firstMsg = parseMessage(messages(store, initial.uid)[0].eml);
  const follow = parseMessage(messages(store, f.uid)[0].eml);
  assert.equal(follow.headers.get('in-reply-to'), firstMsg.headers.get('message-id'));
  const de = catalogs.get('de');
  const text = flat(follow.text);
  const news = text.slice(text.indexOf(de.t('heading.new')), text.indexOf(de.t('heading.what')));
  assert.ok(news.includes(de.t('new.compromised', { count: 2 })));
  assert.ok(news.includes('felix.wagner@lindenauer-rundschau.example') && news.includes('sabine.krause@lindenauer-rundschau.example'));
  assert.ok(!news.includes('lena.schwarz@'), 'what was already reported is not news');
  assert.equal(follow.subject, de.t('subject.follow_up', { org: 'Lindenauer Rundschau', reference: f.reference }));
  assert.equal((await prepareNotifications(store, orgs, catalogs)).prepared.length, 0, 'and then nothing again');
  store.close();
});

test('without campaigns: a finding is its own campaign, a compromise joins the attack it followed, correlation_uid groups', async () => {
  const findings = fixtureFindings();
  for (const f of findings) if (['vgl-16b724d39965c2e4befbfb3355143323', 'vgl-7a8e88b99800bcdf47a93346cb138143'].includes(f.finding_info.uid)) f.metadata.correlation_uid = 'corr-tor-1';
  // Findings of an attributed campaign carry the attribution as an enrichment (src/attribution/enrichment.ts).
  const enrich = (uid: string, value: string, data: Record<string, unknown>) => (findings.find((f) => f.finding_info.uid === uid).enrichments = [{ name: 'threat_actor', value, type: 'Threat Actor', data }]);
  enrich('vgl-7a8e88b99800bcdf47a93346cb138143', 'APT29', { confidence: 55, confidence_level: 'moderate', aliases: ['Cozy Bear'], campaign_uid: 'cmp-x', reasons: ['Tor exit used by APT29 before'] });
  enrich('vgl-9116a8aae80e5d39c2371ad1389cd8b5', 'unattributed', { confidence: 30, confidence_level: 'low', campaign_uid: 'cmp-y', reasons: ['no actor reaches 50'], leads: [] });
  const store = openStore(worldStore(join(tempDir('nocmp'), 'vigil.db'), { campaigns: false, findings }));
  const r = await prepareNotifications(store, orgsFile(), catalogs);
  assert.deepEqual(r.errors, []);
  const keys = (tenant: string) => notifications(store).filter((n) => n.tenant === tenant).map((n) => n.campaign_key);
  assert.deepEqual(keys('9354870b-d9bb-40dd-af21-4308fca701b2'), [
    'finding:vgl-439d7f95fecca59483d599e70f87dee7',
    'finding:vgl-84947362f4d40a612eef0f7e191a9958',
    'finding:vgl-9116a8aae80e5d39c2371ad1389cd8b5',
  ]);
  assert.ok(keys('57a20cc8-5847-45f6-8149-b397b457e52b').includes('correlation:corr-tor-1'));
  assert.equal(keys('57a20cc8-5847-45f6-8149-b397b457e52b').filter((k) => k.includes('tor')).length, 1);
  const actorOf = new Map(notifications(store).map((n) => [n.campaign_key, JSON.parse(n.reported).actor]));
  assert.equal(actorOf.get('correlation:corr-tor-1'), 'APT29', 'from the threat_actor enrichment');
  assert.equal(actorOf.get('finding:vgl-9116a8aae80e5d39c2371ad1389cd8b5'), null, '"unattributed" is no actor');
  assert.equal([...actorOf.values()].filter((a) => a !== null).length, 1, 'no campaign, no enrichment: unattributed');
  const tor = notifications(store).find((n) => n.campaign_key === 'correlation:corr-tor-1')!;
  const text = parseMessage(messages(store, tor.uid)[0].eml).text;
  assert.ok(flat(text).includes(catalogs.get('en').t('who.attributed', { actor: 'APT29', confidence: 'moderate' })));
  assert.ok(flat(text).includes('APT29 is also known as Cozy Bear.'));
  assert.ok(!tor.payload.includes('cmp-x'), 'the campaign id in the enrichment stays out');
  store.close();
});

test('--outbox writes each prepared message once as an .eml file', () => {
  const dir = tempDir('outbox');
  const files = writeOutbox(db, dir);
  assert.equal(files.length, messages(db).length);
  assert.ok(files.every((f) => f.written));
  const tenants = readdirSync(dir).sort();
  assert.deepEqual(tenants, [...new Set(notifications(db).map((n) => n.tenant))].sort());
  const one = readFileSync(files[0].path, 'utf8');
  assert.match(one, /^Content-Language: /m);
  assert.match(one, /^Message-ID: <ntf-[0-9a-f]{32}\./m);
  assert.ok(writeOutbox(db, dir).every((f) => !f.written), 'a rerun writes nothing new');
});
