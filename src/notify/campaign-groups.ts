/**
 * @module notify/campaign-groups
 * Which campaign each of an organisation's findings belongs to, read from the store: a multi-organisation
 * campaign (`campaign_members` / `campaigns`, or the findings row's `campaign_uid`), else the finding's
 * `metadata.correlation_uid`, else the finding itself. A compromise found after an attack joins that attack's
 * campaign, so the organisation hears about the attack and its consequence in one notification (and a later
 * compromise escalates it). From a campaign only the attribution is taken (actor, confidence, aliases, reasons);
 * nothing else about it, since the rest describes other victims too.
 */
import type { Db } from '../store/db.js';

export interface StoredFinding {
  uid: string;
  tenant: string;
  type: string;
  severityId: number;
  first: number;
  last: number;
  campaignUid: string | null;
  /** The finding's latest OCSF content. */
  json: any;
}

export interface Attribution {
  actor: string | null;
  confidence?: number;
  confidenceWords?: 'low' | 'moderate' | 'high';
  aliases: string[];
  reasons: string[];
}

export interface CampaignGroup {
  /** `campaign:<uid>`, `correlation:<uid>` or `finding:<uid>`: what a notification is about, per organisation. */
  key: string;
  tenant: string;
  findings: StoredFinding[];
  /** From the campaign, or from the findings' threat_actor enrichment; undefined when nobody attributed it. */
  attribution?: Attribution;
}

export interface CampaignIndex {
  /** finding uid -> campaign uid */
  memberOf: Map<string, string>;
  attribution: Map<string, Attribution | undefined>;
}

/** The latest content of every finding, optionally only of some organisations, oldest first. */
export function loadFindings(db: Db, tenants?: Iterable<string>): StoredFinding[] {
  const wanted = tenants ? new Set(tenants) : undefined;
  const rows = db.prepare('SELECT uid, tenant, type, severity_id, first_seen, last_seen, campaign_uid, json FROM findings ORDER BY first_seen, uid').all() as {
    uid: string;
    tenant: string;
    type: string;
    severity_id: number;
    first_seen: number;
    last_seen: number;
    campaign_uid: string | null;
    json: string;
  }[];
  const out: StoredFinding[] = [];
  for (const r of rows) {
    if (wanted && !wanted.has(r.tenant)) continue;
    let json: any;
    try {
      json = JSON.parse(r.json);
    } catch {
      continue; // a damaged row cannot be reported on; detection rewrites it on its next update
    }
    out.push({ uid: r.uid, tenant: r.tenant, type: r.type, severityId: r.severity_id, first: r.first_seen, last: r.last_seen, campaignUid: r.campaign_uid, json });
  }
  return out;
}

/** Campaign membership and attribution from the store (empty when no campaigns were joined yet). */
export function loadCampaignIndex(db: Db): CampaignIndex {
  const memberOf = new Map<string, string>();
  const attribution = new Map<string, Attribution | undefined>();
  for (const r of db.prepare('SELECT campaign_uid, finding_uid FROM campaign_members ORDER BY campaign_uid, finding_uid').all() as { campaign_uid: string; finding_uid: string }[]) {
    if (!memberOf.has(r.finding_uid)) memberOf.set(r.finding_uid, r.campaign_uid);
  }
  for (const r of db.prepare('SELECT uid, actor, confidence, json FROM campaigns').all() as { uid: string; actor: string | null; confidence: number | null; json: string }[]) {
    let json: any = {};
    try {
      json = JSON.parse(r.json);
    } catch {
      /* columns still say who */
    }
    const a = json?.attribution ?? (r.actor ? { actor: r.actor, confidence: r.confidence } : undefined);
    attribution.set(r.uid, normaliseAttribution(a));
  }
  return { memberOf, attribution };
}

/**
 * Accepts the campaign's attribution (`{status, actor, confidence, confidence_level, reasons, leads}`, or the
 * shorter `{actor, confidence, confidence_words, aliases, reasons}`) or a finding's threat_actor enrichment data;
 * undefined if it says nothing. "unattributed" (as status or as the enrichment's value) is no actor.
 */
export function normaliseAttribution(a: any): Attribution | undefined {
  if (!a || typeof a !== 'object') return undefined;
  const named = typeof a.actor === 'string' && a.actor.trim() && a.actor.trim().toLowerCase() !== 'unattributed' && a.status !== 'unattributed';
  const actor = named ? (a.actor as string).trim() : null;
  const confidence = typeof a.confidence === 'number' && Number.isFinite(a.confidence) ? Math.max(0, Math.min(100, Math.round(a.confidence))) : undefined;
  const given = [a.confidence_words, a.confidence_level].find((w) => ['low', 'moderate', 'high'].includes(w));
  const words = given ?? (confidence !== undefined ? confidenceWords(confidence) : undefined);
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v : []).map(reasonText).filter((x): x is string => !!x);
  const lead = Array.isArray(a.leads) ? a.leads.find((l: any) => l?.actor === actor) : undefined;
  const aliases = strings(a.aliases).length ? strings(a.aliases) : strings(lead?.intrusion_set?.aliases ?? lead?.aliases);
  return { actor, confidence, confidenceWords: words, aliases, reasons: strings(a.reasons) };
}

/** Words for a 0-100 score when the attribution gives none (the attribution's own words win). */
export function confidenceWords(score: number): 'low' | 'moderate' | 'high' {
  return score >= 70 ? 'high' : score >= 40 ? 'moderate' : 'low';
}

function reasonText(r: unknown): string | undefined {
  if (typeof r === 'string') return r.trim() || undefined;
  if (r && typeof r === 'object') {
    for (const k of ['text', 'summary', 'reason', 'description', 'name']) {
      const v = (r as Record<string, unknown>)[k];
      if (typeof v === 'string' && v.trim()) return v.trim();
    }
  }
  return undefined;
}

/** The attribution carried by a finding's threat_actor enrichment, if any. */
function findingAttribution(f: StoredFinding): Attribution | undefined {
  const e = (Array.isArray(f.json?.enrichments) ? f.json.enrichments : []).find((x: any) => x?.name === 'threat_actor' && typeof x.value === 'string' && x.value);
  if (!e) return undefined;
  return normaliseAttribution({ ...(e.data ?? {}), actor: e.value });
}

/** Groups one organisation's findings by campaign, in order of first activity. */
export function groupByCampaign(findings: StoredFinding[], index: CampaignIndex): CampaignGroup[] {
  const keyOf = new Map<string, string>();
  const campaignOf = new Map<string, string>();
  for (const f of findings) {
    const campaign = index.memberOf.get(f.uid) ?? f.campaignUid ?? undefined;
    const correlation = typeof f.json?.metadata?.correlation_uid === 'string' && f.json.metadata.correlation_uid ? f.json.metadata.correlation_uid : undefined;
    if (campaign) campaignOf.set(f.uid, campaign);
    keyOf.set(f.uid, campaign ? `campaign:${campaign}` : correlation ? `correlation:${correlation}` : `finding:${f.uid}`);
  }
  // A compromise with no campaign of its own joins the campaign of the attack it followed.
  for (const f of findings) {
    const attack = f.json?.unmapped?.attack_finding_uid;
    if (keyOf.get(f.uid) === `finding:${f.uid}` && typeof attack === 'string' && keyOf.has(attack)) {
      keyOf.set(f.uid, keyOf.get(attack)!);
      if (campaignOf.has(attack)) campaignOf.set(f.uid, campaignOf.get(attack)!);
    }
  }
  const groups = new Map<string, CampaignGroup>();
  for (const f of findings) {
    const key = keyOf.get(f.uid)!;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, tenant: f.tenant, findings: [] }));
    g.findings.push(f);
  }
  for (const g of groups.values()) {
    const campaign = g.findings.map((f) => campaignOf.get(f.uid)).find((c) => c);
    g.attribution = strongest([campaign ? index.attribution.get(campaign) : undefined, ...g.findings.map(findingAttribution)]);
  }
  return [...groups.values()].sort((a, b) => Math.min(...a.findings.map((f) => f.first)) - Math.min(...b.findings.map((f) => f.first)) || (a.key < b.key ? -1 : 1));
}

/** The attribution naming an actor with the highest confidence (the campaign's comes first on ties). */
function strongest(candidates: (Attribution | undefined)[]): Attribution | undefined {
  let best: Attribution | undefined;
  for (const c of candidates) {
    if (!c?.actor) continue;
    if (!best || (c.confidence ?? 0) > (best.confidence ?? 0)) best = c;
  }
  return best;
}
