/**
 * @module attribution
 * Names the actor behind each campaign, or says "unattributed" and keeps the leads. Two passes: first on
 * intelligence alone (indicators, techniques, victimology, campaign profiles from files), then again with the
 * campaigns the first pass attributed as profiles, so a campaign with no indicator hit but the same tool and cadence
 * as an attributed one can inherit it. One step only: an attribution never props itself up.
 */
import type { Attribution, Campaign, Lead } from '../campaigns/types.js';
import type { IntelCatalogue } from '../intel/catalogue.js';
import { ATTRIBUTION_THRESHOLD, confidenceLevel, scoreCampaign, type CampaignBasis, type KnownCampaign } from './score.js';

export { ATTRIBUTION_THRESHOLD, confidenceLevel, scoreCampaign, type CampaignBasis, type KnownCampaign } from './score.js';
export { threatActorEnrichment } from './enrichment.js';

export function attributionOf(leads: Lead[]): Attribution {
  const best = leads[0];
  if (best && best.confidence >= ATTRIBUTION_THRESHOLD) {
    const rivals = leads.slice(1).filter((l) => l.confidence >= ATTRIBUTION_THRESHOLD);
    const note = rivals.map((r) => `also consistent with ${r.actor} at ${r.confidence}: check both`);
    return { status: 'attributed', actor: best.actor, confidence: best.confidence, confidence_level: best.confidence_level, reasons: [...best.reasons, ...note], leads };
  }
  return {
    status: 'unattributed',
    actor: null,
    confidence: best?.confidence ?? 0,
    confidence_level: confidenceLevel(best?.confidence ?? 0),
    reasons: best
      ? [`no actor reaches confidence ${ATTRIBUTION_THRESHOLD}; the best lead is ${best.actor} at ${best.confidence}: ${best.reasons[0]}`]
      : ["no known actor's indicators or tools match"],
    leads,
  };
}

export function attributeCampaigns(bases: CampaignBasis[], catalogue: IntelCatalogue, shared: (ip: string) => string | undefined): Campaign[] {
  const fromFiles: KnownCampaign[] = catalogue.profiles.map((p) => ({ id: p.id, name: p.name, actor: p.actor, confidence: p.confidence, fingerprint: p.fingerprint, attemptsPerAccountHour: p.attemptsPerAccountHour, reasons: p.reasons }));
  const first = bases.map((b) => scoreCampaign(b, { catalogue, shared, known: fromFiles }));
  const learned: KnownCampaign[] = [];
  bases.forEach((b, i) => {
    const best = first[i][0];
    if (!best || best.confidence < ATTRIBUTION_THRESHOLD || !b.fingerprint) return;
    const actor = catalogue.actor(best.actor);
    if (actor) learned.push({ id: b.id, name: b.name, actor, confidence: best.confidence, fingerprint: b.fingerprint, attemptsPerAccountHour: b.fingerprint.attempts_per_account_hour, reasons: b.fingerprint.reasons });
  });
  return bases.map((b, i) => {
    const leads = learned.length ? scoreCampaign(b, { catalogue, shared, known: [...fromFiles, ...learned] }) : first[i];
    return { ...b, attribution: attributionOf(leads) };
  });
}
