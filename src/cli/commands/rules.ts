/**
 * @module cli/commands/rules
 * `vigil rules`: list the detection rules with their thresholds and rationale.
 */
import { resolve } from 'node:path';
import { loadRules, DEFAULT_RULES_DIR } from '../../detect/rules.js';
import { parse, type Command } from '../command.js';
import { table } from '../output.js';

export const rules: Command = {
  name: 'rules',
  summary: 'list the detection rules, their thresholds and why',
  usage: `Usage: vigil rules [--rules DIR] [--json]

Lists the detection rules (one YAML file each) with their type, severity and thresholds (lists by their length);
--json prints them whole, rationale and lists included. A rule file that does not validate is reported with its file and field.`,
  async run(argv) {
    const { values } = parse(argv, { rules: { type: 'string' }, json: { type: 'boolean' } });
    if (values.help) {
      console.log(rules.usage);
      return 0;
    }
    const list = await loadRules(values.rules ? resolve(values.rules) : DEFAULT_RULES_DIR);
    if (values.json) {
      for (const r of list) console.log(JSON.stringify(r));
      return 0;
    }
    const rows: string[][] = [['id', 'type', 'severity', 'name', 'thresholds']];
    for (const r of list) rows.push([r.id, r.type, r.severity, r.name, Object.entries(r.params).map(([k, v]) => `${k}=${Array.isArray(v) ? `(${v.length} listed)` : v}`).join(' ')]);
    console.log(table(rows));
    for (const r of list) console.log(`\n${r.id} ${r.name}\n  ${r.rationale.trim()}`);
    return 0;
  },
};
