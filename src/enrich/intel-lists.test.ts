import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareWords, formatIp, nextAddress, parseCidr, parseIp, previousAddress, type IpAddress } from './ip-address.js';
import { IntelIndex, kindsFromBits, mostSpecificKind, parseIntelList, type IntelKind, type IntelListSpec } from './intel-lists.js';
import { seededRandom } from './fixtures/seeded-random.js';

const INTEL = join(process.cwd(), '..', 'shared', 'data', 'intel');
const FIXTURES = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, 'fixtures', 'intel');

const REAL_LISTS: IntelListSpec[] = [
  { kind: 'tor', path: join(INTEL, 'tor-exit-nodes-2024-02-27.txt') },
  { kind: 'vpn', path: join(INTEL, 'vpn-ipv4.txt') },
  { kind: 'vpn', path: join(INTEL, 'vpn-ipv6.txt') },
  { kind: 'hosting', path: join(INTEL, 'datacenter-ipv4.txt') },
  { kind: 'hosting', path: join(INTEL, 'datacenter-ipv6.txt') },
];

/** The real lists, loaded once for the tests that use them. */
let realIndex: Promise<IntelIndex> | undefined;
const loadReal = () => (realIndex ??= IntelIndex.load(REAL_LISTS, (m) => assert.fail(`unexpected warning: ${m}`)));

test('list syntax: addresses, blocks, comments, blanks, CRLF; bad lines counted with the first few quoted', () => {
  const list = parseIntelList(readFileSync(join(FIXTURES, 'mixed.txt'), 'utf8'), 1);
  assert.equal(list.entries, 5);
  assert.equal(list.badCount, 5);
  assert.deepEqual(list.badExamples, [
    { line: 8, text: 'not-an-address' },
    { line: 9, text: '10.0.0.0/33' },
    { line: 10, text: '1.2.3.4.5' },
  ]);
});

test('bad lines are reported through warn, once per file, and do not stop loading', async () => {
  const warnings: string[] = [];
  const index = await IntelIndex.load([{ kind: 'malicious', path: join(FIXTURES, 'mixed.txt') }], (m) => warnings.push(m));
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /mixed\.txt: 5 unreadable lines skipped \(line 8: "not-an-address", line 9: "10\.0\.0\.0\/33", line 10: "1\.2\.3\.4\.5", \.\.\.\)/);
  const kinds = (ip: string) => index.kindsOf(parseIp(ip)!);
  assert.deepEqual(kinds('203.0.113.200'), ['malicious']);
  assert.deepEqual(kinds('2001:db8:ffff::1'), ['malicious']);
  assert.deepEqual(kinds('192.0.2.1'), ['malicious'], 'IPv4-mapped entry matches the IPv4 address');
  assert.deepEqual(kinds('198.51.100.8'), []);
  assert.deepEqual(index.lists, [{ kind: 'malicious', path: join(FIXTURES, 'mixed.txt'), entries: 5, badLines: 5 }]);
});

test('a missing list is an error naming the file', async () => {
  const path = join(FIXTURES, 'no-such-list.txt');
  await assert.rejects(IntelIndex.load([{ kind: 'tor', path }]), (err: Error) => {
    assert.equal(err.message, `cannot read intel list ${path}: no such file`);
    return true;
  });
  await assert.rejects(IntelIndex.load([{ kind: 'tor', path: FIXTURES }]), /cannot read intel list .*intel: is a directory/);
});

test('kinds are sorted by name; the most specific is malicious > tor > vpn > hosting', () => {
  assert.deepEqual(kindsFromBits(0b1111), ['hosting', 'malicious', 'tor', 'vpn']);
  assert.equal(mostSpecificKind(['hosting', 'vpn']), 'vpn');
  assert.equal(mostSpecificKind(['hosting', 'tor', 'vpn']), 'tor');
  assert.equal(mostSpecificKind(['hosting', 'malicious', 'tor']), 'malicious');
  assert.equal(mostSpecificKind([]), undefined);
});

test('real lists: known addresses get the kinds of every list they are on', async () => {
  const index = await loadReal();
  // Expected kinds worked out independently with Python's ipaddress module over the same files.
  const cases: [string, IntelKind[]][] = [
    ['101.99.92.179', ['tor']], // a Tor exit, in no datacenter block
    ['103.193.179.233', ['hosting', 'tor']], // a Tor exit inside a datacenter block
    ['45.151.45.21', ['vpn']], // inside vpn 45.151.45.16/28 only
    ['2.26.157.77', ['hosting', 'vpn']], // inside vpn 2.26.157.0/24, also a datacenter block
    ['2001:470:1:908::9001', ['hosting', 'tor']], // an IPv6 Tor exit
    ['2001:550:1d05::1', ['hosting', 'vpn']], // inside vpn 2001:550:1d05::/48
    ['2001:310::1', ['hosting']],
    ['1.1.1.1', []],
    ['192.168.1.10', []],
  ];
  for (const [ip, kinds] of cases) assert.deepEqual(index.kindsOf(parseIp(ip)!), kinds, ip);
  assert.deepEqual(index.lists.map((l) => [l.entries, l.badLines]), [[1746, 0], [10862, 0], [498, 0], [42566, 0], [8752, 0]]);
});

test('property: real-list lookups equal a brute-force scan of every entry (seeded, boundary-heavy)', async () => {
  const index = await loadReal();
  const entries: { kind: IntelKind; range: NonNullable<ReturnType<typeof parseCidr>> }[] = [];
  for (const spec of REAL_LISTS) {
    for (const line of readFileSync(spec.path, 'utf8').split('\n')) {
      const range = line.trim() && !line.startsWith('#') ? parseCidr(line.trim()) : undefined;
      if (range) entries.push({ kind: spec.kind, range });
    }
  }
  const v4 = entries.filter((e) => e.range.family === 4).map((e) => ({ kind: e.kind, start: e.range.start[0], end: e.range.end[0] }));
  const v6 = entries.filter((e) => e.range.family === 6);
  const bruteForce = (addr: IpAddress): IntelKind[] => {
    const kinds = new Set<IntelKind>();
    if (addr.family === 4) {
      const a = addr.words[0];
      for (const e of v4) if (e.start <= a && a <= e.end) kinds.add(e.kind);
    } else {
      for (const { kind, range } of v6) {
        if (compareWords(range.start, 0, addr.words, 0, 4) <= 0 && compareWords(range.end, 0, addr.words, 0, 4) >= 0) kinds.add(kind);
      }
    }
    return [...kinds].sort();
  };
  const rnd = seededRandom(42);
  const probes: IpAddress[] = [];
  for (let i = 0; i < 600; i++) {
    // Edges of random entries and their neighbours, where a wrong table would differ...
    const { range } = entries[rnd.below(entries.length)];
    const edge = [range.start, range.end, previousAddress(range.start), nextAddress(range.end)][rnd.below(4)];
    if (edge) probes.push({ family: range.family, words: edge });
    // ...and uniformly random IPv4 addresses.
    probes.push({ family: 4, words: [rnd.u32()] });
  }
  let onSome = 0;
  for (const p of probes) {
    const expected = bruteForce(p);
    if (expected.length) onSome++;
    assert.deepEqual(index.kindsOf(p), expected, formatIp(p));
  }
  assert.ok(onSome > 200, `enough probes on lists (${onSome})`);
});
