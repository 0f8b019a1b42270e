/**
 * @module enrich
 * PLACEHOLDER interface (being written): adds country, city, ASN and anonymiser classification to events.
 */
import type { AuthEvent } from '../ocsf/authentication.js';

export const INTEL_KINDS = ['tor', 'vpn', 'hosting', 'malicious'] as const;
export type IntelKind = (typeof INTEL_KINDS)[number];

/** `--intel KIND:PATH` (an address list) or `--intel PATH` (a STIX 2.1 bundle or MISP event, read by the intel module). */
export interface IntelSpec {
  kind?: IntelKind;
  path: string;
}

export function parseIntelSpec(spec: string): IntelSpec {
  const m = /^([a-z]+):(.+)$/.exec(spec);
  if (m && (INTEL_KINDS as readonly string[]).includes(m[1])) return { kind: m[1] as IntelKind, path: m[2] };
  return { path: spec };
}

export interface EnricherOptions {
  intel: IntelSpec[];
  /** Look up geo and ASN in the shipped databases (default true). */
  geo?: boolean;
}

export class Enricher {
  static async create(_opts: EnricherOptions): Promise<Enricher> {
    return new Enricher();
  }
  enrich(_ev: AuthEvent): void {}
}
