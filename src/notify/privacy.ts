/**
 * @module notify/privacy
 * Nothing about one organisation may reach another. Notifications are built only from the receiving
 * organisation's own findings, so the only outside text is a campaign's attribution; its reasons are dropped when
 * they name or count other victims. As a last line, every prepared message and webhook body is scanned for the
 * identifying strings of every other organisation (id, name, domains, the domains of its accounts); a hit that is
 * not also in the receiver's own data stops that notification from being prepared at all.
 */
import { organisationDomains, type Organisation } from '../orgs/organisations.js';
import type { StoredFinding } from './campaign-groups.js';

export interface IdentifyingTerm {
  /** The organisation (tenant) the term identifies. */
  owner: string;
  term: string;
  kind: 'id' | 'name' | 'domain';
  pattern: RegExp;
}

export class LeakError extends Error {}

/** Terms shorter than this are too common to mean one organisation ("AB", "x"). */
const MIN_TERM = 3;

function boundaryPattern(term: string, kind: IdentifyingTerm['kind']): RegExp {
  const escaped = term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // A domain also matches as the end of a longer host (mail.example.org) but not inside another word.
  const before = kind === 'domain' ? '(?<![\\p{L}\\p{N}_-])' : '(?<![\\p{L}\\p{N}_])';
  const after = '(?![\\p{L}\\p{N}_-]|\\.[\\p{L}\\p{N}])';
  return new RegExp(`${before}${escaped}${after}`, 'iu');
}

/** Identifying strings of every organisation in the file and every tenant with findings. */
export function identifyingTerms(orgs: readonly Organisation[], findings: readonly StoredFinding[]): IdentifyingTerm[] {
  const seen = new Set<string>();
  const out: IdentifyingTerm[] = [];
  const add = (owner: string, term: string | undefined, kind: IdentifyingTerm['kind']) => {
    const t = term?.trim();
    if (!t || t.length < MIN_TERM) return;
    const key = `${owner}\u0000${t.toLowerCase()}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ owner, term: t, kind, pattern: boundaryPattern(t, kind) });
  };
  for (const o of orgs) {
    add(o.id, o.id, 'id');
    add(o.id, o.name, 'name');
    for (const d of organisationDomains(o)) add(o.id, d, 'domain');
  }
  for (const f of findings) {
    add(f.tenant, f.tenant, 'id');
    for (const ob of Array.isArray(f.json?.observables) ? f.json.observables : []) {
      if (ob?.type_id !== 4 || typeof ob.value !== 'string') continue;
      const at = ob.value.lastIndexOf('@');
      if (at > 0) add(f.tenant, ob.value.slice(at + 1).toLowerCase(), 'domain');
    }
  }
  return out;
}

/**
 * The terms of other organisations that must not appear in what `tenant` receives: all of theirs except those
 * also found in `ownMaterial` (the receiver's own findings and entry), since a string the receiver's own logs
 * contain tells it nothing about anyone else (two organisations may share a mail provider's domain).
 */
export function termsToWithhold(tenant: string, terms: readonly IdentifyingTerm[], ownMaterial: string): IdentifyingTerm[] {
  return terms.filter((t) => t.owner !== tenant && !t.pattern.test(ownMaterial));
}

/** Throws LeakError naming the first withheld term found in any of the texts. */
export function assertNoLeak(tenant: string, texts: readonly string[], withheld: readonly IdentifyingTerm[]): void {
  for (const t of withheld) {
    for (const text of texts) {
      if (t.pattern.test(text)) throw new LeakError(`the notification for ${tenant} would mention ${t.kind} '${t.term}' of organisation ${t.owner}`);
    }
  }
}

/** Sentences that speak about other victims ("seen at 3 other organisations", "also targeted NGOs X and Y"). */
const ABOUT_OTHER_VICTIMS =
  /\b(\d+|several|many|multiple|other|another|also|all|both)\s+(\w+\s+){0,2}(organi[sz]ations?|orgs?|tenants?|victims?|customers?|targets?|companies|parties|newsrooms?|ngos?)\b/i;

/** The attribution reasons that may be shown: none that name another organisation or speak about other victims. */
export function scrubReasons(reasons: readonly string[], withheld: readonly IdentifyingTerm[]): string[] {
  return reasons.filter((r) => !ABOUT_OTHER_VICTIMS.test(r) && !withheld.some((t) => t.pattern.test(r)));
}

/** Aliases are actor names; any that happens to be another organisation's name is dropped all the same. */
export function scrubAliases(aliases: readonly string[], withheld: readonly IdentifyingTerm[]): string[] {
  return aliases.filter((a) => !withheld.some((t) => t.pattern.test(a)));
}
