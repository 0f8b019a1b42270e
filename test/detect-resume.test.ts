/**
 * `vigil detect` against the store: day 1 then day 2 gives the findings of both at once, the same command run
 * again recognises its inputs, and a run killed with SIGKILL at any moment and started again ends with exactly
 * the output of an uninterrupted run.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';

const MAIN = new URL('../src/cli/main.ts', import.meta.url).pathname;
const vigil = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8' });
const fixture = (name: string) =>
  readFileSync(new URL(`../src/detect/fixtures/${name}/events.jsonl`, import.meta.url), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

/** The latest content of every finding in a store, without the run-specific emission time. */
function storedFindings(db: string): string[] {
  const d = new Database(db, { readonly: true });
  const rows = d.prepare('SELECT uid, json FROM findings ORDER BY uid').all() as { uid: string; json: string }[];
  d.close();
  return rows.map((r) => {
    const f = JSON.parse(r.json);
    delete f.time;
    delete f.activity_id;
    delete f.activity_name;
    delete f.type_uid;
    for (const e of f.evidences) delete e.data.source; // names the input file, which differs by design
    return JSON.stringify(f);
  });
}

/** The store's hourly sign-in counts, in one order. */
function activityRows(db: string): string {
  const d = new Database(db, { readonly: true });
  const rows = d.prepare('SELECT hour, tenant, country, failures, successes FROM activity_hourly ORDER BY hour, tenant, country').all();
  d.close();
  return JSON.stringify(rows);
}

test('day 1 then day 2 gives the same findings as both at once; a repeated command counts nothing twice', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-days-'));
  const events = [...fixture('spray-then-compromise'), ...fixture('mfa-fatigue').map((e) => ({ ...e, metadata: { ...e.metadata, tenant_uid: 'org-m' } }))].sort((a, b) => a.time - b.time);
  const cut = Date.UTC(2020, 7, 25, 12); // in the middle of the spray
  const day1 = join(dir, 'day1.jsonl');
  const day2 = join(dir, 'day2.jsonl');
  const both = join(dir, 'both.jsonl');
  writeFileSync(day1, events.filter((e) => e.time < cut).map((e) => JSON.stringify(e)).join('\n') + '\n');
  writeFileSync(day2, events.filter((e) => e.time >= cut).map((e) => JSON.stringify(e)).join('\n') + '\n');
  writeFileSync(both, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const common = ['--no-geo', '-q', join(dir, 'q.jsonl')];
  let r = vigil(['detect', ...common, '--db', join(dir, 'split.db'), '-o', join(dir, 'o1.jsonl'), day1]);
  assert.equal(r.status, 0, r.stderr);
  r = vigil(['detect', ...common, '--db', join(dir, 'split.db'), '-o', join(dir, 'o2.jsonl'), day2]);
  assert.equal(r.status, 0, r.stderr);
  r = vigil(['detect', ...common, '--db', join(dir, 'once.db'), '-o', join(dir, 'o.jsonl'), both]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /password_spray\s+org-a\s+1/);
  const once = storedFindings(join(dir, 'once.db'));
  assert.ok(once.length >= 5, `expected the fixture's findings, got ${once.length}`);
  // Each finding's row is its last line (a finding that grew several times between commits is written once).
  const lastLine = new Map<string, string>();
  for (const l of readFileSync(join(dir, 'o.jsonl'), 'utf8').trim().split('\n')) lastLine.set(JSON.parse(l).finding_info.uid, l);
  const d = new Database(join(dir, 'once.db'), { readonly: true });
  const rows = d.prepare('SELECT uid, json FROM findings').all() as { uid: string; json: string }[];
  d.close();
  assert.ok(lastLine.size < readFileSync(join(dir, 'o.jsonl'), 'utf8').trim().split('\n').length, 'some finding grew');
  assert.deepEqual(new Map(rows.map((r) => [r.uid, r.json])), lastLine);
  const split = storedFindings(join(dir, 'split.db'));
  assert.equal(split.length, once.length, 'as many findings split by day as at once');
  for (let i = 0; i < once.length; i++) assert.ok(split[i] === once[i], `finding ${i} differs between split and single run:\n${split[i].slice(0, 400)}\n${once[i].slice(0, 400)}`);
  // Day 1 again, same command: its input is recognised by content and not counted again; the run's own finding
  // lines are written again so that the output of a command does not depend on how often it ran.
  r = vigil(['detect', ...common, '--db', join(dir, 'split.db'), '-o', join(dir, 'o3.jsonl'), day1]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /already processed, skipped: .*day1\.jsonl/);
  assert.equal(readFileSync(join(dir, 'o3.jsonl'), 'utf8'), readFileSync(join(dir, 'o1.jsonl'), 'utf8'));
  assert.deepEqual(storedFindings(join(dir, 'split.db')), once);
});

test('a run killed with SIGKILL and started again ends with the output of an uninterrupted run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-kill-'));
  // Many organisations under the same spray, so the run takes long enough to be killed in the middle.
  const base = fixture('spray-then-compromise');
  const lines: string[] = [];
  for (let org = 0; org < 24; org++) for (const e of base) lines.push(JSON.stringify({ ...e, metadata: { ...e.metadata, tenant_uid: `org-${org}` } }));
  const input = join(dir, 'in.jsonl');
  writeFileSync(input, lines.join('\n') + '\n');
  // Detector memory is saved every 2,000 events, finding lines are committed every 2 lines in between: a kill
  // between the two leaves lines the restarted run makes again and must recognise.
  const args = (db: string, out: string) => ['detect', '--no-geo', '-q', join(dir, 'q.jsonl'), '--checkpoint-events', '2000', '--findings-batch', '2', '--db', db, '-o', out, input];
  const ref = vigil(args(join(dir, 'ref.db'), join(dir, 'ref.jsonl')));
  assert.equal(ref.status, 0, ref.stderr);
  const expected = readFileSync(join(dir, 'ref.jsonl'), 'utf8');
  assert.ok(expected.split('\n').length > 24, 'reference run found the sprays');

  for (const delay of [900, 1600, 2400]) {
    const db = join(dir, `k${delay}.db`);
    const out = join(dir, `k${delay}.jsonl`);
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args(db, out)], { stdio: 'ignore' });
    const exited = new Promise((r) => child.on('exit', r));
    await new Promise((r) => setTimeout(r, delay));
    child.kill('SIGKILL');
    await exited;
    const again = vigil(args(db, out));
    assert.equal(again.status, 0, again.stderr);
    assert.ok(existsSync(out));
    assert.equal(readFileSync(out, 'utf8'), expected, `killed after ${delay} ms: output differs from the uninterrupted run`);
    // Each sign-in counted once: the batches read again before the resumed line are not counted twice.
    assert.equal(activityRows(db), activityRows(join(dir, 'ref.db')), `killed after ${delay} ms: activity counts differ`);
  }
});

test('--threads 2 (reading on a worker thread) writes exactly the findings of --threads 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-threads-'));
  const input = join(dir, 'in.jsonl');
  const events = [...fixture('spray-then-compromise'), ...fixture('stuffing'), ...fixture('mfa-fatigue')].sort((a, b) => a.time - b.time);
  writeFileSync(input, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const outs = [1, 2].map((t) => {
    const out = join(dir, `t${t}.jsonl`);
    const r = vigil(['detect', '--no-geo', '-q', join(dir, `q${t}.jsonl`), '--threads', String(t), '--db', join(dir, `t${t}.db`), '-o', out, input]);
    assert.equal(r.status, 0, r.stderr);
    return readFileSync(out, 'utf8');
  });
  assert.ok(outs[0].length > 1000, 'findings were written');
  assert.equal(outs[1], outs[0]);
  // The reading thread counts sign-ins per batch; one thread counts them event by event.
  const counts = [1, 2].map((t) => activityRows(join(dir, `t${t}.db`)));
  assert.ok(JSON.parse(counts[0]).length > 10, 'activity was counted');
  assert.equal(counts[1], counts[0]);
});
