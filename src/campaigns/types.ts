/**
 * @module campaigns/types
 * A campaign as `vigil detect --campaigns FILE` writes it (one JSON object per line) and the store keeps it
 * (`campaigns.json`): the findings joined, who and what was targeted, from where, with which tool, and who did it.
 */
import type { Technique } from '../intel/types.js';

export type ConfidenceLevel = 'low' | 'moderate' | 'high';

/** One actor's case: the points of each kind of evidence, and the reasons in words a person can check. */
export interface Lead {
  actor: string;
  intrusion_set: { id: string; name: string; aliases: string[]; external_id?: string; url?: string; created?: string; modified?: string };
  confidence: number;
  confidence_level: ConfidenceLevel;
  score: { infrastructure: number; tool: number; techniques: number; victimology: number };
  reasons: string[];
}

export interface Attribution {
  status: 'attributed' | 'unattributed';
  /** The actor's name when attributed (confidence of at least 50), else null. */
  actor: string | null;
  confidence: number;
  confidence_level: ConfidenceLevel;
  /** The attributed actor's case, or why no actor is named. */
  reasons: string[];
  /** Every actor with evidence, best first (the attributed one included). */
  leads: Lead[];
}

export interface CampaignAccount {
  tenant: string;
  name: string;
}

export interface Campaign {
  id: string;
  name: string;
  types: string[];
  first_seen_time: number;
  last_seen_time: number;
  organisations: { count: number; ids: string[]; sectors?: Record<string, number> };
  accounts_targeted: { count: number; accounts: CampaignAccount[] };
  accounts_compromised: { count: number; accounts: CampaignAccount[] };
  source_addresses: { count: number; addresses: string[]; shared: string[]; shared_why: Record<string, number> };
  netblocks: string[];
  asns: { number: number; name?: string }[];
  fingerprint: { user_agent: string; client_app: string; protocol: string; attempts_per_account_hour?: number; reasons?: Record<string, number> } | null;
  techniques: Technique[];
  /** Per organisation: when, how many findings and attempts (exports turn these into anonymised sightings). */
  sightings: { tenant: string; first_seen_time: number; last_seen_time: number; findings: number; attempts: number }[];
  findings: { count: number; uids: string[] };
  /** How the findings were joined. */
  joined_by: string[];
  attribution: Attribution;
}
