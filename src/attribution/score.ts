/**
 * @module attribution/score
 * Scores a campaign against every known actor, in points that add up to a confidence of 0-100:
 *
 * - infrastructure, up to 50: the campaign's addresses on the actor's indicators, each weighted by the indicator's
 *   confidence (and the confidence of the link to the actor), combined so that more matches mean more certainty.
 *   An address shared by many people (Tor exit, VPN, one used by two tools) counts a tenth and all of them together
 *   at most 12.5 points; one address of the campaign's own at most 25 (addresses are reassigned).
 * - tool, up to 30: the user agent on the actor's indicators, or the same tool as a campaign attributed before
 *   (this store's, or one a partner exported) with a similar cadence and failure-reason mix. A browser's user agent
 *   is common and counts a third.
 * - techniques, up to 12, and victimology, up to 8: ATT&CK techniques the actor is known for, and the declared
 *   sectors of the organisations against those the actor is reported to target. These only corroborate: they count
 *   when there is infrastructure or tool evidence, so no actor is named for a password spray on a party alone.
 *
 * An actor is named at 50 or more. With the caps, shared exits, techniques and victimology together reach at most
 * 32.5 and one own address with them 45: never an attribution on one address, nor on exits another crew also uses.
 */
import type { Campaign, ConfidenceLevel, Lead } from '../campaigns/types.js';
import { sameTool } from '../campaigns/facts.js';
import { mixSimilarity } from '../campaigns/link.js';
import type { Actor, IntelCatalogue, ResolvedIndicator } from '../intel/catalogue.js';
import { canonicalSector } from '../intel/sectors.js';

export const ATTRIBUTION_THRESHOLD = 50;
const INFRA_MAX = 50;
const SHARED_WEIGHT = 0.1;
const SHARED_CAP = 0.25;
const ONE_ADDRESS_MAX = 25;
const TOOL_MAX = 30;
const TECHNIQUE_MAX = 12;
const VICTIM_MAX = 8;
const COMMON_TOOL_FACTOR = 1 / 3;
const SHOWN = 5;
const MIN_SHARED_FOR_LEAD = 3;

export type CampaignBasis = Omit<Campaign, 'attribution'>;

/** A campaign attributed before, to compare tools and cadence with. */
export interface KnownCampaign {
  id: string;
  name: string;
  actor: Actor;
  confidence: number;
  fingerprint: { user_agent?: string; client_app?: string; protocol?: string };
  attemptsPerAccountHour?: number;
  reasons?: Record<string, number>;
}

export interface ScoreContext {
  catalogue: IntelCatalogue;
  /** Why an address is shared by many people, or undefined. */
  shared: (ip: string) => string | undefined;
  known: KnownCampaign[];
}

export function confidenceLevel(c: number): ConfidenceLevel {
  return c >= 75 ? 'high' : c >= ATTRIBUTION_THRESHOLD ? 'moderate' : 'low';
}

const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString().slice(0, 10));
const baseName = (p: string) => p.split(/[\\/]/).pop();
const round1 = (x: number) => Math.round(x * 10) / 10;
const isCommonUserAgent = (ua: string) => /^Mozilla\//.test(ua);

function validDuring(ind: ResolvedIndicator, first: number, last: number): boolean {
  return (ind.validFrom === undefined || ind.validFrom <= last) && (ind.validUntil === undefined || ind.validUntil >= first);
}

function describeIndicator(ind: ResolvedIndicator, link: { confidence: number; via?: string }): string {
  const bits = [ind.id, `confidence ${ind.confidence}`, link.confidence < 100 ? `link ${link.confidence}` : '', link.via ? `via ${link.via}` : '', baseName(ind.source) ?? '', ind.validFrom !== undefined ? `valid from ${iso(ind.validFrom)}` : ''];
  return bits.filter(Boolean).join(', ');
}

interface Match {
  ip: string;
  weight: number;
  shared?: string;
  text: string;
}

function noisyOr(ws: number[]): number {
  return 1 - ws.reduce((p, w) => p * (1 - w), 1);
}

function infrastructure(c: CampaignBasis, ctx: ScoreContext): Map<Actor, Match[]> {
  const byActor = new Map<Actor, Map<string, Match>>();
  for (const ip of c.source_addresses.addresses) {
    for (const ind of ctx.catalogue.indicatorsForIp(ip)) {
      if (!validDuring(ind, c.first_seen_time, c.last_seen_time)) continue;
      for (const link of ind.actors) {
        const weight = (ind.confidence / 100) * (link.confidence / 100);
        const shared = ctx.shared(ip) ?? (ind.anonymization ? 'anonymiser (intel)' : undefined);
        const m = byActor.get(link.actor) ?? new Map<string, Match>();
        // Several indicators for one address are one piece of evidence: keep the strongest.
        if ((m.get(ip)?.weight ?? -1) < weight) m.set(ip, { ip, weight, shared, text: `${ip} (${describeIndicator(ind, link)})` });
        byActor.set(link.actor, m);
      }
    }
  }
  return new Map([...byActor].map(([a, m]) => [a, [...m.values()]]));
}

function infraScore(matches: Match[]): { points: number; reasons: string[]; own: number; shared: number } {
  const own = matches.filter((m) => !m.shared);
  const shared = matches.filter((m) => m.shared);
  const pOwn = noisyOr(own.map((m) => m.weight));
  const pShared = Math.min(SHARED_CAP, noisyOr(shared.map((m) => m.weight * SHARED_WEIGHT)));
  let points = INFRA_MAX * (1 - (1 - pOwn) * (1 - pShared));
  const reasons: string[] = [];
  if (own.length) {
    reasons.push(`${own.length} of the campaign's own addresses (not Tor, VPN or shared by other tools) are on its indicators: ${own.slice(0, SHOWN).map((m) => m.text).join('; ')}${own.length > SHOWN ? `; and ${own.length - SHOWN} more` : ''}`);
  }
  if (own.length === 1 && points > ONE_ADDRESS_MAX) {
    points = ONE_ADDRESS_MAX;
    reasons.push(`only one address of its own matches, so the addresses count at most ${ONE_ADDRESS_MAX} points: an address can change hands`);
  }
  if (!own.length) points = INFRA_MAX * pShared;
  if (shared.length) {
    const kinds = new Map<string, number>();
    for (const m of shared) kinds.set(m.shared!, (kinds.get(m.shared!) ?? 0) + 1);
    const why = [...kinds].map(([k, n]) => `${k}: ${n}`).join(', ');
    reasons.push(`${shared.length} matching address(es) are shared by many people (${why}) and prove little, at most ${INFRA_MAX * SHARED_CAP} points together: ${shared.slice(0, SHOWN).map((m) => m.ip).join(', ')}${shared.length > SHOWN ? ` and ${shared.length - SHOWN} more` : ''}`);
  }
  return { points, reasons, own: own.length, shared: shared.length };
}

function toolScore(c: CampaignBasis, actor: Actor, ctx: ScoreContext): { points: number; reasons: string[] } {
  const fp = c.fingerprint;
  if (!fp || !fp.user_agent) return { points: 0, reasons: [] };
  const rarity = isCommonUserAgent(fp.user_agent) ? COMMON_TOOL_FACTOR : 1;
  const rarityNote = rarity < 1 ? ' (a common browser user agent: counts a third)' : '';
  let best = 0;
  let reason = '';
  for (const ind of ctx.catalogue.indicatorsFor('user-agent', fp.user_agent)) {
    if (!validDuring(ind, c.first_seen_time, c.last_seen_time)) continue;
    for (const link of ind.actors) {
      if (link.actor !== actor) continue;
      const w = (ind.confidence / 100) * (link.confidence / 100) * rarity;
      if (w > best) [best, reason] = [w, `its user agent "${fp.user_agent}" is on an indicator of ${actor.name} (${describeIndicator(ind, link)})${rarityNote}`];
    }
  }
  for (const k of ctx.known) {
    if (k.actor !== actor || k.id === c.id || !sameTool(toFp(fp), toFp(k.fingerprint))) continue;
    const ratio = fp.attempts_per_account_hour && k.attemptsPerAccountHour ? Math.max(fp.attempts_per_account_hour, k.attemptsPerAccountHour) / Math.min(fp.attempts_per_account_hour, k.attemptsPerAccountHour) : undefined;
    const cadence = ratio === undefined ? 0 : ratio <= 2 ? 0.2 : ratio <= 4 ? 0.1 : 0;
    const mix = fp.reasons && k.reasons ? mixSimilarity(fp.reasons, k.reasons) : undefined;
    const sim = 0.6 + cadence + (mix === undefined ? 0 : 0.2 * mix);
    const w = sim * rarity * (k.confidence / 100);
    if (w > best) {
      const parts = [`same tool (${fp.user_agent}, ${fp.client_app || 'any client'}) as campaign "${k.name}" (${k.id}) attributed to ${actor.name} at confidence ${k.confidence}`];
      if (ratio !== undefined) parts.push(`cadence ${fp.attempts_per_account_hour} vs ${k.attemptsPerAccountHour} attempts per account-hour`);
      if (mix !== undefined) parts.push(`failure-reason mix ${Math.round(mix * 100)}% alike`);
      [best, reason] = [w, parts.join('; ') + rarityNote];
    }
  }
  return { points: TOOL_MAX * best, reasons: reason ? [reason] : [] };
}

const toFp = (f: { user_agent?: string; client_app?: string; protocol?: string }) => ({ user_agent: f.user_agent ?? '', client_app: f.client_app ?? '', protocol: f.protocol ?? '' });

function techniqueScore(c: CampaignBasis, actor: Actor): { points: number; reasons: string[] } {
  if (!c.techniques.length || !actor.techniques.size) return { points: 0, reasons: [] };
  const parents = new Set([...actor.techniques.keys()].map((t) => t.split('.')[0]));
  let sum = 0;
  const exact: string[] = [];
  const near: string[] = [];
  for (const t of c.techniques) {
    if (actor.techniques.has(t.uid)) {
      sum += 1;
      exact.push(`${t.uid} ${t.name}`);
    } else if (parents.has(t.uid.split('.')[0])) {
      sum += 0.5;
      near.push(`${t.uid} ${t.name}`);
    }
  }
  if (!sum) return { points: 0, reasons: [] };
  const reasons = [`${exact.length + near.length} of the campaign's ${c.techniques.length} ATT&CK technique(s) are ${actor.name}'s (MITRE ATT&CK)${exact.length ? `: ${exact.join(', ')}` : ''}${near.length ? `${exact.length ? ';' : ':'} same parent technique: ${near.join(', ')}` : ''}`];
  return { points: (TECHNIQUE_MAX * sum) / c.techniques.length, reasons };
}

function victimScore(c: CampaignBasis, actor: Actor): { points: number; reasons: string[] } {
  const declared = Object.entries(c.organisations.sectors ?? {}).flatMap(([s, n]) => {
    const canon = canonicalSector(s);
    return canon ? [{ sector: canon, n }] : [];
  });
  const total = declared.reduce((a, d) => a + d.n, 0);
  if (!total || !actor.sectors.size) return { points: 0, reasons: [] };
  const hit = declared.filter((d) => actor.sectors.has(d.sector));
  const n = hit.reduce((a, d) => a + d.n, 0);
  if (!n) return { points: 0, reasons: [] };
  return { points: (VICTIM_MAX * n) / total, reasons: [`${n} of ${total} targeted organisation(s) with a declared sector are in sectors ${actor.name} is reported to target: ${hit.map((d) => `${d.sector} (${d.n})`).join(', ')}`] };
}

/** Every actor with infrastructure or tool evidence against the campaign, best first. */
export function scoreCampaign(c: CampaignBasis, ctx: ScoreContext): Lead[] {
  const infra = infrastructure(c, ctx);
  const candidates = new Set<Actor>([...infra.keys()]);
  for (const k of ctx.known) candidates.add(k.actor);
  if (c.fingerprint?.user_agent) for (const ind of ctx.catalogue.indicatorsFor('user-agent', c.fingerprint.user_agent)) for (const l of ind.actors) candidates.add(l.actor);
  const leads: Lead[] = [];
  for (const actor of candidates) {
    const i = infraScore(infra.get(actor) ?? []);
    const t = toolScore(c, actor, ctx);
    // A lead needs an address of the campaign's own, its tool, or several shared exits: one VPN address a
    // traveller happened to use is nobody's lead.
    if (!i.own && !t.points && i.shared < MIN_SHARED_FOR_LEAD) continue;
    const q = techniqueScore(c, actor);
    const v = victimScore(c, actor);
    const confidence = Math.min(100, Math.round(i.points + t.points + q.points + v.points));
    const score = { infrastructure: round1(i.points), tool: round1(t.points), techniques: round1(q.points), victimology: round1(v.points) };
    leads.push({
      actor: actor.name,
      intrusion_set: { id: actor.id, name: actor.name, aliases: actor.aliases, ...(actor.externalId ? { external_id: actor.externalId } : {}), ...(actor.url ? { url: actor.url } : {}), ...(actor.created ? { created: actor.created } : {}), ...(actor.modified ? { modified: actor.modified } : {}) },
      confidence,
      confidence_level: confidenceLevel(confidence),
      score,
      reasons: [
        `confidence ${confidence} (${confidenceLevel(confidence)}) = infrastructure ${score.infrastructure} + tool ${score.tool} + techniques ${score.techniques} + victimology ${score.victimology}`,
        ...i.reasons,
        ...t.reasons,
        ...q.reasons,
        ...v.reasons,
      ],
    });
  }
  return leads.sort((a, b) => b.confidence - a.confidence || (a.actor < b.actor ? -1 : 1));
}
