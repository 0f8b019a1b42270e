/**
 * @module intel/stix
 * Reads a STIX 2.1 bundle (2.0 works too) into actors, indicators and campaign profiles: intrusion-sets and
 * threat-actors with their aliases; `uses` relationships to ATT&CK attack-patterns (techniques); `targets`
 * relationships to identity classes with sectors (victimology); indicators with their pattern, confidence and
 * validity, leading to an actor through `indicates` directly or through a campaign `attributed-to` one; and campaigns
 * carrying Vigil's `x_vigil_fingerprint` (a tool and cadence seen before). Revoked and deprecated objects are skipped.
 */
import { parseStixPattern } from './patterns.js';
import { canonicalSector } from './sectors.js';
import type { ActorRecord, CampaignProfile, IndicatorLink, IntelFile, Technique } from './types.js';

type Obj = Record<string, any>;

const SKIPPED_EXAMPLES = 5;

export function isStixDocument(doc: unknown): boolean {
  if (Array.isArray(doc)) return doc.length > 0 && doc.every((o) => typeof o?.type === 'string' && typeof o?.id === 'string');
  return !!doc && typeof doc === 'object' && (doc as Obj).type === 'bundle' && Array.isArray((doc as Obj).objects);
}

function time(s: unknown): number | undefined {
  if (typeof s !== 'string') return undefined;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : undefined;
}

function mitreRef(o: Obj): { externalId?: string; url?: string } {
  const ref = (o.external_references ?? []).find((r: Obj) => r?.source_name === 'mitre-attack' && r.external_id);
  return ref ? { externalId: ref.external_id, url: ref.url } : {};
}

function confidenceOf(v: unknown, fallback: number): number {
  return typeof v === 'number' && v >= 0 && v <= 100 ? v : fallback;
}

export function readStix(doc: unknown, path: string): IntelFile {
  const objects: Obj[] = (Array.isArray(doc) ? doc : (doc as Obj).objects).filter(
    (o: Obj) => o && typeof o === 'object' && typeof o.id === 'string' && o.revoked !== true && o.x_mitre_deprecated !== true,
  );
  const byId = new Map<string, Obj>(objects.map((o) => [o.id, o]));
  const file: IntelFile = { path, format: 'stix', actors: [], indicators: [], profiles: [], skipped: { count: 0, examples: [] } };
  const skip = (why: string) => {
    file.skipped.count++;
    if (file.skipped.examples.length < SKIPPED_EXAMPLES) file.skipped.examples.push(why);
  };

  const actors = new Map<string, ActorRecord>();
  for (const o of objects) {
    if (o.type !== 'intrusion-set' && o.type !== 'threat-actor') continue;
    if (typeof o.name !== 'string') continue;
    const aliases = [o.name, ...(Array.isArray(o.aliases) ? o.aliases : [])].filter((a): a is string => typeof a === 'string');
    actors.set(o.id, {
      id: o.id,
      name: o.name,
      aliases: [...new Set(aliases)],
      description: typeof o.description === 'string' ? o.description : undefined,
      ...mitreRef(o),
      created: o.created,
      modified: o.modified,
      techniques: [],
      sectors: [],
      sameAs: [],
    });
  }

  // A relationship may name an actor defined in another file (the built-in ATT&CK groups): a nameless stub keeps
  // its id so the catalogue can join it to the named actor.
  const actorRef = (id: unknown): ActorRecord | undefined => {
    if (typeof id !== 'string') return undefined;
    if (!actors.has(id) && /^(intrusion-set|threat-actor)--/.test(id) && !byId.has(id)) {
      actors.set(id, { id, name: '', aliases: [], techniques: [], sectors: [], sameAs: [], stub: true });
    }
    return actors.get(id);
  };

  // Campaign id -> the actors it is attributed to.
  const attributed = new Map<string, IndicatorLink[]>();
  const indicates = new Map<string, Obj[]>();
  for (const r of objects) {
    if (r.type !== 'relationship') continue;
    const src = byId.get(r.source_ref);
    const dst = byId.get(r.target_ref);
    const actor = actorRef(r.source_ref);
    actorRef(r.target_ref);
    switch (r.relationship_type) {
      case 'uses':
        if (actor && dst?.type === 'attack-pattern') {
          const t = techniqueOf(dst);
          if (t) actor.techniques.push(t);
        }
        break;
      case 'targets':
        if (actor && dst?.type === 'identity' && Array.isArray(dst.sectors)) {
          for (const s of dst.sectors) {
            const c = typeof s === 'string' ? canonicalSector(s) : undefined;
            if (c) actor.sectors.push(c);
          }
        }
        break;
      case 'attributed-to':
        if (src?.type === 'campaign' && actors.has(r.target_ref)) {
          const list = attributed.get(src.id) ?? [];
          list.push({ actorRef: r.target_ref, confidence: confidenceOf(r.confidence, 100), via: src.id });
          attributed.set(src.id, list);
        } else if (actor && actors.has(r.target_ref)) actor.sameAs!.push(r.target_ref);
        break;
      case 'indicates':
        if (src?.type === 'indicator') indicates.set(src.id, [...(indicates.get(src.id) ?? []), r]);
        break;
    }
  }

  for (const o of objects) {
    if (o.type === 'indicator') {
      const links: IndicatorLink[] = [];
      for (const r of indicates.get(o.id) ?? []) {
        if (actors.has(r.target_ref)) links.push({ actorRef: r.target_ref, confidence: confidenceOf(r.confidence, 100) });
        for (const a of attributed.get(r.target_ref) ?? []) links.push(a);
      }
      readIndicator(o, links, path, file, skip);
    } else if (o.type === 'campaign' && o.x_vigil_fingerprint && typeof o.x_vigil_fingerprint === 'object') {
      for (const a of attributed.get(o.id) ?? []) file.profiles.push(profileOf(o, a, path));
    }
  }
  file.actors = [...actors.values()];
  return file;
}

function techniqueOf(ap: Obj): Technique | undefined {
  const { externalId } = mitreRef(ap);
  return externalId ? { uid: externalId, name: String(ap.name ?? externalId) } : undefined;
}

function readIndicator(o: Obj, links: IndicatorLink[], path: string, file: IntelFile, skip: (why: string) => void): void {
  if (o.pattern_type !== undefined && o.pattern_type !== 'stix') return skip(`${o.id}: pattern type ${o.pattern_type}`);
  if (typeof o.pattern !== 'string') return skip(`${o.id}: no pattern`);
  const parsed = parseStixPattern(o.pattern);
  if (!parsed.ok) return skip(`${o.id}: ${parsed.reason}`);
  const types: string[] = [...(Array.isArray(o.indicator_types) ? o.indicator_types : []), ...(Array.isArray(o.labels) ? o.labels : [])];
  for (const v of parsed.values) {
    file.indicators.push({
      id: o.id,
      name: typeof o.name === 'string' ? o.name : undefined,
      kind: v.kind,
      value: v.value,
      range: v.range,
      confidence: confidenceOf(o.confidence, 50),
      validFrom: time(o.valid_from),
      validUntil: time(o.valid_until),
      anonymization: types.includes('anonymization'),
      links,
      source: path,
    });
  }
}

function profileOf(o: Obj, link: IndicatorLink, path: string): CampaignProfile {
  const fp = o.x_vigil_fingerprint;
  return {
    id: o.id,
    name: String(o.name ?? o.id),
    actorRef: link.actorRef,
    confidence: link.confidence,
    fingerprint: { user_agent: fp.user_agent, client_app: fp.client_app, protocol: fp.protocol },
    attemptsPerAccountHour: typeof fp.attempts_per_account_hour === 'number' ? fp.attempts_per_account_hour : undefined,
    reasons: fp.reasons && typeof fp.reasons === 'object' ? fp.reasons : undefined,
    source: path,
  };
}
