import assert from 'node:assert/strict';
import { test } from 'node:test';
import { entraGraph } from './fixtures/records.js';
import { isBinary, sniffMode, type Mode } from './sniff.js';

const rec = (i: number) => JSON.stringify(entraGraph(i));
const pretty = JSON.stringify([entraGraph(1), entraGraph(2)], null, 2).split('\n');

const cases: [string, string[], Mode, { partial?: boolean; format?: 'entra' | 'sshd'; max?: number }?][] = [
  ['JSON lines', [rec(1), rec(2), rec(3)], 'jsonl'],
  ['JSON lines whose first line is broken', [rec(1).slice(0, 40), rec(2), rec(3), rec(4)], 'jsonl'],
  ['JSON lines whose first line is binary noise', ['\u0000\u0001garbage\ufffd', rec(2), rec(3)], 'jsonl'],
  ['JSON lines with CRLF and a blank line', [rec(1) + '\r', '', rec(2) + '\r'], 'jsonl'],
  ['a single-line array', [JSON.stringify([entraGraph(1), entraGraph(2)])], 'jsonl'],
  ['JSON lines of Azure Monitor {"records":[...]} blobs', [JSON.stringify({ records: [entraGraph(1)] }), JSON.stringify({ records: [entraGraph(2)] })], 'jsonl'],
  ['a pretty-printed array', pretty, 'document'],
  ['a pretty-printed wrapper', JSON.stringify({ value: [entraGraph(1)] }, null, 2).split('\n'), 'document'],
  ['a wrapper with one record per line (trailing commas)', ['{"records": [', rec(1) + ',', rec(2) + ',', rec(3), ']}'], 'document'],
  ['an array with one record per line', ['[', rec(1) + ',', rec(2), ']'], 'document'],
  ['pretty-printed objects one after another (jq .)', JSON.stringify(entraGraph(1), null, 2).split('\n').concat(JSON.stringify(entraGraph(2), null, 2).split('\n')), 'document'],
  ['one line too long to see whole, starting a document', ['{"Records":[{"eventVersion":"1.08"'], 'document', { partial: true }],
  ['one line too long to see whole, not JSON', ['Dec 10 06:55:46 LabSZ sshd[24200]: ' + 'x'.repeat(100)], 'text', { partial: true }],
  ['syslog', ['Dec 10 06:55:46 LabSZ sshd[24200]: reverse mapping checking getaddrinfo failed', 'Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186'], 'text'],
  ['a Log Analytics CSV export', ['TenantId,SourceSystem,"TimeGenerated [UTC]",OperationName,Category,ResultType,UserPrincipalName', 'a,Azure AD,2024-05-01T10:00:00Z,Sign-in activity,SignInLogs,50126,"x@y.z"'], 'csv'],
  ['an empty input', [], 'jsonl'],
  ['blank lines only', ['', '  ', '\r'], 'jsonl'],
  ['syslog read with --format sshd', ['{"looks":"like json"}'], 'text', { format: 'sshd' }],
  ['plain text read with a JSON --format: lines are reported, not skipped', ['hello', 'world'], 'jsonl', { format: 'entra' }],
  ['a partial last line does not count', [rec(1), rec(2), '{"cut'], 'jsonl', { partial: true }],
  ['a whole single-line document longer than the line limit', [JSON.stringify({ value: [entraGraph(1), entraGraph(2)] })], 'document', { max: 100 }],
  ['JSON lines where a later line is too long', [rec(1), 'x'.repeat(2000), rec(2)], 'jsonl', { max: 1000 }],
];

for (const [name, lines, mode, o] of cases) {
  test(`sniff: ${name} -> ${mode}`, () => {
    assert.equal(sniffMode({ lines, lastIsPartial: !!o?.partial, format: o?.format, maxLineBytes: o?.max }), mode);
  });
}

test('isBinary: control characters yes; tabs, CR, and invalid UTF-8 alone no', () => {
  assert.equal(isBinary('a\u0000b'), true);
  assert.equal(isBinary('a\u001bb'), true);
  assert.equal(isBinary('a\tb\r'), false);
  assert.equal(isBinary('Invalid user Jos\ufffd from 1.2.3.4'), false);
});
