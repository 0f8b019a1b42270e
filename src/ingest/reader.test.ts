import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { entraAudit, entraDiagnostic, entraGraph, jsonl, MemoryQuarantine, ocsfEvent, readBytes, readWith, TENANT, type ReadResult } from './fixtures/records.js';
import { Readable } from 'node:stream';
import { isFlatSignIn } from '../ocsf/flat-sign-in.js';
import { newStats, readForDetection, readSource, readSources } from './reader.js';
import { expandInputs } from './sources.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-reader-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const users = (r: ReadResult) => r.events.map((e) => e.user.name);
/** Events without where they came from (the same records read from differently shaped input). */
const comparableEvents = (r: ReadResult) => r.events.map(({ unmapped: { source: _, ...u }, ...e }) => ({ ...e, unmapped: u }));
const lines = (r: ReadResult) => r.events.map((e) => e.unmapped.source?.line);
const reasons = (r: ReadResult) => r.quarantined.map((q) => `${q.line}: ${q.reason.replace(/:.*$/, '')}`);
const pretty = (v: unknown) => JSON.stringify(v, null, 2);

/** Every record read is an event (one each for these formats), a skip or a quarantine entry. */
function assertAccounted(r: ReadResult): void {
  assert.equal(r.stats.quarantined, r.quarantined.length);
  assert.equal(r.stats.events, r.events.length);
  assert.equal(r.stats.records, r.stats.events + r.stats.skipped + r.stats.quarantined, JSON.stringify(r.stats));
}

const three = [entraGraph(1), entraDiagnostic(2), ocsfEvent(3)];
const threeUsers = ['user1@contoso.com', 'diag2@contoso.com', 'ocsf3@example.org'];
/** Lines on which pretty-printed records start, when the first starts on line `first`. */
function prettyStarts(first: number, records = three): number[] {
  const starts = [first];
  for (const r of records.slice(0, -1)) starts.push(starts[starts.length - 1] + pretty(r).split('\n').length);
  return starts;
}

const shapes: [string, string, number[]][] = [
  ['JSON lines', jsonl(three), [1, 2, 3]],
  ['JSON lines with CRLF, blank lines and a byte-order mark', '\uFEFF' + jsonl(three).replace(/\n/g, '\r\n\r\n'), [1, 3, 5]],
  ['a single-line array', JSON.stringify(three), [1, 1, 1]],
  ['a pretty-printed array', pretty(three), prettyStarts(2)],
  ['a pretty-printed array with a byte-order mark and CRLF', '\uFEFF' + pretty(three).replace(/\n/g, '\r\n'), prettyStarts(2)],
  ['a Graph page {"value": [...]}', pretty({ '@odata.context': 'x', value: three, '@odata.nextLink': 'y' }), prettyStarts(4)],
  ['an Azure Monitor blob {"records": [...]}, one record per line', `{"records": [\n${three.map((r) => JSON.stringify(r)).join(',\n')}\n]}\n`, [2, 3, 4]],
  ['a CloudTrail-style {"Records": [...]} on one line', JSON.stringify({ Records: three }), [1, 1, 1]],
  ['pretty-printed objects one after another (jq .)', three.map((r) => pretty(r)).join('\n') + '\n', prettyStarts(1)],
  ['JSON lines of Azure Monitor blobs', jsonl([{ records: three.slice(0, 2) }, { records: [three[2]] }]), [1, 1, 2]],
  ['JSON lines of single-line arrays', jsonl([three.slice(0, 1), three.slice(1)]), [1, 2, 2]],
  ['JSON lines padded with spaces and tabs', three.map((r, i) => ['  ', '\t', ' \u00a0'][i] + JSON.stringify(r) + [' ', '\t\t', '\u2003'][i] + '\n').join(''), [1, 2, 3]],
  ['a JSON text sequence (jq --seq -c)', three.map((r) => '\u001e' + JSON.stringify(r) + '\n').join(''), [1, 2, 3]],
  ['a pretty JSON text sequence (jq --seq)', three.map((r) => '\u001e' + pretty(r) + '\n').join(''), prettyStarts(1)],
];

for (const [name, input, expectedLines] of shapes) {
  test(`JSON shape: ${name}`, async () => {
    for (const chunk of [1 << 16, 5]) {
      const r = await readBytes(input, {}, chunk);
      assert.deepEqual(r.quarantined, []);
      assert.deepEqual(users(r), threeUsers);
      assert.deepEqual(lines(r), expectedLines, `source lines, chunks of ${chunk}`);
      assert.deepEqual(r.events.map((e) => e.unmapped.format), ['entra', 'entra', 'ocsf']);
      assert.equal(r.stats.records, 3);
      assertAccounted(r);
    }
  });
}

test('plain Graph sign-in lines are flat sign-ins only when read for detection; every other record stays an event', async () => {
  const text = jsonl([entraGraph(1), entraGraph(2), entraDiagnostic(3), entraGraph(4), ocsfEvent(5)]);
  const kinds = async (read: typeof readForDetection) => {
    const out: string[] = [];
    const q = new MemoryQuarantine();
    const stats = newStats();
    for await (const batch of read({ name: '-' }, { stdin: Readable.from([Buffer.from(text)]) }, q, stats)) {
      for (const x of batch) out.push(isFlatSignIn(x) ? `flat ${x.user} line ${x.line} ${x.file}` : `event ${x.user.name} line ${x.unmapped.source?.line}`);
    }
    assert.equal(stats.events, out.length);
    return out;
  };
  // The first line decides the format (the full way), then plain lines take the fast way.
  assert.deepEqual(await kinds(readForDetection), [
    'event user1@contoso.com line 1',
    'flat user2@contoso.com line 2 -',
    'event diag3@contoso.com line 3',
    'flat user4@contoso.com line 4 -',
    'event ocsf5@example.org line 5',
  ]);
  // Everything else (normalize, the server, exports) gets whole Authentication events.
  assert.deepEqual(await kinds(readSource), [1, 2, 3, 4, 5].map((i) => `event ${['user', 'user', 'diag', 'user', 'ocsf'][i - 1]}${i}@${i === 5 ? 'example.org' : 'contoso.com'} line ${i}`));
});

test('a one-line document far longer than the line limit is streamed record by record', async () => {
  const page = JSON.stringify({ '@odata.context': 'x', value: Array.from({ length: 300 }, (_, i) => entraGraph(i)) });
  assert.ok(page.length > 20 * 4096);
  const r = await readBytes(page, { maxLineBytes: 4096 }, 1000);
  assert.deepEqual(r.quarantined, []);
  assert.equal(r.events.length, 300);
});

test('the record limit of a document is --max-line: a larger record is quarantined, its neighbours are kept', async () => {
  const doc = pretty([entraGraph(1), entraGraph(2, { pad: 'x'.repeat(10000) }), entraGraph(3)]);
  const r = await readBytes(doc, { maxLineBytes: 4096 });
  assert.deepEqual(users(r), ['user1@contoso.com', 'user3@contoso.com']);
  assert.deepEqual(reasons(r), [`${prettyStarts(2)[1]}: record too long`]);
  assertAccounted(r);
});

test('a wrapper is opened only when no format claims the object', async () => {
  // An OCSF event that happens to carry a `records` array is an event, not a wrapper.
  const ev = { ...ocsfEvent(1), records: [entraGraph(9)] };
  assert.deepEqual(users(await readBytes(jsonl([ev]))), ['ocsf1@example.org']);
  assert.deepEqual(users(await readBytes(pretty(ev))), ['ocsf1@example.org']);
  assert.deepEqual(users(await readBytes(pretty([ev]))), ['ocsf1@example.org']);
});

test('Google Workspace: an activity with its own `events` array is a record; a Reports API page is a wrapper', async () => {
  const sample = readFileSync(fileURLToPath(new URL('../formats/fixtures/gws/documented/input.jsonl', import.meta.url)), 'utf8');
  const activities = sample.split('\n').filter((l) => l.trim()).slice(0, 4).map((l) => JSON.parse(l));
  const asLines = await readBytes(jsonl(activities), { tenant: 'acme' });
  assert.ok(asLines.events.length >= activities.length, 'each activity has a login event');
  assert.deepEqual(asLines.quarantined, []);
  const expected = comparableEvents(asLines);
  for (const doc of [activities.map((a) => pretty(a)).join('\n'), pretty({ kind: 'admin#reports#activities', etag: 'x', items: activities }), pretty(activities)]) {
    const r = await readBytes(doc, { tenant: 'acme' }, 100);
    assert.deepEqual(r.quarantined, []);
    assert.deepEqual(comparableEvents(r), expected);
  }
});

test('records of other shapes inside a wrapper are quarantined one by one, with the wrapper line', async () => {
  const r = await readBytes(jsonl([{ value: [entraGraph(1), { foo: 1 }, 42, entraGraph(2)] }]));
  assert.deepEqual(users(r), ['user1@contoso.com', 'user2@contoso.com']);
  assert.deepEqual(reasons(r), ['1: unknown record shape', '1: not a JSON object']);
  assert.equal(r.quarantined[0].excerpt, '{"foo":1}');
  assertAccounted(r);
});

test('non-sign-in records of a known vendor are skipped and counted', async () => {
  const r = await readBytes(jsonl([entraGraph(1), entraAudit(1), entraAudit(2)]));
  assert.equal(r.events.length, 1);
  assert.equal(r.stats.skipped, 2);
  assert.deepEqual(r.quarantined, []);
  assertAccounted(r);
});

test('empty and blank inputs give nothing and quarantine nothing', async () => {
  for (const input of ['', '\n\n\n', '\uFEFF', '  \r\n\t\n', '[]', '{"value": []}']) {
    const r = await readBytes(input);
    assert.deepEqual([r.events.length, r.quarantined.length, r.stats.records, r.stats.files], [0, 0, 0, 1], JSON.stringify(input));
  }
});

test('JSON lines whose first line is broken are still read as JSON lines, line by line', async () => {
  const input = JSON.stringify(entraGraph(0)).slice(0, 60) + '\n' + jsonl([entraGraph(1), entraGraph(2), entraGraph(3)]);
  const r = await readBytes(input);
  assert.deepEqual(lines(r), [2, 3, 4]);
  assert.deepEqual(reasons(r), ['1: invalid JSON']);
  // Only two lines, the first broken: the document reader recovers at the next record.
  const r2 = await readBytes(JSON.stringify(entraGraph(0)).slice(0, 60) + '\n' + jsonl([entraGraph(1)]));
  assert.deepEqual(lines(r2), [2]);
  assert.deepEqual(reasons(r2), ['1: truncated JSON']);
});

test('syslog goes the text way: nothing quarantined, every line counted', async () => {
  const syslog = [
    'Dec 10 06:55:46 LabSZ sshd[24200]: reverse mapping checking getaddrinfo for ns.marryaldkfaczcz.com [173.234.31.186] failed - POSSIBLE BREAK-IN ATTEMPT!',
    'Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186',
    'Dec 10 06:55:46 LabSZ sshd[24200]: input_userauth_request: invalid user webmaster [preauth]',
    'Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2',
    'Dec 10 07:02:47 LabSZ CRON[24203]: pam_unix(cron:session): session opened for user root by (uid=0)',
  ];
  const r = await readBytes(syslog.join('\n') + '\n', { tenant: 'lab' });
  assert.deepEqual(r.quarantined, []);
  assert.equal(r.stats.records, syslog.length);
  assert.ok(r.events.length >= 1, 'the failed password is an attempt');
  assert.ok(r.events.every((e) => e.unmapped.format === 'sshd'));
  assert.deepEqual(r.events.map((e) => e.unmapped.source?.line), [4]);
});

test('real syslog (loghub OpenSSH sample): 2,000 lines read as text, none quarantined', async () => {
  const path = fileURLToPath(new URL('../../../shared/data/sshd/loghub-OpenSSH_2k.log', import.meta.url));
  const r = await readWith({ name: path }, { tenant: 'lab' });
  assert.deepEqual(r.quarantined, []);
  assert.equal(r.stats.records, 2000);
  assert.ok(r.events.length > 100, `${r.events.length} events`);
  assert.ok(r.events.every((e) => e.unmapped.format === 'sshd' && e.unmapped.source?.file === path));
});

test('a Log Analytics CSV export goes the CSV way: Entra rows, quoted commas and line breaks, bad rows quarantined', async () => {
  const header = 'TenantId,SourceSystem,"TimeGenerated [UTC]",OperationName,Category,ResultType,ResultDescription,UserPrincipalName,IPAddress,AppDisplayName,LocationDetails,AADTenantId';
  const loc = '"{""city"":""Redmond"",""countryOrRegion"":""US""}"';
  const csv = [
    '\uFEFF' + header,
    `workspace-id,Azure AD,2024-05-01T10:00:00Z,Sign-in activity,SignInLogs,50126,"Invalid username or password, or invalid on-premise username or password.",alice@contoso.com,203.0.113.7,"Office 365, Exchange",${loc},${TENANT}`,
    `workspace-id,Azure AD,2024-05-01T10:00:01Z,Sign-in activity,SignInLogs,0,"multi`,
    `line description",bob@contoso.com,203.0.113.8,Teams,${loc},${TENANT}`,
    `${TENANT},Azure AD,2024-05-01T10:00:02Z,too,few,fields`,
    `workspace-id,Azure AD,2024-05-01T10:00:03Z,Sign-in activity,SignInLogs,50053,,carol@contoso.com,203.0.113.9,Teams,${loc},${TENANT}`,
  ].join('\r\n');
  const r = await readBytes(csv);
  assert.deepEqual(users(r), ['alice@contoso.com', 'bob@contoso.com', 'carol@contoso.com']);
  assert.deepEqual(lines(r), [2, 3, 6]);
  assert.deepEqual(r.events.map((e) => e.status_id), [2, 1, 2]);
  assert.equal(r.events[0].src_endpoint.ip, '203.0.113.7');
  assert.equal(r.events[0].metadata.tenant_uid, TENANT);
  assert.deepEqual(reasons(r), ['5: bad CSV row']);
  assertAccounted(r);
});

test('--raw keeps each record text; excerpts of quarantined records are their text', async () => {
  const line = JSON.stringify(entraGraph(1));
  const r = await readBytes(`${line}\n{"bad": \n`, { keepRaw: true });
  assert.equal(r.events[0].raw_data, line);
  assert.equal(r.quarantined[0].excerpt, '{"bad":');
  const r2 = await readBytes(pretty({ value: [entraGraph(1)] }), { keepRaw: true });
  assert.deepEqual(JSON.parse(r2.events[0].raw_data!), entraGraph(1));
});

test('--format forces the format: records it does not recognise are quarantined with its reason', async () => {
  const r = await readBytes(jsonl([entraGraph(1), { userPrincipalName: 'x@y.z' }, ocsfEvent(1)]), { format: 'entra' });
  assert.deepEqual(users(r), ['user1@contoso.com']);
  assert.equal(r.quarantined.length, 2);
  assert.ok(r.quarantined.every((q) => /^entra /.test(q.reason)), JSON.stringify(r.quarantined));
});

test('--tenant fills in a tenant for records without one', async () => {
  const rec = { ...entraGraph(1) };
  delete rec.resourceTenantId;
  assert.deepEqual(reasons(await readBytes(jsonl([rec]))), ['1: entra sign-in without tenant id (resourceTenantId/homeTenantId/AADTenantId); pass --tenant']);
  const r = await readBytes(jsonl([rec]), { tenant: 'contoso' });
  assert.equal(r.events[0].metadata.tenant_uid, 'contoso');
});

test('a directory with a .gz and plain files: all read in sorted order, gzip by content', async () => {
  const d = join(dir, 'logs');
  mkdirSync(join(d, '2024-05'), { recursive: true });
  writeFileSync(join(d, '2024-05', 'b.json.gz'), gzipSync(jsonl([entraGraph(2)])));
  writeFileSync(join(d, '2024-05', 'a.json'), jsonl([entraGraph(1)]));
  writeFileSync(join(d, 'c.jsonl'), gzipSync(jsonl([entraGraph(3)]))); // gzip without the name saying so
  writeFileSync(join(d, 'd.jsonl'), '');
  const q = new MemoryQuarantine();
  const stats = newStats();
  const events = [];
  for await (const b of readSources(expandInputs([d]), {}, q, stats)) events.push(...b);
  assert.deepEqual(events.map((e) => [e.user.name, e.unmapped.source?.file]), [
    ['user1@contoso.com', join(d, '2024-05', 'a.json')],
    ['user2@contoso.com', join(d, '2024-05', 'b.json.gz')],
    ['user3@contoso.com', join(d, 'c.jsonl')],
  ]);
  assert.equal(stats.files, 4);
  assert.deepEqual(q.entries, []);
});

test('a truncated gzip: its readable records are kept, the damage is quarantined, the next input is read', async () => {
  const many = Array.from({ length: 3000 }, (_, i) => entraGraph(i));
  const gz = gzipSync(jsonl(many));
  const cut = join(dir, 'cut.json.gz');
  writeFileSync(cut, gz.subarray(0, Math.floor(gz.length * 0.6)));
  const next = join(dir, 'next.json');
  writeFileSync(next, jsonl([entraGraph(1)]));
  const q = new MemoryQuarantine();
  const stats = newStats();
  let events = 0;
  for await (const b of readSources(expandInputs([cut, next]), {}, q, stats)) events += b.length;
  const gzipEntry = q.entries.find((e) => e.reason.startsWith('corrupt gzip data'));
  assert.ok(gzipEntry, JSON.stringify(q.entries));
  assert.equal(gzipEntry.file, cut);
  assert.ok(events > 1000 && events < 3000, `${events} events`);
  assert.equal(q.entries.filter((e) => e.file === next).length, 0);
  assert.equal(stats.files, 2);
});

test('a zip archive is quarantined once, by name, instead of as thousands of binary lines', async () => {
  const r = await readBytes(Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(5000, 0x0a)]));
  assert.deepEqual(reasons(r), ['1: zip data, which vigil does not unpack']);
});

test('UTF-16 exports (PowerShell) are read like UTF-8', async () => {
  const text = jsonl([entraGraph(1), entraGraph(2)]);
  const r = await readBytes(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), {}, 333);
  assert.deepEqual(users(r), ['user1@contoso.com', 'user2@contoso.com']);
});

test('invalid UTF-8 inside a string value does not lose the record', async () => {
  const line = Buffer.from(JSON.stringify(entraGraph(1, { userAgent: 'Mozilla/@@' })));
  const at = line.indexOf('@@');
  line[at] = 0xff;
  line[at + 1] = 0xfe;
  const r = await readBytes(Buffer.concat([line, Buffer.from('\n')]));
  assert.equal(r.events.length, 1);
  assert.deepEqual(r.quarantined, []);
});

test('deeply nested arrays are refused, not recursed into', async () => {
  const r = await readBytes('[[[[[[' + JSON.stringify(entraGraph(1)) + ']]]]]]\n' + '['.repeat(100000) + ']'.repeat(100000) + '\n');
  assert.equal(r.events.length, 0);
  assert.ok(r.quarantined.length >= 2);
  assert.ok(r.quarantined.every((q) => q.reason === 'not a JSON object: an array nested in an array'));
});

test('a single-line JSON document (a CloudTrail file) is parsed once: the sniff hands its value on', async () => {
  const doc = JSON.stringify({ Records: [entraGraph(1), entraGraph(2)] });
  const parse = JSON.parse;
  let parsedWhole = 0;
  JSON.parse = ((text: string, reviver?: any) => {
    if (text === doc) parsedWhole++;
    return parse(text, reviver);
  }) as typeof JSON.parse;
  let r: ReadResult;
  try {
    r = await readBytes(doc + '\n');
  } finally {
    JSON.parse = parse;
  }
  assert.equal(parsedWhole, 1);
  assert.deepEqual(users(r), ['user1@contoso.com', 'user2@contoso.com']);
  assertAccounted(r);
  // The value is taken by that line only: a file of two such lines reads both.
  assert.deepEqual(users(await readBytes(`${doc}\n${doc}\n`)), ['user1@contoso.com', 'user2@contoso.com', 'user1@contoso.com', 'user2@contoso.com']);
});

test('long lines: the first lines looked at to tell the format span several chunks of the file, and stay whole', async () => {
  // 60 sign-ins of 30 KB each: the format is told from the first 50 lines or first MiB, four chunks of the file,
  // which is read into one buffer again and again (see openBytes), so the lines looked at are copies.
  const records = Array.from({ length: 60 }, (_, i) => entraGraph(i, { note: `${i}:`.padEnd(30_000, String.fromCharCode(97 + (i % 26))) }));
  const path = join(dir, 'long-lines.json');
  writeFileSync(path, jsonl(records));
  for (const detection of [false, true]) {
    const q = new MemoryQuarantine();
    const stats = newStats();
    const read = [];
    for await (const b of (detection ? readForDetection : readSource)({ name: path }, {}, q, stats)) read.push(...b);
    assert.deepEqual(q.entries, [], `read ${detection ? 'for detection' : 'as events'}: nothing quarantined`);
    assert.equal(read.length, 60);
    assert.deepEqual(read.map((e) => (isFlatSignIn(e) ? e.line : e.unmapped.source?.line)), records.map((_, i) => i + 1));
    assert.deepEqual(read.map((e) => (isFlatSignIn(e) ? e.user : e.user.name)), records.map((r) => r.userPrincipalName));
  }
});
