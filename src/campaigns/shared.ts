/**
 * @module campaigns/shared
 * Which source addresses are shared infrastructure, carrying many unrelated people at once: Tor exits and VPN
 * ranges from the intel lists, indicators marked as anonymisers, and any address the findings show in use by two
 * different attack tools (two fingerprints through one address are two parties, so the address is an exit or a
 * proxy, whatever the lists say), and the address an anonymiser sign-in finding names as one. Shared addresses
 * are weak evidence both for joining campaigns and for attribution.
 */
import type { IntelCatalogue } from '../intel/catalogue.js';
import { fingerprintKey, netblockOf, type FindingFacts } from './facts.js';

export class AddressJudge {
  /**
   * Address -> the attack tools seen through it: the one tool's key while there is one (nearly every address), a set
   * only once there are two. A long stream's findings list a million addresses; a set for each cost hundreds of MB.
   */
  private readonly tools = new Map<string, string | Set<string>>();
  private readonly cache = new Map<string, string | undefined>();
  private readonly blocks = new Map<string, string>();
  private readonly named = new Map<string, string>();
  private sharedBlocks: Set<string> | undefined;

  constructor(
    private readonly catalogue: IntelCatalogue,
    private readonly facts: FindingFacts[],
  ) {
    // A finding that names its address's anonymiser (the anonymiser sign-in detector does) knows it is shared.
    for (const f of facts) {
      const kind = f.finding.unmapped?.anonymizer;
      if (typeof kind === 'string' && kind) for (const ip of f.ips) this.named.set(ip, kind === 'tor' ? 'Tor exit' : kind === 'vpn' ? 'VPN' : `${kind} (finding)`);
    }
    // Attacks only: a follow-up sign-in from the attack's own server with a browser is the same party.
    for (const f of facts) {
      if (!f.fingerprint || !f.isAttack) continue;
      const key = fingerprintKey(f.fingerprint);
      for (const ip of f.ips) {
        const seen = this.tools.get(ip);
        if (seen === undefined) this.tools.set(ip, key);
        else if (typeof seen !== 'string') seen.add(key);
        else if (seen !== key) this.tools.set(ip, new Set([seen, key]));
      }
    }
  }

  /** Why the address is shared, or undefined when it looks like one party's own. */
  shared(ip: string): string | undefined {
    if (this.cache.has(ip)) return this.cache.get(ip);
    let why = this.catalogue.sharedKind(ip) ?? this.named.get(ip);
    const seen = this.tools.get(ip);
    const tools = seen === undefined ? 0 : typeof seen === 'string' ? 1 : seen.size;
    if (!why && tools > 1) why = `used by ${tools} different tools`;
    this.cache.set(ip, why);
    return why;
  }

  /** The address's /24 or /48 (cached: the same addresses recur in many findings). */
  netblock(ip: string): string {
    let b = this.blocks.get(ip);
    if (b === undefined) this.blocks.set(ip, (b = netblockOf(ip)));
    return b;
  }

  /** A /24 or /48 is shared when any address in it that the findings show is shared. */
  sharedNetblock(block: string): boolean {
    if (!this.sharedBlocks) {
      this.sharedBlocks = new Set();
      for (const f of this.facts) for (const ip of f.ips) if (this.shared(ip)) this.sharedBlocks.add(this.netblock(ip));
    }
    return this.sharedBlocks.has(block);
  }
}
