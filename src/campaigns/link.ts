/**
 * @module campaigns/link
 * Joins findings into campaigns. Attacks (findings with a tool fingerprint) join when they use the same tool,
 * overlap in time, and share infrastructure: an address or /24 of their own (not a Tor exit, VPN or multi-tool
 * address), or, when they only meet on shared exits, also a similar cadence and failure-reason mix. Shared exits
 * alone never join: two crews through the same Tor exits with different tools stay apart. A different tool never
 * joins, whatever the addresses. Follow-ups (compromise, anonymiser sign-in, MFA fatigue, travel) then attach to at
 * most one attack: the one they reference, else the best by own address, account and tool. Follow-ups never join
 * each other directly, so two travellers behind one VPN exit do not become a campaign.
 */
import { sameTool, type FindingFacts } from './facts.js';
import type { AddressJudge } from './shared.js';

const HOUR = 3600_000;
/** Attacks of one tool on infrastructure of their own may pause this long and still be one campaign. */
const DEDICATED_GAP = 7 * 24 * HOUR;
/** On shared exits only, the timing must be closer. */
const SHARED_GAP = 48 * HOUR;
/** A follow-up (a sign-in with a found password) may come this long after the attack. */
const FOLLOW_UP_AFTER = 72 * HOUR;
const MAX_RATE_RATIO = 4;
const MIN_MIX_SIMILARITY = 0.6;
const MIN_SHARED_COMMON = 2;

export interface Cluster {
  members: FindingFacts[];
  /** How the members were joined, for people to check. */
  joins: string[];
}

/**
 * A finding's addresses of its own and shared ones, and its own netblocks, as sorted lists without repeats. Sorted
 * lists rather than sets: a long stream's findings list tens of millions of addresses between them, and a set costs
 * four to five times the memory of a list for each.
 */
export interface Infra {
  dedicated: string[];
  shared: string[];
  blocks: string[];
}

function infraOf(f: FindingFacts, judge: AddressJudge): Infra {
  const dedicated: string[] = [];
  const shared: string[] = [];
  for (const ip of f.ips) (judge.shared(ip) ? shared : dedicated).push(ip);
  const blocks: string[] = [];
  for (const ip of dedicated) {
    const b = judge.netblock(ip);
    if (!judge.sharedNetblock(b)) blocks.push(b);
  }
  return { dedicated: sortedUnique(dedicated), shared: sortedUnique(shared), blocks: sortedUnique(blocks) };
}

function sortedUnique(list: string[]): string[] {
  list.sort();
  let n = 0;
  for (let i = 0; i < list.length; i++) if (i === 0 || list[i] !== list[n - 1]) list[n++] = list[i];
  list.length = n;
  return list;
}

/** Is `x` in the sorted list? */
function holds(list: string[], x: string): boolean {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = list[mid];
    if (v === x) return true;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

const gapBetween = (a: FindingFacts, b: FindingFacts) => Math.max(a.first, b.first) - Math.min(a.last, b.last);

/** Do two sorted lists have at least `n` elements in common? */
function shareAtLeast(a: string[], b: string[], n: number): boolean {
  const [small, big] = a.length <= b.length ? [a, b] : [b, a];
  let k = 0;
  if (small.length * 16 < big.length) {
    // Much smaller: look each one up.
    for (const x of small) if (holds(big, x) && ++k >= n) return true;
    return false;
  }
  for (let i = 0, j = 0; i < small.length && j < big.length; ) {
    const x = small[i];
    const y = big[j];
    if (x === y) {
      if (++k >= n) return true;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return false;
}

/** 1 minus the total variation distance of two failure-reason mixes (1 = the same mix). */
export function mixSimilarity(a: Record<string, number>, b: Record<string, number>): number {
  const sa = Object.values(a).reduce((x, y) => x + y, 0);
  const sb = Object.values(b).reduce((x, y) => x + y, 0);
  if (!sa || !sb) return 0;
  let tvd = 0;
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) tvd += Math.abs((a[k] ?? 0) / sa - (b[k] ?? 0) / sb);
  return 1 - tvd / 2;
}

/** Do the two behave alike? Unknown cadence or mix on either side does not count against. */
export function similarBehaviour(a: { rate?: number; reasons?: Record<string, number> }, b: { rate?: number; reasons?: Record<string, number> }): boolean {
  if (a.rate && b.rate && Math.max(a.rate, b.rate) / Math.min(a.rate, b.rate) > MAX_RATE_RATIO) return false;
  if (a.reasons && b.reasons && mixSimilarity(a.reasons, b.reasons) < MIN_MIX_SIMILARITY) return false;
  return true;
}

type LinkKind = 'own addresses' | 'own netblocks' | 'shared exits with the same cadence and error mix';

function attackLink(a: FindingFacts, ia: Infra, b: FindingFacts, ib: Infra): LinkKind | undefined {
  if (!sameTool(a.fingerprint, b.fingerprint)) return undefined;
  const gap = gapBetween(a, b);
  if (gap <= DEDICATED_GAP) {
    if (shareAtLeast(ia.dedicated, ib.dedicated, 1)) return 'own addresses';
    if (shareAtLeast(ia.blocks, ib.blocks, 1)) return 'own netblocks';
  }
  if (gap <= SHARED_GAP && similarBehaviour(a, b) && shareAtLeast(ia.shared, ib.shared, MIN_SHARED_COMMON)) {
    return 'shared exits with the same cadence and error mix';
  }
  return undefined;
}

/**
 * For the attacks of one tool, a function giving, for attack `x`, the later attacks (`y > x`, ascending) that could
 * link with it: those with an own address or own netblock in common, or at least `MIN_SHARED_COMMON` shared exits.
 * Comparing every pair instead cost hours on a long stream (thousands of attacks of one tool, hundreds of
 * addresses each, every pair's lists merged), while most pairs have nothing in common.
 */
export function partnersOf(infra: Infra[]): (x: number) => number[] {
  const own = new Map<string, number[]>();
  const shared = new Map<string, number[]>();
  const post = (index: Map<string, number[]>, keys: string[], x: number) => {
    for (const k of keys) {
      const list = index.get(k);
      if (list) list.push(x);
      else index.set(k, [x]);
    }
  };
  infra.forEach((f, x) => {
    // Addresses and netblocks never look alike (a netblock has a slash), so one index serves both.
    post(own, f.dedicated, x);
    post(own, f.blocks, x);
    post(shared, f.shared, x);
  });
  return (x) => {
    const found = new Set<number>();
    const f = infra[x];
    for (const keys of [f.dedicated, f.blocks]) for (const k of keys) for (const y of own.get(k)!) if (y > x) found.add(y);
    const common = new Map<number, number>();
    for (const k of f.shared) {
      for (const y of shared.get(k)!) {
        if (y <= x || found.has(y)) continue;
        const n = (common.get(y) ?? 0) + 1;
        common.set(y, n);
        if (n >= MIN_SHARED_COMMON) found.add(y);
      }
    }
    return [...found].sort((a, b) => a - b);
  };
}

class UnionFind {
  private readonly parent: number[];
  constructor(n: number) {
    this.parent = Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    while (this.parent[i] !== i) i = this.parent[i] = this.parent[this.parent[i]];
    return i;
  }
  union(a: number, b: number): void {
    const [x, y] = [this.find(a), this.find(b)];
    if (x !== y) this.parent[Math.max(x, y)] = Math.min(x, y);
  }
}

export function clusterFindings(all: FindingFacts[], judge: AddressJudge): Cluster[] {
  // Input order must not matter: work in uid order.
  const facts = [...all].sort((a, b) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
  const attacks = facts.filter((f) => f.isAttack && f.fingerprint);
  // Only attacks' infrastructure is compared (follow-ups are placed by their own addresses).
  const infra = new Map(attacks.map((f) => [f.uid, infraOf(f, judge)]));
  const uf = new UnionFind(attacks.length);
  const linkKinds: Map<number, Map<LinkKind, number>> = new Map();
  // Attacks of one tool only can join: compare within each tool's group.
  const byTool = new Map<string, number[]>();
  attacks.forEach((f, i) => {
    const k = `${f.fingerprint!.user_agent}\u0000${f.fingerprint!.client_app}`;
    const group = byTool.get(k);
    if (group) group.push(i);
    else byTool.set(k, [i]);
  });
  const links: [number, number, LinkKind][] = [];
  for (const group of byTool.values()) {
    const infraAt = group.map((i) => infra.get(attacks[i].uid)!);
    const partners = partnersOf(infraAt);
    for (let x = 0; x < group.length; x++) {
      // Pairs in the order of comparing every pair (which links are recorded depends on it), skipping only pairs
      // with nothing in common, which cannot link.
      for (const y of partners(x)) {
        const [i, j] = [group[x], group[y]];
        if (uf.find(i) === uf.find(j)) continue;
        const kind = attackLink(attacks[i], infraAt[x], attacks[j], infraAt[y]);
        if (kind) {
          uf.union(i, j);
          links.push([i, j, kind]);
        }
      }
    }
  }
  for (const [i, , kind] of links) {
    const root = uf.find(i);
    const m = linkKinds.get(root) ?? new Map<LinkKind, number>();
    m.set(kind, (m.get(kind) ?? 0) + 1);
    linkKinds.set(root, m);
  }

  const clusters = new Map<number, Cluster>();
  attacks.forEach((f, i) => {
    const root = uf.find(i);
    const c = clusters.get(root) ?? { members: [], joins: [] };
    c.members.push(f);
    clusters.set(root, c);
  });
  for (const [root, c] of clusters) {
    const kinds = linkKinds.get(root);
    if (kinds) for (const [k, n] of kinds) c.joins.push(`${n} link(s) between attacks with the same tool through ${k}`);
  }

  const attackIndex = new Map(attacks.map((f, i) => [f.uid, i]));
  const attackIdx = indexAttacks(attacks, facts.filter((f) => !attackIndex.has(f.uid)));
  const placed = new Map<string, Cluster>();
  for (const c of clusters.values()) for (const m of c.members) placed.set(m.uid, c);
  const singles: Cluster[] = [];
  const place = (f: FindingFacts) => {
    const ref = f.attackRef ? placed.get(f.attackRef) : undefined;
    const best = ref ? undefined : bestAttack(f, attacks, attackIdx, judge);
    let c: Cluster;
    if (ref) {
      c = ref;
      c.joins.push(`${f.type} ${f.uid} follows ${f.attackRef}, which it names`);
    } else if (best) {
      c = clusters.get(uf.find(best.index))!;
      c.joins.push(`${f.type} ${f.uid} follows the attack ${attacks[best.index].uid}: ${best.why}`);
    } else {
      c = { members: [], joins: [] };
      singles.push(c);
    }
    c.members.push(f);
    placed.set(f.uid, c);
  };
  // A follow-up may name another follow-up (an MFA approval names the push bombing): place the named one first.
  let waiting = facts.filter((f) => !attackIndex.has(f.uid));
  const uids = new Set(waiting.map((f) => f.uid));
  while (waiting.length) {
    const ready = waiting.filter((f) => !f.attackRef || !uids.has(f.attackRef) || placed.has(f.attackRef));
    for (const f of ready.length ? ready : waiting) place(f);
    const done = new Set((ready.length ? ready : waiting).map((f) => f.uid));
    waiting = waiting.filter((f) => !done.has(f.uid));
  }
  return [...clusters.values(), ...singles];
}

/** The attack a follow-up belongs to, with why; undefined when none fits. */
function bestAttack(f: FindingFacts, attacks: FindingFacts[], index: AttackIndex, judge: AddressJudge): { index: number; why: string } | undefined {
  let best: { index: number; why: string; score: number } | undefined;
  const candidates = new Set<number>();
  // Per candidate, the follow-up's first address (in its own order) that the attack lists as one of its own, and
  // the first it lists as a shared exit, from the index: a follow-up with hundreds of addresses (an attack without
  // a tool fingerprint is placed as one) once searched each candidate's lists for each of them.
  const ownIpOf = new Map<number, string>();
  const sharedIpOf = new Map<number, string>();
  for (const ip of f.ips) {
    const attacking = index.byIp.get(ip);
    if (!attacking) continue;
    const firstOf = judge.shared(ip) ? sharedIpOf : ownIpOf;
    for (const i of attacking) {
      candidates.add(i);
      if (!firstOf.has(i)) firstOf.set(i, ip);
    }
  }
  // Attacks on one of the follow-up's accounts in its organisation: found in the index, not by searching each
  // attack's account list (thousands long on a long stream, for each of thousands of candidates).
  const onAccount = new Set<number>();
  for (const acc of f.accounts) for (const i of index.byAccount.get(`${f.tenant}\u0000${acc}`) ?? []) onAccount.add(i);
  for (const i of onAccount) candidates.add(i);
  for (const i of [...candidates].sort((x, y) => x - y)) {
    const a = attacks[i];
    if (f.first > a.last + FOLLOW_UP_AFTER || f.last < a.first - HOUR) continue;
    const ownIp = ownIpOf.get(i);
    const sharedIp = sharedIpOf.get(i);
    const tool = sameTool(f.fingerprint, a.fingerprint);
    const account = onAccount.has(i);
    let score = 0;
    let why = '';
    if (ownIp) [score, why] = [account ? 4 : 3, `it came from ${ownIp}, an address of the attack's own${account ? ', against an account the attack targeted' : ''}`];
    else if (tool && sharedIp) [score, why] = [account ? 3 : 2, `same tool through ${sharedIp} (${judge.shared(sharedIp)})${account ? ', against an account the attack targeted' : ''}`];
    else if (tool && account) [score, why] = [1, 'same tool against an account the attack targeted'];
    if (score > (best?.score ?? 0)) best = { index: i, why, score };
  }
  return best;
}

interface AttackIndex {
  byIp: Map<string, number[]>;
  byAccount: Map<string, number[]>;
}

/**
 * The attacks by address and by account, for the addresses and accounts the follow-ups name (the only ones looked
 * up): a long stream's attacks list tens of millions of addresses between them, its follow-ups a few thousand.
 */
function indexAttacks(attacks: FindingFacts[], followUps: FindingFacts[]): AttackIndex {
  const byIp = new Map<string, number[]>();
  const byAccount = new Map<string, number[]>();
  for (const f of followUps) {
    for (const ip of f.ips) byIp.set(ip, []);
    for (const acc of f.accounts) byAccount.set(`${f.tenant}\u0000${acc}`, []);
  }
  attacks.forEach((a, i) => {
    for (const ip of a.ips) byIp.get(ip)?.push(i);
    for (const acc of a.accounts) byAccount.get(`${a.tenant}\u0000${acc}`)?.push(i);
  });
  return { byIp, byAccount };
}
