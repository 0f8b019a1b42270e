import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIp } from './ip-address.js';
import { isNonPublic } from './special-addresses.js';

test('private, loopback, link-local, CGNAT, documentation and multicast addresses are non-public; others are not', () => {
  const cases: [string, boolean][] = [
    ['10.0.0.1', true], ['172.16.0.1', true], ['172.31.255.255', true], ['172.32.0.1', false],
    ['192.168.1.1', true], ['127.0.0.1', true], ['169.254.10.10', true], ['100.64.0.1', true], ['100.128.0.1', false],
    ['192.0.2.55', true], ['198.51.100.1', true], ['203.0.113.9', true], ['224.0.0.251', true],
    ['255.255.255.255', true], ['0.0.0.0', true], ['8.8.8.8', false], ['11.0.0.1', false],
    ['::1', true], ['::', true], ['fe80::1', true], ['fd12:3456::1', true], ['ff02::1', true], ['2001:db8::1', true],
    ['2001:4860:4860::8888', false], ['2a02:2e0::1', false], ['::ffff:10.0.0.1', true], ['::ffff:8.8.8.8', false],
  ];
  for (const [ip, expected] of cases) assert.equal(isNonPublic(parseIp(ip)!), expected, ip);
});
