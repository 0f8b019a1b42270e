/**
 * @module intel/catalogue
 * All threat intelligence loaded for a run, merged and indexed: the built-in MITRE ATT&CK groups (shipped in
 * `intel/`), then every `--intel` file. Actors from different files are one actor when they share an id or any name
 * (APT28 = Fancy Bear = STRONTIUM = Forest Blizzard), so a partner's bundle naming "Fancy Bear" adds to the built-in
 * APT28. Address lists (`--intel tor:FILE`, vpn, hosting, malicious) say which addresses are shared by many people:
 * attribution weighs a match on those as next to nothing.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatIp, parseIp, type IpAddress } from '../enrich/ip-address.js';
import { DualTable, type BitRange } from '../enrich/ip-set.js';
import { badLinesMessage, INTEL_KINDS, kindsFromBits, parseIntelList, type IntelKind } from '../enrich/intel-lists.js';
import type { IntelSpec } from '../enrich/index.js';
import { mispEvents, readMisp } from './misp.js';
import { isStixDocument, readStix } from './stix.js';
import type { ActorRecord, CampaignProfile, Indicator, IntelFile, Technique } from './types.js';

export const BUILTIN_INTEL_DIR = fileURLToPath(new URL('../../intel/', import.meta.url));
export const BUILTIN_INTEL_FILES = ['mitre-attack-groups.stix.json', 'vigil-actor-targets.stix.json'];

/** One actor, merged from every record that names it. */
export interface Actor {
  /** The id exports use: the first intrusion-set id seen (the built-in ATT&CK one for ATT&CK groups). */
  id: string;
  name: string;
  aliases: string[];
  description?: string;
  externalId?: string;
  url?: string;
  created?: string;
  modified?: string;
  techniques: Map<string, Technique>;
  sectors: Set<string>;
  sources: string[];
}

/** An indicator with its links resolved to merged actors. */
export interface ResolvedIndicator extends Indicator {
  actors: { actor: Actor; confidence: number; via?: string }[];
}

export interface ResolvedProfile extends CampaignProfile {
  actor: Actor;
}

export interface ListSummary {
  kind: IntelKind;
  path: string;
  entries: number;
  badLines: number;
}

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

export class IntelCatalogue {
  readonly actors: Actor[] = [];
  readonly indicators: ResolvedIndicator[] = [];
  readonly profiles: ResolvedProfile[] = [];
  readonly files: IntelFile[];
  readonly lists: ListSummary[];
  private readonly byName = new Map<string, Actor>();
  private readonly exactIp = new Map<string, ResolvedIndicator[]>();
  private readonly blocks: ResolvedIndicator[] = [];
  private readonly byValue = new Map<string, ResolvedIndicator[]>();
  private readonly listTable: DualTable | undefined;

  constructor(files: IntelFile[], lists: { summary: ListSummary; ranges: BitRange[] }[] = []) {
    this.files = files;
    this.lists = lists.map((l) => l.summary);
    this.listTable = lists.length ? DualTable.fromBitRanges(lists.flatMap((l) => l.ranges)) : undefined;
    const recordActor = this.mergeActors(files.flatMap((f) => f.actors.map((a) => ({ a, source: f.path }))));
    for (const f of files) {
      for (const ind of f.indicators) {
        const actors = ind.links.flatMap((l) => {
          const actor = recordActor.get(l.actorRef);
          return actor ? [{ actor, confidence: l.confidence, via: l.via }] : [];
        });
        const r: ResolvedIndicator = { ...ind, actors };
        this.indicators.push(r);
        if (ind.kind === 'ip' && ind.range) {
          const single = ind.range.start.every((w, k) => w === ind.range!.end[k]);
          if (single) push(this.exactIp, formatIp({ family: ind.range.family, words: ind.range.start }), r);
          else this.blocks.push(r);
        } else push(this.byValue, `${ind.kind}\u0000${ind.value}`, r);
      }
      for (const p of f.profiles) {
        const actor = recordActor.get(p.actorRef);
        if (actor) this.profiles.push({ ...p, actor });
      }
    }
  }

  /** Records that share an id, a sameAs link or a name become one actor; returns record id -> actor. */
  private mergeActors(records: { a: ActorRecord; source: string }[]): Map<string, Actor> {
    const parent = records.map((_, i) => i);
    const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
    const seen = new Map<string, number>();
    const join = (key: string, i: number) => {
      const j = seen.get(key);
      if (j === undefined) seen.set(key, i);
      else parent[find(i)] = find(j);
    };
    records.forEach(({ a }, i) => {
      join(`id:${a.id}`, i);
      for (const s of a.sameAs ?? []) join(`id:${s}`, i);
      for (const n of a.aliases) if (norm(n)) join(`name:${norm(n)}`, i);
    });
    const groups = new Map<number, Actor>();
    const byRecord = new Map<string, Actor>();
    // Named records first, so that stubs only ever add to an actor that has a name.
    const order = records.map((_, i) => i).sort((x, y) => Number(!!records[x].a.stub) - Number(!!records[y].a.stub) || x - y);
    for (const i of order) {
      const { a, source } = records[i];
      const root = find(i);
      let actor = groups.get(root);
      if (!actor) {
        if (a.stub) continue;
        actor = { id: a.id, name: a.name, aliases: [], techniques: new Map(), sectors: new Set(), sources: [] };
        groups.set(root, actor);
        this.actors.push(actor);
      }
      // A STIX intrusion-set id is preferred for exports over MISP's made-up ones.
      if (!actor.id.startsWith('intrusion-set--') && a.id.startsWith('intrusion-set--')) actor.id = a.id;
      for (const n of a.aliases) if (!actor.aliases.some((x) => norm(x) === norm(n))) actor.aliases.push(n);
      actor.description ??= a.description;
      actor.externalId ??= a.externalId;
      actor.url ??= a.url;
      actor.created ??= a.created;
      actor.modified ??= a.modified;
      for (const t of a.techniques) actor.techniques.set(t.uid, t);
      for (const s of a.sectors) actor.sectors.add(s);
      if (!actor.sources.includes(source)) actor.sources.push(source);
      byRecord.set(a.id, actor);
      for (const n of actor.aliases) this.byName.set(norm(n), actor);
    }
    return byRecord;
  }

  /** The actor with this name or alias, any spelling of case and punctuation. */
  actor(name: string): Actor | undefined {
    return this.byName.get(norm(name));
  }

  /** Indicators whose address or block holds the address. */
  indicatorsForIp(ip: string): ResolvedIndicator[] {
    const addr = parseIp(ip);
    if (!addr) return [];
    const out = [...(this.exactIp.get(formatIp(addr)) ?? [])];
    for (const b of this.blocks) if (inRange(addr, b)) out.push(b);
    return out;
  }

  indicatorsFor(kind: 'user-agent' | 'domain' | 'asn', value: string): ResolvedIndicator[] {
    return this.byValue.get(`${kind}\u0000${kind === 'domain' ? value.toLowerCase() : value}`) ?? [];
  }

  /** The address lists (tor, vpn, hosting, malicious) holding the address. */
  listKinds(ip: string): IntelKind[] {
    const addr = parseIp(ip);
    return addr && this.listTable ? kindsFromBits(this.listTable.valueAt(addr) ?? 0) : [];
  }

  /**
   * Why the address is shared by many unrelated people (a Tor exit, a commercial VPN, an indicator marked as an
   * anonymiser), or undefined. Hosting is not here: a rented server is usually one tenant's at a time.
   */
  sharedKind(ip: string): string | undefined {
    const kinds = this.listKinds(ip);
    if (kinds.includes('tor')) return 'Tor exit';
    if (kinds.includes('vpn')) return 'VPN';
    if (this.indicatorsForIp(ip).some((i) => i.anonymization)) return 'anonymiser (intel)';
    return undefined;
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

function inRange(addr: IpAddress, ind: Indicator): boolean {
  const r = ind.range!;
  if (r.family !== addr.family) return false;
  for (let k = 0; k < addr.words.length; k++) {
    if (addr.words[k] < r.start[k]) return false;
    if (addr.words[k] > r.start[k]) break;
  }
  for (let k = 0; k < addr.words.length; k++) {
    if (addr.words[k] > r.end[k]) return false;
    if (addr.words[k] < r.end[k]) break;
  }
  return true;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new Error(`cannot read intel file ${path}: ${why}`);
  }
}

/** A STIX bundle or MISP event file. Throws an Error naming the file when it is neither. */
export function readIntelFile(path: string): IntelFile {
  let doc: unknown;
  try {
    doc = JSON.parse(readText(path));
  } catch (e) {
    if ((e as Error).message.startsWith('cannot read')) throw e;
    throw new Error(`intel file ${path}: not JSON (${(e as Error).message.split('\n')[0]})`);
  }
  if (isStixDocument(doc)) return readStix(doc, path);
  const events = mispEvents(doc);
  if (events) return readMisp(events, path);
  throw new Error(`intel file ${path}: neither a STIX 2.1 bundle nor a MISP event (for an address list use KIND:${path}, KIND one of ${INTEL_KINDS.join(', ')})`);
}

export interface LoadIntelOptions {
  /** Read the built-in ATT&CK groups (default true). */
  builtin?: boolean;
  warn?: (message: string) => void;
  /**
   * Also pass `warn` an address list's unreadable lines (one message per list), for a caller whose enricher does not
   * read the lists on its thread (`vigil detect` enriches on its reading thread, which does not warn).
   */
  listLineWarnings?: boolean;
}

/** Every `--intel` spec (PATH: STIX or MISP; KIND:PATH: an address list) plus the built-in catalogue. */
export function loadIntel(specs: IntelSpec[], opts: LoadIntelOptions = {}): IntelCatalogue {
  const files: IntelFile[] = [];
  if (opts.builtin !== false) {
    for (const name of BUILTIN_INTEL_FILES) files.push({ ...readIntelFile(BUILTIN_INTEL_DIR + name), format: 'built-in' });
  }
  const lists: { summary: ListSummary; ranges: BitRange[] }[] = [];
  for (const spec of specs) {
    if (!spec.kind) {
      const f = readIntelFile(spec.path);
      if (f.skipped.count) opts.warn?.(`intel file ${spec.path}: ${f.skipped.count} indicator pattern(s) not used (${f.skipped.examples.join('; ')})`);
      files.push(f);
      continue;
    }
    const parsed = parseIntelList(readText(spec.path), 1 << INTEL_KINDS.indexOf(spec.kind));
    if (opts.listLineWarnings && parsed.badCount > 0) opts.warn?.(badLinesMessage(spec.path, parsed));
    lists.push({ summary: { kind: spec.kind, path: spec.path, entries: parsed.entries, badLines: parsed.badCount }, ranges: parsed.ranges });
  }
  return new IntelCatalogue(files, lists);
}
