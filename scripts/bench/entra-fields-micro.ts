/**
 * @module bench/entra-fields-micro
 * Micro-benchmark of the Entra sign-in fast path: `JSON.parse` against `extractEntraSignIn` over the same lines
 * (by default the first 100,000 of the scale-0.58 simulated Entra file), median of several passes each, in
 * ns per line, plus the ratio. Lines are decoded one by one from the file's bytes, as the reader's line splitter
 * does, so both sides see flat strings like in production.
 *
 *   npx tsx scripts/bench/entra-fields-micro.ts [FILE] [--lines N] [--passes P]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { extractEntraSignIn } from '../../src/formats/entra-fields.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEFAULT_FILE = join(ROOT, 'bench-data/entra-scale0.58-seed1-sim2a9bc65507/signins.jsonl');

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { lines: { type: 'string', default: '100000' }, passes: { type: 'string', default: '5' } },
});
const file = positionals[0] ?? DEFAULT_FILE;
const maxLines = Number(values.lines);
const passes = Number(values.passes);

function readLines(path: string, max: number): string[] {
  const buf = readFileSync(path);
  const lines: string[] = [];
  let start = 0;
  for (let nl = buf.indexOf(10); nl >= 0 && lines.length < max; nl = buf.indexOf(10, start)) {
    if (nl > start) lines.push(buf.toString('utf8', start, nl).trim());
    start = nl + 1;
  }
  return lines;
}

/** Nanoseconds per line of one pass; the results are counted so the work cannot be optimised away. */
function pass(lines: string[], fn: (line: string) => unknown): { ns: number; defined: number } {
  let defined = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < lines.length; i++) if (fn(lines[i]) !== undefined) defined++;
  return { ns: Number(process.hrtime.bigint() - t0) / lines.length, defined };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

const lines = readLines(file, maxLines);
const bytes = lines.reduce((n, l) => n + l.length, 0);
const parse = (l: string) => JSON.parse(l);
const runs: Record<'parse' | 'extract', number[]> = { parse: [], extract: [] };
let defined = 0;
// Alternate the two so drift in the machine's load hits both alike; one warm-up pass each first.
pass(lines, parse);
pass(lines, extractEntraSignIn);
for (let p = 0; p < passes; p++) {
  runs.parse.push(pass(lines, parse).ns);
  const r = pass(lines, extractEntraSignIn);
  runs.extract.push(r.ns);
  defined = r.defined;
}
const parseNs = median(runs.parse);
const extractNs = median(runs.extract);
console.log(`${lines.length} lines, ${(bytes / lines.length).toFixed(0)} chars/line average, from ${file}`);
console.log(`JSON.parse          ${parseNs.toFixed(0)} ns/line  (passes: ${runs.parse.map((x) => x.toFixed(0)).join(' ')})`);
console.log(`extractEntraSignIn  ${extractNs.toFixed(0)} ns/line  (passes: ${runs.extract.map((x) => x.toFixed(0)).join(' ')})`);
console.log(`ratio extract/parse ${(extractNs / parseNs).toFixed(3)}; fast path taken for ${defined} of ${lines.length} lines`);
