/**
 * @module notify/templates
 * Notification texts as data: `templates/<language>/*.yaml`, nested keys of ICU-style messages (see notify/icu).
 * Adding a language is adding a folder with the same keys as English; `validateTemplates` checks that every key
 * is there, that each message uses the same arguments as the English one, and that every plural gives exactly
 * the forms the language distinguishes according to CLDR (`Intl.PluralRules`), e.g. one/many/other for Spanish.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { describeMessage, MessageFormatter, parseMessage, PLAIN, type Output, type Part, type Vars } from './icu.js';

export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));
/** The language every other is checked against and falls back to for keys a newer Vigil added. */
export const REFERENCE_LANGUAGE = 'en';

export class TemplateError extends Error {}

export interface Catalog {
  language: string;
  name: string;
  dir: 'ltr' | 'rtl';
  formatter: MessageFormatter;
  has(key: string): boolean;
  /** Formats the message `key` (dotted path) with `vars`; literal text and values go through `out`. */
  t(key: string, vars?: Vars, out?: Output): string;
}

/** Languages that have a template folder. */
export function availableLanguages(dir = TEMPLATES_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((d) => /^[a-z]{2,3}(-[A-Za-z0-9]+)*$/.test(d) && statSync(join(dir, d)).isDirectory())
    .sort();
}

/** The template language to use for a requested code: exact (es-MX), then its base (es); undefined if neither. */
export function resolveLanguage(requested: string, available: readonly string[]): string | undefined {
  const exact = available.find((a) => a.toLowerCase() === requested.toLowerCase());
  if (exact) return exact;
  const base = requested.split('-')[0].toLowerCase();
  return available.find((a) => a === base);
}

/** Reads one language's files into a flat map of dotted keys to message source text. */
export function readMessages(dir: string, language: string): Map<string, string> {
  const folder = join(dir, language);
  const files = existsSync(folder) ? readdirSync(folder).filter((f) => /\.ya?ml$/.test(f)).sort() : [];
  if (!files.length) throw new TemplateError(`no templates for language '${language}' in ${folder}`);
  const out = new Map<string, string>();
  for (const f of files) {
    let doc: unknown;
    try {
      doc = parseYaml(readFileSync(join(folder, f), 'utf8'));
    } catch (e) {
      throw new TemplateError(`${join(folder, f)}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
    }
    const walk = (node: unknown, prefix: string) => {
      if (typeof node === 'string' || typeof node === 'number') {
        if (out.has(prefix)) throw new TemplateError(`${join(folder, f)}: key ${prefix} is defined twice`);
        out.set(prefix, String(node));
      } else if (node && typeof node === 'object' && !Array.isArray(node)) {
        for (const [k, v] of Object.entries(node)) walk(v, prefix ? `${prefix}.${k}` : k);
      } else throw new TemplateError(`${join(folder, f)}: key ${prefix || '(top)'} must be text or a mapping of keys`);
    };
    walk(doc, '');
  }
  return out;
}

class LoadedCatalog implements Catalog {
  readonly formatter: MessageFormatter;
  readonly name: string;
  readonly dir: 'ltr' | 'rtl';

  constructor(
    readonly language: string,
    private readonly messages: Map<string, Part[]>,
    private readonly fallback: Catalog | undefined,
  ) {
    this.formatter = new MessageFormatter(language);
    const text = (k: string) => {
      const p = messages.get(k);
      return p?.length === 1 && p[0].kind === 'text' ? p[0].text : undefined;
    };
    this.name = text('meta.name') ?? language;
    this.dir = text('meta.dir') === 'rtl' ? 'rtl' : 'ltr';
  }

  has(key: string): boolean {
    return this.messages.has(key) || !!this.fallback?.has(key);
  }

  t(key: string, vars: Vars = {}, out: Output = PLAIN): string {
    const parts = this.messages.get(key);
    if (!parts) {
      if (this.fallback) return this.fallback.t(key, vars, out);
      throw new TemplateError(`template key ${key} is missing for language ${this.language}`);
    }
    return this.formatter.format(parts, vars, out);
  }
}

function parseAll(language: string, source: Map<string, string>, where: string): Map<string, Part[]> {
  const out = new Map<string, Part[]>();
  for (const [k, v] of source) {
    try {
      out.set(k, parseMessage(v));
    } catch (e) {
      throw new TemplateError(`${where}/${language}: ${k}: ${(e as Error).message}`);
    }
  }
  return out;
}

/** Loads and caches catalogs; a language lacking a key (templates older than the code) falls back to English. */
export class Catalogs {
  private readonly cache = new Map<string, Catalog>();
  readonly available: string[];

  constructor(readonly dir = TEMPLATES_DIR) {
    this.available = availableLanguages(dir);
    if (!this.available.includes(REFERENCE_LANGUAGE)) throw new TemplateError(`no ${REFERENCE_LANGUAGE} templates in ${dir}`);
  }

  get(language: string): Catalog {
    const lang = resolveLanguage(language, this.available);
    if (!lang) throw new TemplateError(`no notification templates for language '${language}' (have ${this.available.join(', ')}; add ${join(this.dir, language)}/)`);
    let c = this.cache.get(lang);
    if (!c) {
      const fallback = lang === REFERENCE_LANGUAGE ? undefined : this.get(REFERENCE_LANGUAGE);
      c = new LoadedCatalog(lang, parseAll(lang, readMessages(this.dir, lang), this.dir), fallback);
      this.cache.set(lang, c);
    }
    return c;
  }
}

/**
 * Checks every language against English: same keys, same arguments, plural forms exactly those of the language
 * (plus any `=N` exact cases), a text direction, and messages that format with sample values. Returns the problems.
 */
export function validateTemplates(dir = TEMPLATES_DIR): string[] {
  const problems: string[] = [];
  const languages = availableLanguages(dir);
  if (!languages.includes(REFERENCE_LANGUAGE)) return [`no ${REFERENCE_LANGUAGE} templates in ${dir}`];
  const parsed = new Map<string, Map<string, Part[]>>();
  for (const lang of languages) {
    try {
      parsed.set(lang, parseAll(lang, readMessages(dir, lang), dir));
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  const ref = parsed.get(REFERENCE_LANGUAGE);
  if (!ref) return problems;
  for (const [lang, messages] of parsed) {
    const categories = new Intl.PluralRules(lang).resolvedOptions().pluralCategories as string[];
    const dirText = messages.get('meta.dir');
    if (!dirText || dirText.length !== 1 || dirText[0].kind !== 'text' || !['ltr', 'rtl'].includes(dirText[0].text)) problems.push(`${lang}: meta.dir must be ltr or rtl`);
    for (const key of ref.keys()) if (!messages.has(key)) problems.push(`${lang}: missing ${key}`);
    for (const [key, parts] of messages) {
      const refParts = ref.get(key);
      if (!refParts) {
        problems.push(`${lang}: ${key} is not an English key (a typo?)`);
        continue;
      }
      const mine = describeMessage(parts);
      const theirs = describeMessage(refParts);
      const missing = [...theirs.args].filter((a) => !mine.args.has(a));
      const extra = [...mine.args].filter((a) => !theirs.args.has(a));
      if (missing.length) problems.push(`${lang}: ${key} does not use {${missing.join('}, {')}}`);
      if (extra.length) problems.push(`${lang}: ${key} uses {${extra.join('}, {')}}, which is not given`);
      for (const p of mine.plurals) {
        const named = p.cases.filter((c) => !c.startsWith('='));
        const lacking = categories.filter((c) => !named.includes(c));
        const unused = named.filter((c) => !categories.includes(c));
        if (lacking.length) problems.push(`${lang}: ${key}: plural {${p.name}} lacks the form(s) ${lacking.join(', ')} that ${lang} needs`);
        if (unused.length) problems.push(`${lang}: ${key}: plural {${p.name}} has form(s) ${unused.join(', ')} that ${lang} never uses`);
      }
    }
  }
  return problems;
}
