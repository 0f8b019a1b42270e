/**
 * @module simulate/addresses
 * Hands out distinct public addresses from the netblock table: an office's NAT address, a user's home and phone
 * addresses, Tor and VPN exits, proxy and hosting addresses for attackers. Every address is drawn once, so a
 * user's home address is nobody else's and an attacker never lands on an office NAT by accident; every address
 * remembers its block, which is where vendor location fields come from.
 */
import type { Rng } from './rng.js';
import { NETBLOCKS, cidrRange, ipv4ToString, type BlockKind, type Netblock } from './netblocks.js';

export interface Address {
  ip: string;
  net: Netblock;
}

export class AddressSpace {
  private readonly used = new Set<number>();
  private readonly taken = new Map<Netblock, number>();

  constructor(private readonly rng: Rng) {}

  /** A fresh host address inside the block (never the network or broadcast address, never one given before). */
  take(block: Netblock): Address {
    const { first, size } = cidrRange(block.cidr);
    for (let tries = 0; tries < 256; tries++) {
      const n = first + 1 + this.rng.int(size - 2);
      const last = n & 255;
      if (last === 0 || last === 255 || this.used.has(n)) continue;
      this.used.add(n);
      this.taken.set(block, (this.taken.get(block) ?? 0) + 1);
      return { ip: ipv4ToString(n), net: block };
    }
    throw new Error(`netblock ${block.cidr} has no free addresses left`);
  }

  /**
   * Blocks still far from full (random probing gets slow near the end, so a block counts as full at 70%). When a
   * country's blocks of a kind are all full (only at very large --scale), any block of that kind will do.
   */
  private open(blocks: Netblock[]): Netblock[] {
    const notFull = (b: Netblock) => (this.taken.get(b) ?? 0) < cidrRange(b.cidr).size * 0.7;
    let open = blocks.filter(notFull);
    if (open.length === 0 && blocks.length) open = NETBLOCKS.filter((b) => b.kind === blocks[0].kind && notFull(b));
    if (open.length === 0) throw new Error(`all ${blocks[0]?.kind ?? ''} netblocks are full`);
    return open;
  }

  /** A fresh address from a block of this kind, in this country when there is one (else anywhere). */
  takeKind(kind: BlockKind, country?: string): Address {
    let blocks = NETBLOCKS.filter((b) => b.kind === kind && (!country || b.country === country));
    if (blocks.length === 0) blocks = NETBLOCKS.filter((b) => b.kind === kind);
    return this.take(this.rng.weighted(this.open(blocks), (b) => b.weight ?? 1));
  }

  private readonly shared = new Map<string, Address[]>();

  /**
   * An address from a small set shared by everyone who asks for this kind and country: commercial VPN exits carry
   * many customers at once, so staff of different organisations meet on the same exit.
   */
  sharedExit(kind: BlockKind, country: string, setSize = 24): Address {
    const key = `${kind} ${country}`;
    let set = this.shared.get(key);
    if (!set) {
      set = [];
      for (let i = 0; i < setSize; i++) set.push(this.takeKind(kind, country));
      this.shared.set(key, set);
    }
    return this.rng.pick(set);
  }

  /** n fresh addresses of a kind, spread over its blocks by weight. */
  takeMany(kind: BlockKind, n: number, countries?: readonly string[]): Address[] {
    const out: Address[] = [];
    let blocks = NETBLOCKS.filter((b) => b.kind === kind && (!countries || countries.includes(b.country)));
    if (blocks.length === 0) blocks = NETBLOCKS.filter((b) => b.kind === kind);
    for (let i = 0; i < n; i++) out.push(this.take(this.rng.weighted(this.open(blocks), (b) => b.weight ?? 1)));
    return out;
  }
}
