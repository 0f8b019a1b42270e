/**
 * The shipped templates (templates/<lang>/): every language complete, with exactly the plural forms CLDR gives it,
 * the same arguments as English, and a text direction; and the checker itself catches each kind of mistake.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { availableLanguages, Catalogs, resolveLanguage, TEMPLATES_DIR, validateTemplates } from './templates.js';

test('the shipped languages are complete and correct', () => {
  assert.deepEqual(availableLanguages(), ['de', 'en', 'es', 'fr', 'ur']);
  assert.deepEqual(validateTemplates(), []);
  const c = new Catalogs();
  assert.equal(c.get('ur').dir, 'rtl');
  for (const l of ['en', 'es', 'de', 'fr']) assert.equal(c.get(l).dir, 'ltr');
  assert.equal(c.get('es-MX').language, 'es', 'a regional code uses its base language');
  assert.equal(resolveLanguage('pt', c.available), undefined);
  assert.throws(() => c.get('pt'), /no notification templates for language 'pt'/);
});

test('the checker finds a missing key, a missing plural form, a wrong argument and a stray key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-tpl-'));
  cpSync(TEMPLATES_DIR, dir, { recursive: true });
  const es = join(dir, 'es', 'notification.yaml');
  let text = readFileSync(es, 'utf8');
  text = text.replace(/^greeting_named:.*\n/m, ''); // missing key
  text = text.replace(' many {Un atacante inició sesión en estas # de cuentas:}', ''); // Spanish needs "many"
  text = text.replace('intro_private: "Solo', 'intro_private: "{org} Solo'); // an argument English does not give
  text += 'extra_key: hola\n';
  writeFileSync(es, text);
  const problems = validateTemplates(dir);
  assert.ok(problems.includes('es: missing greeting_named'), problems.join('\n'));
  assert.ok(problems.some((p) => /^es: accounts\.compromised: plural \{count\} lacks the form\(s\) many/.test(p)), problems.join('\n'));
  assert.ok(problems.includes('es: intro_private uses {org}, which is not given'), problems.join('\n'));
  assert.ok(problems.includes('es: extra_key is not an English key (a typo?)'), problems.join('\n'));
  // Adding a language is adding files: a copy of English under a new code validates (with English plural rules).
  cpSync(join(dir, 'en'), join(dir, 'nl'), { recursive: true });
  assert.ok(!validateTemplates(dir).some((p) => p.startsWith('nl:')));
  assert.ok(new Catalogs(dir).available.includes('nl'));
});
