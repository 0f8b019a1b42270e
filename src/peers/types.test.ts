import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FailureReason } from '../ocsf/authentication.js';
import { event } from './fixtures/events.js';
import { entraCode, slimEvent } from './types.js';

test('entra events keep their own result code', () => {
  assert.equal(entraCode(event({ at: 0, code: 50053 })), 50053);
  assert.equal(entraCode(event({ at: 0, code: 0 })), 0);
});

test('other formats get the code an Entra tenant would have logged for the failure reason', () => {
  const expected: [FailureReason, number | undefined][] = [
    ['bad_password', 50126],
    ['unknown_user', 50034],
    ['locked_out', 50053],
    ['password_expired', 50055],
    ['disabled', 50057],
    ['mfa_required', 50076],
    ['mfa_denied', 500121],
    ['blocked_by_policy', 53003],
    ['other', undefined],
  ];
  for (const [reason, code] of expected) assert.equal(entraCode(event({ at: 0, reason })), code, reason);
  assert.equal(entraCode(event({ at: 0, success: true })), 0);
  assert.equal(entraCode({ ...event({ at: 0, success: true }), status_id: 99 }), undefined);
});

test('slimEvent keeps what the rules read and nothing else', () => {
  const full = {
    ...event({ at: 0, code: 50126, app: 'Exchange' }),
    class_uid: 3002,
    raw_data: 'x'.repeat(1000),
    http_request: { user_agent: 'ua' },
    src_endpoint: { ip: '198.51.100.7', location: { country: 'DE' }, autonomous_system: { number: 1, name: 'AS' } },
  } as any;
  const slim = slimEvent(full);
  assert.equal(JSON.stringify(slim).includes('raw_data'), false);
  assert.deepEqual(slim.src_endpoint, { ip: '198.51.100.7', autonomous_system: { name: 'AS' } });
  assert.equal(slim.status_code, '50126');
  assert.equal(slim.service?.name, 'Exchange');
  assert.equal(slim.http_request?.user_agent, 'ua');
  assert.equal(entraCode(slim), 50126);
});
