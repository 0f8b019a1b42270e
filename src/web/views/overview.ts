/// <reference lib="dom" />
/**
 * @module web/views/overview
 * The first page after sign-in. The operator sees the whole picture: headline numbers, the hourly timeline, the
 * map of source countries, campaigns and the organisations targeted. An organisation sees the same for itself:
 * its campaigns, the accounts targeted and compromised, and its notifications.
 */
import { loadWorld, timelineChart, worldMap, type Chart, type MapMetric } from '../charts.js';
import { card, empty, kpi, pageHead, table } from '../components.js';
import { isOperator, type Ctx } from '../context.js';
import { h } from '../dom.js';
import { countryName, fmtNumber, t } from '../i18n.js';
import type { Account, Activity, CampaignItem, Notification, Summary } from '../types.js';
import { accountsTable } from './accounts.js';
import { campaignsTable, rankCampaigns } from './campaigns.js';

/** Campaigns listed on the overview; the campaigns page has them all. */
const OVERVIEW_CAMPAIGNS = 8;
import { notificationsTable } from './notifications.js';
import { organisationsTable } from './organisations.js';

export async function overview(ctx: Ctx): Promise<HTMLElement> {
  const [summary, activity, campaigns] = await Promise.all([
    ctx.api.get<Summary>('/api/v1/summary'),
    ctx.api.get<Activity>('/api/v1/activity'),
    ctx.api.all<CampaignItem>('/api/v1/campaigns'),
  ]);
  const topCampaigns = rankCampaigns(campaigns).slice(0, OVERVIEW_CAMPAIGNS);
  const page = h('div', { class: 'page' });
  const op = isOperator(ctx);
  page.append(
    op ? pageHead(t('overview.operator.title'), t('overview.operator.subtitle', { orgs: fmtNumber(ctx.orgs.size) })) : pageHead(ctx.orgName(ctx.me.tenant!), t('overview.org.subtitle')),
    h(
      'div',
      { class: 'kpis', 'data-testid': 'kpis' },
      kpi(t('kpi.findings'), summary.findings, undefined, 'kpi-findings'),
      kpi(t('kpi.campaigns'), summary.campaigns, undefined, 'kpi-campaigns'),
      op ? kpi(t('kpi.organisations'), summary.organisations_attacked, undefined, 'kpi-organisations') : null,
      kpi(t('kpi.accounts_targeted'), summary.accounts_targeted, undefined, 'kpi-targeted'),
      kpi(t('kpi.accounts_compromised'), summary.accounts_compromised, summary.accounts_compromised ? 'danger' : undefined, 'kpi-compromised'),
      kpi(t('kpi.notifications'), summary.notifications, undefined, 'kpi-notifications'),
    ),
  );

  const timelineEl = h('div', { class: 'chart chart-timeline', 'data-testid': 'timeline' });
  page.append(card(t('timeline.title'), activity.hours.length ? timelineEl : empty(t('timeline.empty')), { actions: h('span', { class: 'muted small' }, t('utc')), class: 'span-all' }));

  const all = h('a', { href: '#/campaigns', class: 'card-link' }, t('more'));
  const campaignCard = card(t('campaigns.title'), campaignsTable(ctx, topCampaigns, !op), { actions: campaigns.length > topCampaigns.length ? all : null, testid: 'overview-campaigns' });

  if (op) {
    const orgs = [...ctx.orgs.values()].filter((o) => o.findings > 0).sort((a, b) => b.accounts_compromised - a.accounts_compromised || b.findings - a.findings);
    page.append(
      campaignCard,
      mapSection(ctx, activity),
      card(t('overview.organisations'), organisationsTable(ctx, orgs.slice(0, 10)), { actions: h('a', { href: '#/organisations', class: 'card-link' }, t('more')), testid: 'overview-organisations' }),
    );
  } else {
    const [accounts, notes] = await Promise.all([
      ctx.api.get<{ items: Account[] }>('/api/v1/accounts', { limit: 12 }),
      ctx.api.get<{ items: Notification[] }>('/api/v1/notifications', { limit: 8 }),
    ]);
    page.append(
      h('div', { class: 'grid-2' }, campaignCard, card(t('nav.notifications'), notificationsTable(ctx, notes.items, true), { testid: 'overview-notifications', actions: h('a', { href: '#/notifications', class: 'card-link' }, t('more')) })),
      card(t('nav.accounts'), accountsTable(ctx, accounts.items), { testid: 'overview-accounts', actions: h('a', { href: '#/accounts', class: 'card-link' }, t('more')) }),
    );
    if (activity.countries.length) page.append(mapSection(ctx, activity));
  }

  // Charts need their element in the document to measure it: draw once the page is attached.
  requestAnimationFrame(() => {
    if (activity.hours.length && timelineEl.isConnected) {
      const chart = timelineChart(timelineEl, activity);
      ctx.onLeave(() => chart.dispose());
    }
  });
  return page;
}

function mapSection(ctx: Ctx, activity: Activity): HTMLElement {
  const mapEl = h('div', { class: 'chart chart-map', 'data-testid': 'map' });
  let chart: Chart | undefined;
  const top = h('div');
  // Sign-in failures by country come from the hourly counts; without them the choice would show an empty map.
  const metrics: MapMetric[] = activity.countries.some((c) => c.failures > 0) ? ['attacks', 'failures'] : ['attacks'];
  let metric: MapMetric = activity.countries.some((c) => c.attacks > 0) || metrics.length === 1 ? 'attacks' : 'failures';
  const buttons = metrics.map((m) =>
    h('button', { type: 'button', class: 'seg', 'aria-selected': String(m === metric), on: { click: () => draw(m) } }, t(`map.metric.${m}`)),
  );
  const draw = async (m: MapMetric) => {
    metric = m;
    buttons.forEach((b, i) => b.setAttribute('aria-selected', String(metrics[i] === m)));
    top.replaceChildren(topCountries(activity, m));
    await loadWorld();
    if (!mapEl.isConnected || metric !== m) return; // left the page, or chose again, while the shapes loaded
    chart?.dispose();
    chart = worldMap(mapEl, activity, m);
  };
  ctx.onLeave(() => chart?.dispose());
  requestAnimationFrame(() => {
    if (mapEl.isConnected) void draw(metric);
  });
  return h(
    'div',
    { class: 'grid-map' },
    card(t('map.title'), mapEl, { actions: metrics.length > 1 ? h('div', { class: 'segmented', role: 'tablist' }, buttons) : null, testid: 'map-card' }),
    card(t('map.top'), top, { testid: 'top-countries' }),
  );
}

function topCountries(a: Activity, metric: MapMetric): HTMLElement {
  const rows = a.countries
    .filter((c) => c[metric] > 0)
    .sort((x, y) => y[metric] - x[metric])
    .slice(0, 12);
  const max = Math.max(1, ...rows.map((r) => r[metric]));
  return table(
    [{ label: '' }, { label: t(`map.metric.${metric}`), class: 'num' }],
    rows.map((r) => {
      const bar = h('span', { class: `bar ${metric}` });
      bar.style.width = `${(100 * r[metric]) / max}%`;
      return { cells: [h('span', { class: 'country' }, h('span', { class: 'cc' }, r.country), countryName(r.country)), h('span', { class: 'bar-cell' }, h('span', { class: 'bar-track' }, bar), fmtNumber(r[metric]))] };
    }),
    { empty: t('timeline.empty'), testid: 'countries-table' },
  );
}
