/**
 * @module notify/render
 * Turns a view (notify/view) into the words of one language: a subject, a plain-text body and an HTML body with
 * `<html lang dir>`. The layout is code and the words are data (templates/<lang>/): the body is first built as
 * blocks (headings, paragraphs, lists, label/value rows) through an output that escapes for HTML or isolates
 * left-to-right values in right-to-left text, then written out as text or HTML.
 *
 * Detail `summary` (a contact who should not see account names) leaves out every account name and the technical
 * appendix; `full` names the compromised and valid-password accounts and ends with the appendix.
 */
import type { Vars } from './icu.js';
import type { Catalog } from './templates.js';
import type { Reported, View } from './view.js';

export type Detail = 'full' | 'summary';

export interface RenderInput {
  view: View;
  catalog: Catalog;
  detail: Detail;
  /** IANA zone for times in the body (the appendix is in UTC). */
  timeZone: string;
  /** Contact names for a personal greeting (all of the audience's contacts must have one). */
  names?: string[];
  followUp?: { previousAt: number; news: Reported };
  senderName: string;
}

export interface Rendered {
  language: string;
  dir: 'ltr' | 'rtl';
  subject: string;
  text: string;
  html: string;
  /** The advice given, as template keys (todo.*), for the webhook body. */
  actions: string[];
}

type Block =
  | { kind: 'h'; text: string }
  | { kind: 'p'; text: string; small?: boolean }
  | { kind: 'ul'; items: string[] }
  | { kind: 'rows'; rows: [string, string[]][] };

interface Out {
  literal(t: string): string;
  value(t: string): string;
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESC[c]);
/** First strong isolate ... pop directional isolate: keeps an address or account name intact inside Urdu text. */
const isolate = (s: string) => `\u2068${s}\u2069`;

const PASSWORD_ATTACKS = ['password_spray', 'brute_force', 'credential_stuffing'];
const APPENDIX_LIST = 40;
const APPENDIX_ADDRESSES = 50;

export function render(input: RenderInput): Rendered {
  const { catalog } = input;
  const textOut: Out = { literal: (t) => t, value: catalog.dir === 'rtl' ? isolate : (t) => t };
  const htmlOut: Out = { literal: escapeHtml, value: catalog.dir === 'rtl' ? (t) => `<bdi>${escapeHtml(t)}</bdi>` : escapeHtml };
  const actions: string[] = [];
  const textBlocks = blocks(input, textOut, actions);
  const htmlBlocks = blocks(input, htmlOut, []);
  const subject = subjectOf(input);
  return {
    language: catalog.language,
    dir: catalog.dir,
    subject,
    text: toText(textBlocks),
    html: toHtml(htmlBlocks, catalog.language, catalog.dir, escapeHtml(subject)),
    actions,
  };
}

function subjectOf({ view, catalog, followUp }: RenderInput): string {
  const org = view.orgName;
  if (followUp) return catalog.t('subject.follow_up', { org, reference: view.reference });
  if (view.compromised.length) return catalog.t('subject.compromised', { org, count: view.compromised.length });
  if (view.valid.length) return catalog.t('subject.valid', { org, count: view.valid.length });
  return catalog.t('subject.initial', { org, attacks: view.types.map((t) => catalog.t(`attack_name.${t}`)) });
}

function blocks(input: RenderInput, out: Out, actions: string[]): Block[] {
  const { view, catalog, detail, followUp } = input;
  const t = (key: string, vars: Vars = {}) => catalog.t(key, vars, out);
  const v = (s: string) => out.value(s);
  const full = detail === 'full';
  const when = (ms: number) => formatTime(ms, catalog.language, input.timeZone);
  const sep = out.literal(catalog.formatter.separator());
  const account = (a: string) => (view.protectedTargeted.includes(a) ? t('accounts.item_protected', { account: a }) : v(a));
  const b: Block[] = [];

  b.push({ kind: 'p', text: input.names?.length ? t('greeting_named', { names: input.names }) : t('greeting', { org: view.orgName }) });
  if (followUp) b.push({ kind: 'p', text: t('intro_follow_up', { previous: when(followUp.previousAt), reference: view.reference }) });
  const attacks = view.types.map((x) => catalog.t(`attack_name.${x}`));
  b.push({ kind: 'p', text: `${t('intro', { attacks, start: when(view.first), end: when(view.last), zone: input.timeZone })} ${t('intro_private')}` });

  if (followUp) {
    const n = followUp.news;
    b.push({ kind: 'h', text: t('heading.new') });
    if (full) {
      if (n.compromised.length) b.push({ kind: 'p', text: t('new.compromised', { count: n.compromised.length }) }, { kind: 'ul', items: n.compromised.map(account) });
      if (n.valid.length) b.push({ kind: 'p', text: t('new.valid', { count: n.valid.length }) }, { kind: 'ul', items: n.valid.map(account) });
      if (n.protected.length) b.push({ kind: 'p', text: t('new.protected', { count: n.protected.length }) }, { kind: 'ul', items: n.protected.map(v) });
    } else if (n.compromised.length + n.valid.length) b.push({ kind: 'p', text: t('new.summary', { count: n.compromised.length + n.valid.length }) });
    if (n.types.length) b.push({ kind: 'p', text: t('new.attacks', { attacks: n.types.map((x) => catalog.t(`attack_name.${x}`)) }) });
    if (n.actor) b.push({ kind: 'p', text: t('new.actor', { actor: n.actor }) });
  }

  b.push({ kind: 'h', text: t('heading.what') });
  b.push({
    kind: 'ul',
    items: view.attacks.map((a) => {
      const title = catalog.t(`attack_title.${a.type}`);
      const line = a.attempts !== undefined && a.attempts > 0 ? t('attack.line', { attack: title, attempts: a.attempts, accounts: a.accounts, ips: a.ips }) : t('attack.line_accounts', { attack: title, accounts: a.accounts });
      const named = full && a.named.length ? ` ${t('attack.concerned', { count: a.named.length })} ${a.named.map(account).join(sep)}.` : '';
      return `${line}${named} ${t(`explain.${a.type}`)}`;
    }),
  });
  if (view.accountsTargeted > 0) b.push({ kind: 'p', text: t('attack.total', { count: view.accountsTargeted }) });

  b.push({ kind: 'h', text: t('heading.accounts') });
  if (full) {
    if (view.compromised.length) b.push({ kind: 'p', text: t('accounts.compromised', { count: view.compromised.length }) }, { kind: 'ul', items: view.compromised.map(account) });
    if (view.valid.length) b.push({ kind: 'p', text: t('accounts.valid', { count: view.valid.length }) }, { kind: 'ul', items: view.valid.map(account) });
    if (!view.compromised.length && !view.valid.length) b.push({ kind: 'p', text: t('accounts.none') });
    if (view.protectedTargeted.length) b.push({ kind: 'p', text: t('accounts.protected', { count: view.protectedTargeted.length }) }, { kind: 'ul', items: view.protectedTargeted.map(v) });
  } else {
    if (view.compromised.length) b.push({ kind: 'p', text: t('accounts.summary_compromised', { count: view.compromised.length }) });
    if (view.valid.length) b.push({ kind: 'p', text: t('accounts.summary_valid', { count: view.valid.length }) });
    if (!view.compromised.length && !view.valid.length) b.push({ kind: 'p', text: t('accounts.none') });
    else b.push({ kind: 'p', text: t('accounts.summary_note') });
  }

  b.push({ kind: 'h', text: t('heading.who') });
  const at = view.attribution;
  if (at?.actor) {
    b.push({ kind: 'p', text: t('who.attributed', { actor: at.actor, confidence: catalog.t(`confidence.${at.confidenceWords ?? 'low'}`) }) });
    if (at.confidence !== undefined) b.push({ kind: 'p', text: t('who.score', { score: at.confidence }) });
    if (at.aliases.length) b.push({ kind: 'p', text: t('who.aliases', { actor: at.actor, aliases: at.aliases }) });
    if (at.reasons.length) b.push({ kind: 'p', text: t('who.reasons') }, { kind: 'ul', items: at.reasons.map(v) });
  } else b.push({ kind: 'p', text: t('who.unattributed') });

  b.push({ kind: 'h', text: t('heading.todo') });
  const todo: string[] = [];
  const give = (key: string, vars: Vars = {}) => {
    actions.push(key);
    todo.push(t(`todo.${key}`, vars));
  };
  const has = (...types: string[]) => types.some((x) => view.types.includes(x));
  const exposed = view.compromised.length + view.valid.length;
  if (exposed) give('reset', { count: exposed });
  if (view.compromised.length) give('review', { count: view.compromised.length });
  if (exposed || has(...PASSWORD_ATTACKS, 'mfa_fatigue', 'account_compromise')) give('mfa');
  if (view.legacySeen) give('legacy_seen');
  else if (has(...PASSWORD_ATTACKS)) give('legacy');
  if (has(...PASSWORD_ATTACKS)) give('passwords');
  if (has('credential_stuffing')) give('reuse');
  if (has('mfa_fatigue')) give('prompts');
  if (has('impossible_travel', 'anonymizer_signin')) give('verify');
  give('reply', { reference: view.reference });
  b.push({ kind: 'ul', items: todo });

  b.push({ kind: 'h', text: t('heading.note') }, { kind: 'p', text: t('note.not_proof') });

  if (full) {
    const a = view.appendix;
    const list = (xs: string[], limit = APPENDIX_LIST) => {
      const shown = xs.slice(0, limit).map(v).join(sep);
      return xs.length > limit ? `${shown} ${t('appendix.more', { count: xs.length - limit })}` : shown;
    };
    const rows: [string, string[]][] = [];
    rows.push([t('appendix.period'), [`${v(utc(view.first))} – ${v(utc(view.last))}`]]);
    if (a.attempts) rows.push([t('appendix.attempts'), [v(catalog.formatter.formatNumber(a.attempts))]]);
    if (view.accountsTargeted) rows.push([t('appendix.accounts'), [v(catalog.formatter.formatNumber(view.accountsTargeted))]]);
    if (a.ips) rows.push([t('appendix.sources'), [a.addresses.length && a.addresses.length <= APPENDIX_ADDRESSES ? list(a.addresses, APPENDIX_ADDRESSES) : v(catalog.formatter.formatNumber(a.ips))]]);
    if (a.netblocks.length) rows.push([t('appendix.netblocks'), [list(a.netblocks)]]);
    if (a.asns.length) rows.push([t('appendix.asns'), [list(a.asns, 20)]]);
    if (a.countries.length) rows.push([t('appendix.countries'), [list(a.countries)]]);
    if (a.anonymised.length) rows.push([t('appendix.anonymised'), [a.anonymised.map((x) => v(`${x.kind} ${x.percent} %`)).join(sep)]]);
    if (a.tools.length) rows.push([t('appendix.tools'), a.tools.map(v)]);
    if (a.signIns.length)
      rows.push([
        t('appendix.sign_ins'),
        [...new Set(a.signIns.map((s) => [utc(s.time), s.account, s.how, s.ip, s.country, s.asn, s.userAgent].filter(Boolean).join(' | ')))].map(v),
      ]);
    rows.push([t('appendix.findings'), a.findings.map((f) => v(`${f.rule} ${f.type} ${f.severity} ${utc(f.first)} – ${utc(f.last)} ${f.uid}`))]);
    b.push({ kind: 'h', text: t('heading.appendix') }, { kind: 'p', text: t('appendix.intro') }, { kind: 'rows', rows });
    if (a.ips > APPENDIX_ADDRESSES || a.addresses.length < a.ips) b.push({ kind: 'p', text: t('appendix.full_list') });
  }
  b.push({ kind: 'p', small: true, text: t('footer', { sender: input.senderName, reference: view.reference }) });
  return b;
}

function utc(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC');
}

function formatTime(ms: number, language: string, timeZone: string): string {
  return new Intl.DateTimeFormat(language, { dateStyle: 'long', timeStyle: 'short', timeZone }).format(new Date(ms));
}

const WIDTH = 76;

/** Greedy word wrap by characters (good enough for the scripts Vigil ships; long tokens are not broken). */
function wrap(text: string, indent: string, firstIndent = indent): string {
  const words = text.split(/ +/);
  const lines: string[] = [];
  let line = firstIndent;
  let empty = true;
  for (const w of words) {
    if (!empty && [...line].length + 1 + [...w].length > WIDTH) {
      lines.push(line);
      line = indent + w;
    } else line += (empty ? '' : ' ') + w;
    empty = false;
  }
  lines.push(line);
  return lines.join('\n');
}

function toText(blocks: Block[]): string {
  const parts: string[] = [];
  for (const b of blocks) {
    if (b.kind === 'h') parts.push(`${b.text}\n${'='.repeat(Math.min(WIDTH, [...b.text.replace(/[\u2068\u2069]/g, '')].length))}`);
    else if (b.kind === 'p') parts.push(b.small ? `-- \n${wrap(b.text, '')}` : wrap(b.text, ''));
    else if (b.kind === 'ul') parts.push(b.items.map((i) => wrap(i, '   ', ' - ')).join('\n'));
    else parts.push(b.rows.map(([label, values]) => `${label}:\n${values.map((x) => wrap(x, '    ', '    ')).join('\n')}`).join('\n'));
  }
  return parts.join('\n\n') + '\n';
}

const STYLE = {
  body: "margin:0;padding:16px;background:#ffffff;color:#1a1a1a;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,'Noto Sans','Noto Naskh Arabic','Noto Nastaliq Urdu',Arial,sans-serif;font-size:15px;line-height:1.55;",
  wrap: 'max-width:680px;margin:0 auto;',
  h: 'font-size:17px;margin:24px 0 8px;',
  p: 'margin:0 0 12px;',
  small: 'margin:24px 0 0;font-size:12px;color:#555555;',
  ul: 'margin:0 0 12px;padding-inline-start:24px;',
  li: 'margin:0 0 6px;',
  table: 'border-collapse:collapse;font-size:13px;margin:0 0 12px;',
  th: 'text-align:start;vertical-align:top;padding:3px 12px 3px 0;font-weight:600;',
  td: 'vertical-align:top;padding:3px 0;font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-word;',
};

function toHtml(blocks: Block[], lang: string, dir: string, title: string): string {
  const body = blocks
    .map((b) => {
      if (b.kind === 'h') return `<h2 style="${STYLE.h}">${b.text}</h2>`;
      if (b.kind === 'p') return `<p style="${b.small ? STYLE.small : STYLE.p}">${b.text}</p>`;
      if (b.kind === 'ul') return `<ul style="${STYLE.ul}">\n${b.items.map((i) => `<li style="${STYLE.li}">${i}</li>`).join('\n')}\n</ul>`;
      return `<table role="presentation" style="${STYLE.table}">\n${b.rows.map(([label, values]) => `<tr><th scope="row" style="${STYLE.th}">${label}</th><td style="${STYLE.td}">${values.join('<br>')}</td></tr>`).join('\n')}\n</table>`;
    })
    .join('\n');
  return `<!DOCTYPE html>
<html lang="${escapeHtml(lang)}" dir="${dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
</head>
<body style="${STYLE.body}">
<div style="${STYLE.wrap}">
${body}
</div>
</body>
</html>
`;
}
