/** OCSF passthrough: a record's own fields are kept in their order, Vigil's completed, and no key reaches a prototype. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ocsf } from './ocsf.js';

const ctx = { tenant: 'fallback', file: 'in.jsonl', line: 1 };
const one = (text: string) => {
  const evs = ocsf.normalize(JSON.parse(text), ctx);
  assert.equal(evs.length, 1);
  return evs[0] as any;
};

test('an OCSF record passes through with its own fields in order, completed and checked', () => {
  const ev = one(
    '{"class_uid":3002,"activity_id":1,"time":"2024-03-04T00:00:00Z","status_id":2,"custom":{"deep":[1,{"x":2}]},' +
      '"metadata":{"tenant_uid":"t1","uid":"u1","product":{"name":"p","vendor_name":"v"}},"user":{"name":"a@x"},' +
      '"src_endpoint":{"ip":"1.2.3.4:5678","port":5678},"unmapped":{"client_app":"IMAP"}}',
  );
  assert.deepEqual(Object.keys(ev).slice(0, 9), ['class_uid', 'activity_id', 'time', 'status_id', 'custom', 'metadata', 'user', 'src_endpoint', 'unmapped']);
  assert.equal(ev.time, Date.UTC(2024, 2, 4));
  assert.deepEqual(ev.custom, { deep: [1, { x: 2 }] });
  assert.deepEqual(ev.metadata, { tenant_uid: 't1', uid: 'u1', product: { name: 'p', vendor_name: 'v' }, version: ev.metadata.version });
  assert.deepEqual(ev.src_endpoint, { ip: '1.2.3.4', port: 5678 }, 'the address is cleaned, the port kept');
  assert.deepEqual(ev.unmapped, { client_app: 'IMAP', reason: 'other' }, 'a failure without a reason gets one');
  assert.equal(ev.class_name, 'Authentication');
  // The record is not changed: the event is a copy.
  const rec = JSON.parse('{"class_uid":3002,"time":1709510400,"status_id":1,"metadata":{"tenant_uid":"t"},"user":{"name":"a"},"unmapped":{"reason":"typo"}}');
  const ok = ocsf.normalize(rec, ctx)[0] as any;
  assert.equal(ok.unmapped.reason, undefined, 'a success has no failure reason');
  assert.equal(rec.unmapped.reason, 'typo');
});

test('a record\'s own "__proto__" keys stay plain data: nothing is inherited from them', () => {
  for (const text of [
    '{"__proto__":{"status_id":1,"injected":true},"class_uid":3002,"time":1709510400,"status_id":2,"metadata":{"tenant_uid":"t"},"user":{"name":"a"}}',
    '{"class_uid":3002,"time":1709510400,"status_id":2,"metadata":{"__proto__":{"injected":true},"tenant_uid":"t"},"user":{"name":"a"},' +
      '"src_endpoint":{"__proto__":{"injected":true}},"unmapped":{"__proto__":{"injected":true}}}',
    '{"class_uid":3002,"time":1709510400,"status_id":2,"metadata":{"tenant_uid":"t"},"user":{"__proto__":{"injected":true},"name":"a"}}',
  ]) {
    const ev = one(text);
    for (const o of [ev, ev.metadata, ev.src_endpoint, ev.unmapped, ev.user]) {
      assert.equal(Object.getPrototypeOf(o), Object.prototype, text);
      assert.equal(o.injected, undefined, text);
    }
    assert.equal(ev.status_id, 2);
    assert.equal(ev.metadata.tenant_uid, 't');
  }
});
