import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CsvRows, looksLikeCsvHeader, splitCsvRow, type CsvResult } from './csv.js';

test('splitCsvRow: plain, quoted, doubled quotes, commas in quotes, empty fields', () => {
  assert.deepEqual(splitCsvRow('a,b,c'), ['a', 'b', 'c']);
  assert.deepEqual(splitCsvRow('"a,1","say ""hi""",,x'), ['a,1', 'say "hi"', '', 'x']);
  assert.deepEqual(splitCsvRow(''), ['']);
  assert.deepEqual(splitCsvRow('a,'), ['a', '']);
  assert.deepEqual(splitCsvRow('"multi\nline",z'), ['multi\nline', 'z']);
});

function feed(lines: string[]): CsvResult[] {
  const csv = new CsvRows();
  const out: CsvResult[] = [];
  lines.forEach((l, i) => {
    const r = csv.push(l, i + 1);
    if (r) out.push(r);
  });
  const e = csv.end();
  if (e) out.push(e);
  return out;
}

test('rows keyed by the header; unit suffixes and a byte-order mark leave header names; empty cells are absent', () => {
  const out = feed(['\uFEFF"TimeGenerated [UTC]",UserPrincipalName,ResultType', '2024-05-01T10:00:00Z,a@b.c,50126', '2024-05-01T10:00:01Z,,0']);
  assert.deepEqual(out, [
    { line: 2, row: { TimeGenerated: '2024-05-01T10:00:00Z', UserPrincipalName: 'a@b.c', ResultType: '50126' }, text: '2024-05-01T10:00:00Z,a@b.c,50126' },
    { line: 3, row: { TimeGenerated: '2024-05-01T10:00:01Z', ResultType: '0' }, text: '2024-05-01T10:00:01Z,,0' },
  ]);
});

test('a quoted field spanning lines makes one row, numbered by its first line', () => {
  const out = feed(['a,b,c', '1,"line one', 'line two, with a comma', 'line three ""quoted""",3', '4,5,6']);
  assert.equal(out.length, 2);
  assert.deepEqual((out[0] as { row: Record<string, string> }).row, { a: '1', b: 'line one\nline two, with a comma\nline three "quoted"', c: '3' });
  assert.equal(out[0].line, 2);
  assert.equal(out[1].line, 5);
});

test('a row with the wrong number of fields is an error with its line; blank lines are ignored', () => {
  const out = feed(['a,b', '', '1,2,3', '4,5']);
  assert.deepEqual(out.map((r) => ('error' in r ? `${r.line} ${r.error}` : `${r.line} ok`)), ['3 bad CSV row: 3 fields where the header has 2', '4 ok']);
});

test('input ending inside a quoted field is reported on the line the row starts', () => {
  const out = feed(['a,b', '1,"never closed', 'more']);
  assert.deepEqual(out, [{ line: 2, error: 'bad CSV row: input ends inside a quoted field' }]);
});

test('a quoted field that never closes is given up after a megabyte, and rows after it are read', () => {
  const csv = new CsvRows();
  csv.push('a,b', 1);
  assert.equal(csv.push('1,"open', 2), undefined);
  let err: CsvResult | undefined;
  let line = 3;
  while (!err) err = csv.push('x'.repeat(10000), line++);
  assert.equal(err.line, 2);
  assert.match((err as { error: string }).error, /^bad CSV row: a quoted field stays open/);
  assert.deepEqual(csv.push('7,8', line), { line, row: { a: '7', b: '8' }, text: '7,8' });
});

test('looksLikeCsvHeader: Log Analytics and Graph exports yes; syslog and JSON no', () => {
  assert.equal(looksLikeCsvHeader('TenantId,SourceSystem,"TimeGenerated [UTC]",ResourceId,OperationName,ResultType,UserPrincipalName'), true);
  assert.equal(looksLikeCsvHeader('createdDateTime,userPrincipalName,ipAddress,status'), true);
  assert.equal(looksLikeCsvHeader('Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186'), false);
  assert.equal(looksLikeCsvHeader('{"TimeGenerated":"x","ResultType":"0","UserPrincipalName":"a"}'), false);
  assert.equal(looksLikeCsvHeader('a,b,c'), false);
});
