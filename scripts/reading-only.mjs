// The reading side's fast way alone, for tuning it: the first lines of a JSON-lines file (a format with a fast way for
// detection, such as Entra's) are held in memory, and each pass turns every line into what the reading thread sends,
// stage by stage: the format's scan and flat sign-in, enrichment, packing (the signal packed as it is made). Prints, for each stage, the fastest
// of the passes over all the lines, cumulative (each stage includes the ones before it). No file reading, no
// decoding, no threads: on a shared machine this is far steadier than whole runs, which is what it is for (the
// engine's counterpart is engine-only.mjs). Needs `npm run build` first.
//
//   node scripts/reading-only.mjs FILE.jsonl [--lines N] [--passes N] [--format F] [--intel KIND:PATH]... [--no-geo]
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const dist = new URL('../dist/', import.meta.url);
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    lines: { type: 'string', default: '100000' },
    passes: { type: 'string', default: '5' },
    format: { type: 'string', default: 'entra' },
    intel: { type: 'string', multiple: true, default: [] },
    'no-geo': { type: 'boolean', default: false },
  },
});
const input = positionals[0];
if (!input) {
  console.error('usage: node scripts/reading-only.mjs FILE.jsonl [--lines N] [--passes N] [--format F] [--intel KIND:PATH]... [--no-geo]');
  process.exit(2);
}
const { jsonFormat } = await import(new URL('formats/index.js', dist).href);
const { Enricher } = await import(new URL('enrich/index.js', dist).href);
const { SignalPacker } = await import(new URL('detect/signal-pack.js', dist).href);

const format = jsonFormat(values.format);
if (!format?.detectionSignIn) {
  console.error(`reading-only: format ${values.format} has no fast way for detection`);
  process.exit(2);
}
const lines = await firstLines(input, Number(values.lines));
const intel = values.intel.map((spec) => ({ kind: spec.slice(0, spec.indexOf(':')), path: spec.slice(spec.indexOf(':') + 1) }));
const enricher = await Enricher.create({ intel, geo: !values['no-geo'] });
enricher.warmUp();
const ctx = { file: input, line: 0, tenant: undefined };
const BATCH = 750; // as the reader's batches

/** One pass up to `stage`; returns the number of lines that took the fast way. */
function pass(stage) {
  let fast = 0;
  let packer = new SignalPacker(BATCH);
  let packed = 0;
  for (let i = 0; i < lines.length; i++) {
    ctx.line = i + 1;
    const f = format.detectionSignIn(lines[i], ctx);
    if (!f) continue;
    fast++;
    if (stage === 'event') continue;
    enricher.enrichSignIn(f);
    if (stage === 'enrich') continue;
    packer.addSignIn(f);
    if (++packed === BATCH) {
      packer.finish();
      packer = new SignalPacker(BATCH);
      packed = 0;
    }
  }
  return fast;
}

const out = [];
let fast = 0;
for (const stage of ['event', 'enrich', 'pack']) {
  let best = Infinity;
  for (let p = 0; p < Number(values.passes); p++) {
    const t0 = performance.now();
    fast = pass(stage);
    best = Math.min(best, performance.now() - t0);
  }
  out.push(`${stage} ${(best / 1000 / lines.length * 1e6).toFixed(2)} µs`);
}
console.log(`${lines.length} lines, ${fast} the fast way; per line, fastest of ${values.passes} passes, cumulative: ${out.join(', ')}`);

/** The first `n` non-blank lines of a file (read as a stream: the file may be larger than one string can be). */
async function firstLines(file, n) {
  const out = [];
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of rl) {
    const t = line.trim();
    if (t) out.push(t);
    if (out.length >= n) break;
  }
  rl.close();
  return out;
}
