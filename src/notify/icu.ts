/**
 * @module notify/icu
 * A small subset of ICU MessageFormat for the notification templates, so translators write whole sentences with
 * the plural forms their language needs instead of code gluing fragments together:
 *
 *   `{name}`                                   an argument (numbers are formatted for the language, lists joined)
 *   `{n, plural, =0 {none} one {# day} other {# days}}`   plural forms chosen by `Intl.PluralRules` (CLDR)
 *   `{kind, select, tor {Tor} other {a VPN}}`  a choice by value
 *
 * `#` inside a plural is the number. Apostrophes are ordinary text (French and Urdu need them), so braces cannot
 * be written literally. Formatting goes through two callbacks, for literal text and for argument values, so that
 * the HTML renderer escapes and the right-to-left renderer isolates values (addresses, account names) without the
 * templates knowing.
 */

export type Part =
  | { kind: 'text'; text: string }
  | { kind: 'arg'; name: string }
  | { kind: 'hash' }
  | { kind: 'plural'; name: string; cases: Record<string, Part[]> }
  | { kind: 'select'; name: string; cases: Record<string, Part[]> };

export class MessageSyntaxError extends Error {}

export type Value = string | number | readonly string[];
export type Vars = Record<string, Value | undefined>;

export interface Output {
  /** Literal template text. */
  literal(text: string): string;
  /** An argument's value (already formatted as text). */
  value(text: string): string;
}

export const PLAIN: Output = { literal: (t) => t, value: (t) => t };

export function parseMessage(source: string): Part[] {
  let i = 0;
  const fail = (why: string): never => {
    throw new MessageSyntaxError(`${why} at character ${i + 1} of "${source.length > 60 ? source.slice(0, 60) + '…' : source}"`);
  };
  const ws = () => {
    while (i < source.length && /\s/.test(source[i])) i++;
  };
  const ident = (): string => {
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i));
    if (!m) fail('expected a name');
    i += m![0].length;
    return m![0];
  };
  /** Parses until an unmatched `}` (when nested) or the end. */
  const message = (nested: boolean, inPlural: boolean): Part[] => {
    const parts: Part[] = [];
    let text = '';
    const flush = () => {
      if (text) parts.push({ kind: 'text', text });
      text = '';
    };
    while (i < source.length) {
      const c = source[i];
      if (c === '}') {
        if (!nested) fail("unexpected '}'");
        flush();
        return parts;
      }
      if (c === '{') {
        flush();
        parts.push(argument());
        continue;
      }
      if (c === '#' && inPlural) {
        flush();
        parts.push({ kind: 'hash' });
        i++;
        continue;
      }
      text += c;
      i++;
    }
    if (nested) fail("missing '}'");
    flush();
    return parts;
  };
  const argument = (): Part => {
    i++; // {
    ws();
    const name = ident();
    ws();
    if (source[i] === '}') {
      i++;
      return { kind: 'arg', name };
    }
    if (source[i] !== ',') fail("expected ',' or '}'");
    i++;
    ws();
    const type = ident();
    if (type !== 'plural' && type !== 'select') fail(`unknown argument type '${type}' (plural or select)`);
    ws();
    if (source[i] !== ',') fail("expected ','");
    i++;
    const cases: Record<string, Part[]> = {};
    for (;;) {
      ws();
      if (source[i] === '}') {
        i++;
        break;
      }
      const m = /^(=\d+|[A-Za-z_][A-Za-z0-9_-]*)/.exec(source.slice(i));
      if (!m) fail('expected a case such as one, other or =0');
      const key = m![0];
      i += key.length;
      ws();
      if (source[i] !== '{') fail(`expected '{' after '${key}'`);
      i++;
      if (key in cases) fail(`case '${key}' appears twice`);
      cases[key] = message(true, type === 'plural');
      i++; // }
    }
    if (!cases.other) fail(`${type} '${name}' has no 'other' case`);
    return { kind: type as 'plural' | 'select', name, cases };
  };
  return message(false, false);
}

/** Argument names a message uses, and the plural arguments with the cases they give. */
export function describeMessage(parts: Part[]): { args: Set<string>; plurals: { name: string; cases: string[] }[] } {
  const args = new Set<string>();
  const plurals: { name: string; cases: string[] }[] = [];
  const walk = (ps: Part[]) => {
    for (const p of ps) {
      if (p.kind === 'arg') args.add(p.name);
      else if (p.kind === 'plural' || p.kind === 'select') {
        args.add(p.name);
        if (p.kind === 'plural') plurals.push({ name: p.name, cases: Object.keys(p.cases) });
        for (const c of Object.values(p.cases)) walk(c);
      }
    }
  };
  walk(parts);
  return { args, plurals };
}

/** Formats parsed messages for one language (plural rules, number and list formats are made once). */
export class MessageFormatter {
  private readonly plural: Intl.PluralRules;
  private readonly number: Intl.NumberFormat;
  private readonly list: Intl.ListFormat;

  constructor(readonly language: string) {
    this.plural = new Intl.PluralRules(language);
    this.number = new Intl.NumberFormat(language, { maximumFractionDigits: 1 });
    this.list = new Intl.ListFormat(language, { style: 'long', type: 'conjunction' });
  }

  /** The plural categories this language distinguishes (CLDR), e.g. one/other for English, one/many/other for Spanish. */
  categories(): string[] {
    return this.plural.resolvedOptions().pluralCategories as string[];
  }

  /** The language's separator between items of a plain list (", " in most, "، " in Urdu). */
  separator(): string {
    return new Intl.ListFormat(this.language, { type: 'unit', style: 'short' }).formatToParts(['a', 'b', 'c'])[1]?.value ?? ', ';
  }

  formatNumber(n: number): string {
    return this.number.format(n);
  }

  format(parts: Part[], vars: Vars, out: Output = PLAIN, hash?: number): string {
    let s = '';
    for (const p of parts) {
      switch (p.kind) {
        case 'text':
          s += out.literal(p.text);
          break;
        case 'hash':
          s += out.value(hash === undefined ? '#' : this.number.format(hash));
          break;
        case 'arg':
          s += this.value(p.name, vars[p.name], out);
          break;
        case 'plural': {
          const n = vars[p.name];
          if (typeof n !== 'number') throw new Error(`plural argument '${p.name}' must be a number, not ${JSON.stringify(n)}`);
          const chosen = p.cases[`=${n}`] ?? p.cases[this.plural.select(n)] ?? p.cases.other;
          s += this.format(chosen, vars, out, n);
          break;
        }
        case 'select': {
          const v = vars[p.name];
          s += this.format(p.cases[String(v)] ?? p.cases.other, vars, out, hash);
          break;
        }
      }
    }
    return s;
  }

  private value(name: string, v: Value | undefined, out: Output): string {
    if (v === undefined) throw new Error(`argument '${name}' has no value`);
    if (typeof v === 'number') return out.value(this.number.format(v));
    if (typeof v === 'string') return out.value(v);
    // Lists: each item is a value of its own (so each is escaped and isolated), the separators are literal text.
    return this.list.formatToParts([...v]).map((x) => (x.type === 'element' ? out.value(x.value) : out.literal(x.value))).join('');
  }
}
