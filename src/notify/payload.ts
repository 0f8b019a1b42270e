/**
 * @module notify/payload
 * The webhook body: the notification (summary, attribution, advice, the text in the organisation's language) and
 * the organisation's findings it covers, as OCSF Detection Findings reduced to what is about that organisation.
 * Campaign and correlation identifiers are removed because they are shared by every victim of a campaign (two
 * organisations comparing them would learn of each other), and so are the operator's input file names.
 */
import type { StoredFinding } from './campaign-groups.js';
import type { Rendered } from './render.js';
import type { Reported, View } from './view.js';

export const PAYLOAD_SCHEMA = 'vigil.notification/1';

export interface PayloadInput {
  uid: string;
  kind: 'initial' | 'follow_up';
  sequence: number;
  previousUid: string | null;
  createdAt: number;
  view: View;
  rendered: Rendered;
  news?: Reported;
  findings: StoredFinding[];
}

const iso = (ms: number) => new Date(ms).toISOString();

export function buildPayload(p: PayloadInput): string {
  const v = p.view;
  const body = {
    schema: PAYLOAD_SCHEMA,
    notification: {
      uid: p.uid,
      reference: v.reference,
      kind: p.kind,
      sequence: p.sequence,
      previous_uid: p.previousUid,
      created_at: iso(p.createdAt),
      organisation: { id: v.tenant, name: v.orgName },
      language: p.rendered.language,
      subject: p.rendered.subject,
      text: p.rendered.text,
      summary: {
        attack_types: v.types,
        first_seen: iso(v.first),
        last_seen: iso(v.last),
        accounts_targeted: v.accountsTargeted,
        attempts: v.appendix.attempts,
        source_addresses: v.appendix.ips,
        compromised_accounts: v.compromised,
        valid_password_accounts: v.valid,
        protected_accounts_targeted: v.protectedTargeted,
        new_since_previous: p.news ?? null,
      },
      attribution: v.attribution
        ? { actor: v.attribution.actor, confidence: v.attribution.confidence ?? null, confidence_words: v.attribution.confidenceWords ?? null, aliases: v.attribution.aliases, reasons: v.attribution.reasons }
        : { actor: null, confidence: null, confidence_words: null, aliases: [], reasons: [] },
      actions: p.rendered.actions,
    },
    findings: p.findings.map(sanitiseFinding),
  };
  return JSON.stringify(body);
}

/** An OCSF finding with only what is about its own organisation. */
export function sanitiseFinding(f: StoredFinding): Record<string, unknown> {
  const j = structuredClone(f.json ?? {});
  const out: Record<string, unknown> = {};
  for (const k of ['class_uid', 'class_name', 'category_uid', 'category_name', 'activity_id', 'activity_name', 'type_uid', 'time', 'severity_id', 'severity', 'status_id', 'status', 'confidence_id', 'confidence'])
    if (j[k] !== undefined) out[k] = j[k];
  out.metadata = { version: j.metadata?.version, product: j.metadata?.product, tenant_uid: f.tenant };
  if (j.finding_info) {
    const fi = j.finding_info;
    out.finding_info = { uid: fi.uid, title: fi.title, desc: fi.desc, types: fi.types, first_seen_time: fi.first_seen_time, last_seen_time: fi.last_seen_time, analytic: fi.analytic, attacks: fi.attacks };
  }
  if (Array.isArray(j.observables)) out.observables = j.observables;
  if (Array.isArray(j.evidences)) {
    out.evidences = j.evidences.map((e: any) => {
      if (e?.data && typeof e.data === 'object') delete e.data.source;
      return e;
    });
  }
  if (j.unmapped && typeof j.unmapped === 'object') {
    out.unmapped = Object.fromEntries(Object.entries(j.unmapped).filter(([k]) => !/campaign|correlation/i.test(k)));
  }
  return out;
}
