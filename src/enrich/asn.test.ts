import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AsnDatabase, parseAsnCsv } from './asn.js';
import { asnDatabasePaths } from './database-files.js';
import { parseIp, type IpAddress } from './ip-address.js';
import { seededRandom } from './fixtures/seeded-random.js';

const db = new AsnDatabase();
const as = (ip: string) => db.lookup(parseIp(ip)!);

test('CSV syntax: quoted names with commas and doubled quotes, CRLF, placeholder names, bad rows', () => {
  const csv = [
    '16777216,16777471,13335,"Cloudflare, Inc."',
    '35309568,35313663,201907,"LLC ""SPUTNIK"""\r',
    '35313664,35313679,64512,AS64512',
    'garbage line',
    '35313680,x,1,Bad Number',
    '',
    '50000000,50000255,2519,ARTERIA Networks Corporation',
  ].join('\n');
  const t = parseAsnCsv(Buffer.from(csv), 4);
  assert.equal(t.table.size, 4);
  assert.equal(t.badRows, 2);
  assert.equal(t.names.get(13335), 'Cloudflare, Inc.');
  assert.equal(t.names.get(201907), 'LLC "SPUTNIK"');
  assert.equal(t.names.has(64512), false, '"AS64512" is a placeholder, not a name');
  assert.equal(t.table.valueAt([16777216 + 5]), 13335);
  assert.equal(t.table.valueAt([35313680]), undefined);

  const v6 = parseAsnCsv(Buffer.from('2001:200::,2001:200:1b9:ffff:ffff:ffff:ffff:ffff,2500,WIDE Project\n2001:zz::,2001::1,1,x\n'), 6);
  assert.equal(v6.table.size, 1);
  assert.equal(v6.badRows, 1);
  assert.equal(v6.table.valueAt(parseIp('2001:200:1b9::42')!.words), 2500);
  assert.equal(v6.table.valueAt(parseIp('2001:200:1ba::')!.words), undefined);
});

test('well-known addresses (IPv4 and IPv6)', () => {
  assert.deepEqual(as('8.8.8.8'), { number: 15169, name: 'Google LLC' });
  assert.equal(as('1.1.1.1')?.number, 13335);
  assert.match(as('1.1.1.1')?.name ?? '', /Cloudflare/);
  assert.deepEqual(as('2001:4860:4860::8888'), { number: 15169, name: 'Google LLC' });
  assert.equal(as('2606:4700:4700::1111')?.number, 13335);
});

test('the shipped files read cleanly: sorted, no bad rows, at most a handful of overlaps', () => {
  const v4 = db.tableFor(4);
  const v6 = db.tableFor(6);
  assert.ok(v4.table.size > 300_000 && v6.table.size > 50_000, 'whole files read');
  for (const t of [v4, v6]) {
    assert.equal(t.badRows, 0);
    assert.equal(t.unsorted, 0);
    assert.ok(t.trimmed < 10, `overlaps trimmed: ${t.trimmed}`);
  }
});

/**
 * Rows of a numeric CSV (start,end,asn,...), read the simple way with BigInt: an oracle independent of the loader.
 * Rows are parsed when asked for, as only a sample is checked.
 */
function numericRows(path: string): { count: number; row(i: number): { start: bigint; end: bigint; asn: number } | undefined } {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l);
  return {
    count: lines.length,
    row(i) {
      if (i < 0 || i >= lines.length) return undefined;
      const [start, end, asn] = lines[i].split(',');
      return { start: BigInt(start), end: BigInt(end), asn: Number(asn) };
    },
  };
}

const toAddress = (family: 4 | 6, n: bigint): IpAddress =>
  family === 4 ? { family, words: [Number(n)] } : { family, words: [96n, 64n, 32n, 0n].map((s) => Number((n >> s) & 0xffffffffn)) };

for (const family of [4, 6] as const) {
  test(`property: IPv${family} lookups agree with the package's numeric file on sampled rows (seeded)`, () => {
    // The loader reads asn-ipv6.csv (text); the oracle reads asn-ipv6-num.csv (decimal), the same data.
    const dir = asnDatabasePaths().v4.replace(/asn-ipv4-num\.csv$/, '');
    const rows = numericRows(`${dir}asn-ipv${family}-num.csv`);
    const rnd = seededRandom(family);
    for (let k = 0; k < 300; k++) {
      const i = rnd.below(rows.count);
      const row = rows.row(i)!;
      const next = rows.row(i + 1);
      const probes = [row.start, row.start + (row.end - row.start) / 2n];
      // The end belongs to the row unless the next row overlaps it (the loader lets the later row win).
      if (!next || next.start > row.end) probes.push(row.end);
      for (const p of probes) assert.equal(db.lookup(toAddress(family, p))?.number, row.asn, `row ${i + 1} at ${p}`);
      // Just before a row there is either a gap or the previous row's AS.
      const prev = rows.row(i - 1);
      if (prev && prev.end < row.start - 1n) assert.equal(db.lookup(toAddress(family, row.start - 1n)), undefined, `gap before row ${i + 1}`);
    }
  });
}

test('one object per autonomous system, whatever the address', () => {
  const db = new AsnDatabase();
  const google = db.lookup(parseIp('8.8.8.8')!);
  assert.ok(google);
  assert.equal(db.lookup(parseIp('8.8.4.4')!), google);
  assert.equal(db.lookup(parseIp('2001:4860:4860::8888')!), google);
  assert.notEqual(db.lookup(parseIp('1.1.1.1')!), google);
});
