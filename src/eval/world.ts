/**
 * @module eval/world
 * One evaluation world: simulate it (`vigil simulate` with the default scenarios), run Vigil over its logs with the
 * world's intel and organisations (as `vigil demo` runs `vigil detect --intel tor:intel/tor-exits.txt
 * --intel vpn:intel/vpn-ranges.txt --intel intel/attackers.stix.json --orgs orgs.yaml logs/`), run every peer rule
 * over the same normalised events, and score them all against the world's truth.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_START } from '../simulate/clock.js';
import type { SimFormat } from '../simulate/population.js';
import { resolveScenarios } from '../simulate/scenarios.js';
import type { Truth } from '../simulate/truth.js';
import { generateWorld } from '../simulate/world.js';
import { PEERS, slimEvent, type PeerEvent } from '../peers/index.js';
import { fromAlerts, fromFindings, type Detection } from './detections.js';
import { scoreSystem, type SystemScore } from './score.js';
import { loadOrganisations } from '../orgs/organisations.js';
import { runVigil } from './vigil.js';

export interface WorldSpec {
  format: SimFormat;
  seed: number;
  days: number;
  orgs: number;
  scale: number;
}

export interface WorldResult {
  spec: WorldSpec;
  truth: Truth;
  /** Records read, events normalised, quarantined. */
  records: number;
  events: number;
  quarantined: number;
  /** Seconds spent simulating, in Vigil (reading, enriching, detecting) and in each peer. */
  seconds: { simulate: number; vigil: number; peers: Record<string, number> };
  detections: Record<string, Detection[]>;
  scores: SystemScore[];
}

export const worldName = (s: WorldSpec) => `${s.format} seed ${s.seed}`;

export async function runWorld(spec: WorldSpec, dir: string, keep = false): Promise<WorldResult> {
  try {
    let t = performance.now();
    const { truth } = generateWorld({ ...spec, start: DEFAULT_START, scenarios: resolveScenarios([]), out: dir });
    const simulate = (performance.now() - t) / 1000;

    const events: PeerEvent[] = [];
    const vigil = await runVigil([join(dir, 'logs')], {
      intel: [
        { kind: 'tor', path: join(dir, 'intel', 'tor-exits.txt') },
        { kind: 'vpn', path: join(dir, 'intel', 'vpn-ranges.txt') },
        { path: join(dir, 'intel', 'attackers.stix.json') },
      ],
      orgs: loadOrganisations(join(dir, 'orgs.yaml')),
      onEvent: (ev) => events.push(slimEvent(ev)),
    });
    const detections: Record<string, Detection[]> = { vigil: fromFindings(vigil.findings) };
    const peers: Record<string, number> = {};
    for (const p of PEERS) {
      t = performance.now();
      detections[p.name] = fromAlerts(p.run(events));
      peers[p.name] = (performance.now() - t) / 1000;
    }
    const scores = Object.entries(detections).map(([system, list]) => scoreSystem(system, truth, list, { reportsCompromise: system === 'vigil' }));
    return {
      spec,
      truth,
      records: vigil.stats.records,
      events: vigil.stats.events,
      quarantined: vigil.stats.quarantined,
      seconds: { simulate, vigil: vigil.seconds, peers },
      detections,
      scores,
    };
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}
