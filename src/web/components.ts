/// <reference lib="dom" />
/**
 * @module web/components
 * The dashboard's building blocks: page headings, cards, headline numbers, data tables, severity and attack-type
 * badges, confidence meters, chips and empty states. Colours per attack type are shared with the charts.
 */
import { h, type Child } from './dom.js';
import { fmtNumber, fmtPercent, severityName, t, typeName } from './i18n.js';

export const TYPE_COLORS: Record<string, string> = {
  password_spray: '#e8590c',
  brute_force: '#c2255c',
  credential_stuffing: '#7048e8',
  account_compromise: '#c92a2a',
  mfa_fatigue: '#f59f00',
  impossible_travel: '#1c7ed6',
  anonymizer_signin: '#0ca678',
};
export const TYPE_ORDER = ['account_compromise', 'password_spray', 'brute_force', 'credential_stuffing', 'mfa_fatigue', 'anonymizer_signin', 'impossible_travel'];

export function pageHead(title: string, subtitle?: string, ...actions: Child[]): HTMLElement {
  return h('header', { class: 'page-head' }, h('div', null, h('h1', { dir: 'auto' }, title), subtitle ? h('p', { class: 'subtitle' }, subtitle) : null), actions.length ? h('div', { class: 'page-actions' }, actions) : null);
}

export function card(title: string | null, body: Child, opts: { class?: string; actions?: Child; testid?: string; scroll?: boolean } = {}): HTMLElement {
  return h(
    'section',
    { class: `card ${opts.class ?? ''}`.trim(), 'data-testid': opts.testid },
    title ? h('div', { class: 'card-head' }, h('h2', null, title), opts.actions ?? null) : null,
    opts.scroll ? h('div', { class: 'scroll' }, body) : body,
  );
}

export function kpi(label: string, value: number, variant?: 'danger' | 'accent', testid?: string): HTMLElement {
  return h('div', { class: `kpi ${variant ?? ''}`.trim(), 'data-testid': testid }, h('div', { class: 'kpi-value' }, fmtNumber(value)), h('div', { class: 'kpi-label' }, label));
}

export interface Column {
  label: string;
  class?: string;
}

export interface Row {
  cells: Child[];
  href?: string;
  class?: string;
}

/** A table whose rows may link somewhere (the whole row is clickable, and keyboard reachable). */
export function table(columns: Column[], rows: Row[], opts: { testid?: string; empty?: string } = {}): HTMLElement {
  if (!rows.length && opts.empty) return empty(opts.empty);
  const body = rows.map((r) =>
    h(
      'tr',
      {
        class: [r.href ? 'link-row' : '', r.class ?? ''].join(' ').trim() || undefined,
        tabindex: r.href ? '0' : undefined,
        on: r.href
          ? {
              click: () => (location.hash = r.href!),
              keydown: (e: KeyboardEvent) => {
                if (e.key === 'Enter') location.hash = r.href!;
              },
            }
          : undefined,
      },
      r.cells.map((c, i) => h('td', { class: columns[i]?.class }, c)),
    ),
  );
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data', 'data-testid': opts.testid }, h('thead', null, h('tr', null, columns.map((c) => h('th', { class: c.class }, c.label)))), h('tbody', null, body)));
}

export function severityBadge(id: number): HTMLElement {
  return h('span', { class: `badge sev-${id}` }, severityName(id));
}

export function typeTag(type: string): HTMLElement {
  const dot = h('span', { class: 'dot' });
  dot.style.background = TYPE_COLORS[type] ?? '#868e96';
  return h('span', { class: 'type-tag' }, dot, typeName(type));
}

/** Attack types as coloured dots (names on hover), for narrow columns. */
export function typeDots(types: string[]): HTMLElement {
  return h(
    'span',
    { class: 'dots' },
    types.map((type) => {
      const dot = h('span', { class: 'dot', title: typeName(type), role: 'img', 'aria-label': typeName(type) });
      dot.style.background = TYPE_COLORS[type] ?? '#868e96';
      return dot;
    }),
  );
}

export function confidenceMeter(confidence: number | null): HTMLElement {
  if (confidence === null) return h('span', { class: 'muted' }, '–');
  const fill = h('span', { class: 'meter-fill' });
  fill.style.width = `${Math.max(0, Math.min(100, confidence))}%`;
  const level = confidence >= 75 ? 'high' : confidence >= 50 ? 'mid' : 'low';
  return h('span', { class: `meter ${level}`, title: `${t('campaign.confidence')}: ${confidence}` }, h('span', { class: 'meter-track' }, fill), h('span', { class: 'meter-label' }, fmtPercent(confidence / 100)));
}

export function chip(text: string, cls = ''): HTMLElement {
  return h('span', { class: `chip ${cls}`.trim() }, text);
}

export function empty(text: string): HTMLElement {
  return h('div', { class: 'empty' }, h('div', { class: 'empty-icon', 'aria-hidden': 'true' }, '◌'), h('p', null, text));
}

export function statusBadge(status: string): HTMLElement {
  return h('span', { class: `badge status-${status}` }, t(`notification.status.${status}`));
}

export function mono(text: string): HTMLElement {
  return h('span', { class: 'mono' }, text);
}

/** A list shown in full up to `max`, then "and N more". */
export function capped(values: string[], max: number, render: (v: string) => Child = (v) => v): Child[] {
  const shown = values.slice(0, max).map((v) => h('li', null, render(v)));
  if (values.length > max) shown.push(h('li', { class: 'muted' }, t('infra.and_more', { n: fmtNumber(values.length - max) })));
  return shown;
}
