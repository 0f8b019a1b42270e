/**
 * One test validates every rule file (as Elastic's detection-rules do): schema, unique ids, a known detector, a
 * rationale, ATT&CK ids, and that each detector accepts the file's parameters. Also: a bad file is a one-line error
 * naming the file and field.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DETECTORS, Engine } from './engine.js';
import { compileRules } from './rule-file.js';
import { FINDING_TYPES, loadRules, RuleError, DEFAULT_RULES_DIR } from './rules.js';

/** No compiled rules: every file parsed and validated. */
const NONE = join(tmpdir(), 'vigil-no-compiled-rules.json');

test('every shipped rule validates, and every finding type has a rule', async () => {
  const rules = await loadRules();
  assert.equal(new Set(rules.map((r) => r.id)).size, rules.length);
  for (const r of rules) {
    assert.ok(DETECTORS[r.detector], `${r.file}: detector ${r.detector} exists`);
    assert.ok(r.rationale.length > 80, `${r.file}: a rationale that explains the numbers`);
    assert.ok(Object.keys(r.params).length > 0, `${r.file}: thresholds live in the file`);
  }
  assert.deepEqual([...new Set(rules.map((r) => r.type))].sort(), [...FINDING_TYPES].sort());
  assert.doesNotThrow(() => new Engine({ rules }));
});

test('a rule missing a parameter or with a bad field is refused with file and field named', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rules-'));
  const spray = readFileSync(join(DEFAULT_RULES_DIR, 'password-spray.yaml'), 'utf8');
  writeFileSync(join(dir, 'spray.yaml'), spray.replace(/severity: medium/, 'severity: extreme'));
  await assert.rejects(loadRules(dir), (e: Error) => e instanceof RuleError && /spray\.yaml: severity: /.test(e.message));
  writeFileSync(join(dir, 'spray.yaml'), spray.replace(/  min_accounts: 8\n/, ''));
  const rules = await loadRules(dir);
  assert.throws(() => new Engine({ rules }), /spray\.yaml: params\.min_accounts must be a number/);
  writeFileSync(join(dir, 'spray.yaml'), 'id: [');
  await assert.rejects(loadRules(dir), /spray\.yaml: not valid YAML/);
});

test('compiled rules are the parsed rules, and a file changed since is read from its text', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'vigil-compiled-'));
  const dir = join(tmp, 'rules');
  cpSync(DEFAULT_RULES_DIR, dir, { recursive: true });
  const compiled = join(tmp, 'rules-compiled.json');
  compileRules(dir, compiled);
  const parsed = await loadRules(dir, NONE);
  // Equal to the byte, keys in the same order: a run's saved state names its rules by a hash of their JSON.
  assert.equal(JSON.stringify(await loadRules(dir, compiled)), JSON.stringify(parsed));
  // The compiled copy is what a run takes when the texts match: a rule changed inside it is what loads.
  const c = JSON.parse(readFileSync(compiled, 'utf8'));
  c.files.find((f: { name: string }) => f.name === 'password-spray.yaml').rule.params.min_accounts = 99;
  writeFileSync(compiled, JSON.stringify(c));
  assert.equal((await loadRules(dir, compiled)).find((r) => r.detector === 'password_spray')!.params.min_accounts, 99);
  // Edited after the build: the file's own text decides, and it is checked.
  const file = join(dir, 'password-spray.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/  min_accounts: 8\n/, '  min_accounts: 11\n'));
  assert.equal((await loadRules(dir, compiled)).find((r) => r.detector === 'password_spray')!.params.min_accounts, 11);
  writeFileSync(file, readFileSync(file, 'utf8').replace(/severity: medium/, 'severity: extreme'));
  await assert.rejects(loadRules(dir, compiled), /password-spray\.yaml: severity: /);
  // A damaged compiled file is ignored: every file is parsed.
  writeFileSync(compiled, '{"version":1,"files":[');
  cpSync(DEFAULT_RULES_DIR, dir, { recursive: true });
  assert.deepEqual(await loadRules(dir, compiled), parsed);
  await assert.rejects(loadRules(join(tmp, 'missing')), /cannot read rules folder/);
});
