/** Time parsing: the calendar check (no 30 February, leap years) agrees with what Date itself says of each day. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTime } from './common.js';

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
