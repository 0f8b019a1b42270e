import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AutonomousSystem, Location, SrcEndpoint } from '../ocsf/authentication.js';
import { mergeAutonomousSystem, mergeLocation, sameCountry } from './merge.js';

const DB: Location = { country: 'US', region: 'Virginia', city: 'Ashburn', lat: 39.018, long: -77.539 };

test('location: the vendor wins; only missing fields that agree with the vendor are filled', () => {
  const cases: [string, Location | undefined, Location][] = [
    ['nothing from the vendor', undefined, DB],
    ['same country: finer fields filled', { country: 'US' }, DB],
    ['same country as an English name (Okta)', { country: 'United States' }, { ...DB, country: 'United States' }],
    ['other country: nothing finer from the database', { country: 'DE' }, { country: 'DE' }],
    ['other country name', { country: 'Germany', city: 'Berlin' }, { country: 'Germany', city: 'Berlin' }],
    ['same country, other city: region kept, no coordinates', { country: 'US', city: 'Seattle' }, { country: 'US', region: 'Virginia', city: 'Seattle' }],
    ['vendor coordinates kept', { country: 'US', lat: 47.6, long: -122.3 }, { ...DB, lat: 47.6, long: -122.3 }],
    ['only the city from the vendor, same city', { city: 'ashburn' }, { ...DB, city: 'ashburn' }],
    ['half coordinates are not completed', { country: 'US', region: 'Virginia', city: 'Ashburn', lat: 1 }, { country: 'US', region: 'Virginia', city: 'Ashburn', lat: 1 }],
  ];
  for (const [name, vendor, expected] of cases) {
    const src: SrcEndpoint = { ip: '192.0.2.1', ...(vendor ? { location: { ...vendor } } : {}) };
    mergeLocation(src, DB);
    assert.deepEqual(src.location, expected, name);
  }
});

test('location: the database object is copied, never shared with the event', () => {
  const src: SrcEndpoint = {};
  const db = { ...DB };
  mergeLocation(src, db);
  src.location!.city = 'changed';
  assert.equal(db.city, 'Ashburn');
});

test('autonomous system: vendor number wins; the name is added only when the numbers agree', () => {
  const db: AutonomousSystem = { number: 15169, name: 'Google LLC' };
  const cases: [string, AutonomousSystem | undefined, AutonomousSystem][] = [
    ['nothing from the vendor', undefined, db],
    ['same number (Entra gives only the number)', { number: 15169 }, db],
    ['other number', { number: 396982 }, { number: 396982 }],
    ['vendor name kept', { number: 15169, name: 'GOOGLE' }, { number: 15169, name: 'GOOGLE' }],
    ['name only: number added', { name: 'Google' }, { number: 15169, name: 'Google' }],
  ];
  for (const [name, vendor, expected] of cases) {
    const src: SrcEndpoint = vendor ? { autonomous_system: { ...vendor } } : {};
    mergeAutonomousSystem(src, db);
    assert.deepEqual(src.autonomous_system, expected, name);
  }
});

test('country names and codes compare across forms', () => {
  assert.ok(sameCountry('us', 'US'));
  assert.ok(sameCountry('Russia', 'RU'));
  assert.ok(sameCountry('United Kingdom', 'GB'));
  assert.ok(!sameCountry('Canada', 'US'));
  assert.ok(!sameCountry('Mordor', 'NZ'));
  assert.ok(!sameCountry('US', 'not a code'));
});
