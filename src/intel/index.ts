/**
 * @module intel
 * Threat intelligence for attribution: STIX 2.1 bundles, MISP events and address lists, merged with the built-in
 * MITRE ATT&CK groups into one catalogue of actors, indicators and campaign profiles.
 */
export { BUILTIN_INTEL_DIR, IntelCatalogue, loadIntel, readIntelFile, type Actor, type LoadIntelOptions, type ResolvedIndicator, type ResolvedProfile } from './catalogue.js';
export { parseStixPattern } from './patterns.js';
export { canonicalSector, stixSectors } from './sectors.js';
export type { CampaignProfile, Indicator, IntelFile, Technique } from './types.js';
