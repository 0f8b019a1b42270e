/**
 * Signals from OCSF events: a source the log names only by host name is the signal's source (so attempts from it
 * are told apart), without a netblock, and descriptions count such hosts apart from addresses.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuthEvent } from '../ocsf/authentication.js';
import { netKey, netText } from './profiles.js';
import { netblockOf, netKeyOf, sourcesText, toSignal } from './signal.js';

const event = (src: AuthEvent['src_endpoint']): AuthEvent =>
  ({ time: 1, status_id: 2, metadata: { tenant_uid: 'org' }, user: { name: 'root' }, src_endpoint: src, unmapped: { reason: 'bad_password' } }) as AuthEvent;

test('the source is the address, else the host name the log gives, else nothing', () => {
  assert.deepEqual([toSignal(event({ ip: '192.0.2.7', hostname: 'a.example' })).ip, netText(toSignal(event({ ip: '192.0.2.7' })).netKey)], ['192.0.2.7', '192.0.2.0/24']);
  const byHost = toSignal(event({ hostname: 'scanner.example.net' }));
  assert.deepEqual([byHost.ip, byHost.netKey], ['scanner.example.net', '']);
  assert.deepEqual([toSignal(event({})).ip, toSignal(event({})).netKey], ['', '']);
  assert.equal(netblockOf('2001:db8:1:2::9'), '2001:db8:1::/48');
});

test('sources are described as addresses in netblocks, and hosts named only by name', () => {
  assert.equal(sourcesText(['192.0.2.1', '192.0.2.2', '198.51.100.3']), '3 address(es) in 2 netblock(s)');
  assert.equal(sourcesText(['192.0.2.1', 'scanner.example.net']), '1 address(es) in 1 netblock(s) and 1 host(s) the log names only by host name');
  assert.equal(sourcesText(['a.example', 'b.example']), '2 host(s) the log names only by host name');
});

test('netblocks: IPv4 in its usual form only, and the same count whether a source is IPv4, IPv6 or a host', () => {
  const texts = ['10.1.2.3', '10.1.2.255', '010.1.2.3', '10.1.2', '10.1.2.3.4', '256.1.2.3', '1.2.3.4 ', '::ffff:10.1.2.3', '2001:db8::1', 'host', ''];
  const expected = ['10.1.2.0/24', '10.1.2.0/24', '', '', '', '', '', '0:0:0::/48', '2001:db8:0::/48', '', ''];
  assert.deepEqual(texts.map(netblockOf), expected);
  assert.equal(sourcesText(['10.1.2.3', '10.1.2.9', '10.1.3.1', '2001:db8::1', '2001:db8::2']), '5 address(es) in 3 netblock(s)');
});

test("a source's netblock key is the key of its netblock's text, without the text for IPv4", () => {
  const texts = ['10.1.2.3', '0.0.0.1', '255.255.255.255', '128.0.0.1', '010.1.2.3', '10.1.2', '1.2.3.4 ', '::ffff:10.1.2.3', '2001:db8::1', 'host', ''];
  for (let i = 0; i < 500; i++) texts.push([(i * 97) % 256, (i * 31) % 256, (i * 7) % 256, i % 256].join('.'));
  for (const ip of texts) assert.equal(netKeyOf(ip), netKey(netblockOf(ip)), ip);
  assert.equal(typeof netKeyOf('192.0.2.7'), 'number');
  assert.equal(netText(netKeyOf('192.0.2.7')), '192.0.2.0/24');
});
