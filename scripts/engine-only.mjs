// The detection engine alone, for tuning it: an input's detection signals, packed as the reading thread sends them,
// are made once and kept in a file beside the input; each round then unpacks them batch by batch and pushes them
// through a new engine (no reading, no store). Prints each round's time and the minimum (on a shared machine the
// minimum of a few rounds is the steadiest figure). Needs `npm run build` first.
//
//   node scripts/engine-only.mjs FILE.jsonl [--rounds N] [--off detector,...|all] [--intel KIND:PATH]...
//
// --off disables rules by detector name (`all`: every rule, leaving reordering, profiles and the attempt tracker).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { deserialize, serialize } from 'node:v8';

const dist = new URL('../dist/', import.meta.url);
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { rounds: { type: 'string', default: '3' }, off: { type: 'string', default: '' }, intel: { type: 'string', multiple: true, default: [] } },
});
const input = positionals[0];
if (!input) {
  console.error('usage: node scripts/engine-only.mjs FILE.jsonl [--rounds N] [--off detector,...|all] [--intel KIND:PATH]...');
  process.exit(2);
}
const { Engine } = await import(new URL('detect/engine.js', dist).href);
const { packSignals, unpackSignals, PACKED_LAYOUT } = await import(new URL('detect/signal-pack.js', dist).href);
const { loadRules } = await import(new URL('detect/rules.js', dist).href);

// Kept per input size and intel lists (what the signals depend on), in the packed layout of this build.
const cache = `${input}.signals-${PACKED_LAYOUT}-${statSync(input).size}-${createHash('sha256').update(values.intel.join('\n')).digest('hex').slice(0, 8)}.v8`;
if (!existsSync(cache)) {
  const { readForDetection, newStats } = await import(new URL('ingest/reader.js', dist).href);
  const { Quarantine } = await import(new URL('ingest/quarantine.js', dist).href);
  const { Enricher } = await import(new URL('enrich/index.js', dist).href);
  const { readSignal } = await import(new URL('detect/signal.js', dist).href);
  const intel = values.intel.map((spec) => ({ kind: spec.slice(0, spec.indexOf(':')), path: spec.slice(spec.indexOf(':') + 1) }));
  const enricher = await Enricher.create({ intel });
  const batches = [];
  const src = { name: input, size: statSync(input).size };
  for await (const events of readForDetection(src, {}, new Quarantine(undefined), newStats())) {
    batches.push(packSignals(events.map((ev) => readSignal(ev, enricher))));
  }
  writeFileSync(cache, serialize(batches));
  console.log(`signals packed into ${cache}`);
}
const batches = deserialize(readFileSync(cache));
const off = values.off.split(',').filter(Boolean);
const rules = (await loadRules()).map((r) => (off.includes('all') || off.includes(r.detector) ? { ...r, enabled: false } : r));
const times = [];
for (let round = 0; round < Number(values.rounds); round++) {
  const engine = new Engine({ rules });
  const t0 = performance.now();
  let lines = 0;
  for (const b of batches) {
    for (const s of unpackSignals(b)) engine.pushSignal(s);
    if (engine.sink.out.length >= 200) lines += engine.drainFindings().length;
  }
  engine.flush();
  lines += engine.drainFindings().length;
  const ms = performance.now() - t0;
  times.push(ms);
  console.log(`round ${round + 1}: ${(ms / 1000).toFixed(2)} s, ${engine.events} events, ${lines} finding lines`);
}
console.log(`min ${(Math.min(...times) / 1000).toFixed(2)} s`);
