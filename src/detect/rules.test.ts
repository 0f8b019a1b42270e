/**
 * One test validates every rule file (as Elastic's detection-rules do): schema, unique ids, a known detector, a
 * rationale, ATT&CK ids, and that each detector accepts the file's parameters. Also: a bad file is a one-line error
 * naming the file and field.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DETECTORS, Engine } from './engine.js';
import { FINDING_TYPES, loadRules, RuleError, DEFAULT_RULES_DIR } from './rules.js';

test('every shipped rule validates, and every finding type has a rule', () => {
  const rules = loadRules();
  assert.equal(new Set(rules.map((r) => r.id)).size, rules.length);
  for (const r of rules) {
    assert.ok(DETECTORS[r.detector], `${r.file}: detector ${r.detector} exists`);
    assert.ok(r.rationale.length > 80, `${r.file}: a rationale that explains the numbers`);
    assert.ok(Object.keys(r.params).length > 0, `${r.file}: thresholds live in the file`);
  }
  assert.deepEqual([...new Set(rules.map((r) => r.type))].sort(), [...FINDING_TYPES].sort());
  assert.doesNotThrow(() => new Engine({ rules }));
});

test('a rule missing a parameter or with a bad field is refused with file and field named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rules-'));
  const spray = readFileSync(join(DEFAULT_RULES_DIR, 'password-spray.yaml'), 'utf8');
  writeFileSync(join(dir, 'spray.yaml'), spray.replace(/severity: medium/, 'severity: extreme'));
  assert.throws(() => loadRules(dir), (e: Error) => e instanceof RuleError && /spray\.yaml: severity: /.test(e.message));
  writeFileSync(join(dir, 'spray.yaml'), spray.replace(/  min_accounts: 8\n/, ''));
  assert.throws(() => new Engine({ rules: loadRules(dir) }), /spray\.yaml: params\.min_accounts must be a number/);
  writeFileSync(join(dir, 'spray.yaml'), 'id: [');
  assert.throws(() => loadRules(dir), /spray\.yaml: not valid YAML/);
});
