/// <reference lib="dom" />
/**
 * @module web/views/campaigns
 * Campaigns: the list (actor, confidence, organisations, findings, period) and one campaign in full: who is
 * believed to be behind it and why, its findings, the accounts it targeted and compromised, the infrastructure
 * and tools it used, and sample evidence events. An organisation sees only its own part of each campaign.
 */
import { capped, card, chip, confidenceMeter, empty, mono, pageHead, severityBadge, table, typeTag } from '../components.js';
import { isOperator, type Ctx } from '../context.js';
import { h } from '../dom.js';
import { countryName, fmtDateTime, fmtNumber, fmtRange, reasonName, t, typeName } from '../i18n.js';
import type { CampaignItem, Evidence, Finding } from '../types.js';

/** An organisation's campaign name, from its own attack types (the server's English name is the fallback). */
export function campaignTitle(ctx: Ctx, c: CampaignItem): string {
  if (isOperator(ctx)) return c.name;
  const types = c.types.map(typeName).join(', ');
  const text = t('campaign.org.name', { types: types || t('nav.campaigns') });
  return c.actor ? `${c.actor}: ${text}` : text;
}

/** Most significant first: attributed, then across more organisations, more confident, larger, more recent. */
export function rankCampaigns(items: CampaignItem[]): CampaignItem[] {
  return [...items].sort(
    (a, b) =>
      Number(!!b.actor) - Number(!!a.actor) ||
      b.organisations.length - a.organisations.length ||
      (b.confidence ?? 0) - (a.confidence ?? 0) ||
      b.findings.length - a.findings.length ||
      (b.last_seen ?? 0) - (a.last_seen ?? 0),
  );
}

export function campaignsTable(ctx: Ctx, items: CampaignItem[], compact = false): HTMLElement {
  const op = isOperator(ctx);
  return table(
    [
      { label: t('table.name') },
      { label: t('table.actor') },
      { label: t('table.confidence') },
      ...(op ? [{ label: t('campaign.organisations'), class: 'num' }] : []),
      { label: t('table.findings'), class: 'num' },
      ...(compact ? [] : [{ label: t('table.period') }]),
    ],
    items.map((c) => ({
      href: `#/campaigns/${encodeURIComponent(c.uid)}`,
      cells: [
        h(
          'div',
          { class: 'cell-title' },
          h('span', { class: 'strong', dir: 'auto' }, campaignTitle(ctx, c)),
          h('div', { class: 'tags' }, c.types.map(typeTag)),
          op && c.reasons?.length ? h('p', { class: 'reason-line', dir: 'auto', title: c.reasons.join('\n') }, c.reasons[0]) : null,
          compact ? h('span', { class: 'muted small' }, fmtRange(c.first_seen, c.last_seen)) : null,
        ),
        c.actor ? h('span', { class: 'actor' }, c.actor) : h('span', { class: 'muted' }, t('campaign.unattributed')),
        confidenceMeter(c.confidence),
        ...(op ? [fmtNumber(c.organisations.length)] : []),
        fmtNumber(c.findings.length),
        ...(compact ? [] : [h('span', { class: 'nowrap small' }, fmtRange(c.first_seen, c.last_seen))]),
      ],
    })),
    { empty: t('campaigns.empty'), testid: 'campaigns-table' },
  );
}

export async function campaignList(ctx: Ctx): Promise<HTMLElement> {
  const items = rankCampaigns(await ctx.api.all<CampaignItem>('/api/v1/campaigns'));
  return h('div', { class: 'page' }, pageHead(t('campaigns.title'), isOperator(ctx) ? t('campaigns.subtitle') : t('campaigns.org.subtitle')), card(null, campaignsTable(ctx, items)));
}

export async function campaignDetail(ctx: Ctx, uid: string): Promise<HTMLElement> {
  const [c, findings] = await Promise.all([ctx.api.get<CampaignItem>(`/api/v1/campaigns/${encodeURIComponent(uid)}`), ctx.api.all<Finding>('/api/v1/findings', { campaign: uid })]);
  const op = isOperator(ctx);
  const page = h('div', { class: 'page' });
  page.append(pageHead(campaignTitle(ctx, c), fmtRange(c.first_seen, c.last_seen), h('a', { href: '#/campaigns', class: 'button ghost' }, '← ' + t('back'))));

  const facts = h(
    'dl',
    { class: 'facts' },
    h('dt', null, t('campaign.actor')),
    h('dd', null, c.actor ? h('span', { class: 'actor big' }, c.actor) : h('span', { class: 'muted' }, t('campaign.unattributed'))),
    h('dt', null, t('campaign.confidence')),
    h('dd', null, confidenceMeter(c.confidence)),
    h('dt', null, t('campaign.types')),
    h('dd', null, h('div', { class: 'tags' }, c.types.map(typeTag))),
    op ? h('dt', null, t('campaign.organisations')) : null,
    op ? h('dd', null, h('div', { class: 'chips' }, c.organisations.map((o) => h('a', { href: `#/findings?tenant=${encodeURIComponent(o)}`, class: 'chip link' }, ctx.orgName(o))))) : null,
  );
  const reasons = op && c.reasons?.length ? h('div', { class: 'reasons' }, h('h3', null, t('campaign.reasons')), h('ul', null, c.reasons.map((r) => h('li', { dir: 'auto' }, r)))) : null;
  page.append(card(null, h('div', { class: 'campaign-head' }, facts, reasons), { testid: 'campaign-head' }));

  page.append(card(`${t('campaign.findings')} (${fmtNumber(findings.length)})`, findingsTable(ctx, findings), { testid: 'campaign-findings', scroll: true }));
  page.append(
    h(
      'div',
      { class: 'grid-2' },
      card(t('campaign.accounts'), accountsOf(ctx, findings), { testid: 'campaign-accounts', scroll: true }),
      card(t('campaign.infrastructure'), infrastructureOf(findings), { testid: 'campaign-infrastructure', scroll: true }),
    ),
  );
  page.append(card(t('campaign.evidence'), evidenceTable(ctx, findings), { testid: 'campaign-evidence', scroll: true }));
  return page;
}

export function findingsTable(ctx: Ctx, findings: Finding[]): HTMLElement {
  const op = isOperator(ctx);
  return table(
    [
      { label: t('table.severity') },
      { label: t('table.type') },
      { label: t('table.title') },
      ...(op ? [{ label: t('table.organisation') }] : []),
      { label: t('table.accounts'), class: 'num' },
      { label: t('table.sources'), class: 'num' },
      { label: t('table.last_seen') },
    ],
    findings.map((f) => ({
      href: `#/findings/${encodeURIComponent(f.finding_info.uid)}`,
      cells: [
        severityBadge(f.severity_id),
        typeTag(f.finding_info.types[0]),
        h('span', { class: 'clip', dir: 'auto', title: f.finding_info.title }, f.finding_info.title),
        ...(op ? [h('span', { class: 'nowrap' }, ctx.orgName(f.metadata.tenant_uid))] : []),
        fmtNumber(f.unmapped.accounts_count ?? 0),
        fmtNumber(f.unmapped.ips_count ?? 0),
        h('span', { class: 'nowrap small' }, fmtDateTime(f.finding_info.last_seen_time)),
      ],
    })),
    { empty: t('findings.empty'), testid: 'findings-table' },
  );
}

function accountsOf(ctx: Ctx, findings: Finding[]): HTMLElement {
  const accounts = new Map<string, { tenant: string; name: string; compromised: boolean; types: Set<string> }>();
  for (const f of findings) {
    const tenant = f.metadata.tenant_uid;
    const compromised = new Set(f.unmapped.compromised_accounts ?? []);
    for (const o of f.observables) {
      if (o.type_id !== 4) continue;
      const key = `${tenant}\u0000${o.value}`;
      const a = accounts.get(key) ?? { tenant, name: o.value, compromised: false, types: new Set<string>() };
      a.compromised ||= compromised.has(o.value);
      a.types.add(f.finding_info.types[0]);
      accounts.set(key, a);
    }
  }
  const rows = [...accounts.values()].sort((a, b) => Number(b.compromised) - Number(a.compromised) || a.name.localeCompare(b.name));
  const op = isOperator(ctx);
  const shown = rows.slice(0, 500);
  return h(
    'div',
    null,
    table(
      [{ label: t('table.account') }, ...(op ? [{ label: t('table.organisation') }] : []), { label: t('table.status') }],
      shown.map((a) => ({
        class: a.compromised ? 'row-danger' : undefined,
        cells: [mono(a.name), ...(op ? [ctx.orgName(a.tenant)] : []), a.compromised ? h('span', { class: 'badge sev-5' }, t('account.compromised')) : h('span', { class: 'badge quiet' }, t('account.targeted'))],
      })),
      { empty: t('accounts.empty') },
    ),
    rows.length > shown.length ? h('p', { class: 'muted small' }, t('infra.and_more', { n: fmtNumber(rows.length - shown.length) })) : null,
  );
}

export function infrastructureOf(findings: Finding[]): HTMLElement {
  const ips = new Set<string>();
  const netblocks = new Set<string>();
  const asns = new Map<number, string>();
  const countries = new Set<string>();
  const tools = new Set<string>();
  const anonymizers = new Map<string, number>();
  for (const f of findings) {
    for (const o of f.observables) if (o.type_id === 2) ips.add(o.value);
    for (const n of f.unmapped.netblocks ?? []) netblocks.add(n);
    for (const a of f.unmapped.asns ?? []) asns.set(a.number, a.name ?? '');
    for (const c of f.unmapped.countries ?? []) countries.add(c);
    const fp = f.unmapped.fingerprint;
    if (fp && (fp.user_agent || fp.client_app)) tools.add([fp.client_app, fp.user_agent].filter(Boolean).join(' · '));
    for (const [k, n] of Object.entries(f.unmapped.anonymizers ?? {})) anonymizers.set(k, (anonymizers.get(k) ?? 0) + n);
  }
  const section = (title: string, count: number, body: Node) => h('div', { class: 'infra' }, h('h3', null, title, ' ', h('span', { class: 'count' }, fmtNumber(count))), body);
  const parts: Node[] = [];
  if (ips.size) parts.push(section(t('infra.addresses'), ips.size, h('ul', { class: 'mono-list cols' }, capped([...ips], 24))));
  if (netblocks.size) parts.push(section(t('infra.netblocks'), netblocks.size, h('ul', { class: 'mono-list cols' }, capped([...netblocks], 12))));
  if (asns.size) parts.push(section(t('infra.networks'), asns.size, h('ul', { class: 'plain-list' }, capped([...asns].map(([n, name]) => `AS${n} ${name}`), 10))));
  if (countries.size) parts.push(section(t('infra.countries'), countries.size, h('div', { class: 'chips' }, [...countries].sort().map((c) => chip(countryName(c))))));
  if (tools.size) parts.push(section(t('infra.tools'), tools.size, h('ul', { class: 'plain-list' }, capped([...tools], 6, (v) => mono(v)))));
  if (anonymizers.size) parts.push(section(t('infra.anonymizers'), [...anonymizers.values()].reduce((a, b) => a + b, 0), h('div', { class: 'chips' }, [...anonymizers].map(([k, n]) => chip(`${k}: ${fmtNumber(n)}`)))));
  return parts.length ? h('div', { class: 'infra-list' }, parts) : empty('–');
}

export function evidenceTable(ctx: Ctx, findings: Finding[], max = 40): HTMLElement {
  const rows: { ev: Evidence; tenant: string }[] = [];
  for (const f of findings) for (const ev of f.evidences ?? []) rows.push({ ev, tenant: f.metadata.tenant_uid });
  rows.sort((a, b) => a.ev.time - b.ev.time);
  const op = isOperator(ctx);
  return table(
    [
      { label: t('evidence.time') },
      { label: t('evidence.account') },
      ...(op ? [{ label: t('table.organisation') }] : []),
      { label: t('evidence.source') },
      { label: t('evidence.network') },
      { label: t('evidence.result') },
      { label: t('evidence.client') },
    ],
    rows.slice(0, max).map(({ ev, tenant }) => ({
      cells: [
        h('span', { class: 'nowrap small' }, fmtDateTime(ev.time)),
        mono(ev.user?.name ?? '–'),
        ...(op ? [h('span', { class: 'nowrap' }, ctx.orgName(tenant))] : []),
        h('span', { class: 'nowrap' }, mono(ev.src_endpoint?.ip ?? '–'), ev.src_endpoint?.location?.country ? h('span', { class: 'cc', title: countryName(ev.src_endpoint.location.country) }, ev.src_endpoint.location.country) : null),
        h('span', { class: 'small clip net', dir: 'auto' }, ev.src_endpoint?.autonomous_system?.number ? `AS${ev.src_endpoint.autonomous_system.number} ${ev.src_endpoint.autonomous_system.name ?? ''}` : '–'),
        ev.status_id === 1 ? h('span', { class: 'badge sev-5' }, t('result.success')) : h('span', { class: 'badge quiet' }, t('result.failure'), ev.data?.reason ? ` · ${reasonName(ev.data.reason)}` : ''),
        h('span', { class: 'small clip', dir: 'auto' }, [ev.data?.client_app, ev.data?.user_agent].filter(Boolean).join(' · ') || '–'),
      ],
    })),
    { empty: '–', testid: 'evidence-table' },
  );
}
