/**
 * `npm run eval` (node --import tsx scripts/eval.ts): simulates several labelled worlds, runs Vigil and the
 * re-implemented peer rules (src/peers) over each, scores everything against the truth (src/eval), evaluates the
 * real files in ../shared/data, and writes docs/EVAL.md.
 *
 * Options: --seeds 1,2,3 (Entra worlds), --formats okta,gws,sshd (one world each, first seed), --days 7, --orgs 12,
 * --scale 1, --jobs 2 (worlds evaluated at once, each in its own process), --out docs/EVAL.md, --data ../shared/data,
 * --keep DIR (keep the worlds there), --json FILE (raw scores).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem, type } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { summarise } from '../src/eval/aggregate.js';
import { evaluatePanther, evaluateSshdFile, type SshdFileResult } from '../src/eval/real-data.js';
import { renderReport } from '../src/eval/report.js';
import { DEFAULT_GRACE_MS } from '../src/eval/score.js';
import { runWorld, worldName, type WorldResult, type WorldSpec } from '../src/eval/world.js';
import { PEERS } from '../src/peers/index.js';
import { FORMATS, type SimFormat } from '../src/simulate/population.js';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1,2,3' },
    formats: { type: 'string', default: 'okta,gws,sshd' },
    days: { type: 'string', default: '7' },
    orgs: { type: 'string', default: '12' },
    scale: { type: 'string', default: '1' },
    out: { type: 'string', default: join(root, 'docs', 'EVAL.md') },
    data: { type: 'string', default: join(root, '..', 'shared', 'data') },
    jobs: { type: 'string', default: '2' },
    keep: { type: 'string' },
    json: { type: 'string' },
    // Internal: evaluate one world (FORMAT:SEED) in this process and write its result as JSON.
    world: { type: 'string' },
    result: { type: 'string' },
  },
});

const numbers = (s: string) => s.split(',').filter(Boolean).map((x) => {
  const n = Number(x);
  if (!Number.isInteger(n) || n < 0) throw new Error(`not a seed: ${x}`);
  return n;
});
const seeds = numbers(values.seeds!);
const others = values.formats!.split(',').filter(Boolean);
for (const f of others) if (!(FORMATS as readonly string[]).includes(f)) throw new Error(`unknown format ${f}; use ${FORMATS.join(', ')}`);
const base = { days: Number(values.days), orgs: Number(values.orgs), scale: Number(values.scale) };
const specs: WorldSpec[] = [
  ...seeds.map((seed) => ({ ...base, format: 'entra' as SimFormat, seed })),
  ...others.filter((f) => f !== 'entra').map((format) => ({ ...base, format: format as SimFormat, seed: seeds[0] ?? 1 })),
];

const log = (s: string) => process.stderr.write(s + '\n');

/** One world in this process (the child's job): its result, without the detections (only scores are reported). */
async function evaluateWorld(spec: WorldSpec): Promise<WorldResult> {
  const dir = values.keep ? join(resolve(values.keep), `${spec.format}-${spec.seed}`) : mkdtempSync(join(tmpdir(), 'vigil-eval-'));
  if (values.keep) mkdirSync(dir, { recursive: true });
  const w = await runWorld(spec, dir, !!values.keep);
  const counts = Object.entries(w.detections).map(([s, d]) => `${s} ${d.length}`).join(', ');
  log(`world ${worldName(spec)}: ${w.records} records; simulate ${w.seconds.simulate.toFixed(1)} s, vigil ${w.seconds.vigil.toFixed(1)} s; alerts: ${counts}`);
  return { ...w, detections: {} };
}

if (values.world) {
  const [format, seed] = values.world.split(':');
  writeFileSync(values.result!, JSON.stringify(await evaluateWorld({ ...base, format: format as SimFormat, seed: Number(seed) })));
  process.exit(0);
}

/** Worlds in child processes, `jobs` at a time (each world's memory is freed with its process). */
async function evaluateWorlds(jobs: number): Promise<WorldResult[]> {
  const tmp = mkdtempSync(join(tmpdir(), 'vigil-eval-results-'));
  const out: WorldResult[] = new Array(specs.length);
  let next = 0;
  const forward = ['--days', String(base.days), '--orgs', String(base.orgs), '--scale', String(base.scale), ...(values.keep ? ['--keep', values.keep] : [])];
  const worker = async () => {
    while (next < specs.length) {
      const i = next++;
      const spec = specs[i];
      const file = join(tmp, `${i}.json`);
      log(`world ${worldName(spec)}: simulating, detecting ...`);
      await new Promise<void>((done, fail) => {
        const child = spawn(process.execPath, [...process.execArgv, new URL(import.meta.url).pathname, '--world', `${spec.format}:${spec.seed}`, '--result', file, ...forward], { stdio: ['ignore', 'inherit', 'inherit'] });
        child.on('error', fail);
        child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`world ${worldName(spec)} failed (exit ${code})`))));
      });
      out[i] = JSON.parse(readFileSync(file, 'utf8'));
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return out;
}

const t0 = performance.now();
const worlds = await evaluateWorlds(Number(values.jobs));

const sshd: SshdFileResult[] = [];
for (const name of ['loghub-OpenSSH_2k.log', 'loghub-Linux_2k.log']) {
  const path = join(values.data!, 'sshd', name);
  if (existsSync(path)) sshd.push(await evaluateSshdFile(path));
  else log(`missing ${path}: skipped`);
}
const pantherPath = join(values.data!, 'formats', 'panther-auth-test-events.jsonl');
const panther = existsSync(pantherPath) ? await evaluatePanther(pantherPath) : undefined;
if (!panther) log(`missing ${pantherPath}: skipped`);

const summaries = summarise(worlds.map((w) => ({ scores: w.scores, attacksWithEvents: new Set(w.truth.attacks.filter((a) => a.start).map((a) => a.id)) })));

const git = (...args: string[]) => {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
};
const commit = git('rev-parse', '--short', 'HEAD');
const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const cpu = cpus();
const argv = process.argv.slice(2);
const report = renderReport({
  run: {
    date: new Date(),
    command: ['npm run eval', ...(argv.length ? ['--', ...argv] : [])].join(' '),
    totalSeconds: (performance.now() - t0) / 1000,
    machine: `${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, ${type()} ${release()} (shared with other work while it ran)`,
    versions: `Vigil ${pkg.version}${commit ? ` (commit ${commit}${dirty ? ', with uncommitted changes' : ''})` : ''}, Node ${process.version}`,
    options: `Entra seeds ${seeds.join(', ')}; ${others.join(', ')} seed ${seeds[0] ?? 1}; ${base.days} days, ${base.orgs} organisations, scale ${base.scale}; ${values.jobs} worlds at a time`,
  },
  worlds,
  summaries,
  peers: PEERS.map((p) => ({ name: p.name, label: p.label })),
  sshd,
  panther,
  graceMinutes: DEFAULT_GRACE_MS / 60_000,
});
mkdirSync(dirname(resolve(values.out!)), { recursive: true });
writeFileSync(values.out!, report);
if (values.json) writeFileSync(values.json, JSON.stringify({ worlds: worlds.map(({ spec, truth, seconds, scores }) => ({ spec, seconds, attacks: truth.attacks, scores })), summaries }, null, 1));
log(`wrote ${values.out} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
