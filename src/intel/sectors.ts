/**
 * @module intel/sectors
 * One vocabulary of sectors for victimology: organisations declare Vigil's sectors (political, media, ngo, business,
 * government, other) while STIX uses its industry-sector vocabulary (open: custom values such as `political` are
 * allowed) and MISP free text. Both sides are mapped to the same canonical words before they are compared.
 */

const CANONICAL: Record<string, string> = {
  political: 'political',
  'political-party': 'political',
  elections: 'political',
  media: 'media',
  communications: 'media',
  journalism: 'media',
  ngo: 'ngo',
  'non-profit': 'ngo',
  nonprofit: 'ngo',
  'civil-society': 'ngo',
  government: 'government',
  'government-national': 'government',
  'government-regional': 'government',
  'government-local': 'government',
  'government-public-services': 'government',
  'emergency-services': 'government',
  defense: 'defense',
  defence: 'defense',
  military: 'defense',
  education: 'education',
  academia: 'education',
  business: 'business',
  commercial: 'business',
  'financial-services': 'business',
  retail: 'business',
  technology: 'business',
  manufacturing: 'business',
};

/** The canonical sector for a word from any vocabulary; unknown words are kept (lower-case) so equal ones still match. */
export function canonicalSector(word: string): string | undefined {
  const w = word.trim().toLowerCase().replace(/[\s_]+/g, '-');
  if (!w || w === 'other') return undefined;
  return CANONICAL[w] ?? w;
}

/** STIX industry-sector words for a Vigil sector, for exports. */
export function stixSectors(vigilSector: string | undefined): string[] {
  switch (vigilSector) {
    case 'ngo':
      return ['non-profit'];
    case 'business':
      return ['commercial'];
    case 'government':
      return ['government'];
    case 'political':
    case 'media':
      return [vigilSector];
    default:
      return [];
  }
}
