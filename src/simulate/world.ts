/**
 * @module simulate/world
 * Builds a labelled world and writes it: population, benign behaviour, attacks, then day by day the vendor's log
 * files, and finally orgs.yaml, the intelligence files, truth.json and a README. Generation runs one day at a time
 * (a local day of behaviour can spill into the UTC days either side, so a UTC day is written once the next local
 * day has been generated), which keeps memory bounded however many events are asked for.
 * Everything random comes from streams named after the seed and what they are for: the same options give the same
 * bytes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { AddressSpace } from './addresses.js';
import { planAttacks, type AttackContext } from './attacks/index.js';
import { benignOrgDay, planBenign, type BenignPlan } from './benign.js';
import { DAY } from './clock.js';
import type { SimEvent } from './event.js';
import { stixBundle, torExitList, vpnRangeList, type ActorSources } from './intel.js';
import { buildPopulation, type Org, type SimFormat } from './population.js';
import { worldReadme } from './readme.js';
import { Rng } from './rng.js';
import type { Scenario } from './scenarios.js';
import { TorNetwork } from './tor.js';
import { TruthCollector, type Truth } from './truth.js';
import { OutFile } from './writers/files.js';
import { writerFor, type Writer } from './writers/index.js';

export interface WorldOptions {
  seed: number;
  days: number;
  orgs: number;
  scale: number;
  format: SimFormat;
  /** Midnight UTC of the first day. */
  start: number;
  scenarios: Scenario[];
  /** The --scenario arguments, for the README's command line. */
  scenarioArgs?: string[];
  out: string;
}

export interface WorldSummary {
  truth: Truth;
  files: number;
  orgs: Org[];
  plan: BenignPlan;
}

export function generateWorld(o: WorldOptions): WorldSummary {
  const space = new AddressSpace(Rng.from(o.seed, 'addresses'));
  const orgs = buildPopulation({ orgs: o.orgs, scale: o.scale, days: o.days, format: o.format }, Rng.from(o.seed, 'population'), space);
  const plan = planBenign(orgs, o.days, o.start, Rng.from(o.seed, 'benign-plan'));
  const tor = new TorNetwork(space);
  const ctx: AttackContext = { seed: o.seed, start: o.start, days: o.days, scale: o.scale, orgs, space, tor, pools: new Map() };
  const attacks = planAttacks(o.scenarios, ctx);
  tor.topUp();

  const writer = writerFor(o.format);
  const truth = new TruthCollector(attacks, writer);
  const logs = join(o.out, 'logs');
  mkdirSync(logs, { recursive: true });
  let files = 0;

  const end = o.start + o.days * DAY;
  const buckets: SimEvent[][] = Array.from({ length: o.days }, () => []);
  const emit = (e: SimEvent) => {
    if (e.t >= o.start && e.t < end) buckets[Math.floor((e.t - o.start) / DAY)].push(e);
  };

  const writeDay = (d: number) => {
    const events = buckets[d];
    buckets[d] = [];
    const byOrg: SimEvent[][] = orgs.map(() => []);
    for (const e of sortByTime(events, o.start + d * DAY)) byOrg[e.org.idx].push(e);
    const ids = Rng.from(o.seed, 'ids', d);
    for (const list of byOrg) if (list.length) files += writeOrgDay(writer, list, logs, ids, truth);
  };

  for (let k = -1; k <= o.days; k++) {
    const dayUtc = o.start + k * DAY;
    for (const org of orgs) benignOrgDay(org, k, dayUtc, plan, Rng.from(o.seed, 'benign', org.idx, k), emit);
    if (k >= 0 && k < o.days) for (const a of attacks) a.day(k, emit);
    if (k >= 1) writeDay(k - 1);
  }

  const result = truth.result({ seed: o.seed, days: o.days, start: o.start, format: o.format, scale: o.scale, orgs });
  writeSideFiles(o, orgs, attacks.map((a, i) => ({ actor: a.scenario.actor, i })), truth, tor, result, plan);
  return { truth: result, files, orgs, plan };
}

/**
 * A day's events in time order; equal times keep generation order. Sorting numbers natively is much faster than
 * sorting objects with a comparator: each key packs the millisecond of the day (27 bits) above the event's index
 * (up to 26 bits), which a double holds exactly.
 */
function sortByTime(events: SimEvent[], dayStart: number): SimEvent[] {
  if (events.length >= 1 << 26) return events.sort((a, b) => a.t - b.t);
  const keys = new Float64Array(events.length);
  for (let i = 0; i < events.length; i++) keys[i] = (events[i].t - dayStart) * 67108864 + i;
  keys.sort();
  const out = new Array<SimEvent>(events.length);
  for (let i = 0; i < keys.length; i++) out[i] = events[keys[i] % 67108864];
  return out;
}

/** One organisation's events of one UTC day, into its file(s). Returns the number of files written. */
function writeOrgDay(writer: Writer, events: SimEvent[], logs: string, ids: Rng, truth: TruthCollector): number {
  let files = 0;
  let file: OutFile | undefined;
  let key = NaN;
  for (const e of events) {
    const k = writer.fileKey(e.t);
    if (!file || k !== key || file.full) {
      if (file?.close()) files++;
      file = new OutFile(join(logs, writer.fileOf(e.org, e.t, ids)), writer.frame);
      key = k;
    }
    truth.record(e, writer.write(e, file, ids));
  }
  if (file?.close()) files++;
  return files;
}

function writeSideFiles(o: WorldOptions, orgs: Org[], attacks: { actor: string | null; i: number }[], truth: TruthCollector, tor: TorNetwork, result: Truth, plan: BenignPlan): void {
  const organisations = orgs.map((org) => ({
    id: org.id,
    name: org.name,
    sector: org.sector,
    language: org.language,
    contacts: [`security@${org.domain}`],
    domain: org.domain,
    size: org.size,
  }));
  writeFileSync(join(o.out, 'orgs.yaml'), toYaml({ organisations }, { lineWidth: 0 }));

  // The actors' addresses as the logs show them, for the intelligence partner to report some of.
  const byActor = new Map<string, ActorSources>();
  for (const { actor, i } of attacks) {
    if (!actor || truth.attackEvents(i) === 0) continue;
    let a = byActor.get(actor);
    if (!a) byActor.set(actor, (a = { actor, sources: [], firstSeen: Infinity }));
    a.sources.push(...truth.sourcesOf(i));
    a.firstSeen = Math.min(a.firstSeen, truth.firstSeen(i));
  }
  for (const a of byActor.values()) a.sources = [...new Set(a.sources)];
  const intelDir = join(o.out, 'intel');
  mkdirSync(intelDir, { recursive: true });
  const { bundle } = stixBundle([...byActor.values()], o.start, Rng.from(o.seed, 'intel'));
  writeFileSync(join(intelDir, 'attackers.stix.json'), JSON.stringify(bundle, null, 2) + '\n');
  writeFileSync(join(intelDir, 'tor-exits.txt'), torExitList(tor.exits, o.start));
  writeFileSync(join(intelDir, 'vpn-ranges.txt'), vpnRangeList());

  writeFileSync(join(o.out, 'truth.json'), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(join(o.out, 'README.md'), worldReadme(result, orgs, truth, plan, o));
}
