/**
 * @module bench/recall
 * How much of each kind of attack a tool caught, against the simulator's truth. The measure every tool shares is
 * the source address: a tool "flags" an address when it would ban it (fail2ban), alerts on it (CrowdSec), or names
 * it as an observable of a finding (Vigil). Per attack type: the share of the attacks' source addresses flagged,
 * and how many attacks had at least one flagged. Addresses flagged that belong to no attack are counted apart.
 */
import { readFileSync } from 'node:fs';
import type { TruthAttack } from './data.js';

export interface TypeRecall {
  type: string;
  attacks: number;
  attacksHit: number;
  sources: number;
  sourcesFlagged: number;
}

export interface Recall {
  byType: TypeRecall[];
  /** Flagged addresses that are no attack's source. */
  outside: number;
  flagged: number;
}

export function recall(attacks: TruthAttack[], flagged: Set<string>): Recall {
  const types = new Map<string, { attacks: number; hit: number; sources: Set<string> }>();
  const attackSources = new Set<string>();
  for (const a of attacks) {
    let t = types.get(a.type);
    if (!t) types.set(a.type, (t = { attacks: 0, hit: 0, sources: new Set() }));
    t.attacks++;
    if (a.sources.some((ip) => flagged.has(ip))) t.hit++;
    for (const ip of a.sources) {
      t.sources.add(ip);
      attackSources.add(ip);
    }
  }
  const byType = [...types].sort(([a], [b]) => a.localeCompare(b)).map(([type, t]) => ({
    type,
    attacks: t.attacks,
    attacksHit: t.hit,
    sources: t.sources.size,
    sourcesFlagged: [...t.sources].filter((ip) => flagged.has(ip)).length,
  }));
  let outside = 0;
  for (const ip of flagged) if (!attackSources.has(ip)) outside++;
  return { byType, outside, flagged: flagged.size };
}

/** Source addresses named in Vigil's findings (observables of type 2, IP address). */
export function vigilFlagged(findingsFile: string): { flagged: Set<string>; findings: number } {
  const flagged = new Set<string>();
  let findings = 0;
  for (const line of readFileSync(findingsFile, 'utf8').split('\n')) {
    if (!line) continue;
    const f = JSON.parse(line);
    if (f.activity_id === 1) findings++;
    for (const o of f.observables ?? []) if (o.type_id === 2 && o.value) flagged.add(o.value);
  }
  return { flagged, findings };
}
