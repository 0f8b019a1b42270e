/**
 * Campaign joining and attribution on hand-written findings (fixtures/cases/*): each case lists the campaigns its
 * findings must form and who each is attributed to. Then the store contract of updateCampaigns: members,
 * finding updates (activity 2, same time, correlation uid, threat_actor enrichment), nothing more the second time,
 * the same campaigns whatever the order findings were stored in, and a campaign id that stays as it grows.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadOrganisations } from '../orgs/organisations.js';
import { openStore, type Db } from '../store/db.js';
import { campaignsOf, loadIntel, updateCampaigns, type CampaignOptions } from './index.js';

const CASES = fileURLToPath(new URL('./fixtures/cases/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'vigil-campaigns-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

interface Expected {
  campaigns: {
    findings: string[];
    organisations: number;
    attributed: string | null;
    min_confidence?: number;
    max_confidence?: number;
    leads: string[] | undefined;
    reasons_mention?: string[];
  }[];
}

function readCase(name: string) {
  const dir = join(CASES, name);
  const findings = readFileSync(join(dir, 'findings.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const specs = [
    ...(existsSync(join(dir, 'intel.stix.json')) ? [{ path: join(dir, 'intel.stix.json') }] : []),
    ...(existsSync(join(dir, 'tor.txt')) ? [{ kind: 'tor' as const, path: join(dir, 'tor.txt') }] : []),
  ];
  const opts: CampaignOptions = { catalogue: loadIntel(specs), orgs: existsSync(join(dir, 'orgs.yaml')) ? loadOrganisations(join(dir, 'orgs.yaml')) : undefined };
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
  return { findings, opts, expected };
}

function storeWith(name: string, findings: Record<string, any>[]): Db {
  const db = openStore(join(tmp, `${name}.db`));
  const ins = db.prepare('INSERT INTO findings (uid, tenant, type, severity_id, first_seen, last_seen, time, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(uid) DO UPDATE SET json = excluded.json, time = excluded.time, last_seen = excluded.last_seen');
  for (const f of findings) ins.run(f.finding_info.uid, f.metadata.tenant_uid, f.finding_info.types[0], f.severity_id, f.finding_info.first_seen_time, f.finding_info.last_seen_time, f.time, JSON.stringify(f));
  return db;
}

describe('campaign cases', () => {
  for (const name of readdirSync(CASES).sort()) {
    test(name, () => {
      const { findings, opts, expected } = readCase(name);
      const campaigns = campaignsOf(findings, opts);
      assert.equal(campaigns.length, expected.campaigns.length, `campaigns: ${campaigns.map((c) => c.findings.uids.join('+')).join(' | ')}`);
      for (const want of expected.campaigns) {
        const c = campaigns.find((x) => x.findings.uids.includes(want.findings[0]));
        assert.ok(c, `no campaign holds ${want.findings[0]}`);
        assert.deepEqual([...c.findings.uids].sort(), [...want.findings].sort(), `members of the campaign of ${want.findings[0]}`);
        assert.equal(c.organisations.count, want.organisations);
        assert.equal(c.attribution.actor, want.attributed, `actor of ${c.name}: ${c.attribution.reasons.join(' / ')}`);
        if (want.min_confidence !== undefined) assert.ok(c.attribution.confidence >= want.min_confidence, `confidence ${c.attribution.confidence}`);
        if (want.max_confidence !== undefined) assert.ok(c.attribution.confidence <= want.max_confidence, `confidence ${c.attribution.confidence}`);
        if (want.leads) assert.deepEqual(c.attribution.leads.map((l) => l.actor), want.leads);
        const text = [...c.attribution.reasons, ...c.attribution.leads.flatMap((l) => l.reasons)].join('\n');
        for (const w of want.reasons_mention ?? []) assert.ok(text.includes(w), `reasons should mention ${w}:\n${text}`);
      }
    });
  }
});

describe('updateCampaigns on a store', () => {
  const { findings, opts } = readCase('spray-and-decoy');

  test('stores campaigns and members, and writes every finding again with its campaign and attribution', () => {
    const db = storeWith('store', findings);
    const { campaigns, findingUpdates } = updateCampaigns(db, opts);
    assert.equal(findingUpdates.length, findings.length, 'each finding is new to campaigns');
    const spray = campaigns.find((c) => c.findings.uids.includes('vgl-spray-c'))!;
    for (const u of findingUpdates as any[]) {
      const before = findings.find((f) => f.finding_info.uid === u.finding_info.uid)!;
      assert.equal(u.activity_id, 2);
      assert.equal(u.type_uid, 200402);
      assert.equal(u.time, before.time, 'an update keeps the time of the content it repeats');
      const c = campaigns.find((x) => x.findings.uids.includes(u.finding_info.uid))!;
      assert.equal(u.metadata.correlation_uid, c.id);
      assert.equal(u.metadata.tenant_uid, before.metadata.tenant_uid);
    }
    // The actor reaches findings at organisations where no indicator matched (org-b and org-c only saw other addresses).
    for (const uid of ['vgl-spray-b', 'vgl-spray-c', 'vgl-compromise-b']) {
      const u = (findingUpdates as any[]).find((x) => x.finding_info.uid === uid);
      const e = u.enrichments.find((x: any) => x.name === 'threat_actor');
      assert.equal(e.value, 'APT28');
      assert.equal(e.data.confidence, spray.attribution.confidence);
      assert.ok(['moderate', 'high'].includes(e.data.confidence_level));
      assert.ok(e.data.aliases.includes('Fancy Bear') && e.data.aliases.includes('STRONTIUM') && e.data.aliases.includes('Forest Blizzard'));
      assert.ok(e.data.reasons.some((r: string) => r.includes('198.51.100.10')));
    }
    const decoy = (findingUpdates as any[]).find((x) => x.finding_info.uid === 'vgl-decoy-d');
    assert.equal(decoy.enrichments[0].value, 'unattributed');
    assert.equal(decoy.enrichments[0].data.leads[0].actor, 'APT28');
    assert.equal((findingUpdates as any[]).find((x) => x.finding_info.uid === 'vgl-tor-browser-a').enrichments, undefined);

    const members = db.prepare('SELECT campaign_uid, finding_uid, tenant FROM campaign_members ORDER BY finding_uid').all() as any[];
    assert.equal(members.length, findings.length);
    assert.deepEqual(members.find((m) => m.finding_uid === 'vgl-spray-b'), { campaign_uid: spray.id, finding_uid: 'vgl-spray-b', tenant: 'org-b' });
    const row = db.prepare('SELECT actor, confidence, json FROM campaigns WHERE uid = ?').get(spray.id) as any;
    assert.equal(row.actor, 'APT28');
    assert.deepEqual(JSON.parse(row.json), spray);
    const linked = db.prepare('SELECT COUNT(*) AS n FROM findings WHERE campaign_uid = ?').get(spray.id) as any;
    assert.equal(linked.n, 5);

    const again = updateCampaigns(db, opts);
    assert.deepEqual(again.findingUpdates, [], 'nothing changed, nothing to write');
    assert.deepEqual(again.campaigns, campaigns);
    db.close();
  });

  test('findings kept as read or read again for their updates: the same campaigns, updates and rows', () => {
    // A small store's findings are kept parsed from the first read; past the budget each is read again when its
    // update is made. Both ways must write the same thing (the second is every large store's).
    const rows = (db: Db) => ({
      findings: db.prepare('SELECT uid, campaign_uid, json FROM findings ORDER BY uid').all(),
      members: db.prepare('SELECT * FROM campaign_members ORDER BY finding_uid').all(),
    });
    const kept = storeWith('kept', findings);
    const reread = storeWith('reread', findings);
    const a = updateCampaigns(kept, opts);
    const b = updateCampaigns(reread, { ...opts, keepFindingsChars: 0 });
    assert.equal(a.findingUpdates.length, findings.length);
    assert.deepEqual(b.campaigns, a.campaigns);
    assert.deepEqual(b.findingUpdates, a.findingUpdates);
    assert.deepEqual(rows(reread), rows(kept));
    // And the budget is what decides: a little above the first finding's length keeps that one only.
    const some = storeWith('some', findings);
    const c = updateCampaigns(some, { ...opts, keepFindingsChars: JSON.stringify(findings[0]).length + 1 });
    assert.deepEqual(c.findingUpdates, a.findingUpdates);
    for (const db of [kept, reread, some]) db.close();
  });

  test('the same campaigns whatever order the findings were stored in', () => {
    const a = storeWith('order-a', findings);
    const b = storeWith('order-b', [...findings].reverse());
    const ca = updateCampaigns(a, opts);
    const cb = updateCampaigns(b, opts);
    assert.deepEqual(cb.campaigns, ca.campaigns);
    assert.deepEqual(cb.findingUpdates, ca.findingUpdates);
    a.close();
    b.close();
  });

  test('when an earlier finding joins, the campaign takes its id, and the findings stored before are told', () => {
    const early = findings.filter((f) => ['vgl-spray-b', 'vgl-spray-c'].includes(f.finding_info.uid));
    const db = storeWith('grow', early);
    const first = updateCampaigns(db, opts).campaigns.find((c) => c.findings.uids.includes('vgl-spray-b'))!;
    assert.equal(first.attribution.status, 'unattributed', 'no indicator matched org-b or org-c');
    storeWith('grow', findings).close();
    const { campaigns, findingUpdates } = updateCampaigns(db, opts);
    const grown = campaigns.find((c) => c.findings.uids.includes('vgl-spray-b'))!;
    assert.equal(grown.findings.count, 5);
    assert.equal(grown.attribution.actor, 'APT28');
    // vgl-spray-a began an hour before vgl-spray-b: the id is now the one derived from it.
    assert.equal(grown.findings.uids[0], 'vgl-spray-a');
    assert.notEqual(grown.id, first.id);
    const b = (findingUpdates as any[]).find((u) => u.finding_info.uid === 'vgl-spray-b');
    assert.equal(b.metadata.correlation_uid, grown.id);
    assert.equal(b.enrichments[0].value, 'APT28');
    assert.equal((db.prepare('SELECT COUNT(*) AS n FROM campaigns WHERE uid = ?').get(first.id) as any).n, 0, 'the superseded campaign is removed');
    db.close();
  });

  test('the id stays when later findings join', () => {
    const db = storeWith('stay', findings.filter((f) => f.finding_info.uid !== 'vgl-tor-signin-c'));
    const before = updateCampaigns(db, opts).campaigns.find((c) => c.findings.uids.includes('vgl-spray-a'))!;
    storeWith('stay', findings).close();
    const { campaigns, findingUpdates } = updateCampaigns(db, opts);
    const after = campaigns.find((c) => c.findings.uids.includes('vgl-spray-a'))!;
    assert.equal(after.id, before.id);
    assert.ok(after.findings.uids.includes('vgl-tor-signin-c'));
    const updated = (findingUpdates as any[]).map((u) => u.finding_info.uid);
    assert.ok(updated.includes('vgl-tor-signin-c'));
    db.close();
  });
});
