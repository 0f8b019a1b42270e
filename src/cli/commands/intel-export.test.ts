/**
 * `vigil intel` lists the built-in and given intelligence; `vigil export --stix` writes the store's campaigns as a
 * valid bundle, one campaign on request, and fails in one line on a wrong store, campaign or option.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadIntel, updateCampaigns } from '../../campaigns/index.js';
import { loadOrganisations } from '../../orgs/organisations.js';
import { stixProblems } from '../../share/fixtures/stix-shape.js';
import { openStore } from '../../store/db.js';
import { CliError, UsageError } from '../command.js';
import { exportCmd } from './export.js';
import { intel } from './intel.js';

const CASE = fileURLToPath(new URL('../../campaigns/fixtures/cases/spray-and-decoy/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'vigil-cli-intel-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

async function output(run: () => Promise<number>): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = console.log;
  const err = process.stderr.write;
  console.log = (...a: unknown[]) => void lines.push(a.join(' '));
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    return { code: await run(), out: lines.join('\n') };
  } finally {
    console.log = log;
    process.stderr.write = err;
  }
}

describe('vigil intel', () => {
  test('lists the built-in actors with their aliases, and the files given', async () => {
    const { code, out } = await output(() => intel.run(['--intel', join(CASE, 'intel.stix.json'), '--intel', `tor:${join(CASE, 'tor.txt')}`]));
    assert.equal(code, 0);
    assert.match(out, /^APT28 \(G0007\): \d+ techniques, 6 indicators/m);
    for (const alias of ['Fancy Bear', 'STRONTIUM', 'Forest Blizzard', 'Charming Kitten', 'Mint Sandstorm', 'APT35', 'APT31', 'Violet Typhoon']) assert.ok(out.includes(alias), alias);
    assert.match(out, /intel\.stix\.json\s+stix\s+1\s+6/);
    assert.match(out, /tor\.txt\s+list: tor\s+0\s+10/);
  });

  test('--actor by any alias shows the indicators; --json is JSON', async () => {
    const { out } = await output(() => intel.run(['--intel', join(CASE, 'intel.stix.json'), '--actor', 'forest blizzard']));
    assert.match(out, /^APT28 \(G0007/);
    assert.match(out, /198\.51\.100\.10\s+ip\s+70/);
    const json = JSON.parse((await output(() => intel.run(['--json']))).out);
    assert.deepEqual(json.actors.map((a: any) => a.name).sort(), ['APT28', 'Magic Hound', 'ZIRCONIUM']);
    await assert.rejects(intel.run(['--actor', 'Nobody Bear']), CliError);
  });
});

describe('vigil export', () => {
  const db = join(tmp, 'store.db');
  const findings = readFileSync(join(CASE, 'findings.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const store = openStore(db);
  const ins = store.prepare('INSERT INTO findings (uid, tenant, type, severity_id, first_seen, last_seen, time, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  for (const f of findings) ins.run(f.finding_info.uid, f.metadata.tenant_uid, f.finding_info.types[0], f.severity_id, f.finding_info.first_seen_time, f.finding_info.last_seen_time, f.time, JSON.stringify(f));
  const { campaigns } = updateCampaigns(store, { catalogue: loadIntel([{ path: join(CASE, 'intel.stix.json') }, { kind: 'tor', path: join(CASE, 'tor.txt') }]), orgs: loadOrganisations(join(CASE, 'orgs.yaml')) });
  store.close();

  test('writes every campaign of the store as a valid STIX 2.1 bundle', async () => {
    const out = join(tmp, 'all.json');
    const { code } = await output(() => exportCmd.run(['--stix', out, '--db', db, '--orgs', join(CASE, 'orgs.yaml')]));
    assert.equal(code, 0);
    const bundle = JSON.parse(readFileSync(out, 'utf8'));
    assert.deepEqual(stixProblems(bundle), []);
    assert.equal(bundle.objects.filter((o: any) => o.type === 'campaign').length, campaigns.length);
    assert.ok(bundle.objects.some((o: any) => o.definition?.tlp === 'amber'), 'TLP:AMBER by default');
  });

  test('--campaign, --min-orgs and --tlp choose what is written', async () => {
    const out = join(tmp, 'one.json');
    const spray = campaigns.find((c) => c.attribution.actor === 'APT28')!;
    await output(() => exportCmd.run(['--stix', out, '--db', db, '--campaign', spray.id, '--tlp', 'green']));
    const bundle = JSON.parse(readFileSync(out, 'utf8'));
    assert.deepEqual(bundle.objects.filter((o: any) => o.type === 'campaign').map((o: any) => o.external_references[0].external_id), [spray.id]);
    assert.ok(bundle.objects.some((o: any) => o.definition?.tlp === 'green'));
    await output(() => exportCmd.run(['--stix', out, '--db', db, '--min-orgs', '3']));
    assert.equal(JSON.parse(readFileSync(out, 'utf8')).objects.filter((o: any) => o.type === 'campaign').length, 1);
  });

  test('fails in one line on a missing store, an unknown campaign or a bad option', async () => {
    await assert.rejects(exportCmd.run(['--stix', join(tmp, 'x.json'), '--db', join(tmp, 'nope.db')]), (e: Error) => e instanceof CliError && /no store at/.test(e.message));
    await assert.rejects(exportCmd.run(['--stix', join(tmp, 'x.json'), '--db', db, '--campaign', 'vgc-nope']), (e: Error) => e instanceof CliError && /no campaign vgc-nope/.test(e.message));
    await assert.rejects(exportCmd.run(['--db', db]), UsageError);
    await assert.rejects(exportCmd.run(['--stix', join(tmp, 'x.json'), '--db', db, '--tlp', 'purple']), UsageError);
  });
});
