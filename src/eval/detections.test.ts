import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actorOf, fromFindings } from './detections.js';

function line(uid: string, activity: number, time: number, extra: Record<string, unknown> = {}) {
  return {
    activity_id: activity,
    time,
    metadata: { tenant_uid: 't1' },
    finding_info: { uid, title: `finding ${uid}`, types: ['password_spray'], first_seen_time: 100, last_seen_time: time, analytic: { uid: 'VGL-001' } },
    observables: [
      { type_id: 2, value: '10.0.0.1' },
      { type_id: 4, value: `acc-${time}` },
    ],
    unmapped: { compromised_accounts: time > 300 ? ['acc-400'] : [] },
    ...extra,
  };
}

test('a finding is its last line\'s content, raised at its first line\'s time', () => {
  const [d, e] = fromFindings([line('u1', 1, 200), line('u2', 1, 250), line('u1', 2, 400)]);
  assert.equal(d.time, 200);
  assert.equal(d.last, 400);
  assert.deepEqual(d.accounts, ['acc-400']);
  assert.deepEqual(d.ips, ['10.0.0.1']);
  assert.deepEqual(d.compromised, ['acc-400']);
  assert.equal(d.rule, 'VGL-001');
  assert.equal(d.actor, undefined);
  assert.equal(e.time, 250);
});

test('the actor comes from the threat_actor enrichment, with its aliases', () => {
  const named = { enrichments: [{ name: 'threat_actor', value: 'APT28', type: 'Threat Actor', data: { aliases: ['STRONTIUM', 'Fancy Bear'] } }] };
  const [d] = fromFindings([line('u1', 1, 200), line('u1', 2, 300, named), line('u1', 2, 400)]);
  assert.equal(d.actor, 'APT28', 'a later line of the detector (no enrichments) keeps it');
  assert.deepEqual(d.actorAliases, ['STRONTIUM', 'Fancy Bear']);
  const [e] = fromFindings([line('u1', 1, 200, named), line('u1', 2, 400, { enrichments: [] })]);
  assert.equal(e.actor, null, 'a later campaign update without an actor clears it');
  assert.equal(actorOf({ enrichments: [{ name: 'threat_actor', value: 'unattributed', data: { leads: [] } }] }), null);
  assert.equal(actorOf({ enrichments: [{ name: 'geo', value: 'DE' }] }), null);
  assert.equal(actorOf({}), undefined);
});
