// Part of the build: checks the shipped rule files once and writes them, with their texts, beside dist/detect/rules.js,
// so that runs whose rule files are unchanged take them without loading the YAML parser and validator (see
// loadRules in src/detect/rules.ts). A bad rule file fails the build, as it would fail every run.
import { compileRules } from '../dist/detect/rule-file.js';
import { COMPILED_RULES, DEFAULT_RULES_DIR } from '../dist/detect/rules.js';

compileRules(DEFAULT_RULES_DIR, COMPILED_RULES);
