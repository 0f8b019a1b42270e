import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkDestination, DestinationRefused, whyNotPublic } from './destination-guard.js';

// address -> the kind of refusal (a word of the reason), or null when it is a public address.
const CASES: [string, string | null][] = [
  ['8.8.8.8', null],
  ['93.184.215.14', null],
  ['2606:4700::1111', null],
  ['172.32.0.1', null],
  ['2002:0808:0808::1', null], // 6to4 of a public address
  ['127.0.0.1', 'loopback'],
  ['127.255.0.9', 'loopback'],
  ['10.1.2.3', 'private'],
  ['172.16.0.1', 'private'],
  ['192.168.1.1', 'private'],
  ['169.254.169.254', 'link-local'],
  ['100.64.0.1', 'carrier-grade'],
  ['0.0.0.0', 'this network'],
  ['224.0.0.1', 'multicast'],
  ['255.255.255.255', 'reserved'],
  ['198.18.0.1', 'reserved'],
  ['::1', 'loopback'],
  ['::', 'unspecified'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['fc00::1', 'unique-local'],
  ['fd12:3456::1', 'unique-local'],
  ['ff02::1', 'multicast'],
  ['2001:db8::1', 'documentation'],
  ['::ffff:127.0.0.1', 'IPv4-mapped'],
  ['::ffff:8.8.8.8', 'IPv4-mapped'],
  ['::ffff:7f00:1', 'IPv4-mapped'],
  ['::127.0.0.1', 'IPv4-compatible'],
  ['64:ff9b::10.0.0.1', 'NAT64'],
  ['2002:7f00:1::1', '6to4'],
  ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'Teredo'],
];

test('every non-public address form is refused with a reason; public ones pass', () => {
  for (const [addr, kind] of CASES) {
    const why = whyNotPublic(addr);
    if (kind === null) assert.equal(why, undefined, `${addr} is public`);
    else assert.ok(why?.includes(kind), `${addr}: expected '${kind}', got ${why}`);
  }
});

test('a host is refused if any of its addresses is internal, and allowed when the entry says so', async () => {
  const lookup = async (host: string) =>
    ({ 'mixed.example': [{ address: '93.184.215.14', family: 4 as const }, { address: '10.0.0.5', family: 4 as const }], 'ok.example': [{ address: '93.184.215.14', family: 4 as const }] })[host] ?? [];
  await assert.rejects(checkDestination(new URL('https://mixed.example/x'), false, lookup), (e: Error) => e instanceof DestinationRefused && /10\.0\.0\.5 is a private address/.test(e.message));
  assert.deepEqual(await checkDestination(new URL('https://ok.example/x'), false, lookup), [{ address: '93.184.215.14', family: 4 }]);
  assert.equal((await checkDestination(new URL('https://mixed.example/x'), true, lookup)).length, 2);
  await assert.rejects(checkDestination(new URL('https://none.example/x'), false, lookup), /has no address/);
  // The URL parser turns other spellings of an address into the dotted form first.
  await assert.rejects(checkDestination(new URL('http://2130706433/'), false, lookup), /127\.0\.0\.1 is a loopback address/);
  await assert.rejects(checkDestination(new URL('http://0x7f.1/'), false, lookup), /loopback/);
  await assert.rejects(checkDestination(new URL('https://[::ffff:169.254.169.254]/'), false, lookup), /IPv4-mapped 169\.254\.169\.254/);
});
