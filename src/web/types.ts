/**
 * @module web/types
 * The shapes the dashboard reads from the API (only the fields it uses).
 */

export interface Me {
  role: 'operator' | 'org';
  tenant: string | null;
  organisation: string | null;
}

export interface Page<T> {
  items: T[];
  next: string | null;
}

export interface Observable {
  name: string;
  type_id: number;
  value: string;
}

export interface Evidence {
  time: number;
  src_endpoint?: { ip?: string; location?: { country?: string }; autonomous_system?: { number?: number; name?: string } };
  user?: { name?: string };
  status_id: number;
  data?: { reason?: string; user_agent?: string; client_app?: string };
}

export interface Finding {
  time: number;
  severity_id: number;
  metadata: { tenant_uid: string; correlation_uid?: string };
  finding_info: {
    uid: string;
    title: string;
    desc: string;
    types: string[];
    first_seen_time: number;
    last_seen_time: number;
    analytic?: { uid: string; name: string };
    attacks?: { technique?: { uid: string; name: string }; tactic?: { uid: string; name: string } }[];
  };
  observables: Observable[];
  evidences?: Evidence[];
  enrichments?: { name: string; value: string; data?: Record<string, unknown> }[];
  unmapped: {
    accounts_count?: number;
    ips_count?: number;
    compromised_accounts?: string[];
    netblocks?: string[];
    asns?: { number: number; name?: string }[];
    countries?: string[];
    anonymizers?: Record<string, number>;
    fingerprint?: { user_agent?: string; client_app?: string; protocol?: string };
    [k: string]: unknown;
  };
}

export interface CampaignItem {
  uid: string;
  name: string;
  first_seen: number | null;
  last_seen: number | null;
  actor: string | null;
  confidence: number | null;
  reasons?: string[];
  organisations: string[];
  findings: string[];
  types: string[];
  updated_at: number;
}

export interface Organisation {
  id: string;
  name: string | null;
  sector: string | null;
  language: string | null;
  findings: number;
  findings_by_type: Record<string, number>;
  accounts_targeted: number;
  accounts_compromised: number;
  campaigns: number;
  notifications: number;
  last_seen: number | null;
}

export interface Account {
  tenant: string;
  account: string;
  compromised: boolean;
  findings: number;
  types: string[];
  first_seen: number;
  last_seen: number;
}

export interface Notification {
  uid: string;
  tenant: string;
  kind: string;
  sequence: number;
  language: string;
  subject: string;
  reference?: string;
  status: string;
  created_at: number;
  deliveries: { channel: string; target?: string; status: string; attempts: number }[];
  messages?: { audience?: string; language?: string; eml?: string }[];
  /** The webhook body; its `notification.text` is the message in the organisation's language. */
  payload?: { notification?: { text?: string } } | null;
}

export interface Summary {
  findings: number;
  findings_by_type: Record<string, number>;
  organisations_attacked: number;
  campaigns: number;
  accounts_targeted: number;
  accounts_compromised: number;
  notifications: number;
  newest_finding: number | null;
}

export interface Activity {
  from: number;
  to: number;
  hours: { t: number; failures: number; successes: number; attacks: Record<string, number> }[];
  countries: { country: string; failures: number; successes: number; attacks: number }[];
}
