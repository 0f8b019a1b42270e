/**
 * @module detect/rules
 * Rule files: one YAML file per detector in `rules/` (or `--rules DIR`), holding its thresholds, windows, severity,
 * ATT&CK mapping and the rationale for each number. Validated on load; a bad file is a one-line error naming the
 * file and field.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

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

const Attack = z.object({
  technique: z.object({ uid: z.string().regex(/^T\d{4}(\.\d{3})?$/), name: z.string() }),
  tactic: z.object({ uid: z.string().regex(/^TA\d{4}$/), name: z.string() }),
});

export const RuleSchema = z.object({
  id: z.string().regex(/^VGL-\d{3}$/, 'id must look like VGL-001'),
  name: z.string().min(3),
  detector: z.string(),
  type: z.enum(FINDING_TYPES),
  severity: z.enum(['low', 'medium', 'high', 'critical']),
  enabled: z.boolean().default(true),
  rationale: z.string().min(20),
  references: z.array(z.string()).default([]),
  attacks: z.array(Attack).min(1),
  params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.array(z.string())])),
});
export type Rule = z.infer<typeof RuleSchema> & { file: string };

export const SEVERITY_IDS: Record<Rule['severity'], number> = { low: 2, medium: 3, high: 4, critical: 5 };

export class RuleError extends Error {}

export const DEFAULT_RULES_DIR = fileURLToPath(new URL('../../rules/', import.meta.url));

export function loadRules(dir: string = DEFAULT_RULES_DIR): Rule[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch {
    throw new RuleError(`cannot read rules folder ${dir}`);
  }
  const rules: Rule[] = [];
  for (const name of names) {
    const file = join(dir, name);
    let doc: unknown;
    try {
      doc = parseYaml(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new RuleError(`${file}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
    }
    const r = RuleSchema.safeParse(doc);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new RuleError(`${file}: ${issue.path.join('.') || '(top)'}: ${issue.message}`);
    }
    rules.push({ ...r.data, file });
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
