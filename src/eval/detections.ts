/**
 * @module eval/detections
 * One shape for everything the evaluation scores: a Vigil finding (its final content, with the time its first line
 * was written) and a peer rule's alert both become a Detection: which organisation, which addresses and accounts it
 * names, which accounts it says were compromised, its time span, when it was raised, its type, and the threat actor
 * it attributes the activity to.
 */
import type { PeerAlert } from '../peers/types.js';

export interface Detection {
  /** vigil, or the peer's name. */
  system: string;
  rule: string;
  type: string;
  tenant: string;
  ips: string[];
  accounts: string[];
  /** Accounts it says the attacker got into or found the password of; undefined when the system has no such notion. */
  compromised?: string[];
  /** Event times (epoch ms) of the first and last events it covers. */
  first: number;
  last: number;
  /** When it was raised (event time). */
  time: number;
  /** The actor it names; null when it attributes but names none; undefined when the system does not attribute. */
  actor?: string | null;
  /** Other names of that actor (STRONTIUM for APT28), as the attribution gives them. */
  actorAliases?: string[];
  /** One line saying what it is (Vigil's finding title), for examples in the report. */
  title?: string;
}

export interface Actor {
  name: string;
  aliases: string[];
}

/**
 * The threat actor a finding's `enrichments` name (`{name: 'threat_actor', value, data: {aliases}}`): null when it
 * has enrichments but names no actor ("unattributed"), undefined when it has no enrichments at all.
 */
export function actorOf(finding: Record<string, any>): Actor | null | undefined {
  const list = finding.enrichments;
  if (!Array.isArray(list)) return undefined;
  for (const e of list) {
    if (!e || typeof e !== 'object' || e.name !== 'threat_actor') continue;
    const value = typeof e.value === 'string' ? e.value : undefined;
    if (!value || value === 'unattributed') continue;
    const aliases = Array.isArray(e.data?.aliases) ? e.data.aliases.filter((a: unknown): a is string => typeof a === 'string') : [];
    return { name: value, aliases };
  }
  return null;
}

/**
 * Vigil's finding lines (created, then updated, same uid) to one detection per finding: the content of its last
 * line, raised at the time of its first.
 */
export function fromFindings(lines: Iterable<Record<string, any>>): Detection[] {
  const raised = new Map<string, number>();
  const latest = new Map<string, Record<string, any>>();
  // Attribution comes in the campaign updates; the detector's own later lines carry no enrichments and do not
  // undo it, while a later campaign update (with enrichments, or with none left) does.
  const actors = new Map<string, Actor | null>();
  for (const f of lines) {
    const uid = f.finding_info.uid as string;
    if (!raised.has(uid)) raised.set(uid, f.time);
    latest.set(uid, f);
    const actor = actorOf(f);
    if (actor !== undefined) actors.set(uid, actor);
  }
  const out: Detection[] = [];
  for (const [uid, f] of latest) {
    const obs = (f.observables ?? []) as { type_id: number; value: string }[];
    const actor = actors.get(uid);
    out.push({
      system: 'vigil',
      rule: f.finding_info.analytic?.uid ?? '',
      type: f.finding_info.types?.[0] ?? '',
      tenant: f.metadata.tenant_uid,
      ips: obs.filter((o) => o.type_id === 2).map((o) => o.value),
      accounts: obs.filter((o) => o.type_id === 4).map((o) => o.value),
      compromised: [...((f.unmapped?.compromised_accounts as string[] | undefined) ?? [])],
      first: f.finding_info.first_seen_time,
      last: f.finding_info.last_seen_time,
      time: raised.get(uid)!,
      title: f.finding_info.title,
      ...(actor === null ? { actor: null } : actor ? { actor: actor.name, actorAliases: actor.aliases } : {}),
    });
  }
  return out;
}

export function fromAlerts(alerts: Iterable<PeerAlert>): Detection[] {
  return [...alerts].map((a) => ({ system: a.peer, rule: a.rule, type: a.type, tenant: a.tenant, ips: a.ips, accounts: a.accounts, first: a.first, last: a.last, time: a.time }));
}
