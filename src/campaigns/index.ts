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
import { factsOf, type FindingFacts } from './facts.js';
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
  /** Characters of finding JSON kept parsed between reading the findings and writing their updates (default 16 Mi). */
  keepFindingsChars?: number;
}

/** Campaigns and attribution from findings alone (no store): the pure part of updateCampaigns. */
export function campaignsOf(findings: Record<string, any>[], opts: CampaignOptions): Campaign[] {
  return campaignsOfFacts(findings.filter((f) => f?.finding_info?.uid).map(factsOf), opts);
}

function campaignsOfFacts(facts: FindingFacts[], opts: CampaignOptions): Campaign[] {
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

/**
 * Recompute the store's campaigns and write them, with every finding whose campaign or attribution changed written
 * again. `onUpdate` receives those finding updates in order (time, then uid), inside the writing transaction; they
 * are also returned when no `onUpdate` is given. A long run's store holds thousands of findings listing thousands
 * of addresses each: they are read one at a time and only their facts kept (addresses and accounts shared between
 * findings), and each update is made, written and handed on before the next is read.
 */
export function updateCampaigns(
  db: Db,
  opts: CampaignOptions,
  onUpdate?: (f: Record<string, any>, json: string) => void,
): { campaigns: Campaign[]; findingUpdates: Record<string, unknown>[] } {
  const facts: FindingFacts[] = [];
  const strings = new Map<string, string>();
  // A small store's findings are kept as read, for the updates below (a second read and parse of each, 25 ms at the
  // end of a 1M-event run); a large one's are read again one at a time.
  let kept: Map<string, Record<string, any>> | undefined = new Map();
  let keptChars = 0;
  for (const { f, chars } of readStoredFindings(db)) {
    if (!f?.finding_info?.uid) continue;
    if (kept && (keptChars += chars) <= (opts.keepFindingsChars ?? KEEP_FINDINGS_CHARS)) kept.set(f.finding_info.uid, f);
    else kept = undefined;
    facts.push(leanFacts(factsOf(f), strings));
  }
  strings.clear();
  const campaigns = campaignsOfFacts(facts, opts);
  const byUid = new Map(facts.map((x) => [x.uid, x]));
  const members: { uid: string; time: number; campaign: Campaign }[] = [];
  const tenantOf = new Map<string, string>();
  for (const c of campaigns) {
    for (const uid of c.findings.uids) {
      const x = byUid.get(uid)!;
      tenantOf.set(uid, x.tenant);
      members.push({ uid, time: x.time, campaign: c });
    }
  }
  byUid.clear();
  facts.length = 0;
  members.sort((a, b) => a.time - b.time || (a.uid < b.uid ? -1 : 1));
  const findingUpdates: Record<string, any>[] = [];
  const readOne = db.prepare('SELECT json FROM findings WHERE uid = ?');
  function* updates() {
    for (const m of members) {
      const stored = kept ? kept.get(m.uid) : (readOne.get(m.uid) as { json: string } | undefined)?.json;
      const updated = stored && annotate(typeof stored === 'string' ? JSON.parse(stored) : stored, m.campaign);
      if (!updated) continue;
      // Made once, for the findings table and for the caller's log of finding lines.
      const json = JSON.stringify(updated);
      yield { uid: m.uid, json };
      if (onUpdate) onUpdate(updated, json);
      else findingUpdates.push(updated);
    }
  }
  writeCampaigns(db, campaigns, tenantOf, updates());
  return { campaigns, findingUpdates };
}

/** Characters of finding JSON a join keeps parsed between reading the findings and writing their updates. */
const KEEP_FINDINGS_CHARS = 16 << 20;

/**
 * The facts campaigns need, without the finding itself (only the two members joining reads from it), and with its
 * addresses and accounts as strings shared with the other findings that list them.
 */
function leanFacts(x: FindingFacts, strings: Map<string, string>): FindingFacts {
  const shared = (list: string[]) => {
    for (let i = 0; i < list.length; i++) {
      const s = strings.get(list[i]);
      if (s === undefined) strings.set(list[i], list[i]);
      else list[i] = s;
    }
    return list;
  };
  const u = x.finding.unmapped ?? {};
  return { ...x, ips: shared(x.ips), accounts: shared(x.accounts), finding: { unmapped: { anonymizer: u.anonymizer, netblocks: u.netblocks } } };
}
