/// <reference lib="dom" />
/**
 * @module web/main
 * The dashboard: sign in with an API token (kept for the browser tab's session only), then a page per route
 * (`#/overview`, `#/campaigns/UID`, `#/findings?type=...`). What is shown depends on the token: the operator sees
 * every organisation; an organisation sees itself. The interface language can be changed at any time.
 */
import { Api, ApiFailure } from './api.js';
import type { Ctx } from './context.js';
import { clear, h } from './dom.js';
import { currentLanguage, hasChosenLanguage, LANGUAGE_NAMES, LANGUAGES, preferredLanguage, setLanguage, t, type Language } from './i18n.js';
import type { Me, Organisation } from './types.js';
import { accountList } from './views/accounts.js';
import { campaignDetail, campaignList } from './views/campaigns.js';
import { findingDetail, findingList } from './views/findings.js';
import { notificationDetail, notificationList } from './views/notifications.js';
import { organisationList } from './views/organisations.js';
import { overview } from './views/overview.js';

const TOKEN_KEY = 'vigil.token';
const root = document.getElementById('app')!;

interface Session {
  api: Api;
  me: Me;
  orgs: Map<string, Organisation>;
}

let session: Session | undefined;
let leaving: (() => void)[] = [];
let renderSeq = 0;

type View = (ctx: Ctx, arg: string) => Promise<HTMLElement>;
interface Route {
  nav?: string;
  view: View;
  operatorOnly?: boolean;
}

const ROUTES: Record<string, Route> = {
  overview: { nav: 'nav.overview', view: overview },
  campaigns: { nav: 'nav.campaigns', view: (ctx, arg) => (arg ? campaignDetail(ctx, arg) : campaignList(ctx)) },
  findings: { nav: 'nav.findings', view: (ctx, arg) => (arg ? findingDetail(ctx, arg) : findingList(ctx)) },
  accounts: { nav: 'nav.accounts', view: accountList },
  notifications: { nav: 'nav.notifications', view: (ctx, arg) => (arg ? notificationDetail(ctx, arg) : notificationList(ctx)) },
  organisations: { nav: 'nav.organisations', view: organisationList, operatorOnly: true },
};
const NAV_OPERATOR = ['overview', 'campaigns', 'findings', 'organisations', 'accounts', 'notifications'];
const NAV_ORG = ['overview', 'campaigns', 'accounts', 'notifications', 'findings'];

function parseHash(): { name: string; arg: string; params: URLSearchParams } {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = raw.split('?');
  const [name = 'overview', ...rest] = path.split('/');
  return { name: name || 'overview', arg: decodeURIComponent(rest.join('/')), params: new URLSearchParams(query) };
}

function signOut(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  session = undefined;
  for (const fn of leaving.splice(0)) fn();
  history.replaceState(null, '', location.pathname);
  showLogin();
}

function brand(): HTMLElement {
  return h('a', { href: '#/overview', class: 'brand', 'aria-label': 'Vigil' }, h('img', { src: 'favicon.svg', class: 'logo', 'aria-hidden': 'true' }), h('span', null, 'Vigil'));
}

function languageMenu(onChange: (l: Language) => void): HTMLElement {
  const select = h(
    'select',
    { class: 'lang', 'aria-label': t('language'), 'data-testid': 'language', on: { change: (e) => onChange((e.target as HTMLSelectElement).value as Language) } },
    LANGUAGES.map((l) => h('option', { value: l, lang: l }, LANGUAGE_NAMES[l])),
  );
  select.value = currentLanguage();
  return select;
}

function showLogin(message?: string): void {
  clear(root);
  const input = h('input', { type: 'password', id: 'token', name: 'token', autocomplete: 'off', placeholder: 'vgl_…', 'data-testid': 'token-input' });
  const error = h('p', { class: 'form-error', role: 'alert' }, message ?? '');
  const button = h('button', { type: 'submit', class: 'button primary', 'data-testid': 'login-submit' }, t('login.submit'));
  const form = h(
    'form',
    {
      class: 'login-card',
      on: {
        submit: (e) => {
          e.preventDefault();
          const token = input.value.trim();
          if (!token) return;
          button.disabled = true;
          void startSession(token).then((err) => {
            button.disabled = false;
            if (err) error.textContent = err;
          });
        },
      },
    },
    h('div', { class: 'login-brand' }, brand(), languageMenu(async (l) => {
      await setLanguage(l, true);
      showLogin(error.textContent ?? undefined);
    })),
    h('h1', null, t('login.title')),
    h('p', { class: 'muted' }, t('login.intro')),
    h('label', { for: 'token' }, t('login.token')),
    input,
    h('p', { class: 'hint' }, t('login.hint')),
    error,
    button,
  );
  root.append(h('div', { class: 'login' }, form));
  input.focus();
}

/** Checks the token and opens the dashboard; returns a message to show when the token does not work. */
async function startSession(token: string): Promise<string | undefined> {
  const api = new Api(token, () => {
    if (session) signOut();
  });
  let me: Me;
  try {
    me = await api.get<Me>('/api/v1/me');
  } catch (e) {
    if (e instanceof ApiFailure && e.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      return t('login.invalid');
    }
    return t('login.unreachable', { error: (e as Error).message });
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  const orgs = new Map((await api.all<Organisation>('/api/v1/organisations')).map((o) => [o.id, o]));
  session = { api, me, orgs };
  // An organisation's people see their own language first, unless someone chose one in this browser.
  const own = me.tenant ? orgs.get(me.tenant)?.language : null;
  if (!hasChosenLanguage() && own) await setLanguage(preferredLanguage(own));
  if (!location.hash) history.replaceState(null, '', '#/overview');
  await render();
  return undefined;
}

function shell(s: Session, current: string): { main: HTMLElement; frame: HTMLElement } {
  const names = s.me.role === 'operator' ? NAV_OPERATOR : NAV_ORG;
  const nav = h(
    'nav',
    { class: 'nav', 'aria-label': 'Vigil' },
    names.map((n) => h('a', { href: `#/${n}`, class: n === current ? 'active' : undefined, 'aria-current': n === current ? 'page' : undefined, 'data-testid': `nav-${n}` }, t(ROUTES[n].nav!))),
  );
  const who =
    s.me.role === 'operator'
      ? h('span', { class: 'who operator', 'data-testid': 'who' }, t('role.operator'))
      : h('span', { class: 'who org', 'data-testid': 'who' }, s.me.organisation ?? s.me.tenant);
  const top = h(
    'header',
    { class: 'topbar' },
    brand(),
    nav,
    h('div', { class: 'top-right' }, languageMenu(async (l) => {
      await setLanguage(l, true);
      await render();
    }), who, h('button', { type: 'button', class: 'button subtle', 'data-testid': 'signout', on: { click: signOut } }, t('signout'))),
  );
  const main = h('main', { id: 'view', 'data-testid': 'view' });
  return { main, frame: h('div', { class: 'frame' }, top, main) };
}

async function render(): Promise<void> {
  const s = session;
  if (!s) return showLogin();
  const seq = ++renderSeq;
  for (const fn of leaving.splice(0)) fn();
  let { name, arg, params } = parseHash();
  let route = ROUTES[name];
  if (!route || (route.operatorOnly && s.me.role !== 'operator')) {
    name = 'overview';
    route = ROUTES.overview;
    arg = '';
  }
  const { main, frame } = shell(s, name);
  main.append(h('div', { class: 'loading', 'aria-busy': 'true' }, t('loading')));
  root.replaceChildren(frame);
  const ctx: Ctx = {
    api: s.api,
    me: s.me,
    orgs: s.orgs,
    params,
    orgName: (tenant) => s.orgs.get(tenant)?.name ?? tenant,
    go: (hash) => {
      location.hash = hash;
    },
    onLeave: (fn) => leaving.push(fn),
  };
  let content: HTMLElement;
  try {
    content = await route.view(ctx, arg);
  } catch (e) {
    if (e instanceof ApiFailure && e.status === 401) return;
    content = h('div', { class: 'page' }, h('div', { class: 'card error-card', role: 'alert' }, t('error', { error: (e as Error).message })));
  }
  if (seq !== renderSeq) return; // the user moved on while this page loaded
  main.replaceChildren(content);
  document.title = `Vigil · ${t(route.nav!)}`;
  window.scrollTo(0, 0);
}

window.addEventListener('hashchange', () => {
  if (session) void render();
});

async function boot(): Promise<void> {
  await setLanguage(preferredLanguage());
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) return showLogin();
  const err = await startSession(token);
  if (err) showLogin(err);
}

void boot();
