/**
 * @module server/redact
 * What an organisation may see of data that concerns others too. A finding is one organisation's, but campaign
 * joining writes the campaign's attribution into it (`enrichments`), whose reasons cite other victims ("3 of 5
 * targeted organisations ..."); a campaign's stored name counts its victims; evidence names the operator's log
 * files. Organisation views keep an allowlist
 * of fields, so whatever is added upstream later stays out until someone decides it may be shown.
 */

/** Attribution facts about the actor only: who, how sure, and which campaign. */
const ACTOR_FIELDS = ['confidence', 'confidence_level', 'aliases', 'intrusion_set', 'mitre_attack_id', 'campaign_uid'];

export function findingForOrganisation(f: Record<string, any>): Record<string, any> {
  const out = Array.isArray(f.evidences) ? { ...f, evidences: f.evidences.map(withoutSource) } : f;
  if (!Array.isArray(out.enrichments)) return out;
  const enrichments = out.enrichments
    .filter((e: any) => e?.name === 'threat_actor')
    .map((e: any) => ({
      name: e.name,
      value: e.value,
      type: e.type,
      data: Object.fromEntries(ACTOR_FIELDS.filter((k) => e.data?.[k] !== undefined).map((k) => [k, e.data[k]])),
    }));
  const { enrichments: _all, ...rest } = out;
  return enrichments.length ? { ...rest, enrichments } : rest;
}

/** Evidence without `data.source`: where the operator keeps the logs (file paths) is not the organisation's business. */
function withoutSource(e: any): any {
  if (!e?.data?.source) return e;
  const { source: _s, ...data } = e.data;
  return { ...e, data };
}

const TYPE_WORDS: Record<string, string> = {
  password_spray: 'password spray',
  brute_force: 'brute force',
  credential_stuffing: 'credential stuffing',
  account_compromise: 'account compromise',
  mfa_fatigue: 'MFA fatigue',
  impossible_travel: 'impossible travel',
  anonymizer_signin: 'anonymiser sign-in',
};

/** A campaign's name from one organisation's side: its own attack types and the actor, never a victim count. */
export function campaignNameForOrganisation(types: string[], actor: string | null): string {
  const what = types.map((t) => TYPE_WORDS[t] ?? t.replace(/_/g, ' ')).join(', ') || 'attack';
  const text = what[0].toUpperCase() + what.slice(1) + ' against your organisation';
  return actor ? `${actor}: ${text}` : text;
}
