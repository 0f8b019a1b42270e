/**
 * @module intel/types
 * What threat intelligence gives attribution, whatever file it came from (STIX 2.1 bundle, MISP event, address
 * list): actors with their aliases, techniques and the sectors they target; indicators (addresses, blocks,
 * user agents, domains, AS numbers) pointing at actors with a confidence and a validity; and profiles of campaigns
 * attributed before (tool fingerprint and cadence), which Vigil's own STIX exports carry.
 */
import type { IpRange } from '../enrich/ip-address.js';

export interface Technique {
  uid: string;
  name: string;
}

/** An intrusion-set or threat actor as read from one file, before actors with shared names are merged. */
export interface ActorRecord {
  id: string;
  name: string;
  aliases: string[];
  description?: string;
  externalId?: string;
  url?: string;
  created?: string;
  modified?: string;
  techniques: Technique[];
  /** Canonical sectors (see sectors.ts). */
  sectors: string[];
  /** Ids of records that are the same actor (an intrusion-set `attributed-to` a threat-actor). */
  sameAs?: string[];
  /** Only an id, from a relationship to an actor defined elsewhere; never an actor on its own. */
  stub?: boolean;
}

export type IndicatorKind = 'ip' | 'domain' | 'user-agent' | 'asn';

/** How an indicator leads to an actor: directly (`indicates`) or through a campaign attributed to it. */
export interface IndicatorLink {
  /** Id of the actor record (an intrusion-set or threat-actor id) as written in the file. */
  actorRef: string;
  /** Confidence of the link itself (0-100): a relationship's or campaign attribution's confidence, else 100. */
  confidence: number;
  via?: string;
}

export interface Indicator {
  id: string;
  name?: string;
  kind: IndicatorKind;
  /** The value as written (address, CIDR block, domain, user agent, AS number). */
  value: string;
  /** For `ip`: the address or block. */
  range?: IpRange;
  /** 0-100; 50 when the file gives none. */
  confidence: number;
  validFrom?: number;
  validUntil?: number;
  /** The file marks it as an anonymiser (Tor exit, VPN): it proves little about who used it. */
  anonymization: boolean;
  links: IndicatorLink[];
  source: string;
}

/** A campaign attributed before, as a Vigil STIX export describes it (custom `x_vigil_fingerprint`). */
export interface CampaignProfile {
  id: string;
  name: string;
  actorRef: string;
  confidence: number;
  fingerprint: { user_agent?: string; client_app?: string; protocol?: string };
  attemptsPerAccountHour?: number;
  reasons?: Record<string, number>;
  source: string;
}

/** Everything one file yielded. */
export interface IntelFile {
  path: string;
  format: 'stix' | 'misp' | 'list' | 'built-in';
  actors: ActorRecord[];
  indicators: Indicator[];
  profiles: CampaignProfile[];
  /** Patterns or attributes that could not be used, with why (first few). */
  skipped: { count: number; examples: string[] };
}
