/// <reference lib="dom" />
/**
 * @module web/views/notifications
 * Notifications prepared for organisations' security contacts: subject, kind (first notice or follow-up), language,
 * status and deliveries; one notification shows its rendered messages as they were sent.
 */
import { card, chip, pageHead, statusBadge, table } from '../components.js';
import { isOperator, type Ctx } from '../context.js';
import { h } from '../dom.js';
import { fmtDateTime, t } from '../i18n.js';
import type { Notification } from '../types.js';

const kindName = (k: string) => t(`notification.kind.${k}`);

export function notificationsTable(ctx: Ctx, items: Notification[], compact = false): HTMLElement {
  const op = isOperator(ctx);
  return table(
    [
      { label: t('table.created') },
      ...(op ? [{ label: t('table.organisation') }] : []),
      { label: t('table.subject') },
      ...(compact ? [] : [{ label: t('table.kind') }]),
      { label: t('table.status') },
    ],
    items.map((n) => ({
      href: `#/notifications/${encodeURIComponent(n.uid)}`,
      cells: [
        h('span', { class: 'nowrap small' }, fmtDateTime(n.created_at)),
        ...(op ? [h('span', { class: 'nowrap' }, ctx.orgName(n.tenant))] : []),
        h('span', { class: compact ? 'clip narrow' : 'clip', title: n.subject }, n.subject),
        ...(compact ? [] : [h('span', { class: 'nowrap' }, kindName(n.kind), ' ', h('span', { class: 'cc' }, n.language))]),
        statusBadge(n.status),
      ],
    })),
    { empty: t('notifications.empty'), testid: 'notifications-table' },
  );
}

export async function notificationList(ctx: Ctx): Promise<HTMLElement> {
  const items = await ctx.api.all<Notification>('/api/v1/notifications', {}, 2000);
  return h('div', { class: 'page' }, pageHead(t('notifications.title'), t('notifications.subtitle')), card(null, notificationsTable(ctx, items)));
}

export async function notificationDetail(ctx: Ctx, uid: string): Promise<HTMLElement> {
  const n = await ctx.api.get<Notification>(`/api/v1/notifications/${encodeURIComponent(uid)}`);
  const text = n.payload?.notification?.text;
  const facts = h(
    'dl',
    { class: 'facts' },
    isOperator(ctx) ? h('dt', null, t('table.organisation')) : null,
    isOperator(ctx) ? h('dd', null, ctx.orgName(n.tenant)) : null,
    h('dt', null, t('table.kind')),
    h('dd', null, kindName(n.kind)),
    h('dt', null, t('table.language')),
    h('dd', null, n.language),
    h('dt', null, t('table.status')),
    h('dd', null, statusBadge(n.status)),
    h('dt', null, t('table.created')),
    h('dd', null, fmtDateTime(n.created_at)),
    n.deliveries.length ? h('dt', null, t('table.deliveries')) : null,
    n.deliveries.length ? h('dd', null, h('div', { class: 'chips' }, n.deliveries.map((d) => chip(`${d.channel}${d.target ? ` ${d.target}` : ''}: ${t(`notification.status.${d.status}`)}`, `status-${d.status}`)))) : null,
  );
  return h(
    'div',
    { class: 'page' },
    pageHead(n.subject, n.reference, h('a', { href: '#/notifications', class: 'button ghost' }, '← ' + t('back'))),
    card(null, facts),
    text ? card(t('notification.message'), h('div', { class: 'message-text', dir: 'auto', lang: n.language, 'data-testid': 'notification-text' }, text)) : null,
    ...(n.messages ?? []).map((m) =>
      card(null, h('details', { open: text ? undefined : '' }, h('summary', null, `${t('notification.source')}${m.audience ? ` (${m.audience})` : ''}`), h('pre', { class: 'eml' }, m.eml ?? ''))),
    ),
  );
}
