/**
 * @module detect/rules
 * Rule files: one YAML file per detector in `rules/` (or `--rules DIR`), holding its thresholds, windows, severity,
 * ATT&CK mapping and the rationale for each number. Validated on load (or taken from the build's checked copy when
 * the file's text is the one checked); a bad file is a one-line error naming the file and field.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import type { RuleSchema } from './rule-file.js';

export const FINDING_TYPES = [
  'password_spray',
  'brute_force',
  'credential_stuffing',
  'account_compromise',
  'mfa_fatigue',
  'impossible_travel',
  'anonymizer_signin',
] as const;
export type FindingType = (typeof FINDING_TYPES)[number];

export type Rule = z.infer<typeof RuleSchema> & { file: string };

export const SEVERITY_IDS: Record<Rule['severity'], number> = { low: 2, medium: 3, high: 4, critical: 5 };

export class RuleError extends Error {}

export const DEFAULT_RULES_DIR = fileURLToPath(new URL('../../rules/', import.meta.url));

/**
 * Where the build keeps the shipped rules as checked (`compileRules`), each with the text it was read from: a run
 * whose rule files have exactly those texts takes them from there without loading the YAML parser and validator.
 */
export const COMPILED_RULES = fileURLToPath(new URL('./rules-compiled.json', import.meta.url));

/** The compiled form: every rule file's name, text and rule (without its path). */
export interface CompiledRules {
  version: 1;
  files: { name: string; text: string; rule: Omit<Rule, 'file'> }[];
}

/** The rule files of a folder (`.yaml`, `.yml`), by name, with their texts. */
export function ruleTexts(dir: string): { name: string; file: string; text: string }[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch {
    throw new RuleError(`cannot read rules folder ${dir}`);
  }
  return names.map((name) => {
    const file = join(dir, name);
    try {
      return { name, file, text: readFileSync(file, 'utf8') };
    } catch {
      throw new RuleError(`${file}: cannot read the rule file`);
    }
  });
}

/** The compiled rules by file name, or none when `path` holds no readable compiled rules (then every file is parsed). */
function compiledRules(path: string): Map<string, CompiledRules['files'][number]> {
  try {
    const c = JSON.parse(readFileSync(path, 'utf8')) as CompiledRules;
    if (c?.version === 1 && Array.isArray(c.files)) return new Map(c.files.map((f) => [f.name, f]));
  } catch {
    // none built (a run from source), or damaged: parse the files
  }
  return new Map();
}

/**
 * The rules of `dir`, each checked: a rule file whose text is the one compiled at `compiled` is taken as compiled,
 * any other file is parsed and validated now. A RuleError names the file (and field) of the first bad one.
 */
export async function loadRules(dir: string = DEFAULT_RULES_DIR, compiled: string = COMPILED_RULES): Promise<Rule[]> {
  const known = compiledRules(compiled);
  let parse: ((file: string, text: string) => Rule) | undefined;
  const rules: Rule[] = [];
  for (const { name, file, text } of ruleTexts(dir)) {
    const c = known.get(name);
    if (c !== undefined && c.text === text) rules.push({ ...c.rule, file });
    else rules.push((parse ??= (await import('./rule-file.js')).parseRuleFile)(file, text));
  }
  const ids = new Set<string>();
  for (const r of rules) {
    if (ids.has(r.id)) throw new RuleError(`${r.file}: duplicate rule id ${r.id}`);
    ids.add(r.id);
  }
  return rules;
}

/** A numeric parameter of a rule, or a clear error naming the rule file. */
export function param(rule: Rule, name: string): number {
  const v = rule.params[name];
  if (typeof v !== 'number') throw new RuleError(`${rule.file}: params.${name} must be a number`);
  return v;
}

/** A list parameter of a rule (none when the rule file leaves it out). */
export function listParam(rule: Rule, name: string): string[] {
  const v = rule.params[name] ?? [];
  if (!Array.isArray(v)) throw new RuleError(`${rule.file}: params.${name} must be a list`);
  return v;
}
