/**
 * @module share/stix-export
 * Campaigns as a STIX 2.1 bundle a partner can import (OpenCTI, MISP, or another Vigil with `--intel`): the
 * campaign (with Vigil's `x_vigil_fingerprint`: tool, cadence, failure mix), the intrusion-set it is attributed to
 * with the confidence, an indicator per source address (shared exits marked `anonymization`, low confidence, short
 * validity; the campaign's own addresses valid for 30 days after last use) and one for the tool's user agent, and a
 * sighting per targeted organisation. Organisations are never named: each sighting is by an anonymous identity
 * made for that campaign alone (so two exports cannot be joined to follow one victim), with only its sector.
 * Accounts are never exported. Ids and timestamps come from the data, so the same campaigns give the same bundle.
 */
import { parseIp } from '../enrich/ip-address.js';
import type { Campaign } from '../campaigns/types.js';
import { stixSectors } from '../intel/sectors.js';
import type { OrganisationsFile } from '../orgs/organisations.js';
import { stixId } from './uuid.js';

export const TLP = {
  white: { id: 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9', name: 'TLP:WHITE' },
  green: { id: 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da', name: 'TLP:GREEN' },
  amber: { id: 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82', name: 'TLP:AMBER' },
  red: { id: 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed', name: 'TLP:RED' },
} as const;
export type TlpLevel = keyof typeof TLP;

const DAY = 86_400_000;
const OWN_VALID_DAYS = 30;
const SHARED_VALID_DAYS = 1;
const OWN_CONFIDENCE = 85;
const SHARED_CONFIDENCE = 15;
const PRODUCER_CREATED = '2024-01-01T00:00:00.000Z';
const MAX_COUNT = 999_999_999;

export interface ExportOptions {
  tlp?: TlpLevel;
  /** Gives the targeted organisations' sectors to the anonymous identities. */
  orgs?: OrganisationsFile;
  producerName?: string;
}

type Obj = Record<string, unknown>;

const iso = (t: number) => new Date(t).toISOString();
/** Quotes a value for a STIX pattern string literal. */
const lit = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function addressPattern(ip: string): string | undefined {
  const a = parseIp(ip);
  return a ? `[${a.family === 4 ? 'ipv4-addr' : 'ipv6-addr'}:value = ${lit(ip)}]` : undefined;
}

export function campaignsToStix(campaigns: Campaign[], opts: ExportOptions = {}): Obj {
  const tlp = TLP[opts.tlp ?? 'amber'];
  const producer = stixId('identity', 'vigil-producer');
  const objects = new Map<string, Obj>();
  const add = (o: Obj) => objects.set(o.id as string, o);
  add({ type: 'identity', spec_version: '2.1', id: producer, created: PRODUCER_CREATED, modified: PRODUCER_CREATED, name: opts.producerName ?? 'Vigil', identity_class: 'system' });
  add({ type: 'marking-definition', spec_version: '2.1', id: tlp.id, created: '2017-01-20T00:00:00.000Z', definition_type: 'tlp', name: tlp.name, definition: { tlp: tlp.name.slice(4).toLowerCase() } });
  const common = (created: number, modified: number) => ({ spec_version: '2.1', created: iso(created), modified: iso(Math.max(created, modified)), created_by_ref: producer, object_marking_refs: [tlp.id] });
  const sectorOf = new Map((opts.orgs?.organisations ?? []).map((o) => [o.id, o.sector]));

  for (const c of campaigns) {
    const first = c.first_seen_time;
    const last = c.last_seen_time;
    const campaignId = stixId('campaign', c.id);
    const fp = c.fingerprint;
    add({
      type: 'campaign',
      id: campaignId,
      ...common(first, last),
      name: c.name,
      description: `${c.types.join(', ')} against ${c.organisations.count} organisation(s), ${c.accounts_targeted.count} account(s), from ${c.source_addresses.count} address(es)${fp ? ` with ${fp.client_app || 'a client'} "${fp.user_agent}"` : ''}. ${c.attribution.status === 'attributed' ? `Attributed to ${c.attribution.actor} (confidence ${c.attribution.confidence}).` : 'Unattributed.'}`,
      first_seen: iso(first),
      last_seen: iso(last),
      external_references: [{ source_name: 'vigil', external_id: c.id }],
      ...(fp ? { x_vigil_fingerprint: fp } : {}),
      x_vigil_types: c.types,
      x_vigil_techniques: c.techniques.map((t) => t.uid),
    });

    if (c.attribution.status === 'attributed') {
      const set = c.attribution.leads[0].intrusion_set;
      const setId = /^intrusion-set--[0-9a-f-]{36}$/.test(set.id) ? set.id : stixId('intrusion-set', set.name);
      if (!objects.has(setId)) {
        // The catalogue's own id and dates (for ATT&CK groups, MITRE's), so partners merge it with what they have.
        const created = set.created ?? iso(first);
        add({
          type: 'intrusion-set',
          spec_version: '2.1',
          id: setId,
          created,
          modified: set.modified && set.modified >= created ? set.modified : created,
          name: set.name,
          aliases: set.aliases,
          ...(set.external_id ? { external_references: [{ source_name: 'mitre-attack', external_id: set.external_id, ...(set.url ? { url: set.url } : {}) }] } : {}),
        });
      }
      add({ type: 'relationship', id: stixId('relationship', `${c.id}|attributed-to|${setId}`), ...common(first, last), relationship_type: 'attributed-to', source_ref: campaignId, target_ref: setId, confidence: c.attribution.confidence, description: c.attribution.reasons.join('\n') });
    }

    const shared = new Set(c.source_addresses.shared);
    const attributed = c.attribution.status === 'attributed';
    for (const ip of c.source_addresses.addresses) {
      const pattern = addressPattern(ip);
      if (!pattern) continue;
      const isShared = shared.has(ip);
      const id = stixId('indicator', `${c.id}|${ip}`);
      add({
        type: 'indicator',
        id,
        ...common(first, last),
        name: `${ip}${isShared ? ' (shared exit)' : ''}: source of campaign ${c.id}`,
        indicator_types: isShared ? ['anonymization'] : attributed ? ['malicious-activity', 'attribution'] : ['malicious-activity'],
        pattern,
        pattern_type: 'stix',
        pattern_version: '2.1',
        valid_from: iso(first),
        valid_until: iso(last + (isShared ? SHARED_VALID_DAYS : OWN_VALID_DAYS) * DAY),
        confidence: isShared ? SHARED_CONFIDENCE : OWN_CONFIDENCE,
      });
      add({ type: 'relationship', id: stixId('relationship', `${id}|indicates|${campaignId}`), ...common(first, last), relationship_type: 'indicates', source_ref: id, target_ref: campaignId });
    }
    if (fp?.user_agent) {
      const id = stixId('indicator', `${c.id}|user-agent`);
      const common_ua = /^Mozilla\//.test(fp.user_agent);
      add({
        type: 'indicator',
        id,
        ...common(first, last),
        name: `User agent of campaign ${c.id}`,
        description: `Client app ${fp.client_app || 'unknown'}${fp.protocol ? `, protocol ${fp.protocol}` : ''}${fp.attempts_per_account_hour ? `, about ${fp.attempts_per_account_hour} attempts per account per hour` : ''}.`,
        indicator_types: ['malicious-activity'],
        pattern: `[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = ${lit(fp.user_agent)}]`,
        pattern_type: 'stix',
        pattern_version: '2.1',
        valid_from: iso(first),
        valid_until: iso(last + OWN_VALID_DAYS * DAY),
        // A browser's user agent is everyone's: it says little on its own.
        confidence: common_ua ? 20 : 70,
      });
      add({ type: 'relationship', id: stixId('relationship', `${id}|indicates|${campaignId}`), ...common(first, last), relationship_type: 'indicates', source_ref: id, target_ref: campaignId });
    }

    // Anonymous victims, numbered in order of first attack (never by name or id).
    const sightings = [...c.sightings].sort((a, b) => a.first_seen_time - b.first_seen_time || a.last_seen_time - b.last_seen_time || b.attempts - a.attempts || (a.tenant < b.tenant ? -1 : 1));
    sightings.forEach((s, i) => {
      const victim = stixId('identity', `${c.id}|victim|${i}`);
      const sectors = stixSectors(sectorOf.get(s.tenant));
      add({ type: 'identity', id: victim, ...common(s.first_seen_time, s.last_seen_time), name: `Targeted organisation ${i + 1} of campaign ${c.id}`, identity_class: 'organization', ...(sectors.length ? { sectors } : {}) });
      add({
        type: 'sighting',
        id: stixId('sighting', `${c.id}|sighting|${i}`),
        ...common(s.first_seen_time, s.last_seen_time),
        sighting_of_ref: campaignId,
        where_sighted_refs: [victim],
        first_seen: iso(s.first_seen_time),
        last_seen: iso(s.last_seen_time),
        count: Math.min(MAX_COUNT, Math.max(1, s.attempts)),
      });
    });
  }
  const list = [...objects.values()];
  return { type: 'bundle', id: stixId('bundle', list.map((o) => `${o.id}@${o.modified ?? ''}`).join('|')), objects: list };
}
