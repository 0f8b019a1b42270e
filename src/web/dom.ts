/// <reference lib="dom" />
/**
 * @module web/dom
 * A small element builder for the dashboard: `h('td', { class: 'num' }, text)`. Text always goes in as text nodes,
 * never as HTML, so data from the API cannot inject markup.
 */

export type Child = Node | string | number | null | undefined | false | Child[];

export interface Attrs {
  class?: string;
  title?: string;
  href?: string;
  id?: string;
  role?: string;
  type?: string;
  value?: string;
  placeholder?: string;
  dir?: string;
  lang?: string;
  for?: string;
  name?: string;
  autocomplete?: string;
  tabindex?: string;
  'aria-label'?: string;
  'aria-hidden'?: string;
  'aria-busy'?: string;
  src?: string;
  open?: string;
  'aria-current'?: string;
  'aria-selected'?: string;
  'data-testid'?: string;
  colspan?: string;
  on?: Partial<{ [K in keyof HTMLElementEventMap]: (e: HTMLElementEventMap[K]) => void }>;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null) continue;
      if (k === 'on') for (const [ev, fn] of Object.entries(v as object)) el.addEventListener(ev, fn as EventListener);
      else el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}
