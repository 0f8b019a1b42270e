/**
 * @module eval/aggregate
 * Pools the per-world scores: per system and scenario (counts added up over the worlds it ran in, times to detect
 * kept as a list for the median), and per system over everything (false positives per million benign events, by
 * type).
 */
import type { Attribution, AttackScore, Ratio, SystemScore } from './score.js';

export interface AttackSummary {
  id: string;
  type: string;
  /** Worlds in which the attack left events, and in which the system matched at least one detection to it. */
  worlds: number;
  detectedIn: number;
  detections: number;
  orgs: Ratio;
  accounts: Ratio;
  addresses: Ratio;
  compromised?: Ratio;
  passwordValid?: Ratio;
  ttdMs: number[];
  typeAccuracy: Ratio;
  attribution: Partial<Record<Attribution, number>>;
}

export interface SystemSummary {
  system: string;
  attacks: AttackSummary[];
  benignEvents: number;
  detections: number;
  falsePositives: number;
  falsePositivesByType: Record<string, number>;
  addressesNamed: number;
  innocentAddresses: number;
  compromiseClaims: number;
  wrongCompromiseClaims: number;
}

const add = (a: Ratio | undefined, b: Ratio | undefined): Ratio | undefined => (a && b ? { hit: a.hit + b.hit, of: a.of + b.of } : (a ?? b));

function addAttack(into: AttackSummary | undefined, s: AttackScore): AttackSummary {
  const base: AttackSummary = into ?? {
    id: s.id,
    type: s.type,
    worlds: 0,
    detectedIn: 0,
    detections: 0,
    orgs: { hit: 0, of: 0 },
    accounts: { hit: 0, of: 0 },
    addresses: { hit: 0, of: 0 },
    ttdMs: [],
    typeAccuracy: { hit: 0, of: 0 },
    attribution: {},
  };
  base.worlds++;
  if (s.detections > 0) base.detectedIn++;
  base.detections += s.detections;
  base.orgs = add(base.orgs, s.orgs)!;
  base.accounts = add(base.accounts, s.accounts)!;
  base.addresses = add(base.addresses, s.addresses)!;
  base.compromised = add(base.compromised, s.compromised);
  base.passwordValid = add(base.passwordValid, s.passwordValid);
  if (s.ttdMs !== undefined) base.ttdMs.push(s.ttdMs);
  base.typeAccuracy = add(base.typeAccuracy, s.typeAccuracy)!;
  base.attribution[s.attribution] = (base.attribution[s.attribution] ?? 0) + 1;
  return base;
}

/** Per system, over worlds; attacks that left no events in a world (start null) are not counted for it. */
export function summarise(worlds: { scores: SystemScore[]; attacksWithEvents: Set<string> }[]): SystemSummary[] {
  const bySystem = new Map<string, SystemSummary>();
  for (const w of worlds) {
    for (const s of w.scores) {
      let sum = bySystem.get(s.system);
      if (!sum) {
        bySystem.set(s.system, (sum = { system: s.system, attacks: [], benignEvents: 0, detections: 0, falsePositives: 0, falsePositivesByType: {}, addressesNamed: 0, innocentAddresses: 0, compromiseClaims: 0, wrongCompromiseClaims: 0 }));
      }
      sum.benignEvents += s.benignEvents;
      sum.detections += s.detections;
      sum.falsePositives += s.falsePositives.total;
      for (const [type, n] of Object.entries(s.falsePositives.byType)) sum.falsePositivesByType[type] = (sum.falsePositivesByType[type] ?? 0) + n;
      sum.addressesNamed += s.addressesNamed;
      sum.innocentAddresses += s.innocentAddresses;
      sum.compromiseClaims += s.compromiseClaims;
      sum.wrongCompromiseClaims += s.wrongCompromiseClaims;
      for (const a of s.attacks) {
        if (!w.attacksWithEvents.has(a.id)) continue;
        const at = sum.attacks.findIndex((x) => x.id === a.id);
        if (at < 0) sum.attacks.push(addAttack(undefined, a));
        else sum.attacks[at] = addAttack(sum.attacks[at], a);
      }
    }
  }
  return [...bySystem.values()];
}

export function median(xs: number[]): number | undefined {
  if (!xs.length) return undefined;
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const perMillion = (n: number, of: number): number => (of > 0 ? (n / of) * 1e6 : 0);
