/**
 * @module detect/rule-file
 * One rule file read and checked: its YAML parsed, then validated field by field, with a one-line error naming the
 * file and the field. Loaded only for rule files the build has not compiled (see `loadRules`): yaml and zod take a
 * fifth of a second to load, which every run would otherwise spend before its first event.
 */
import { writeFileSync, renameSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { FINDING_TYPES, RuleError, ruleTexts, type CompiledRules, type Rule } from './rules.js';

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

/** The rule in a file's text; a RuleError naming the file (and the field) when it is not valid YAML or not a rule. */
export function parseRuleFile(file: string, text: string): Rule {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new RuleError(`${file}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const r = RuleSchema.safeParse(doc);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new RuleError(`${file}: ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  return { ...r.data, file };
}

/**
 * Writes the rules of `dir` as checked now, with each file's text, to `path` (the build does it for the shipped rules);
 * whole or not at all. Throws a RuleError for a bad rule file, as loading it would.
 */
export function compileRules(dir: string, path: string): void {
  const compiled: CompiledRules = { version: 1, files: ruleTexts(dir).map(({ name, file, text }) => ({ name, text, rule: withoutFile(parseRuleFile(file, text)) })) };
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(compiled));
  renameSync(tmp, path);
}

function withoutFile({ file: _file, ...rule }: Rule): Omit<Rule, 'file'> {
  return rule;
}
