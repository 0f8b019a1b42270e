/**
 * @module simulate/intel
 * The threat intelligence a defender of the simulated world would have: a STIX 2.1 bundle naming the state actor
 * (an intrusion-set with its ATT&CK reference) and indicators for a few of its addresses, as a partner's report
 * would give (about one in twenty: intelligence is always partial), plus the published Tor exit list and the
 * commercial VPN ranges.
 */
import type { Address } from './addresses.js';
import { NETBLOCKS } from './netblocks.js';
import type { Rng } from './rng.js';

interface KnownActor {
  /** The intrusion-set's id in MITRE ATT&CK, so this bundle joins with ATT&CK's own. */
  id: string;
  aliases: string[];
  externalId: string;
  description: string;
}

const KNOWN_ACTORS: Record<string, KnownActor> = {
  APT28: {
    id: 'intrusion-set--bef4c620-0787-42a8-a96d-b7eb6e85917c',
    aliases: ['STRONTIUM', 'Fancy Bear', 'Forest Blizzard'],
    externalId: 'G0007',
    description: "Threat group attributed to Russia's General Staff Main Intelligence Directorate (GRU) 85th Main Special Service Center, military unit 26165.",
  },
};

/** Share of an actor's addresses that the intelligence names. */
export const INDICATOR_SHARE = 0.05;

export interface ActorSources {
  actor: string;
  sources: string[];
  firstSeen: number;
}

export function stixBundle(actors: ActorSources[], worldStart: number, rng: Rng): { bundle: object; indicators: Map<string, string[]> } {
  const stamp = new Date(worldStart).toISOString();
  const identity = `identity--${rng.uuid()}`;
  const objects: object[] = [
    { type: 'identity', spec_version: '2.1', id: identity, created: stamp, modified: stamp, name: 'Vigil simulated intelligence partner', identity_class: 'organization' },
  ];
  const indicators = new Map<string, string[]>();
  for (const a of actors) {
    const known = KNOWN_ACTORS[a.actor];
    const setId = known?.id ?? `intrusion-set--${rng.uuid()}`;
    objects.push({
      type: 'intrusion-set',
      spec_version: '2.1',
      id: setId,
      created_by_ref: identity,
      created: stamp,
      modified: stamp,
      name: a.actor,
      aliases: known?.aliases ?? [],
      ...(known ? { description: known.description, external_references: [{ source_name: 'mitre-attack', external_id: known.externalId, url: `https://attack.mitre.org/groups/${known.externalId}` }] } : {}),
    });
    const named = rng.sample(a.sources.slice().sort(), Math.max(1, Math.round(a.sources.length * INDICATOR_SHARE))).sort();
    indicators.set(a.actor, named);
    for (const ip of named) {
      const id = `indicator--${rng.uuid()}`;
      // Reported some days to weeks before the simulated window: these addresses were already in use.
      const validFrom = new Date(Math.min(worldStart, a.firstSeen) - rng.range(2, 40) * 86_400_000).toISOString();
      objects.push({
        type: 'indicator',
        spec_version: '2.1',
        id,
        created_by_ref: identity,
        created: validFrom,
        modified: validFrom,
        name: `${a.actor} credential-harvesting infrastructure ${ip}`,
        indicator_types: ['malicious-activity', 'attribution'],
        pattern: `[ipv4-addr:value = '${ip}']`,
        pattern_type: 'stix',
        valid_from: validFrom,
        confidence: rng.range(60, 85),
      });
      objects.push({ type: 'relationship', spec_version: '2.1', id: `relationship--${rng.uuid()}`, created_by_ref: identity, created: validFrom, modified: validFrom, relationship_type: 'indicates', source_ref: id, target_ref: setId });
    }
  }
  return { bundle: { type: 'bundle', id: `bundle--${rng.uuid()}`, objects }, indicators };
}

export function torExitList(exits: Address[], worldStart: number): string {
  const ips = sortIps(new Set(exits.map((a) => a.ip)));
  return `# Tor exit addresses of the simulated world (${new Date(worldStart).toISOString().slice(0, 10)}), one per line\n${ips.join('\n')}\n`;
}

export function vpnRangeList(): string {
  const ranges = NETBLOCKS.filter((b) => b.kind === 'vpn').map((b) => `${b.cidr} # ${b.network}, ${b.country}`);
  return `# Commercial VPN ranges of the simulated world\n${ranges.join('\n')}\n`;
}

/** IPv4 addresses in numeric order. */
export function sortIps(ips: Iterable<string>): string[] {
  const keyed = [...ips].map((ip) => ({ ip, n: ip.split('.').reduce((a, o) => a * 256 + Number(o), 0) }));
  keyed.sort((a, b) => a.n - b.n);
  return keyed.map((k) => k.ip);
}
