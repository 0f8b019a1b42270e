/// <reference lib="dom" />
/**
 * @module web/views/organisations
 * The organisations targeted (operator only): sector, findings by attack type, accounts targeted and compromised,
 * campaigns and notifications, most attacked first. A row opens that organisation's findings.
 */
import { card, pageHead, table, typeDots, typeTag, TYPE_ORDER } from '../components.js';
import type { Ctx } from '../context.js';
import { h } from '../dom.js';
import { fmtDate, fmtNumber, sectorName, t } from '../i18n.js';
import type { Organisation } from '../types.js';

export function organisationsTable(ctx: Ctx, orgs: Organisation[], compact = false): HTMLElement {
  return table(
    [
      { label: t('table.organisation') },
      ...(compact ? [] : [{ label: t('table.sector') }]),
      { label: t('table.attacks') },
      { label: t('table.findings'), class: 'num' },
      { label: t('table.targeted'), class: 'num' },
      { label: t('table.compromised'), class: 'num' },
      ...(compact ? [] : [{ label: t('table.campaigns'), class: 'num' }, { label: t('nav.notifications'), class: 'num' }, { label: t('table.last_seen') }]),
    ],
    orgs.map((o) => ({
      href: `#/findings?tenant=${encodeURIComponent(o.id)}`,
      cells: [
        h('div', { class: 'cell-title' }, h('span', { class: 'strong' }, ctx.orgName(o.id)), compact && o.sector ? h('span', { class: 'muted small' }, sectorName(o.sector)) : null),
        ...(compact ? [] : [sectorName(o.sector)]),
        compact ? typeDots(TYPE_ORDER.filter((ty) => o.findings_by_type[ty])) : h('div', { class: 'tags' }, TYPE_ORDER.filter((ty) => o.findings_by_type[ty]).map(typeTag)),
        fmtNumber(o.findings),
        fmtNumber(o.accounts_targeted),
        o.accounts_compromised ? h('span', { class: 'danger strong' }, fmtNumber(o.accounts_compromised)) : '0',
        ...(compact ? [] : [fmtNumber(o.campaigns), fmtNumber(o.notifications), h('span', { class: 'nowrap small' }, fmtDate(o.last_seen))]),
      ],
    })),
    { empty: t('organisations.empty'), testid: 'organisations-table' },
  );
}

export async function organisationList(ctx: Ctx): Promise<HTMLElement> {
  const orgs = [...ctx.orgs.values()].sort((a, b) => b.accounts_compromised - a.accounts_compromised || b.findings - a.findings || ctx.orgName(a.id).localeCompare(ctx.orgName(b.id)));
  return h('div', { class: 'page' }, pageHead(t('organisations.title'), t('organisations.subtitle')), card(null, organisationsTable(ctx, orgs)));
}
