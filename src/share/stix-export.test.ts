/**
 * The STIX export: a valid 2.1 bundle (checked by fixtures/stix-shape.ts, written from the specification), the same
 * bytes for the same campaigns, no organisation or account named anywhere, and a round trip: imported as `--intel`
 * in place of the partner's report, it attributes the campaign again and still not the decoy through its exits.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { campaignsOf, loadIntel } from '../campaigns/index.js';
import { loadOrganisations } from '../orgs/organisations.js';
import { stixProblems } from './fixtures/stix-shape.js';
import { campaignsToStix } from './stix-export.js';

const CASE = fileURLToPath(new URL('../campaigns/fixtures/cases/spray-and-decoy/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'vigil-stix-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const findings = readFileSync(join(CASE, 'findings.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const orgs = loadOrganisations(join(CASE, 'orgs.yaml'));
const tor = { kind: 'tor' as const, path: join(CASE, 'tor.txt') };
const campaigns = campaignsOf(findings, { catalogue: loadIntel([{ path: join(CASE, 'intel.stix.json') }, tor]), orgs });
const spray = campaigns.find((c) => c.findings.uids.includes('vgl-spray-a'))!;
const decoy = campaigns.find((c) => c.findings.uids.includes('vgl-decoy-a'))!;
const bundle = campaignsToStix(campaigns, { orgs }) as any;
const objects: any[] = bundle.objects;

describe('STIX export', () => {
  test('is a valid STIX 2.1 bundle', () => {
    assert.deepEqual(stixProblems(bundle), []);
    assert.equal(objects.filter((o) => o.type === 'campaign').length, campaigns.length);
  });

  test('the shape checker catches what it should', () => {
    const broken = structuredClone(bundle);
    const rel = broken.objects.find((o: any) => o.relationship_type === 'indicates');
    rel.target_ref = 'campaign--00000000-0000-4000-8000-000000000000';
    const ind = broken.objects.find((o: any) => o.type === 'indicator');
    ind.valid_until = ind.valid_from;
    broken.objects.find((o: any) => o.type === 'sighting').id = 'sighting--not-a-uuid';
    const problems = stixProblems(broken);
    assert.equal(problems.length, 3, problems.join('\n'));
    for (const re of [/does not resolve/, /valid_until not after valid_from/, /id is not sighting--<uuid>/]) assert.ok(problems.some((x) => re.test(x)), `${re}`);
  });

  test('attributes the campaign to the intrusion-set with its ATT&CK id and the confidence', () => {
    const c = objects.find((o) => o.type === 'campaign' && o.external_references[0].external_id === spray.id);
    const rel = objects.find((o) => o.type === 'relationship' && o.relationship_type === 'attributed-to' && o.source_ref === c.id);
    const set = objects.find((o) => o.id === rel.target_ref);
    assert.equal(set.id, 'intrusion-set--bef4c620-0787-42a8-a96d-b7eb6e85917c', 'the ATT&CK id, so partners merge it with their APT28');
    assert.ok(set.aliases.includes('STRONTIUM'));
    assert.equal(rel.confidence, spray.attribution.confidence);
    const d = objects.find((o) => o.type === 'campaign' && o.external_references[0].external_id === decoy.id);
    assert.ok(!objects.some((o) => o.relationship_type === 'attributed-to' && o.source_ref === d.id), 'no attribution for the decoy');
  });

  test('an indicator for every address with its validity; shared exits marked and short-lived', () => {
    const c = objects.find((o) => o.type === 'campaign' && o.external_references[0].external_id === spray.id);
    const mine = objects.filter((o) => o.type === 'relationship' && o.relationship_type === 'indicates' && o.target_ref === c.id).map((r) => objects.find((o) => o.id === r.source_ref));
    const ips = mine.filter((i) => i.pattern.startsWith('[ipv4-addr'));
    assert.equal(ips.length, spray.source_addresses.count);
    const exit = ips.find((i) => i.pattern.includes("'203.0.113.1'"));
    const own = ips.find((i) => i.pattern.includes("'198.51.100.10'"));
    assert.deepEqual(exit.indicator_types, ['anonymization']);
    assert.ok(own.confidence > exit.confidence);
    assert.ok(Date.parse(own.valid_until) - Date.parse(own.valid_from) > Date.parse(exit.valid_until) - Date.parse(exit.valid_from));
    assert.ok(mine.some((i) => i.pattern.includes("'User-Agent' = 'Apple-iPhone7C2/1202.466'")));
  });

  test('sightings per organisation by anonymous identities; no organisation or account is named', () => {
    const sightings = objects.filter((o) => o.type === 'sighting');
    assert.equal(sightings.length, campaigns.reduce((n, c) => n + c.organisations.count, 0));
    const text = JSON.stringify(bundle);
    for (const o of orgs.organisations) {
      assert.ok(!text.includes(o.id), `tenant id ${o.id} leaked`);
      assert.ok(!text.includes(o.name), `name ${o.name} leaked`);
    }
    for (const f of findings) for (const ob of f.observables) if (ob.type_id === 4) assert.ok(!text.includes(ob.value), `account ${ob.value} leaked`);
    assert.ok(!text.includes('.example'), 'no domain of an organisation');
    const victims = new Set(sightings.flatMap((s) => s.where_sighted_refs));
    for (const id of victims) assert.match(objects.find((o) => o.id === id).name, /^Targeted organisation \d+ of campaign vgc-/);
    // Victims are per campaign: org-a is in two campaigns but two different identities.
    assert.equal(victims.size, sightings.length);
    const sectors = [...victims].map((id) => objects.find((o) => o.id === id).sectors?.[0]).filter(Boolean).sort();
    assert.deepEqual(sectors, ['commercial', 'media', 'non-profit', 'political', 'political', 'political']);
  });

  test('the same campaigns give the same bytes', () => {
    const again = campaignsToStix(campaignsOf([...findings].reverse(), { catalogue: loadIntel([{ path: join(CASE, 'intel.stix.json') }, tor]), orgs }), { orgs });
    assert.equal(JSON.stringify(again), JSON.stringify(bundle));
  });

  test('round trip: imported as intel instead of the partner report, it attributes the campaign again, not the decoy', () => {
    const file = join(tmp, 'export.stix.json');
    writeFileSync(file, JSON.stringify(bundle));
    const without = campaignsOf(findings, { catalogue: loadIntel([tor]), orgs });
    assert.equal(without.find((c) => c.id === spray.id)!.attribution.status, 'unattributed', 'control: no intel, no actor');
    const catalogue = loadIntel([{ path: file }, tor]);
    assert.ok(catalogue.actor('APT28')!.sources.includes(file), 'the exported intrusion-set merges with the built-in APT28');
    const again = campaignsOf(findings, { catalogue, orgs });
    const s = again.find((c) => c.id === spray.id)!;
    assert.equal(s.attribution.actor, 'APT28');
    assert.ok(s.attribution.confidence >= 50);
    assert.ok(s.attribution.reasons.some((r) => r.includes('198.51.100.40')), 'addresses the partner report never named now count');
    assert.ok(s.attribution.reasons.some((r) => r.startsWith('same tool (Apple-iPhone7C2/1202.466')), 'the exported fingerprint is a profile');
    const d = again.find((c) => c.id === decoy.id)!;
    assert.equal(d.attribution.status, 'unattributed');
    assert.ok(d.attribution.confidence < 50);
  });
});
