/**
 * The intel catalogue: STIX patterns (fixtures/patterns.json), the built-in ATT&CK groups and their aliases, the
 * shipped trimmed copy against the full MITRE bundle, merging a partner's actor by alias, MISP events, address
 * lists, and one-line errors for files that are not intelligence.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BUILTIN_INTEL_DIR, loadIntel } from './catalogue.js';
import { parseStixPattern } from './patterns.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const MITRE_FULL = fileURLToPath(new URL('../../../shared/data/intel/mitre-attack-apt28-apt31-apt35.stix.json', import.meta.url));
const PARTNER = fileURLToPath(new URL('../campaigns/fixtures/cases/spray-and-decoy/intel.stix.json', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'vigil-intel-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('STIX patterns', () => {
  const cases = JSON.parse(readFileSync(join(FIXTURES, 'patterns.json'), 'utf8')) as { pattern: string; values?: { kind: string; value: string }[]; refused?: string }[];
  for (const c of cases) {
    test(c.pattern || '(empty)', () => {
      const r = parseStixPattern(c.pattern);
      if (c.values) {
        assert.ok(r.ok, r.ok ? '' : r.reason);
        assert.deepEqual(r.values.map((v) => ({ kind: v.kind, value: v.value })), c.values);
      } else {
        assert.ok(!r.ok, 'should be refused');
        assert.match(r.reason, new RegExp(c.refused!));
      }
    });
  }
});

describe('built-in actors', () => {
  const cat = loadIntel([]);
  const same: [string, string[]][] = [
    ['APT28', ['Fancy Bear', 'STRONTIUM', 'Forest Blizzard', 'sofacy']],
    ['Magic Hound', ['APT35', 'Charming Kitten', 'PHOSPHORUS', 'Mint Sandstorm']],
    ['ZIRCONIUM', ['APT31', 'Violet Typhoon']],
  ];
  for (const [name, aliases] of same) {
    test(`${name} = ${aliases.join(' = ')}`, () => {
      const a = cat.actor(name);
      assert.ok(a);
      for (const alias of aliases) assert.equal(cat.actor(alias), a, alias);
      assert.ok(a.techniques.size > 20, 'techniques from ATT&CK');
      assert.ok(a.sectors.size > 0, 'sectors from vigil-actor-targets');
    });
  }

  test('APT28 is known for password spraying and guessing (T1110.003, T1110.001)', () => {
    const a = cat.actor('APT28')!;
    assert.equal(a.id, 'intrusion-set--bef4c620-0787-42a8-a96d-b7eb6e85917c');
    assert.equal(a.externalId, 'G0007');
    assert.ok(a.techniques.has('T1110.003') && a.techniques.has('T1110.001'));
    assert.ok(a.sectors.has('political'));
  });

  test('the shipped copy gives the same actors, aliases and techniques as the full MITRE bundle', { skip: !existsSync(MITRE_FULL) && 'shared data not present' }, () => {
    const full = loadIntel([{ path: MITRE_FULL }], { builtin: false });
    const view = (c: typeof full) => c.actors.map((a) => ({ id: a.id, name: a.name, aliases: [...a.aliases].sort(), techniques: [...a.techniques.keys()].sort() })).sort((x, y) => x.name.localeCompare(y.name));
    assert.equal(full.actors.length, 3);
    assert.deepEqual(view(loadIntel([{ path: join(BUILTIN_INTEL_DIR, 'mitre-attack-groups.stix.json') }], { builtin: false })), view(full));
  });

  test('the full MITRE bundle loads on top of the built-in one without making new actors', { skip: !existsSync(MITRE_FULL) && 'shared data not present' }, () => {
    const both = loadIntel([{ path: MITRE_FULL }]);
    assert.equal(both.actors.length, 3);
  });
});

describe('intel files', () => {
  test("a partner's actor named by an alias merges with the built-in one, and its indicators point at it", () => {
    const cat = loadIntel([{ path: PARTNER }]);
    const apt28 = cat.actor('APT28')!;
    assert.equal(cat.actor('Fancy Bear'), apt28);
    assert.equal(cat.actors.length, 3, 'no fourth actor');
    assert.equal(apt28.id, 'intrusion-set--bef4c620-0787-42a8-a96d-b7eb6e85917c', 'the ATT&CK id is kept for exports');
    const hit = cat.indicatorsForIp('198.51.100.10');
    assert.equal(hit.length, 1);
    assert.equal(hit[0].actors[0].actor, apt28);
    assert.equal(hit[0].confidence, 70);
    assert.deepEqual(cat.indicatorsForIp('198.51.100.11'), []);
  });

  test('a relationship to an actor defined in another file reaches it (indicates by id only)', () => {
    const file = join(tmp, 'by-id.json');
    writeFileSync(file, JSON.stringify({ type: 'bundle', id: 'bundle--6a1d1a0e-0000-4000-8000-000000000000', objects: [
      { type: 'indicator', spec_version: '2.1', id: 'indicator--6a1d1a0e-0000-4000-8000-000000000001', created: '2020-01-01T00:00:00Z', modified: '2020-01-01T00:00:00Z', pattern: "[ipv4-addr:value = '192.0.2.0/28']", pattern_type: 'stix', valid_from: '2020-01-01T00:00:00Z', confidence: 40 },
      { type: 'relationship', spec_version: '2.1', id: 'relationship--6a1d1a0e-0000-4000-8000-000000000002', created: '2020-01-01T00:00:00Z', modified: '2020-01-01T00:00:00Z', relationship_type: 'indicates', source_ref: 'indicator--6a1d1a0e-0000-4000-8000-000000000001', target_ref: 'intrusion-set--f9d6633a-55e6-4adc-9263-6ae080421a13' },
    ] }));
    const cat = loadIntel([{ path: file }]);
    assert.equal(cat.indicatorsForIp('192.0.2.9')[0].actors[0].actor.name, 'Magic Hound', 'inside the /28');
    assert.deepEqual(cat.indicatorsForIp('192.0.2.16'), [], 'outside the /28');
    assert.equal(cat.actors.length, 3);
  });

  test('a MISP event: actor from its galaxy, indicators from its attributes, confidence from estimative language', () => {
    const cat = loadIntel([{ path: join(FIXTURES, 'partner-misp-event.json') }]);
    const apt28 = cat.actor('APT28')!;
    assert.equal(cat.actor('Sofacy'), apt28, 'the threat-actor cluster merges with APT28 through its synonyms');
    assert.equal(cat.actors.length, 3);
    const f = cat.files.at(-1)!;
    assert.equal(f.format, 'misp');
    assert.deepEqual(f.indicators.map((i) => `${i.kind}:${i.value}`).sort(), ['asn:60729', 'domain:login-example.net', 'ip:192.0.2.44', 'ip:198.51.100.10', 'ip:198.51.100.20', 'ip:2001:db8::7', 'ip:203.0.113.1', 'user-agent:Apple-iPhone7C2/1202.466']);
    assert.equal(f.skipped.count, 1, 'the malformed address');
    assert.equal(cat.indicatorsForIp('198.51.100.20')[0].confidence, 70, 'event tag "likely"');
    assert.equal(cat.indicatorsFor('user-agent', 'Apple-iPhone7C2/1202.466')[0].confidence, 85, 'attribute tag "very-likely" wins');
    assert.equal(cat.indicatorsForIp('203.0.113.1')[0].anonymization, true, 'tagged tor');
    assert.equal(cat.sharedKind('203.0.113.1'), 'anonymiser (intel)');
    assert.equal(cat.indicatorsForIp('2001:0db8:0000:0000:0000:0000:0000:0007')[0].actors[0].actor, apt28);
    assert.equal(cat.indicatorsFor('domain', 'LOGIN-example.net').length, 1);
    assert.equal(cat.indicatorsFor('asn', '60729').length, 1);
  });

  test('address lists say which addresses are shared', () => {
    const tor = join(tmp, 'tor.txt');
    const vpn = join(tmp, 'vpn.txt');
    writeFileSync(tor, '# exits\n203.0.113.1\n2001:db8::1\n');
    writeFileSync(vpn, '198.18.0.0/15\n');
    const cat = loadIntel([{ kind: 'tor', path: tor }, { kind: 'vpn', path: vpn }]);
    assert.equal(cat.sharedKind('203.0.113.1'), 'Tor exit');
    assert.equal(cat.sharedKind('2001:db8:0:0::1'), 'Tor exit');
    assert.equal(cat.sharedKind('198.19.255.1'), 'VPN');
    assert.equal(cat.sharedKind('203.0.113.2'), undefined);
    assert.deepEqual(cat.lists.map((l) => [l.kind, l.entries]), [['tor', 2], ['vpn', 1]]);
  });

  test('files that are not intelligence fail with one line naming the file', () => {
    const notJson = join(tmp, 'x.json');
    writeFileSync(notJson, '{ nope');
    const other = join(tmp, 'y.json');
    writeFileSync(other, '{"hello": "world"}');
    assert.throws(() => loadIntel([{ path: join(tmp, 'missing.json') }]), /cannot read intel file .*missing\.json: no such file/);
    assert.throws(() => loadIntel([{ path: notJson }]), /intel file .*x\.json: not JSON/);
    assert.throws(() => loadIntel([{ path: other }]), /intel file .*y\.json: neither a STIX 2\.1 bundle nor a MISP event/);
    assert.throws(() => loadIntel([{ kind: 'tor', path: join(tmp, 'missing.txt') }]), /cannot read intel file .*missing\.txt/);
  });
});
