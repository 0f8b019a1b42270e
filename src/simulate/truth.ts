/**
 * @module simulate/truth
 * The answer key. It is collected from the records actually written, not from the plan, so it can never claim an
 * event, an address or an account the logs do not show (a vendor that logs nothing for unknown names simply has
 * fewer accounts in the truth). `password_valid` lists every account whose password an attack showed to be right
 * (a success, or an MFA step); `compromised` every account the attacker signed in to.
 */
import { isoSeconds } from './clock.js';
import { isPasswordValid, Result, type SimEvent } from './event.js';
import { sortIps } from './intel.js';
import type { Org, SimFormat } from './population.js';
import type { AttackType } from './scenarios.js';
import type { Attack } from './attacks/index.js';
import type { Writer } from './writers/index.js';

export interface Account {
  tenant: string;
  name: string;
}

export interface AttackTruth {
  id: string;
  scenario: string;
  type: AttackType;
  actor: string | null;
  description: string;
  start: string | null;
  end: string | null;
  organisations: string[];
  sources: string[];
  accounts: Account[];
  compromised: Account[];
  password_valid: Account[];
  events: number;
  note?: string;
}

export interface Truth {
  seed: number;
  days: number;
  start: string;
  end: string;
  format: SimFormat;
  scale: number;
  organisations: string[];
  benign_events: number;
  events_total: number;
  attacks: AttackTruth[];
}

class AttackTally {
  first = Infinity;
  last = -Infinity;
  events = 0;
  orgs = new Set<string>();
  sources = new Set<string>();
  /** Keyed by the user, or by tenant and name for names that match no account. */
  accounts = new Map<unknown, Account>();
  compromised = new Map<unknown, Account>();
  valid = new Map<unknown, Account>();
}

const byAccount = (a: Account, b: Account) => (a.tenant === b.tenant ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.tenant < b.tenant ? -1 : 1);

/** Distinct accounts, sorted (names a vendor hides, such as CloudTrail's HIDDEN_DUE_TO_SECURITY_REASONS, collapse). */
function accountList(accounts: Iterable<Account>): Account[] {
  const unique = new Map<string, Account>();
  for (const a of accounts) unique.set(`${a.tenant}\u0000${a.name}`, a);
  return [...unique.values()].sort(byAccount);
}

export class TruthCollector {
  private readonly tallies: AttackTally[];
  benign = 0;
  readonly perOrg = new Map<Org, { benign: number; attack: number }>();

  constructor(
    private readonly attacks: Attack[],
    private readonly writer: Writer,
  ) {
    this.tallies = attacks.map(() => new AttackTally());
  }

  /** Counts an event that became `records` records. */
  record(e: SimEvent, records: number): void {
    if (records === 0) return;
    let o = this.perOrg.get(e.org);
    if (!o) this.perOrg.set(e.org, (o = { benign: 0, attack: 0 }));
    if (e.attack < 0) {
      this.benign += records;
      o.benign += records;
      return;
    }
    o.attack += records;
    const t = this.tallies[e.attack];
    t.events += records;
    if (e.t < t.first) t.first = e.t;
    if (e.t > t.last) t.last = e.t;
    t.orgs.add(e.org.id);
    t.sources.add(e.src.ip);
    const key = e.user ?? `${e.org.id}\u0000${e.login}`;
    let account = t.accounts.get(key);
    if (!account) t.accounts.set(key, (account = { tenant: e.org.id, name: this.writer.accountName(e) }));
    if (e.user && isPasswordValid(e.result)) t.valid.set(key, account);
    if (e.user && e.result === Result.Success) t.compromised.set(key, account);
  }

  attackEvents(index: number): number {
    return this.tallies[index].events;
  }

  sourcesOf(index: number): string[] {
    return [...this.tallies[index].sources];
  }

  firstSeen(index: number): number {
    return this.tallies[index].first;
  }

  result(meta: { seed: number; days: number; start: number; format: SimFormat; scale: number; orgs: Org[] }): Truth {
    const attacks = this.attacks.map((a, i): AttackTruth => {
      const t = this.tallies[i];
      const s = a.scenario;
      const note = this.writer.notes[s.type];
      return {
        id: s.id,
        scenario: s.file ?? s.id,
        type: s.type,
        actor: s.actor,
        description: s.description.trim(),
        start: t.events ? isoSeconds(t.first) : null,
        end: t.events ? isoSeconds(t.last) : null,
        organisations: [...t.orgs],
        sources: sortIps(t.sources),
        accounts: accountList(t.accounts.values()),
        compromised: accountList(t.compromised.values()),
        password_valid: accountList(t.valid.values()),
        events: t.events,
        ...(note ? { note } : {}),
      };
    });
    const attackEvents = attacks.reduce((n, a) => n + a.events, 0);
    return {
      seed: meta.seed,
      days: meta.days,
      start: isoSeconds(meta.start),
      end: isoSeconds(meta.start + meta.days * 86_400_000),
      format: meta.format,
      scale: meta.scale,
      organisations: meta.orgs.map((o) => o.id),
      benign_events: this.benign,
      events_total: this.benign + attackEvents,
      attacks,
    };
  }
}
