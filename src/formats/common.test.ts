/** Time parsing: the calendar check (no 30 February, leap years) agrees with what Date itself says of each day. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cleanIp, jsonNumber, parseTime, str } from './common.js';

test('parseTime accepts exactly the days the calendar has, leap years included', () => {
  const years = [1990, 1996, 1999, 2000, 2001, 2023, 2024, 2096, 2099];
  for (const y of years) {
    for (let m = 1; m <= 12; m++) {
      for (let d = 27; d <= 31; d++) {
        const text = `${y}-${String(m).padStart(2, '0')}-${d}T10:20:30.5Z`;
        const real = new Date(Date.UTC(y, m - 1, d)).getUTCDate() === d;
        if (real) assert.equal(parseTime(text), Date.UTC(y, m - 1, d, 10, 20, 30, 500), text);
        else assert.throws(() => parseTime(text), /invalid time/, text);
      }
    }
  }
});

test('parseTime gives the same times when a minute repeats (the quick path) as on first reading', () => {
  const times = [
    '2020-08-24T00:00:08Z', '2020-08-24T00:00:59Z', '2020-08-24T00:00:08.5Z', '2020-08-24T00:00:08,125Z', '2020-08-24T00:00:08.123456789Z',
    '2020-08-24T00:01:00Z', '2020-08-24T00:00:09Z', '2020-08-24T00:01:02.999Z', '2020-08-24T00:01:02.9999Z',
  ];
  for (const v of [...times, ...times.reverse()]) assert.equal(parseTime(v), Date.parse(v.replace(',', '.').replace(/(\.\d{3})\d+/, '$1')), v);
  // Shapes the quick path must leave to the full one: still read as before, or refused.
  parseTime('2020-08-24T00:00:08Z');
  assert.equal(parseTime('2020-08-24T00:00:10 Z'), Date.UTC(2020, 7, 24, 0, 0, 10));
  assert.equal(parseTime('2020-08-24T00:00:10+01:00'), Date.UTC(2020, 7, 23, 23, 0, 10));
  assert.throws(() => parseTime('2020-08-24T00:00:1xZ'), /invalid time/);
  assert.throws(() => parseTime('2020-08-24T00:00:10.Z'), /invalid time/);
  assert.throws(() => parseTime('2020-08-24T00:00:10ZZ'), /invalid time/);
});

test('cleanIp: addresses as vendors write them, and look-alikes refused', () => {
  const cases: [unknown, string | undefined][] = [
    ['1.2.3.4', '1.2.3.4'], [' 10.0.0.255 ', '10.0.0.255'], ['0.0.0.0', '0.0.0.0'], ['255.255.255.255', '255.255.255.255'],
    ['1.2.3.4:5678', '1.2.3.4'], ['[2001:DB8::1]:443', '2001:db8::1'], ['::FFFF:1.2.3.4', '1.2.3.4'], ['2001:DB8::1', '2001:db8::1'],
    ['01.2.3.4', undefined], ['1.2.3.256', undefined], ['1.2.3', undefined], ['1.2.3.4.', undefined], ['1.2.3.4.5', undefined],
    ['1.2.3.-4', undefined], ['AWS Internal', undefined], ['', undefined], [12345, undefined], [null, undefined],
  ];
  for (const [input, expected] of cases) assert.equal(cleanIp(input), expected, JSON.stringify(input));
});

test('str trims what String.prototype.trim trims, whatever the ends (the quick path skips only printable ASCII ends)', () => {
  const ends = ['', ' ', '\t', '\n', '\u00a0', '\u2003', '\ufeff', '\u3000', 'a', '~', '!', '\u00e9', '\u0000', '\u007f'];
  for (const a of ends) {
    for (const z of ends) {
      for (const middle of ['', 'x', 'user@org.example', ' inner space ']) {
        const v = a + middle + z;
        const t = v.trim();
        assert.equal(str(v), t.length ? t : undefined, JSON.stringify(v));
      }
    }
  }
  assert.equal(str(42), '42');
  assert.equal(str(null), undefined);
});

test('jsonNumber reads every JSON number as Number() does, to the same double', () => {
  const texts = ['0', '-0', '-0.0', '7', '50126', '-74.41', '40.52', '0.1', '0.30000000000000004', '123456789012345', '1234567890123456',
    '9007199254740993', '1.5e3', '-2E-7', '1e400', '0.000001', '99999999999999.9', '5e-324'];
  // Coordinates, error codes and the like at random, 1 to 17 digits with the point anywhere.
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
  for (let i = 0; i < 20000; i++) {
    const digits = 1 + rnd(17);
    let d = String(1 + rnd(9));
    while (d.length < digits) d += String(rnd(10));
    const point = rnd(digits + 1);
    const text = (rnd(2) ? '-' : '') + (point === 0 || point === digits ? d : `${d.slice(0, point)}.${d.slice(point)}`);
    texts.push(text, `0.${d}`);
  }
  for (const t of texts) assert.ok(Object.is(jsonNumber(t), Number(t)), `${t}: ${jsonNumber(t)} against ${Number(t)}`);
});
