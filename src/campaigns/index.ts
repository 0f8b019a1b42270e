/**
 * @module campaigns
 * Joins the store's findings into campaigns across organisations, attributes each campaign, and says which findings
 * must be written again: every finding gets its campaign's id in `metadata.correlation_uid` (a finding alone is a
 * campaign of one) and, when there are leads, a `threat_actor` enrichment. Everything is recomputed from the
 * latest findings each time, in a fixed order, so the same store always gives the same campaigns, and a campaign's
 * id (from its earliest finding) stays as it grows.
 */
import { attributeCampaigns, threatActorEnrichment } from '../attribution/index.js';
import type { IntelCatalogue } from '../intel/catalogue.js';
import type { OrganisationsFile } from '../orgs/organisations.js';
import type { Db } from '../store/db.js';
import { buildCampaign, campaignName } from './build.js';
import { factsOf } from './facts.js';
import { clusterFindings } from './link.js';
import { AddressJudge } from './shared.js';
import { readStoredFindings, writeCampaigns } from './store.js';
import type { Campaign } from './types.js';

export { loadIntel, IntelCatalogue } from '../intel/catalogue.js';
export { readStoredCampaigns } from './store.js';
export type { Attribution, Campaign, Lead } from './types.js';

export interface CampaignOptions {
  catalogue: IntelCatalogue;
  orgs?: OrganisationsFile;
}

/** Campaigns and attribution from findings alone (no store): the pure part of updateCampaigns. */
export function campaignsOf(findings: Record<string, any>[], opts: CampaignOptions): Campaign[] {
  const facts = findings.filter((f) => f?.finding_info?.uid).map(factsOf);
  const judge = new AddressJudge(opts.catalogue, facts);
  const bases = clusterFindings(facts, judge).map((c) => buildCampaign(c, judge, opts.orgs));
  return attributeCampaigns(bases, opts.catalogue, (ip) => judge.shared(ip))
    .map((c) => (c.attribution.actor ? { ...c, name: campaignName(c, c.attribution.actor) } : c))
    .sort((a, b) => a.first_seen_time - b.first_seen_time || (a.id < b.id ? -1 : 1));
}

/** The finding again as an update carrying its campaign and attribution, or undefined when it already does. */
export function annotate(f: Record<string, any>, c: Campaign): Record<string, any> | undefined {
  const enrichment = threatActorEnrichment(c);
  const others = (Array.isArray(f.enrichments) ? f.enrichments : []).filter((e: any) => e?.name !== 'threat_actor');
  const enrichments = enrichment ? [...others, enrichment] : others;
  const before = (Array.isArray(f.enrichments) ? f.enrichments : []) as unknown[];
  if (f.metadata?.correlation_uid === c.id && JSON.stringify(before) === JSON.stringify(enrichments)) return undefined;
  const { enrichments: _drop, ...rest } = f;
  return {
    ...rest,
    activity_id: 2,
    activity_name: 'Update',
    type_uid: 200402,
    metadata: { ...f.metadata, correlation_uid: c.id },
    ...(enrichments.length ? { enrichments } : {}),
  };
}

export function updateCampaigns(db: Db, opts: CampaignOptions): { campaigns: Campaign[]; findingUpdates: Record<string, unknown>[] } {
  const findings = readStoredFindings(db);
  const byUid = new Map(findings.map((f) => [f.finding_info?.uid as string, f]));
  const campaigns = campaignsOf(findings, opts);
  const findingUpdates: Record<string, any>[] = [];
  const tenantOf = new Map<string, string>();
  for (const c of campaigns) {
    for (const uid of c.findings.uids) {
      const f = byUid.get(uid)!;
      tenantOf.set(uid, f.metadata?.tenant_uid ?? '');
      const updated = annotate(f, c);
      if (updated) findingUpdates.push(updated);
    }
  }
  findingUpdates.sort((a, b) => a.time - b.time || (a.finding_info.uid < b.finding_info.uid ? -1 : 1));
  writeCampaigns(db, campaigns, tenantOf, findingUpdates);
  return { campaigns, findingUpdates };
}
