/**
 * The generated world as a whole: `vigil simulate` twice gives the same bytes; every format's logs read back through
 * the real reader with nothing quarantined; and the truth agrees with what the logs show (each attack's sources and
 * accounts appear, in the right tenants, and the record counts match), for every vendor format.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { simulate } from '../cli/commands/simulate.js';
import { Quarantine } from '../ingest/quarantine.js';
import { newStats, readSource } from '../ingest/reader.js';
import { expandInputs } from '../ingest/sources.js';
import type { AuthEvent } from '../ocsf/authentication.js';
import { DEFAULT_START } from './clock.js';
import { FORMATS } from './population.js';
import { resolveScenarios } from './scenarios.js';
import type { Truth } from './truth.js';
import { generateWorld } from './world.js';

const tmp = mkdtempSync(join(tmpdir(), 'vigil-simulate-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

async function readLogs(dir: string) {
  const q = new Quarantine(undefined);
  const stats = newStats();
  const events: AuthEvent[] = [];
  for (const src of expandInputs([join(dir, 'logs')])) for await (const batch of readSource(src, {}, q, stats)) events.push(...batch);
  return { events, stats, q };
}

describe('vigil simulate', () => {
  test('the same arguments give byte-identical worlds; another seed does not', async () => {
    const args = ['--days', '2', '--orgs', '5', '--scale', '0.1'];
    for (const [name, seed] of [['a', '7'], ['b', '7'], ['c', '8']]) assert.equal(await simulate.run([...args, '--seed', seed, '--out', join(tmp, name)]), 0);
    const a = files(join(tmp, 'a'));
    assert.ok(a.includes('truth.json') && a.includes('orgs.yaml') && a.includes('README.md') && a.includes('intel/attackers.stix.json'));
    assert.deepEqual(files(join(tmp, 'b')), a);
    for (const f of a) assert.ok(readFileSync(join(tmp, 'a', f)).equals(readFileSync(join(tmp, 'b', f))), `${f} differs between two runs`);
    assert.notDeepEqual(readFileSync(join(tmp, 'c', 'truth.json')), readFileSync(join(tmp, 'a', 'truth.json')));
  });

  test('rejects bad options with a usage error and will not write into a foreign directory', async () => {
    await assert.rejects(simulate.run(['--format', 'syslog', '--out', join(tmp, 'x')]), /unknown format 'syslog'/);
    await assert.rejects(simulate.run(['--days', '0', '--out', join(tmp, 'x')]), /--days must be a whole number/);
    await assert.rejects(simulate.run(['--days', '2']), /--out DIR is required/);
    await assert.rejects(simulate.run(['--start', 'yesterday', '--out', join(tmp, 'x')]), /--start must be a date/);
    await assert.rejects(simulate.run(['--out', join(tmp, '..')]), /not empty and holds no simulated world/);
  });
});

describe('every format reads back and agrees with the truth', () => {
  for (const format of FORMATS) {
    test(format, async () => {
      const out = join(tmp, `fmt-${format}`);
      const { truth } = generateWorld({ seed: 3, days: 3, orgs: 6, scale: 0.15, format, start: DEFAULT_START, scenarios: resolveScenarios([]), out });
      const { events, stats, q } = await readLogs(out);
      assert.equal(stats.quarantined, 0, `quarantined: ${[...q.byReason].map(([r, n]) => `${n} ${r}`).join('; ')}`);
      assert.equal(stats.events, truth.events_total, 'one event per record (per attempt for sshd)');

      const orgs = (parseYaml(readFileSync(join(out, 'orgs.yaml'), 'utf8')) as { organisations: { id: string }[] }).organisations.map((o) => o.id);
      assert.deepEqual(orgs, truth.organisations);
      const tenants = new Set(events.map((e) => e.metadata.tenant_uid));
      for (const t of tenants) assert.ok(orgs.includes(t), `tenant ${t} of the logs is not in orgs.yaml`);

      const ips = new Set(events.map((e) => `${e.metadata.tenant_uid} ${e.src_endpoint.ip}`));
      const accounts = new Set(events.map((e) => `${e.metadata.tenant_uid} ${e.user.name}`));
      assert.ok(truth.attacks.length >= 9);
      for (const a of truth.attacks) {
        if (a.events === 0) continue;
        for (const ip of a.sources) assert.ok(a.organisations.some((t) => ips.has(`${t} ${ip}`)), `${a.id}: source ${ip} not in the logs of its organisations`);
        for (const acc of [...a.accounts, ...a.compromised, ...a.password_valid]) assert.ok(accounts.has(`${acc.tenant} ${acc.name}`), `${a.id}: account ${acc.name} not in the logs of ${acc.tenant}`);
        for (const acc of a.compromised) {
          const ok = events.some((e) => e.status_id === 1 && e.metadata.tenant_uid === acc.tenant && e.user.name === acc.name && a.sources.includes(e.src_endpoint.ip ?? ''));
          assert.ok(ok, `${a.id}: no success of ${acc.name} from the attack's sources`);
        }
      }
    });
  }
});

describe('truth.json', () => {
  test('lists each attack with the required fields and types, and counts that add up', () => {
    const out = join(tmp, 'fmt-entra');
    const truth = JSON.parse(readFileSync(join(out, 'truth.json'), 'utf8')) as Truth;
    const types = ['password_spray', 'brute_force', 'credential_stuffing', 'mfa_fatigue', 'impossible_travel', 'anonymizer_signin', 'account_compromise'];
    assert.equal(truth.seed, 3);
    assert.equal(truth.start, '2020-08-24T00:00:00Z');
    assert.equal(truth.end, '2020-08-27T00:00:00Z');
    assert.equal(truth.format, 'entra');
    assert.equal(truth.events_total, truth.benign_events + truth.attacks.reduce((n, a) => n + a.events, 0));
    for (const a of truth.attacks) {
      assert.ok(types.includes(a.type), a.type);
      assert.ok(a.actor === null || typeof a.actor === 'string');
      if (a.events) assert.ok(a.start! >= truth.start && a.end! <= truth.end && a.start! <= a.end!, `${a.id} outside the world`);
    }
    const byId = new Map(truth.attacks.map((a) => [a.id, a]));
    assert.equal(byId.get('strontium-spray')?.actor, 'APT28');
    assert.equal(byId.get('criminal-decoy-spray')?.actor, null);
    // The decoy shares STRONTIUM's exits.
    const spray = new Set(byId.get('strontium-spray')!.sources);
    assert.ok(byId.get('criminal-decoy-spray')!.sources.every((ip) => spray.has(ip)));
    for (const id of ['mfa-push-bombing', 'impossible-travel', 'tor-success']) assert.equal(byId.get(id)?.compromised.length, 1, id);
  });

  test('the intelligence names APT28 and some, not all, of its addresses', () => {
    const out = join(tmp, 'fmt-entra');
    const truth = JSON.parse(readFileSync(join(out, 'truth.json'), 'utf8')) as Truth;
    const bundle = JSON.parse(readFileSync(join(out, 'intel', 'attackers.stix.json'), 'utf8'));
    assert.equal(bundle.type, 'bundle');
    const set = bundle.objects.find((o: any) => o.type === 'intrusion-set');
    assert.equal(set.name, 'APT28');
    assert.deepEqual(set.aliases, ['STRONTIUM', 'Fancy Bear', 'Forest Blizzard']);
    assert.equal(set.external_references[0].external_id, 'G0007');
    const indicators = bundle.objects.filter((o: any) => o.type === 'indicator');
    const apt28 = new Set(truth.attacks.filter((a) => a.actor === 'APT28').flatMap((a) => a.sources));
    const named = indicators.map((i: any) => /^\[ipv4-addr:value = '([\d.]+)'\]$/.exec(i.pattern)?.[1]);
    assert.ok(named.every((ip: string | undefined) => ip && apt28.has(ip)));
    assert.ok(named.length >= 1 && named.length <= Math.ceil(apt28.size * 0.1));
    const rels = bundle.objects.filter((o: any) => o.type === 'relationship' && o.relationship_type === 'indicates');
    assert.equal(rels.length, indicators.length);
    assert.ok(rels.every((r: any) => r.target_ref === set.id));
    const tor = readFileSync(join(out, 'intel', 'tor-exits.txt'), 'utf8').split('\n').filter((l) => /^\d/.test(l));
    assert.ok(tor.length >= 1200);
  });
});
