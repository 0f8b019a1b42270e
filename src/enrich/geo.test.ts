import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GeoDatabase } from './geo.js';

const geo = new GeoDatabase();

test('country-level answers carry the country and GeoLite2 coordinates rounded to 4 decimals', () => {
  const loc = geo.lookup('8.8.8.8', 4);
  assert.equal(loc?.country, 'US');
  assert.equal(loc?.city, undefined, 'no empty strings for unknown fields');
  for (const x of [loc?.lat, loc?.long]) {
    assert.equal(typeof x, 'number');
    assert.equal(Math.round(x! * 1e4) / 1e4, x);
  }
  assert.equal(geo.lookup('2001:4860:4860::8888', 6)?.country, 'US');
  assert.equal(geo.lookup('2a02:2e0::1', 6)?.country, 'DE');
});

test('city-level answers carry region and city', () => {
  // MaxMind's own example address (a UK ISP, Andrews & Arnold).
  const loc = geo.lookup('81.2.69.142', 4)!;
  assert.equal(loc.country, 'GB');
  assert.equal(loc.region, 'England');
  assert.ok(loc.city && loc.city.length > 0);
  assert.ok(loc.lat! > 49 && loc.lat! < 61 && loc.long! > -9 && loc.long! < 2, 'coordinates in Great Britain');
});

test('addresses without a record give undefined', () => {
  assert.equal(geo.lookup('10.1.2.3', 4), undefined);
  assert.equal(geo.lookup('::1', 6), undefined);
});

test('addresses of one record share one location object (the enricher then keeps it once, not per address)', () => {
  // 8.8.8.8 and 8.8.4.4 are in one country-level record; a city's neighbouring addresses likewise.
  const a = geo.lookup('8.8.8.8', 4);
  assert.ok(a);
  assert.equal(geo.lookup('8.8.8.8', 4), a, 'the same address again');
  const other = [...Array(256).keys()].map((i) => geo.lookup(`8.8.${i}.8`, 4)).filter((l) => l !== undefined && l.country === a.country && l.lat === a.lat && l.long === a.long && l.city === a.city);
  assert.ok(other.length > 1, 'several addresses of the record');
  for (const l of other) assert.equal(l, a, 'one object for the record');
});
