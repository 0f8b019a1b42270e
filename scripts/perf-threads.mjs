// Where a whole `vigil` run spends its CPU, thread by thread, with Linux `perf` (Debian package `linux-perf`; not
// needed by anything else). V8's CPU profiles see one thread's JavaScript; this sees every thread and native code
// too: the optimising compiler and the garbage collector on V8's helper threads, the kernel, SQLite. Runs the command
// under `perf record` (cpu-clock samples, call graphs, V8's code named through --perf-basic-prof), then prints each
// busy thread's seconds and its most frequent functions, leaf first, and splits the helper threads' time into
// compiling, scavenging and the rest. Sampling, not tracing: on a shared machine compare shares, not seconds.
//
//   node scripts/perf-threads.mjs [--hz N] [--top N] [--node-flags "FLAGS"] -- detect --db /tmp/v.db -o /tmp/f.jsonl FILE
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { hz: { type: 'string', default: '499' }, top: { type: 'string', default: '15' }, 'node-flags': { type: 'string', default: '' } },
});
if (positionals.length === 0) {
  console.error('usage: node scripts/perf-threads.mjs [--hz N] [--top N] [--node-flags "FLAGS"] -- VIGIL-ARGS...');
  process.exit(2);
}
const hz = Number(values.hz);
const dir = mkdtempSync(join(tmpdir(), 'vigil-perf-'));
const data = join(dir, 'perf.data');
const bin = new URL('../bin/vigil.js', import.meta.url).pathname;
// The Node flags of bin/vigil.js's first line, given here so that no second Node is started; read from that line, so
// that the two cannot drift apart (a hand-kept copy here once did).
const firstLineFlags = readFileSync(bin, 'utf8').split('\n', 1)[0].split(/\s+/).filter((a) => a.startsWith('--'));
const node = [process.execPath, ...firstLineFlags, '--perf-basic-prof', ...values['node-flags'].split(' ').filter(Boolean), bin, ...positionals];
// --perf-basic-prof also makes V8 write a log per isolate into the working directory: those of this run are removed.
const v8Logs = () => new Set(readdirSync('.').filter((f) => /^isolate-0x[0-9a-f]+-\d+-v8\.log$/.test(f)));
const before = v8Logs();
const rec = spawnSync('perf', ['record', '-F', String(hz), '-g', '-o', data, '--', ...node], { stdio: ['ignore', 'ignore', 'inherit'] });
for (const f of v8Logs()) if (!before.has(f)) rmSync(f, { force: true });
if (rec.error || rec.status !== 0) {
  console.error(`perf-threads: perf record failed${rec.error ? `: ${rec.error.message}` : ''} (is linux-perf installed?)`);
  process.exit(1);
}
const script = spawnSync('perf', ['script', '-i', data, '-F', 'tid,ip,sym'], { encoding: 'utf8', maxBuffer: 1 << 30 });
rmSync(dir, { recursive: true, force: true });

// Samples are a header line (the thread id) followed by one tab-indented line per frame, leaf first.
const samples = [];
for (const block of script.stdout.split('\n\n')) {
  const lines = block.split('\n').filter((l) => l.trim() !== '');
  if (!lines.length || lines[0].startsWith('\t')) continue;
  const frames = lines.slice(1).map((l) => l.trim().replace(/^[0-9a-f]+ /, '').replace(/file:\/\/\S*\/dist\//, ''));
  samples.push({ tid: lines[0].trim().split(/\s+/)[0], frames });
}
const byThread = new Map();
for (const s of samples) {
  const list = byThread.get(s.tid);
  if (list) list.push(s);
  else byThread.set(s.tid, [s]);
}
const threads = [...byThread].sort((a, b) => b[1].length - a[1].length);
const seconds = (n) => (n / hz).toFixed(2).padStart(6);
console.log(`${seconds(samples.length)} s sampled in ${threads.length} threads`);
for (const [tid, list] of threads.slice(0, 2)) {
  console.log(`\nthread ${tid}: ${seconds(list.length)} s`);
  const leaf = new Map();
  for (const s of list) leaf.set(s.frames[0] ?? '?', (leaf.get(s.frames[0] ?? '?') ?? 0) + 1);
  for (const [name, n] of [...leaf].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) console.log(`${seconds(n)} ${((100 * n) / list.length).toFixed(1).padStart(5)}%  ${name.slice(0, 100)}`);
}
const helpers = new Map();
for (const [, list] of threads.slice(2)) {
  for (const s of list) {
    const all = s.frames.join(' ');
    const kind = /compiler::|Compile/.test(all) ? 'compiling' : /Scavenge/.test(all) ? 'scavenging' : /Marking|MarkCompact|Sweep/.test(all) ? 'marking and sweeping' : 'other';
    helpers.set(kind, (helpers.get(kind) ?? 0) + 1);
  }
}
console.log('\nthe other threads: ' + [...helpers].map(([k, n]) => `${k} ${seconds(n).trim()} s`).join(', '));
