/** Which addresses count as shared: an address is one party's own until findings show two different tools through it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { factsOf } from './facts.js';
import { loadIntel } from './index.js';
import { AddressJudge } from './shared.js';

function attack(uid: string, ua: string, ips: string[]) {
  return factsOf({
    finding_info: { uid, types: ['password_spray'], first_seen_time: 0, last_seen_time: 1 },
    metadata: { tenant_uid: 'org-1' },
    observables: ips.map((value) => ({ name: 'src_endpoint.ip', type_id: 2, value })),
    unmapped: { fingerprint: { user_agent: ua, client_app: 'Browser', protocol: '' } },
  });
}

test('an address is shared once two different tools use it, and the reason counts every tool', () => {
  const judge = new AddressJudge(loadIntel([]), [
    attack('a', 'tool-1', ['192.0.2.1', '192.0.2.2', '192.0.2.3']),
    attack('b', 'tool-1', ['192.0.2.1']), // the same tool again: still one party
    attack('c', 'tool-2', ['192.0.2.2', '192.0.2.3']),
    attack('d', 'tool-3', ['192.0.2.3']),
  ]);
  assert.equal(judge.shared('192.0.2.1'), undefined);
  assert.equal(judge.shared('192.0.2.2'), 'used by 2 different tools');
  assert.equal(judge.shared('192.0.2.3'), 'used by 3 different tools');
  assert.equal(judge.shared('198.51.100.9'), undefined);
});
