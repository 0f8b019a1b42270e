/**
 * The built reading thread: the build bundles its code into one file (scripts/bundle-reading-thread.mjs), which a
 * built `vigil detect` starts its reading thread with; that thread finds the ASN tables' cache the build wrote beside
 * the enrich modules, and reads, enriches and detects exactly as the modules do on the detection thread itself
 * (`--threads 1`). Runs the built CLI (`dist/`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'vigil.js');
const built = existsSync(join(ROOT, 'dist', 'cli', 'main.js'));
const INPUT = join(ROOT, 'src', 'detect', 'fixtures', 'spray-then-compromise', 'events.jsonl');

test('the build bundles the reading thread, and every file the bundle names beside itself is there', { skip: !built && 'not built' }, () => {
  const bundle = join(ROOT, 'dist', 'ingest', 'reading-thread.bundle.js');
  assert.ok(existsSync(bundle), bundle);
  // A module's path relative to its own file means another folder once bundled (the ASN tables' cache, which a
  // missing file would only make slow, read from the CSV instead): each such path, resolved from the bundle.
  const relative = [...readFileSync(bundle, 'utf8').matchAll(/new URL\(["'`]([^"'`]+)["'`], import\.meta\.url\)/g)].map((m) => m[1]);
  assert.ok(relative.some((p) => p.includes('asn-ipv')), `the ASN cache's path: ${relative.join(', ')}`);
  for (const p of relative)
    for (const family of ['4', '6']) {
      const file = fileURLToPath(new URL(p.replace('${family}', family), pathToFileURL(bundle)));
      assert.ok(existsSync(file), `${p} from the bundle: ${file}`);
    }
});

test('a built run reads on the bundled thread exactly as on one thread (geo and ASN on)', { skip: !built && 'not built' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bundle-'));
  try {
    const run = (threads: string) => {
      const out = join(dir, `t${threads}.jsonl`);
      const r = spawnSync(process.execPath, [BIN, 'detect', '--threads', threads, '--db', join(dir, `t${threads}.db`), '-o', out, INPUT], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return readFileSync(out, 'utf8');
    };
    const threaded = run('2');
    assert.ok(threaded.split('\n').filter(Boolean).length > 0, 'the fixture raises findings');
    // Findings name the attackers' networks (AS names from the tables): the same whichever thread enriched.
    assert.match(threaded, /"autonomous_system"/);
    assert.equal(threaded, run('1'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
