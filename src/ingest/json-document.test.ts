import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsonDocumentSplitter, type DocPiece, type DocumentSplitterOptions } from './json-document.js';

/** Pieces of a document fed whole, or cut into pieces of `step` characters. */
function pieces(doc: string, opts: Partial<DocumentSplitterOptions> = {}, step = doc.length || 1): DocPiece[] {
  const s = new JsonDocumentSplitter({ maxRecordChars: 1 << 20, ...opts });
  const out: DocPiece[] = [];
  for (let i = 0; i < doc.length; i += step) out.push(...s.push(doc.slice(i, i + step)));
  out.push(...s.end());
  return out;
}

/** Compact summary: parsed record (or error kind) and line. */
function summary(ps: DocPiece[]): string[] {
  return ps.map((p) => (p.error !== undefined ? `${p.line}: ERR ${p.error.replace(/:.*$/, '')}` : `${p.line}: ${JSON.stringify(JSON.parse(p.text!))}`));
}

const pretty = (v: unknown) => JSON.stringify(v, null, 2);

test('a pretty-printed top-level array: one piece per element, on the line the element starts', () => {
  const doc = pretty([{ a: 1, b: { c: [1, 2] } }, { a: 2 }]) + '\n';
  assert.deepEqual(summary(pieces(doc)), ['2: {"a":1,"b":{"c":[1,2]}}', '11: {"a":2}']);
});

test('a single-line array, and several arrays one after another', () => {
  assert.deepEqual(summary(pieces('[{"a":1},{"a":2}]')), ['1: {"a":1}', '1: {"a":2}']);
  assert.deepEqual(summary(pieces('[{"a":1}]\n[{"a":2}]\n')), ['1: {"a":1}', '2: {"a":2}']);
});

for (const key of ['value', 'records', 'Records', 'events', 'items']) {
  test(`a wrapper object streams the elements of its "${key}" array, not the wrapper`, () => {
    const doc = pretty({ '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns', [key]: [{ a: 1 }, { a: 2 }], '@odata.nextLink': 'x' });
    assert.deepEqual(summary(pieces(doc)), ['4: {"a":1}', '7: {"a":2}']);
  });
}

test('an Azure Monitor blob with one record per line', () => {
  const doc = '{"records": [\n{"a":1},\n{"a":2},\n{"a":3}\n]}\n';
  assert.deepEqual(summary(pieces(doc)), ['2: {"a":1}', '3: {"a":2}', '4: {"a":3}']);
});

test('arrays under other keys, and arrays after the wrapper array, are not records', () => {
  const doc = '{"meta": [{"x":1}], "value": [{"a":1}], "more": [{"y":2}]}';
  assert.deepEqual(summary(pieces(doc)), ['1: {"a":1}']);
});

test('an object whose members before the array say it is a record is not a wrapper (Google Workspace `events`)', () => {
  const activity = { kind: 'admin#reports#activity', id: { time: 't' }, events: [{ name: 'login_failure' }] };
  const isRecord = (p: Record<string, unknown>) => p.kind === 'admin#reports#activity';
  assert.deepEqual(summary(pieces(pretty(activity) + '\n' + pretty(activity), { isRecord })), [
    `1: ${JSON.stringify(activity)}`,
    `12: ${JSON.stringify(activity)}`,
  ]);
  // The page that holds such activities is a wrapper all the same.
  const page = { kind: 'admin#reports#activities', items: [activity] };
  assert.deepEqual(summary(pieces(pretty(page), { isRecord })), [`4: ${JSON.stringify(activity)}`]);
});

test('a sequence of pretty-printed objects (jq output), and JSON lines', () => {
  const doc = pretty({ a: 1 }) + '\n' + pretty({ a: 2, n: { m: 1 } }) + '\n';
  assert.deepEqual(summary(pieces(doc)), ['1: {"a":1}', '4: {"a":2,"n":{"m":1}}']);
  assert.deepEqual(summary(pieces('{"a":1}\n{"a":2}\r\n\n{"a":3}')), ['1: {"a":1}', '2: {"a":2}', '4: {"a":3}']);
});

test('brackets, quotes, escapes and wrapper names inside strings do not confuse it', () => {
  const rec = { s: '}{][ "value": [', t: 'back\\slash\\', u: 'quote "x" \\"', records: 'not an array' };
  const doc = '[\n' + JSON.stringify(rec) + ',\n' + JSON.stringify(rec) + '\n]';
  assert.deepEqual(summary(pieces(doc)), [`2: ${JSON.stringify(rec)}`, `3: ${JSON.stringify(rec)}`]);
});

test('the same pieces whatever the chunk size, down to one character', () => {
  const doc =
    pretty({ value: [{ a: 'x\\"}', b: [1, { c: 2 }] }, { a: 2 }] }) +
    '\n' +
    pretty([{ z: 1 }, 7, 'str', { y: [] }]) +
    '\n{"q": 1}\n{"broken": \n{"ok": true}\n  stray text\n';
  const whole = pieces(doc);
  // Excerpts are best effort (the part of the line in the current chunk); everything else must be equal.
  const noExcerpt = (ps: DocPiece[]) => ps.map(({ excerpt: _, ...p }) => p);
  for (const step of [1, 2, 3, 7, 64]) assert.deepEqual(noExcerpt(pieces(doc, {}, step)), noExcerpt(whole), `chunks of ${step}`);
  assert.deepEqual(whole.filter((p) => p.excerpt).map((p) => p.excerpt), ['  7,', '  "str",', '  stray text']);
  assert.deepEqual(summary(whole), [
    '3: {"a":"x\\\\\\"}","b":[1,{"c":2}]}',
    '12: {"a":2}',
    '18: {"z":1}',
    '21: ERR not a JSON object',
    '22: ERR not a JSON object',
    '23: {"y":[]}',
    '27: {"q":1}',
    '28: ERR truncated JSON',
    '29: {"ok":true}',
    '30: ERR invalid JSON',
  ]);
});

test('a scalar array element is reported once, whatever its length', () => {
  const out = pieces('[123456, true, null, "a long string", -1.5e3, {"a":1}]');
  assert.deepEqual(
    out.map((p) => p.error ?? 'record'),
    [
      'not a JSON object: array element is a number',
      'not a JSON object: array element is a boolean',
      'not a JSON object: array element is null',
      'not a JSON object: array element is a string',
      'not a JSON object: array element is a number',
      'record',
    ],
  );
});

test('text outside any JSON value is reported once per line, scalars as what they are', () => {
  const out = pieces('garbage here\n{"a":1} trailing\n}\n42\n"str"\nnull\n');
  assert.deepEqual(
    out.map((p) => `${p.line}: ${p.error ?? p.text}`),
    [
      '1: invalid JSON: text outside any object or array',
      '2: {"a":1}',
      '2: invalid JSON: text outside any object or array',
      '3: invalid JSON: a closing bracket without its opening one',
      '4: not a JSON object: a number',
      '5: not a JSON object: a string',
      '6: not a JSON object: null',
    ],
  );
});

test('JSON text sequences (RFC 7464, jq --seq): the record separator reads as a blank', () => {
  const doc = '\u001e' + pretty({ a: 1 }) + '\n\u001e' + pretty({ a: 2 }) + '\n';
  assert.deepEqual(summary(pieces(doc)), ['1: {"a":1}', '4: {"a":2}']);
});

test('a binary line is reported as binary and not scanned: its brackets and quotes do not leak', () => {
  const doc = '[\n  {"a": 1},\n  \u0000{{"[\u0001\n  {"a": 2}\n]\n';
  const out = pieces(doc);
  assert.deepEqual(summary(out), ['2: {"a":1}', '3: ERR binary data, not a JSON record', '4: {"a":2}']);
  assert.equal(out[1].excerpt, '  \u0000{{"[\u0001');
});

test('binary data inside a record spoils that record only', () => {
  const doc = '[\n  {\n    "a": 1,\n  \u0000\u0002\n  },\n  {"b": 2}\n]\n';
  assert.deepEqual(summary(pieces(doc)), ['4: ERR binary data, not a JSON record', '2: ERR binary data inside the record starting at line 2 (line 4)', '6: {"b":2}']);
});

test('a document truncated at the end: the unfinished record is reported on its first line', () => {
  const doc = pretty([{ a: 1 }, { a: 2, b: 'cut' }]).slice(0, -12);
  const out = pieces(doc);
  assert.deepEqual(summary(out), ['2: {"a":1}', '5: ERR truncated JSON']);
  assert.match(out[1].error!, /record starting at line 5 never closes \(input ends at line 7\)/);
});

test('truncated between records: the open array is reported on the last line', () => {
  const out = pieces('[\n  {"a": 1},\n');
  assert.deepEqual(summary(out), ['2: {"a":1}', '2: ERR truncated JSON']);
  assert.equal(out[1].error, 'truncated JSON: input ends inside an array or object');
});

test('a record cut short in the middle does not swallow the records after it', () => {
  const good = (n: number) => pretty({ n, deep: { x: [1, 2] } }).replace(/^/gm, '  ');
  const doc = ['[', good(1) + ',', '  {', '    "n": 2,', '    "deep": {"x": [1,', good(3) + ',', good(4), ']'].join('\n');
  const out = pieces(doc);
  assert.deepEqual(summary(out), [
    '2: {"n":1,"deep":{"x":[1,2]}}',
    '11: ERR truncated JSON',
    '14: {"n":3,"deep":{"x":[1,2]}}',
    '23: {"n":4,"deep":{"x":[1,2]}}',
  ]);
  assert.match(out[1].error!, /a new record starts at line 14/);
});

test('recovery works when the very first record is the broken one, inside a wrapper too', () => {
  const doc = ['{', '  "value": [', '    {', '      "n": 1,', '      "deep": {', '    {', '      "n": 2', '    }', '  ]', '}'].join('\n');
  assert.deepEqual(summary(pieces(doc)), ['3: ERR truncated JSON', '6: {"n":2}']);
  assert.deepEqual(summary(pieces('{"n": 1, "cut\n{"n": 2}\n')), ['1: ERR truncated JSON', '2: {"n":2}']);
});

test('an unterminated string ends at the line end instead of inverting the rest of the document', () => {
  const doc = '[\n  {"a": "no end},\n  {"b": 1}\n]\n';
  assert.deepEqual(summary(pieces(doc)), ['2: ERR truncated JSON', '3: {"b":1}']);
});

test('documents whose members are not indented deeper than records are read without recovery guesses', () => {
  // json.dump(indent=0): every line at column 0, nested objects start lines too.
  const doc = '[\n{\n"a": [\n{\n"b": 1\n}\n]\n},\n{\n"c": 2\n}\n]\n';
  assert.deepEqual(summary(pieces(doc)), ['2: {"a":[{"b":1}]}', '9: {"c":2}']);
});

test('a record over the limit is reported once and not held; the next record is intact', () => {
  const big = { pad: 'x'.repeat(5000) };
  const doc = pretty([{ a: 1 }, big, { a: 2 }]);
  for (const step of [100, 100000]) {
    const s = new JsonDocumentSplitter({ maxRecordChars: 1000 });
    const out: DocPiece[] = [];
    let held = 0;
    for (let i = 0; i < doc.length; i += step) {
      out.push(...s.push(doc.slice(i, i + step)));
      held = Math.max(held, s.bufferedChars);
    }
    out.push(...s.end());
    assert.ok(held <= 1000, `held ${held}`);
    assert.deepEqual(summary(out), ['2: {"a":1}', '5: ERR record too long', '8: {"a":2}']);
  }
});

test('an empty document, blank lines, empty arrays and empty wrappers give nothing', () => {
  for (const doc of ['', '\n\n', '[]', '[\n]\n', '{"value": []}', ' \r\n']) assert.deepEqual(pieces(doc), [], JSON.stringify(doc));
});

test('it holds one record at most while streaming a long array', () => {
  const s = new JsonDocumentSplitter({ maxRecordChars: 1 << 20 });
  const rec = pretty({ a: 'x'.repeat(100), b: [1, 2, 3] }).replace(/^/gm, '  ');
  let held = 0;
  let n = 0;
  n += s.push('[\n').length;
  for (let i = 0; i < 20000; i++) {
    // Chunks that cut records anywhere.
    const chunk = rec + ',\n';
    for (let j = 0; j < chunk.length; j += 97) {
      n += s.push(chunk.slice(j, j + 97)).length;
      held = Math.max(held, s.bufferedChars);
    }
  }
  n += s.push(rec + '\n]\n').length + s.end().length;
  assert.equal(n, 20001);
  assert.ok(held <= rec.length, `held ${held} characters, one record is ${rec.length}`);
});
