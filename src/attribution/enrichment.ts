/**
 * @module attribution/enrichment
 * The `threat_actor` entry that every finding of a campaign carries in `enrichments`: the actor with confidence
 * (number and words), aliases and reasons; or "unattributed" with the leads when no actor reaches 50. A campaign with
 * no lead at all adds nothing, so findings nobody can link to an actor stay as they are.
 */
import type { Campaign } from '../campaigns/types.js';

export interface ThreatActorEnrichment {
  name: 'threat_actor';
  value: string;
  type: 'Threat Actor';
  data: Record<string, unknown>;
}

export function threatActorEnrichment(c: Campaign): ThreatActorEnrichment | undefined {
  const a = c.attribution;
  if (!a.leads.length) return undefined;
  if (a.status === 'attributed') {
    const lead = a.leads[0];
    return {
      name: 'threat_actor',
      value: lead.actor,
      type: 'Threat Actor',
      data: {
        confidence: a.confidence,
        confidence_level: a.confidence_level,
        aliases: lead.intrusion_set.aliases,
        intrusion_set: lead.intrusion_set.id,
        ...(lead.intrusion_set.external_id ? { mitre_attack_id: lead.intrusion_set.external_id } : {}),
        campaign_uid: c.id,
        score: lead.score,
        reasons: a.reasons,
      },
    };
  }
  return {
    name: 'threat_actor',
    value: 'unattributed',
    type: 'Threat Actor',
    data: {
      confidence: a.confidence,
      confidence_level: a.confidence_level,
      campaign_uid: c.id,
      reasons: a.reasons,
      leads: a.leads.map((l) => ({ actor: l.actor, confidence: l.confidence, confidence_level: l.confidence_level, aliases: l.intrusion_set.aliases, score: l.score, reasons: l.reasons })),
    },
  };
}
