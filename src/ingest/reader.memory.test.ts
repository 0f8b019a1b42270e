/**
 * Large inputs go through in bounded memory: 200,000 records as JSON lines, as a pretty-printed array and inside a
 * `{"value": [...]}` wrapper, generated on the fly (never held whole by the test either). The heap is measured
 * after forced collections while reading; it must stay far below the size of the input. Not a timing test.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { entraGraph, MemoryQuarantine } from './fixtures/records.js';
import { newStats, readSource } from './reader.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const N = 200_000;
const MB = 1 << 20;
/** Allowed heap growth while reading. The inputs are 79 to 130 MB of text; holding them would need far more. */
const HEAP_BUDGET = 32 * MB;

/** Text pieces joined into chunks of about 64 KiB. */
function* chunks(pieces: Iterable<string>): Generator<Buffer> {
  let buf: string[] = [];
  let len = 0;
  for (const p of pieces) {
    buf.push(p);
    len += p.length;
    if (len >= 1 << 16) {
      yield Buffer.from(buf.join(''));
      buf = [];
      len = 0;
    }
  }
  if (buf.length) yield Buffer.from(buf.join(''));
}

// A pool of distinct records, cycled: generating 200k fresh ones would cost more than reading them.
const POOL = 1000;
const compact = Array.from({ length: POOL }, (_, i) => JSON.stringify(entraGraph(i)));
const indented = Array.from({ length: POOL }, (_, i) => JSON.stringify(entraGraph(i), null, 2).replace(/^/gm, '  '));

function* jsonLines(): Generator<string> {
  for (let i = 0; i < N; i++) yield compact[i % POOL] + '\n';
}

function* prettyArray(): Generator<string> {
  yield '[\n';
  for (let i = 0; i < N; i++) yield indented[i % POOL] + (i < N - 1 ? ',\n' : '\n');
  yield ']\n';
}

function* graphPage(): Generator<string> {
  yield '{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns","value":[';
  for (let i = 0; i < N; i++) yield (i ? ',' : '') + compact[i % POOL];
  yield '],"@odata.nextLink":"https://graph.microsoft.com/v1.0/auditLogs/signIns?$skiptoken=x"}';
}

async function measure(pieces: Iterable<string>): Promise<{ events: number; quarantined: number; bytes: number; growth: number }> {
  gc();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  let events = 0;
  let next = 20_000;
  const stats = newStats();
  const q = new MemoryQuarantine();
  for await (const batch of readSource({ name: '-' }, { stdin: Readable.from(chunks(pieces)) }, q, stats)) {
    events += batch.length;
    if (events >= next) {
      next += 20_000;
      gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
  }
  return { events, quarantined: stats.quarantined, bytes: stats.bytes, growth: peak - base };
}

for (const [name, gen] of [
  ['200k JSON lines', jsonLines],
  ['a 200k-element pretty-printed array', prettyArray],
  ['a {"value": [...]} wrapper of 200k records on one line', graphPage],
] as const) {
  test(`bounded memory: ${name}`, async () => {
    const r = await measure(gen());
    assert.equal(r.events, N);
    assert.equal(r.quarantined, 0);
    assert.ok(r.bytes > 2 * HEAP_BUDGET, `the input (${(r.bytes / MB).toFixed(0)} MB) must dwarf the budget`);
    assert.ok(r.growth < HEAP_BUDGET, `heap grew by ${(r.growth / MB).toFixed(1)} MB reading ${(r.bytes / MB).toFixed(0)} MB`);
    if (process.env.VIGIL_TEST_VERBOSE) console.log(name, (r.growth / MB).toFixed(1), 'MB growth for', (r.bytes / MB).toFixed(0), 'MB');
  });
}
