/**
 * End to end on a simulated world: the real detectors over the logs of nine organisations with STRONTIUM's
 * distributed spray and a criminal decoy through the same Tor exits (fixtures/world: the spray with more rented
 * servers in its pool, see the README there), then campaigns with the world's own intelligence (a partner's STIX
 * report naming 5% of the actor's addresses, the Tor exits and VPN ranges). The spray is one campaign attributed
 * to APT28 from a few addresses; the decoy is another and unattributed; the export, imported in place of the
 * partner's report, attributes the spray again. About 20 s: the detectors read 50,000 sign-ins.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadRules, DEFAULT_RULES_DIR } from '../detect/rules.js';
import { runDetection } from '../detect/run.js';
import { Enricher } from '../enrich/index.js';
import { Quarantine } from '../ingest/quarantine.js';
import { expandInputs } from '../ingest/sources.js';
import { loadOrganisations } from '../orgs/organisations.js';
import { stixProblems } from '../share/fixtures/stix-shape.js';
import { campaignsToStix } from '../share/stix-export.js';
import { DEFAULT_START } from '../simulate/clock.js';
import { DEFAULT_SCENARIO_DIR, loadScenarioFile } from '../simulate/scenarios.js';
import type { Truth } from '../simulate/truth.js';
import { generateWorld } from '../simulate/world.js';
import { openStore, type Db } from '../store/db.js';
import { campaignsOf, loadIntel, updateCampaigns, type Campaign } from './index.js';
import { readStoredFindings } from './store.js';

const SPRAY = fileURLToPath(new URL('./fixtures/world/strontium-spray.yaml', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'vigil-world-campaigns-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

let truth: Truth;
let db: Db;
let campaigns: Campaign[];
let updates: Record<string, any>[];
let findings: Record<string, any>[];
const lists = () => [{ kind: 'tor' as const, path: join(tmp, 'intel/tor-exits.txt') }, { kind: 'vpn' as const, path: join(tmp, 'intel/vpn-ranges.txt') }];
const fp = (f: Record<string, any>) => f.unmapped?.fingerprint?.user_agent;

before(async () => {
  const scenarios = [loadScenarioFile(SPRAY), loadScenarioFile(join(DEFAULT_SCENARIO_DIR, 'criminal-decoy-spray.yaml'))];
  truth = generateWorld({ seed: 1, days: 2, orgs: 9, scale: 0.5, format: 'entra', start: DEFAULT_START, scenarios, out: tmp }).truth;
  db = openStore(join(tmp, 'vigil.db'));
  await runDetection(expandInputs([join(tmp, 'logs')]), {
    db,
    rules: await loadRules(DEFAULT_RULES_DIR),
    read: {},
    enricher: await Enricher.create({ intel: lists() }),
    quarantine: new Quarantine(undefined),
    identity: 'world-campaigns',
    command: 'test',
    emit: () => {},
  });
  const catalogue = loadIntel([{ path: join(tmp, 'intel/attackers.stix.json') }, ...lists()]);
  ({ campaigns, findingUpdates: updates } = updateCampaigns(db, { catalogue, orgs: loadOrganisations(join(tmp, 'orgs.yaml')) }) as { campaigns: Campaign[]; findingUpdates: Record<string, any>[] });
  findings = [...readStoredFindings(db)].map((r) => r.f);
});
after(() => db?.close());

const attack = (id: string) => truth.attacks.find((a) => a.id === id)!;
const campaignOf = (uid: string) => campaigns.find((c) => c.findings.uids.includes(uid))!;
const indicatorIps = () => {
  const bundle = JSON.parse(readFileSync(join(tmp, 'intel/attackers.stix.json'), 'utf8'));
  return bundle.objects.filter((o: any) => o.type === 'indicator').map((o: any) => /'([^']+)'/.exec(o.pattern)![1]) as string[];
};

describe('campaigns in a simulated world', () => {
  test('the distributed spray across organisations is one campaign', () => {
    const sprays = findings.filter((f) => f.finding_info.types[0] === 'password_spray' && fp(f) === 'Apple-iPhone7C2/1202.466');
    const tenants = new Set(sprays.map((f) => f.metadata.tenant_uid));
    assert.ok(tenants.size >= 5, `the spray was detected at ${tenants.size} organisations`);
    const ids = new Set(sprays.map((f) => campaignOf(f.finding_info.uid).id));
    assert.equal(ids.size, 1, 'one campaign');
    const c = campaignOf(sprays[0].finding_info.uid);
    for (const t of c.organisations.ids) assert.ok(attack('strontium-spray').organisations.includes(t), `${t} was not a target of the spray`);
    assert.equal(c.organisations.count, tenants.size);
  });

  test('attributed to APT28 from a few of its addresses, and every finding of it says so', () => {
    const c = campaignOf(findings.find((f) => fp(f) === 'Apple-iPhone7C2/1202.466')!.finding_info.uid);
    assert.equal(c.attribution.actor, 'APT28', c.attribution.reasons.join('\n'));
    assert.ok(c.attribution.confidence >= 50);
    const named = indicatorIps().filter((ip) => c.source_addresses.addresses.includes(ip) && !c.source_addresses.shared.includes(ip));
    assert.ok(named.length >= 2, 'the partner named several of its own addresses');
    assert.ok(named.length < c.source_addresses.count / 10, `${named.length} of ${c.source_addresses.count} addresses matched: the rest inherit`);
    const text = c.attribution.reasons.join('\n');
    const shown = named.filter((ip) => text.includes(ip));
    assert.equal(shown.length, Math.min(5, named.length), `reasons name the matched addresses (up to five): ${text}`);
    for (const uid of c.findings.uids) {
      const u = updates.find((x) => x.finding_info.uid === uid);
      assert.ok(u, `${uid} is written again`);
      assert.equal(u.metadata.correlation_uid, c.id);
      const e = u.enrichments.find((x: any) => x.name === 'threat_actor');
      assert.equal(e.value, 'APT28');
      assert.ok(e.data.aliases.includes('STRONTIUM'));
    }
    const withoutMatch = c.findings.uids.filter((uid) => {
      const f = findings.find((x) => x.finding_info.uid === uid)!;
      return !f.observables.some((o: any) => named.includes(o.value));
    });
    assert.ok(withoutMatch.length > 0, 'some findings carry the actor though none of their addresses is on an indicator');
  });

  test('the decoy through the same exits is another campaign, unattributed', () => {
    const decoys = findings.filter((f) => fp(f) === 'BAV2ROPC');
    assert.ok(decoys.length >= 2, 'the decoy was detected');
    const onList = indicatorIps().filter((ip) => decoys.some((f) => f.observables.some((o: any) => o.value === ip)));
    assert.ok(onList.length >= 1, 'the decoy used exits on the APT28 indicator list');
    const spray = campaigns.find((c) => c.attribution.actor === 'APT28')!;
    for (const f of decoys) {
      const c = campaignOf(f.finding_info.uid);
      assert.notEqual(c.id, spray.id);
      assert.equal(c.attribution.status, 'unattributed', c.attribution.reasons.join('\n'));
      assert.ok(c.attribution.confidence < 50);
      const u = updates.find((x) => x.finding_info.uid === f.finding_info.uid)!;
      assert.notEqual(u.enrichments?.find((x: any) => x.name === 'threat_actor')?.value, 'APT28');
    }
  });

  test('the export is valid STIX and, imported instead of the partner report, attributes the spray again', () => {
    const bundle = campaignsToStix(campaigns.filter((c) => c.organisations.count > 1));
    assert.deepEqual(stixProblems(bundle), []);
    const file = join(tmp, 'export.stix.json');
    writeFileSync(file, JSON.stringify(bundle));
    const again = campaignsOf(findings, { catalogue: loadIntel([{ path: file }, ...lists()]), orgs: loadOrganisations(join(tmp, 'orgs.yaml')) });
    const spray = again.find((c) => c.findings.uids.some((uid) => campaigns.find((x) => x.attribution.actor === 'APT28')!.findings.uids.includes(uid)))!;
    assert.equal(spray.attribution.actor, 'APT28');
    assert.ok(spray.attribution.confidence >= 50);
    for (const c of again) if (c.fingerprint?.user_agent === 'BAV2ROPC') assert.equal(c.attribution.status, 'unattributed');
  });
});
