/// <reference lib="dom" />
/**
 * @module web/views/findings
 * Findings: a filterable list (attack type, organisation), newest first, paged; and one finding in full: what
 * happened and why it fired, its rule and ATT&CK technique, the accounts and sources, the tool, the campaign and
 * actor it belongs to, sample events, and the finding itself as OCSF JSON.
 */
import { card, chip, confidenceMeter, mono, pageHead, severityBadge, typeTag, TYPE_ORDER } from '../components.js';
import { isOperator, type Ctx } from '../context.js';
import { h } from '../dom.js';
import { fmtDateTime, fmtNumber, t, typeName } from '../i18n.js';
import type { Finding, Page } from '../types.js';
import { evidenceTable, findingsTable, infrastructureOf } from './campaigns.js';

export async function findingList(ctx: Ctx): Promise<HTMLElement> {
  const op = isOperator(ctx);
  const type = ctx.params.get('type') ?? '';
  const tenant = op ? (ctx.params.get('tenant') ?? '') : '';
  const first = await ctx.api.get<Page<Finding>>('/api/v1/findings', { type, tenant, limit: 100 });
  const items = [...first.items];
  let next = first.next;

  const setFilter = (key: string, value: string) => {
    const p = new URLSearchParams(ctx.params);
    if (value) p.set(key, value);
    else p.delete(key);
    ctx.go(`#/findings${p.size ? `?${p}` : ''}`);
  };
  const typeSelect = h(
    'select',
    { 'aria-label': t('findings.filter.type'), 'data-testid': 'filter-type', on: { change: (e) => setFilter('type', (e.target as HTMLSelectElement).value) } },
    h('option', { value: '' }, `${t('findings.filter.type')}: ${t('all')}`),
    TYPE_ORDER.map((ty) => h('option', { value: ty }, typeName(ty))),
  );
  typeSelect.value = type;
  const orgSelect = op
    ? h(
        'select',
        { 'aria-label': t('findings.filter.organisation'), 'data-testid': 'filter-organisation', on: { change: (e) => setFilter('tenant', (e.target as HTMLSelectElement).value) } },
        h('option', { value: '' }, `${t('findings.filter.organisation')}: ${t('all')}`),
        [...ctx.orgs.values()].sort((a, b) => ctx.orgName(a.id).localeCompare(ctx.orgName(b.id))).map((o) => h('option', { value: o.id }, ctx.orgName(o.id))),
      )
    : null;
  if (orgSelect) orgSelect.value = tenant;

  const holder = h('div');
  const more = h('button', { type: 'button', class: 'button ghost', on: { click: () => void loadMore() } }, t('more'));
  const render = () => {
    holder.replaceChildren(findingsTable(ctx, items));
    more.hidden = !next;
  };
  const loadMore = async () => {
    if (!next) return;
    const page = await ctx.api.get<Page<Finding>>('/api/v1/findings', { type, tenant, limit: 100, next });
    items.push(...page.items);
    next = page.next;
    render();
  };
  render();
  return h('div', { class: 'page' }, pageHead(t('findings.title'), t('findings.subtitle'), h('div', { class: 'filters' }, typeSelect, orgSelect)), card(null, [holder, h('div', { class: 'more' }, more)]));
}

export async function findingDetail(ctx: Ctx, uid: string): Promise<HTMLElement> {
  const f = await ctx.api.get<Finding>(`/api/v1/findings/${encodeURIComponent(uid)}`);
  const fi = f.finding_info;
  const op = isOperator(ctx);
  const actor = f.enrichments?.find((e) => e.name === 'threat_actor');
  const compromised = new Set(f.unmapped.compromised_accounts ?? []);
  const accounts = f.observables.filter((o) => o.type_id === 4).map((o) => o.value);
  accounts.sort((a, b) => Number(compromised.has(b)) - Number(compromised.has(a)) || a.localeCompare(b));

  const facts = h(
    'dl',
    { class: 'facts' },
    h('dt', null, t('table.severity')),
    h('dd', null, severityBadge(f.severity_id)),
    h('dt', null, t('table.type')),
    h('dd', null, typeTag(fi.types[0])),
    op ? h('dt', null, t('table.organisation')) : null,
    op ? h('dd', null, ctx.orgName(f.metadata.tenant_uid)) : null,
    h('dt', null, t('table.period')),
    h('dd', null, `${fmtDateTime(fi.first_seen_time)} → ${fmtDateTime(fi.last_seen_time)}`),
    fi.analytic ? h('dt', null, t('finding.rule')) : null,
    fi.analytic ? h('dd', null, mono(fi.analytic.uid), ' ', fi.analytic.name) : null,
    fi.attacks?.length ? h('dt', null, t('finding.technique')) : null,
    fi.attacks?.length ? h('dd', null, fi.attacks.map((a) => chip(`${a.technique?.uid ?? ''} ${a.technique?.name ?? ''}`.trim()))) : null,
    f.metadata.correlation_uid ? h('dt', null, t('finding.campaign')) : null,
    f.metadata.correlation_uid ? h('dd', null, h('a', { href: `#/campaigns/${encodeURIComponent(f.metadata.correlation_uid)}` }, mono(f.metadata.correlation_uid))) : null,
    actor && actor.value !== 'unattributed' ? h('dt', null, t('campaign.actor')) : null,
    actor && actor.value !== 'unattributed' ? h('dd', null, h('span', { class: 'actor' }, actor.value), ' ', confidenceMeter(typeof actor.data?.confidence === 'number' ? actor.data.confidence : null)) : null,
  );

  const accountList = h(
    'ul',
    { class: 'mono-list cols wide' },
    accounts.slice(0, 120).map((a) => h('li', { class: compromised.has(a) ? 'danger' : undefined, title: a }, a, compromised.has(a) ? h('span', { class: 'badge sev-5 tiny' }, t('account.compromised')) : null)),
    accounts.length > 120 ? h('li', { class: 'muted' }, t('infra.and_more', { n: fmtNumber(accounts.length - 120) })) : null,
  );

  return h(
    'div',
    { class: 'page' },
    pageHead(fi.title, op ? ctx.orgName(f.metadata.tenant_uid) : undefined, h('a', { href: '#/findings', class: 'button ghost' }, '← ' + t('back'))),
    h('div', { class: 'grid-2' }, card(t('finding.description'), h('p', { class: 'desc', dir: 'auto' }, fi.desc), { testid: 'finding-desc' }), card(null, facts)),
    h('div', { class: 'grid-2' }, card(`${t('table.accounts')} (${fmtNumber(accounts.length)})`, accountList, { testid: 'finding-accounts' }), card(t('campaign.infrastructure'), infrastructureOf([f]))),
    card(t('campaign.evidence'), evidenceTable(ctx, [f])),
    card(null, h('details', null, h('summary', null, t('finding.raw')), h('pre', { class: 'json' }, JSON.stringify(f, null, 2)))),
  );
}
