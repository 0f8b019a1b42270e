/// <reference lib="dom" />
/**
 * @module web/views/accounts
 * The accounts attacks were aimed at, compromised ones first, with the attacks on each and when.
 */
import { card, mono, pageHead, table, typeTag } from '../components.js';
import { isOperator, type Ctx } from '../context.js';
import { h } from '../dom.js';
import { fmtDateTime, fmtNumber, t } from '../i18n.js';
import type { Account } from '../types.js';

export function accountsTable(ctx: Ctx, items: Account[]): HTMLElement {
  const op = isOperator(ctx);
  return table(
    [
      { label: t('table.account') },
      ...(op ? [{ label: t('table.organisation') }] : []),
      { label: t('table.status') },
      { label: t('table.attacks') },
      { label: t('table.findings'), class: 'num' },
      { label: t('table.last_seen') },
    ],
    items.map((a) => ({
      class: a.compromised ? 'row-danger' : undefined,
      href: `#/findings?${new URLSearchParams(op ? { tenant: a.tenant } : {})}`,
      cells: [
        mono(a.account),
        ...(op ? [ctx.orgName(a.tenant)] : []),
        a.compromised ? h('span', { class: 'badge sev-5' }, t('account.compromised')) : h('span', { class: 'badge quiet' }, t('account.targeted')),
        h('div', { class: 'tags' }, a.types.map(typeTag)),
        fmtNumber(a.findings),
        h('span', { class: 'nowrap small' }, fmtDateTime(a.last_seen)),
      ],
    })),
    { empty: t('accounts.empty'), testid: 'accounts-table' },
  );
}

export async function accountList(ctx: Ctx): Promise<HTMLElement> {
  const items = await ctx.api.all<Account>('/api/v1/accounts', {}, 2000);
  return h('div', { class: 'page' }, pageHead(t('accounts.title'), t('accounts.subtitle')), card(null, accountsTable(ctx, items)));
}
