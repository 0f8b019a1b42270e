/** Signals cross threads packed: what arrives equals what was sent, batch after batch, also when the table restarts. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SignalPacker, SignalUnpacker, type Signal } from './signal.js';

function signal(i: number): Signal {
  const user = `User${i % 7}@Org${i % 3}.example`;
  const ua = i % 2 ? 'BAV2ROPC' : 'Mozilla/5.0';
  return {
    t: 1_700_000_000_000 + i, tenant: `org-${i % 3}`, user, userKey: user.toLowerCase(), ip: i % 5 ? `10.0.${i % 4}.${i}` : '',
    net: i % 5 ? `10.0.${i % 4}.0/24` : '', asn: i % 4 ? 64500 + i : 0, asOrg: i % 4 ? 'Example Net' : '', country: ['US', 'DE', ''][i % 3],
    lat: i % 3 ? 52.5 + i : undefined, lon: i % 3 ? 13.4 : undefined, anon: ['', 'tor', 'vpn'][i % 3], ok: i % 4 === 0, status: i % 4 === 0 ? 1 : 2,
    passwordValid: i % 6 === 0, reason: i % 4 === 0 ? '' : 'bad_password', legacy: i % 2 === 1, mfaEvent: i % 9 === 0 ? 'push_sent' : '',
    ua, app: 'Browser', proto: '', fp: `${ua}|Browser|`, source: i % 10 ? { file: `f${i % 2}.jsonl`, line: i + 1 } : undefined, format: 'entra',
  };
}

test('packed signals unpack to the same signals across batches, and when the shared table starts again', () => {
  for (const maxStrings of [500_000, 5]) {
    const packer = new SignalPacker(maxStrings);
    const unpacker = new SignalUnpacker();
    for (let b = 0; b < 6; b++) {
      const batch = Array.from({ length: 40 }, (_, i) => signal(b * 40 + i));
      assert.deepEqual(unpacker.unpack(packer.pack(batch)), batch);
    }
  }
});

test('repeated strings are sent once: a later batch of the same accounts and tools names none of them again', () => {
  const packer = new SignalPacker();
  const batch = Array.from({ length: 100 }, (_, i) => signal(i));
  const first = packer.pack(batch);
  const second = packer.pack(batch);
  for (const v of ['Mozilla/5.0', 'Example Net', 'User1@Org1.example', 'org-2']) {
    assert.equal(first.split(v).length - 1, v === 'Mozilla/5.0' ? 2 : 1, v); // once on its own, once inside the fingerprint
    assert.ok(!second.includes(v), v);
  }
});
