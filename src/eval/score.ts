/**
 * @module eval/score
 * Scores one system's detections against a world's truth.
 *
 * Matching: a detection belongs to an attack when it is about one of the attack's organisations, its time span
 * overlaps the attack's (widened by a grace period on both sides), and it names at least one of the attack's
 * accounts or source addresses. A detection that could belong to several attacks (two campaigns through one Tor
 * pool, or one tool used in two modes) goes to the one that explains most of what it is about: the largest share
 * of its accounts that the attack targeted, then the largest share of its addresses that the attack used (earlier
 * attack on a tie). Accounts come first because they say what a detection is about, while its address list may
 * be shared by everything one tool did. A detection that belongs to no attack is a false positive.
 *
 * Per attack: organisations with a matched detection / organisations attacked; accounts named / accounts targeted;
 * addresses named / addresses used; compromised accounts (and accounts whose password was found) named as such /
 * the truth's; time to detect (the first matched detection raised at or after the attack's first event, minus
 * that event's time: a finding raised before the attack began cannot have seen it);
 * type accuracy (matched detections of the attack's type / matched detections; account-compromise detections,
 * which report the consequence of any attack, are left out unless the attack is one); attribution (whether the
 * actor the matched detections name is the truth's; n/a when the system attributes nothing).
 *
 * Per system and world: false positives by type; innocent addresses: addresses named by any detection that no
 * attack used (what a blocklist fed by the system would wrongly block); wrong compromise claims: accounts a
 * detection says were compromised whose password no attack found.
 */
import type { AttackTruth, Truth } from '../simulate/truth.js';
import type { Detection } from './detections.js';

export const DEFAULT_GRACE_MS = 60 * 60_000;

export interface Ratio {
  hit: number;
  of: number;
}

export type Attribution = 'yes' | 'no' | 'mixed' | 'n/a' | 'missed';

export interface AttackScore {
  id: string;
  type: string;
  actor: string | null;
  /** Detections matched to the attack (what an analyst gets to look at). */
  detections: number;
  orgs: Ratio;
  accounts: Ratio;
  addresses: Ratio;
  /** Undefined when the system has no notion of a compromised account. */
  compromised?: Ratio;
  passwordValid?: Ratio;
  /** First matched detection raised - attack start (ms); undefined when nothing matched. */
  ttdMs?: number;
  typeAccuracy: Ratio;
  attribution: Attribution;
  actorsNamed: string[];
}

export interface FalsePositives {
  total: number;
  byType: Record<string, number>;
  samples: Detection[];
}

export interface SystemScore {
  system: string;
  attacks: AttackScore[];
  falsePositives: FalsePositives;
  /** Distinct addresses named by the system's detections, and those of them no attack used. */
  addressesNamed: number;
  innocentAddresses: number;
  /** Distinct accounts said to be compromised, and those of them whose password no attack found. */
  compromiseClaims: number;
  wrongCompromiseClaims: number;
  benignEvents: number;
  detections: number;
}

export type TruthForScoring = Pick<Truth, 'benign_events'> & {
  attacks: Pick<AttackTruth, 'id' | 'type' | 'actor' | 'start' | 'end' | 'organisations' | 'sources' | 'accounts' | 'compromised' | 'password_valid'>[];
};

export interface ScoreOptions {
  graceMs?: number;
  /** The system reports compromised accounts (Vigil does; the peers' rules do not). */
  reportsCompromise?: boolean;
  /** False positives kept as examples for the report. */
  samples?: number;
}

const accountKey = (tenant: string, name: string) => `${tenant}\u0000${name.toLowerCase()}`;

interface Prepared {
  truth: TruthForScoring['attacks'][number];
  from: number;
  to: number;
  orgs: Set<string>;
  accounts: Set<string>;
  sources: Set<string>;
  compromised: Set<string>;
  valid: Set<string>;
  matched: Detection[];
}

/**
 * How much of the detection the attack explains: [share of its accounts the attack targeted, share of its addresses
 * the attack used], compared in that order; undefined when the attack does not qualify at all.
 */
export function overlap(d: Detection, a: Pick<Prepared, 'orgs' | 'from' | 'to' | 'accounts' | 'sources'>): [number, number] | undefined {
  if (!a.orgs.has(d.tenant) || d.last < a.from || d.first > a.to) return undefined;
  let accounts = 0;
  for (const acc of d.accounts) if (a.accounts.has(accountKey(d.tenant, acc))) accounts++;
  let ips = 0;
  for (const ip of d.ips) if (a.sources.has(ip)) ips++;
  if (!accounts && !ips) return undefined;
  return [accounts ? accounts / d.accounts.length : 0, ips ? ips / d.ips.length : 0];
}

const better = (x: [number, number], y: [number, number] | undefined) => !y || x[0] > y[0] || (x[0] === y[0] && x[1] > y[1]);

export function scoreSystem(system: string, truth: TruthForScoring, detections: Detection[], o: ScoreOptions = {}): SystemScore {
  const grace = o.graceMs ?? DEFAULT_GRACE_MS;
  const prepared: Prepared[] = truth.attacks.map((a) => ({
    truth: a,
    from: a.start ? Date.parse(a.start) - grace : Infinity,
    to: a.end ? Date.parse(a.end) + 999 + grace : -Infinity, // truth times are whole seconds
    orgs: new Set(a.organisations),
    accounts: new Set(a.accounts.map((x) => accountKey(x.tenant, x.name))),
    sources: new Set(a.sources),
    compromised: new Set(a.compromised.map((x) => accountKey(x.tenant, x.name))),
    valid: new Set(a.password_valid.map((x) => accountKey(x.tenant, x.name))),
    matched: [],
  }));
  const fp: FalsePositives = { total: 0, byType: {}, samples: [] };
  for (const d of detections) {
    let best: Prepared | undefined;
    let bestScore: [number, number] | undefined;
    for (const a of prepared) {
      const s = overlap(d, a);
      if (s && better(s, bestScore)) [best, bestScore] = [a, s];
    }
    if (best) best.matched.push(d);
    else {
      fp.total++;
      fp.byType[d.type] = (fp.byType[d.type] ?? 0) + 1;
      if (fp.samples.length < (o.samples ?? 5)) fp.samples.push(d);
    }
  }
  const attributes = detections.some((d) => d.actor !== undefined);
  const used = new Set(truth.attacks.flatMap((a) => a.sources));
  const named = new Set(detections.flatMap((d) => d.ips));
  const found = new Set(truth.attacks.flatMap((a) => [...a.compromised, ...a.password_valid].map((x) => accountKey(x.tenant, x.name))));
  const claimed = new Set(detections.flatMap((d) => (d.compromised ?? []).map((acc) => accountKey(d.tenant, acc))));
  return {
    system,
    attacks: prepared.map((a) => attackScore(a, attributes, !!o.reportsCompromise)),
    falsePositives: fp,
    addressesNamed: named.size,
    innocentAddresses: [...named].filter((ip) => !used.has(ip)).length,
    compromiseClaims: claimed.size,
    wrongCompromiseClaims: [...claimed].filter((k) => !found.has(k)).length,
    benignEvents: truth.benign_events,
    detections: detections.length,
  };
}

function attackScore(a: Prepared, attributes: boolean, reportsCompromise: boolean): AttackScore {
  const t = a.truth;
  const start = t.start ? Date.parse(t.start) : NaN;
  const named = new Set<string>();
  const ips = new Set<string>();
  const saidCompromised = new Set<string>();
  const orgs = new Set<string>();
  let firstRaised = Infinity;
  for (const d of a.matched) {
    orgs.add(d.tenant);
    for (const acc of d.accounts) named.add(accountKey(d.tenant, acc));
    for (const ip of d.ips) ips.add(ip);
    for (const acc of d.compromised ?? []) saidCompromised.add(accountKey(d.tenant, acc));
    if (d.time >= start) firstRaised = Math.min(firstRaised, d.time);
  }
  const count = (truthSet: Set<string>, found: Set<string>): Ratio => ({ hit: [...truthSet].filter((k) => found.has(k)).length, of: truthSet.size });
  const typed = a.matched.filter((d) => d.type !== 'account_compromise' || t.type === 'account_compromise');
  const actors = [...new Set(a.matched.map((d) => d.actor).filter((x): x is string => typeof x === 'string'))].sort();
  // An actor is the truth's when its name or one of its aliases is (APT28 is also STRONTIUM, Fancy Bear ...).
  const isTruth = (name: string) =>
    t.actor !== null && a.matched.some((d) => d.actor === name && [name, ...(d.actorAliases ?? [])].some((n) => n.toLowerCase() === t.actor!.toLowerCase()));
  let attribution: Attribution;
  if (!attributes) attribution = 'n/a';
  else if (a.matched.length === 0) attribution = 'missed';
  else if (t.actor === null) attribution = actors.length === 0 ? 'yes' : 'no';
  else attribution = actors.some(isTruth) ? (actors.every(isTruth) ? 'yes' : 'mixed') : 'no';
  return {
    id: t.id,
    type: t.type,
    actor: t.actor,
    detections: a.matched.length,
    orgs: count(a.orgs, orgs),
    accounts: count(a.accounts, named),
    addresses: count(a.sources, ips),
    ...(reportsCompromise ? { compromised: count(a.compromised, saidCompromised), passwordValid: count(a.valid, saidCompromised) } : {}),
    ...(firstRaised < Infinity ? { ttdMs: firstRaised - start } : {}),
    typeAccuracy: { hit: typed.filter((d) => d.type === t.type).length, of: typed.length },
    attribution,
    actorsNamed: actors,
  };
}
