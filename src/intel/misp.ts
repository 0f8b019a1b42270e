/**
 * @module intel/misp
 * Reads MISP event JSON (`{"Event": ...}`, a list of those, or a REST `{"response": [...]}`) into actors and
 * indicators. The actor comes from threat-actor / intrusion-set galaxy clusters or `misp-galaxy:` tags, on the event
 * (the whole event is the actor's) or on one attribute; ATT&CK attack-pattern clusters give its techniques.
 * Addresses (ip-src, ip-dst, with |port, domain|ip), domains, user agents and AS numbers become indicators. MISP has
 * no confidence field: an `estimative-language:likelihood-probability` tag gives one, else 60 for attributes
 * marked for detection (to_ids) and 40 for context. Tags naming Tor or anonymisers mark shared addresses.
 */
import { parseCidr } from '../enrich/ip-address.js';
import { canonicalSector } from './sectors.js';
import type { ActorRecord, Indicator, IndicatorKind, IntelFile, Technique } from './types.js';

type Obj = Record<string, any>;

const LIKELIHOOD: Record<string, number> = {
  'almost-no-chance': 5,
  'very-unlikely': 15,
  unlikely: 30,
  'roughly-even-chance': 50,
  likely: 70,
  'very-likely': 85,
  'almost-certain': 95,
};

const ACTOR_GALAXIES = new Set(['threat-actor', 'mitre-intrusion-set', 'mitre-enterprise-attack-intrusion-set', 'microsoft-activity-group']);
const TECHNIQUE_GALAXIES = new Set(['mitre-attack-pattern', 'mitre-enterprise-attack-attack-pattern']);

/** The events of a MISP document, or undefined when it is not one. */
export function mispEvents(doc: unknown): Obj[] | undefined {
  const list: unknown[] = Array.isArray(doc) ? doc : Array.isArray((doc as Obj)?.response) ? (doc as Obj).response : [doc];
  const events = list.map((x) => ((x as Obj)?.Event ?? x) as Obj).filter((e) => e && typeof e === 'object' && Array.isArray(e.Attribute ?? e.Object));
  return events.length && events.length === list.length ? events : undefined;
}

/** `APT28 - G0007` -> APT28 (MITRE clusters carry the group id in the value). */
const clusterName = (v: string) => v.replace(/\s+-\s+G\d{4}$/, '').trim();

interface Tagged {
  actors: { name: string; synonyms: string[] }[];
  techniques: Technique[];
  sectors: string[];
  likelihood?: number;
  anonymizer: boolean;
}

function tagsOf(x: Obj): Tagged {
  const out: Tagged = { actors: [], techniques: [], sectors: [], anonymizer: false };
  for (const g of x.Galaxy ?? []) {
    for (const c of g?.GalaxyCluster ?? []) {
      if (typeof c?.value !== 'string') continue;
      if (ACTOR_GALAXIES.has(g.type)) out.actors.push({ name: clusterName(c.value), synonyms: Array.isArray(c.meta?.synonyms) ? c.meta.synonyms : [] });
      else if (TECHNIQUE_GALAXIES.has(g.type)) {
        const m = /^(.*?)\s+-\s+(T\d{4}(?:\.\d{3})?)$/.exec(c.value);
        if (m) out.techniques.push({ uid: m[2], name: m[1] });
      } else if (g.type === 'sector') {
        const s = canonicalSector(c.value) ?? canonicalSector(c.value.split(/[ ,]/)[0]);
        if (s) out.sectors.push(s);
      }
    }
  }
  for (const t of x.Tag ?? []) {
    const name: string = typeof t?.name === 'string' ? t.name : '';
    const m = /^misp-galaxy:([a-z-]+)="(.+)"$/.exec(name);
    if (m && ACTOR_GALAXIES.has(m[1])) out.actors.push({ name: clusterName(m[2]), synonyms: [] });
    const l = /^estimative-language:likelihood-probability="([a-z-]+)"$/.exec(name);
    if (l && LIKELIHOOD[l[1]] !== undefined) out.likelihood = LIKELIHOOD[l[1]];
    if (/(^|[^a-z])tor([^a-z]|$)|anonymi[sz]/i.test(name)) out.anonymizer = true;
  }
  return out;
}

function valuesOf(type: string, value: string): { kind: IndicatorKind; value: string }[] {
  switch (type) {
    case 'ip-src':
    case 'ip-dst':
      return [{ kind: 'ip', value }];
    case 'ip-src|port':
    case 'ip-dst|port':
      return [{ kind: 'ip', value: value.split('|')[0] }];
    case 'domain|ip': {
      const [d, ip] = value.split('|');
      return [{ kind: 'domain', value: d.toLowerCase() }, ...(ip ? [{ kind: 'ip' as const, value: ip }] : [])];
    }
    case 'domain':
    case 'hostname':
      return [{ kind: 'domain', value: value.toLowerCase() }];
    case 'user-agent':
      return [{ kind: 'user-agent', value }];
    case 'AS':
      return /^(AS)?\d+$/i.test(value) ? [{ kind: 'asn', value: value.replace(/^AS/i, '') }] : [];
    default:
      return [];
  }
}

const actorId = (name: string) => `misp-actor--${name.toLowerCase()}`;

export function readMisp(events: Obj[], path: string): IntelFile {
  const file: IntelFile = { path, format: 'misp', actors: [], indicators: [], profiles: [], skipped: { count: 0, examples: [] } };
  const actors = new Map<string, ActorRecord>();
  const addActor = (a: { name: string; synonyms: string[] }, techniques: Technique[], sectors: string[]) => {
    const id = actorId(a.name);
    const rec = actors.get(id) ?? { id, name: a.name, aliases: [a.name], techniques: [], sectors: [] };
    rec.aliases = [...new Set([...rec.aliases, ...a.synonyms.filter((s) => typeof s === 'string')])];
    rec.techniques.push(...techniques);
    rec.sectors.push(...sectors);
    actors.set(id, rec);
    return id;
  };
  for (const ev of events) {
    const evTags = tagsOf(ev);
    const evActors = evTags.actors.map((a) => addActor(a, evTags.techniques, evTags.sectors));
    const evDate = typeof ev.date === 'string' ? Date.parse(ev.date) : NaN;
    const attributes: Obj[] = [...(ev.Attribute ?? []), ...(ev.Object ?? []).flatMap((o: Obj) => o?.Attribute ?? [])];
    for (const at of attributes) {
      if (typeof at?.type !== 'string' || typeof at.value !== 'string') continue;
      const values = valuesOf(at.type, at.value);
      if (!values.length) continue;
      const tags = tagsOf(at);
      const own = tags.actors.map((a) => addActor(a, [], []));
      const links = (own.length ? own : evActors).map((actorRef) => ({ actorRef, confidence: 100 }));
      const toIds = at.to_ids === true || at.to_ids === '1';
      const confidence = tags.likelihood ?? evTags.likelihood ?? (toIds ? 60 : 40);
      // last_seen says when it was last used, not until when it is valid: only first_seen bounds the match.
      const first = Date.parse(at.first_seen ?? '');
      for (const v of values) {
        const range = v.kind === 'ip' ? parseCidr(v.value) : undefined;
        if (v.kind === 'ip' && !range) {
          file.skipped.count++;
          if (file.skipped.examples.length < 5) file.skipped.examples.push(`${at.type} ${at.value}: not an address`);
          continue;
        }
        const ind: Indicator = {
          id: `misp-attribute--${at.uuid ?? at.id ?? `${at.type}:${at.value}`}`,
          name: typeof at.comment === 'string' && at.comment ? at.comment : undefined,
          kind: v.kind,
          value: v.value,
          range,
          confidence,
          validFrom: Number.isFinite(first) ? first : Number.isFinite(evDate) ? evDate : undefined,
          anonymization: tags.anonymizer || evTags.anonymizer,
          links,
          source: path,
        };
        file.indicators.push(ind);
      }
    }
  }
  file.actors = [...actors.values()];
  return file;
}
