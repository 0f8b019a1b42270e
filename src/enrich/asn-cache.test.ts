/**
 * The ASN tables' cache: it gives exactly the parsed table's answers, and any cache that is not a whole one made
 * from the CSV as it is now is refused (the CSV is then parsed), whatever its bytes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAsnCsv } from './asn.js';
import { asnDatabasePaths } from './database-files.js';
import { packAsnTable, readAsnCache, unpackAsnTable, writeAsnCache } from './asn-cache.js';
import { parseIp } from './ip-address.js';
import { seededRandom } from './fixtures/seeded-random.js';

const CSV_V4 = ['16777216,16777471,13335,"Cloudflare, Inc."', '35309568,35313663,201907,"LLC ""SPUTNIK"""', '35313664,35313679,64512,AS64512', 'bad row', '50000000,50000255,2519,Zürich Net'].join('\n');
const CSV_V6 = '2001:200::,2001:200:1b9:ffff:ffff:ffff:ffff:ffff,2500,WIDE Project\n2001:db8::,2001:db8::ffff,64496,Example\n';
const ID = { size: 1234, mtimeMs: 1700000000123.5 };

test('a packed table answers as the parsed one: ranges, names (UTF-8 included), counts', () => {
  for (const [csv, family, probes] of [
    [CSV_V4, 4, ['1.0.0.9', '2.26.200.1', '2.26.224.3', '2.250.240.10', '9.9.9.9']],
    [CSV_V6, 6, ['2001:200:1b9::42', '2001:db8::1', '2001:db9::']],
  ] as const) {
    const parsed = parseAsnCsv(Buffer.from(csv), family);
    const bytes = packAsnTable(parsed, family, ID);
    // Read in place from an aligned buffer (as a file read whole is), copied from one that is not.
    const aligned = Buffer.from(new Uint8Array(bytes).buffer);
    const shifted = Buffer.alloc(bytes.length + 1).subarray(1);
    bytes.copy(shifted);
    for (const cached of [unpackAsnTable(aligned, family, ID)!, unpackAsnTable(shifted, family, ID)!]) {
      assert.ok(cached, `IPv${family} cache read back`);
      assert.deepEqual([cached.badRows, cached.unsorted, cached.trimmed, cached.names.size], [parsed.badRows, parsed.unsorted, parsed.trimmed, parsed.names.size]);
      for (const ip of probes) assert.equal(cached.table.valueAt(parseIp(ip)!.words), parsed.table.valueAt(parseIp(ip)!.words), ip);
      for (const asn of [13335, 201907, 64512, 2519, 2500, 64496, 1]) {
        assert.equal(cached.names.get(asn), parsed.names.get(asn), `name of ${asn}`);
        assert.equal(cached.names.has(asn), parsed.names.has(asn));
      }
    }
  }
});

test('a cache of another CSV, family or version, or damaged in any way, is refused', () => {
  const parsed = parseAsnCsv(Buffer.from(CSV_V4), 4);
  const good = packAsnTable(parsed, 4, ID);
  assert.equal(unpackAsnTable(good, 4, { ...ID, size: ID.size + 1 }), undefined, 'another size');
  assert.equal(unpackAsnTable(good, 4, { ...ID, mtimeMs: ID.mtimeMs + 1 }), undefined, 'another time');
  assert.equal(unpackAsnTable(good, 6, ID), undefined, 'another family');
  assert.equal(unpackAsnTable(good.subarray(0, good.length - 1), 4, ID), undefined, 'truncated');
  assert.equal(unpackAsnTable(Buffer.concat([good, Buffer.from([0])]), 4, ID), undefined, 'longer');
  assert.equal(unpackAsnTable(Buffer.from(good.toString('latin1').replace('"version":1', '"version":9'), 'latin1'), 4, ID), undefined, 'version');
  // Random damage anywhere: refused or read, never a crash (a changed byte inside the arrays is not detectable,
  // which is why a cache is only used when made from the very file).
  const rnd = seededRandom(11);
  for (let i = 0; i < 300; i++) {
    const bad = Buffer.from(good);
    for (let k = 0; k < 3; k++) bad[rnd.below(bad.length)] = rnd.below(256);
    unpackAsnTable(bad.subarray(0, rnd.below(2) ? bad.length : rnd.below(bad.length)), 4, ID);
  }
  for (const junk of ['', '\n', '{}\n', 'null\n', '[1,2]\n', '{"magic":"vigil-asn-cache"}\n']) assert.equal(unpackAsnTable(Buffer.from(junk), 4, ID), undefined, JSON.stringify(junk));
});

test('written and read from a file; a missing file is no cache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-asn-cache-'));
  try {
    const path = join(dir, 'asn-ipv4.cache');
    assert.equal(readAsnCache(path, 4, ID), undefined);
    writeAsnCache(path, parseAsnCsv(Buffer.from(CSV_V4), 4), 4, ID);
    assert.equal(readAsnCache(path, 4, ID)?.names.get(201907), 'LLC "SPUTNIK"');
    writeFileSync(path, 'not a cache');
    assert.equal(readAsnCache(path, 4, ID), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the shipped IPv4 table through the cache: the same answer at random addresses', () => {
  const path = asnDatabasePaths().v4;
  const parsed = parseAsnCsv(readFileSync(path), 4);
  const cached = unpackAsnTable(packAsnTable(parsed, 4, statSync(path)), 4, statSync(path))!;
  assert.equal(cached.table.size, parsed.table.size);
  const rnd = seededRandom(5);
  for (let i = 0; i < 20000; i++) {
    const a = rnd.u32();
    const v = cached.table.valueAt([a]);
    assert.equal(v, parsed.table.valueAt([a]));
    if (v !== undefined) assert.equal(cached.names.get(v), parsed.names.get(v));
  }
});
