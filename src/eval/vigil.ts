/**
 * @module eval/vigil
 * Runs Vigil's detection over inputs through the library, as `vigil detect` does (same reader, enricher, engine and
 * rules, then campaigns and attribution over the findings; only the SQLite store is left out, which changes no
 * finding), and lets the caller see every normalised event too, so the peers can be run over exactly the events
 * Vigil saw.
 */
import { annotate, campaignsOf, loadIntel } from '../campaigns/index.js';
import { Enricher, type IntelSpec } from '../enrich/index.js';
import { Quarantine } from '../ingest/quarantine.js';
import { newStats, readSource, type ReadOptions, type ReadStats } from '../ingest/reader.js';
import { expandInputs } from '../ingest/sources.js';
import { Engine } from '../detect/engine.js';
import { loadRules, type Rule } from '../detect/rules.js';
import type { AuthEvent } from '../ocsf/authentication.js';
import type { OrganisationsFile } from '../orgs/organisations.js';

export interface VigilRunOptions {
  /** Address lists (with a kind) and STIX / MISP files (without), as `--intel`. */
  intel?: IntelSpec[];
  /** The organisations file, as `--orgs`. */
  orgs?: OrganisationsFile;
  read?: ReadOptions;
  rules?: Rule[];
  geo?: boolean;
  latenessMs?: number;
  /** Sees each event after enrichment, before the engine (it must not change it). */
  onEvent?: (ev: AuthEvent) => void;
  /** Receives unreadable records (default: counted only). */
  quarantine?: Quarantine;
}

export interface VigilRun {
  findings: Record<string, any>[];
  stats: ReadStats;
  quarantine: Quarantine;
  seconds: number;
}

export async function runVigil(inputs: string[], o: VigilRunOptions = {}): Promise<VigilRun> {
  const t0 = performance.now();
  const enricher = await Enricher.create({ intel: o.intel ?? [], geo: o.geo, warn: () => {} });
  const engine = new Engine({ rules: o.rules ?? (await loadRules()), latenessMs: o.latenessMs });
  const quarantine = o.quarantine ?? new Quarantine(undefined);
  const stats = newStats();
  const findings: Record<string, any>[] = [];
  for (const src of expandInputs(inputs)) {
    for await (const batch of readSource(src, o.read ?? {}, quarantine, stats)) {
      for (const ev of batch) {
        enricher.enrich(ev);
        o.onEvent?.(ev);
        engine.push(ev);
      }
    }
    findings.push(...engine.drainFindings());
  }
  engine.flush();
  findings.push(...engine.drainFindings());
  findings.push(...campaignUpdates(findings, o));
  return { findings, stats, quarantine, seconds: (performance.now() - t0) / 1000 };
}

/**
 * What `vigil detect` writes after detection (campaigns/updateCampaigns over a fresh store): each finding's latest
 * content, in the store's order (by uid), joined into campaigns and attributed; the findings whose campaign or
 * attribution changed come out again as updates, in time order.
 */
function campaignUpdates(lines: Record<string, any>[], o: VigilRunOptions): Record<string, any>[] {
  const latest = new Map<string, Record<string, any>>();
  for (const f of lines) latest.set(f.finding_info.uid, f);
  const stored = [...latest.keys()].sort().map((uid) => latest.get(uid)!);
  const catalogue = loadIntel(o.intel ?? [], { warn: () => {} });
  const updates: Record<string, any>[] = [];
  for (const c of campaignsOf(stored, { catalogue, orgs: o.orgs })) {
    for (const uid of c.findings.uids) {
      const updated = annotate(latest.get(uid)!, c);
      if (updated) updates.push(updated);
    }
  }
  return updates.sort((a, b) => a.time - b.time || (a.finding_info.uid < b.finding_info.uid ? -1 : 1));
}
