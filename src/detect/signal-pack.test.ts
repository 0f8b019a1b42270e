/** Signals cross threads packed: what arrives equals what was sent, whatever the fields hold. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serialize } from 'node:v8';
import { netKeyOf, type Signal } from './signal.js';
import { forEachCount, packSignals, SignalPacker, unpackBatch, unpackSignals } from './signal-pack.js';
import { ActivityCounter } from '../store/activity.js';
import { openStore } from '../store/db.js';

function signal(i: number): Signal {
  const user = `User${i % 7}@Org${i % 3}.example`;
  const ua = i % 2 ? 'BAV2ROPC' : 'Mozilla/5.0 "quoted" \u00e9';
  return {
    t: 1_700_000_000_000 + i, tenant: `org-${i % 3}`, user, userKey: user.toLowerCase(), ip: i % 5 ? `10.0.${i % 4}.${i}` : '',
    netKey: i % 5 ? (i % 7 ? netKeyOf(`10.0.${i % 4}.${i}`) : '2001:db8:0::/48') : '', asn: i % 4 ? 64500 + i : 0, asOrg: i % 4 ? 'Example Net' : '', country: ['US', 'DE', ''][i % 3],
    lat: i % 3 ? (i % 11 ? 52.5 + i : 0) : undefined, lon: i % 3 ? (i % 11 ? -13.4 : 0) : undefined, anon: ['', 'tor', 'vpn'][i % 3], ok: i % 4 === 0, status: [1, 2, 2, 99][i % 4],
    passwordValid: i % 6 === 0, reason: i % 4 === 0 ? '' : 'bad_password', legacy: i % 2 === 1, mfaEvent: i % 9 === 0 ? 'push_sent' : '',
    ua, app: 'Browser', proto: i % 3 ? '' : 'ROPC', fp: `${ua}|Browser|${i % 3 ? '' : 'ROPC'}`, source: i % 10 ? { file: `f${i % 2}.jsonl`, line: i + 1 } : undefined, format: 'entra',
  };
}

test('packed signals unpack to the same signals, every flag and optional field included', () => {
  const batch = Array.from({ length: 60 }, (_, i) => signal(i));
  assert.deepEqual(unpackSignals(packSignals(batch)), batch);
  assert.deepEqual(unpackSignals(packSignals([])), []);
});

test('a batch survives the structured clone between threads, and repeated strings travel once', () => {
  const batch = Array.from({ length: 300 }, (_, i) => signal(i));
  const packed = packSignals(batch);
  const received = structuredClone(packed, { transfer: [packed.nums.buffer] });
  assert.deepEqual(unpackSignals(received), batch);
  // 3 organisations, 2 user agents, 2 files...: a few dozen strings, not 300 copies of each.
  assert.ok(received.table.length < 40, `table of ${received.table.length} strings`);
  const out = unpackSignals(received);
  assert.equal(out.filter((s) => s.tenant === 'org-1').length, 100);
});

test('a packer given fewer signals than its capacity makes an exact batch; given more, it refuses', () => {
  const batch = Array.from({ length: 25 }, (_, i) => signal(i));
  const packer = new SignalPacker(40);
  for (const s of batch) packer.add(s);
  const packed = packer.finish();
  assert.equal(packed.nums.length, packSignals(batch).nums.length);
  assert.deepEqual(unpackSignals(packed), batch);
  const full = new SignalPacker(1);
  full.add(signal(0));
  assert.throws(() => full.add(signal(1)), RangeError);
});

test('many distinct strings of equal length (sharing the recent slots) and tools past the numeric key limit come back exactly', () => {
  // 3,000 distinct user agents of one length, in an order that revisits each: slots are taken over and found again,
  // and the table grows past the indexes a numeric fingerprint key takes.
  const batch = Array.from({ length: 9000 }, (_, i) => {
    const s = signal(i);
    const ua = `agent/${String((i * 7919) % 3000).padStart(5, '0')}`;
    return { ...s, ua, tenant: `org-${String(i % 97).padStart(3, '0')}`, fp: `${ua}|Browser|${s.proto}` };
  });
  const packed = packSignals(batch);
  assert.equal(new Set(packed.table).size, packed.table.length, 'each string once in the table');
  assert.ok(packed.table.length > 2048 + 3000, `table of ${packed.table.length} strings`);
  assert.deepEqual(unpackSignals(packed), batch);
});

test('the strings of a batch go between threads as a dense array (an array with holes is cloned index by index)', () => {
  const packer = new SignalPacker(50);
  for (let i = 0; i < 30; i++) packer.add(signal(i));
  const { own } = packer.finish();
  const dense: (string | null)[] = [];
  for (const x of own) dense.push(x);
  const holey = new Array<string | null>(own.length);
  for (let i = 0; i < own.length; i++) holey[i] = own[i];
  // The same strings serialize as a pushed-to array does, and not as the array with holes (a sparse array on the wire).
  assert.deepEqual(serialize(own), serialize(dense));
  assert.notDeepEqual(serialize(own), serialize(holey));
});

test("a batch's sign-in counts, made as it is packed, are the counts of its signals one by one", () => {
  // Hours, organisations and countries mixed; MFA prompts (99) and a time that is no number are not counted.
  const batch = Array.from({ length: 400 }, (_, i) => ({ ...signal(i), t: i === 7 ? NaN : 1_700_000_000_000 + i * 600_000 }));
  const counted = (add: (c: ActivityCounter) => void) => {
    const db = openStore(':memory:');
    try {
      const c = new ActivityCounter(db);
      add(c);
      c.save();
      return db.prepare('SELECT hour, tenant, country, failures, successes FROM activity_hourly ORDER BY hour, tenant, country').all();
    } finally {
      db.close();
    }
  };
  const bySignal = counted((c) => batch.forEach((s) => c.addSignal(s)));
  const { activity } = unpackBatch(structuredClone(packSignals(batch)));
  const byBatch = counted((c) => forEachCount(activity!, (hour, tenant, country, failures, successes) => c.addCounts(hour, tenant, country, failures, successes)));
  assert.ok(bySignal.length > 20, `${bySignal.length} rows`);
  assert.deepEqual(byBatch, bySignal);
  // The lowest line decides whether a resumed run may take the counts whole; a signal without a line makes it -1.
  assert.equal(activity!.minLine, -1);
  assert.equal(unpackBatch(packSignals(batch.slice(1, 10))).activity!.minLine, 2);
});
