/**
 * @module simulate/tor
 * The simulated Tor network: exit addresses in the hosting ranges where real exits live. Attack scenarios take fresh
 * exits from it (STRONTIUM's pool, a lone Tor sign-in); at the end it is topped up to a realistic size so that the
 * published list (`intel/tor-exits.txt`) is more than the attackers' addresses.
 */
import type { Address, AddressSpace } from './addresses.js';

/** Roughly how many exits the real network has at any time. */
export const TOR_EXITS_BASELINE = 1200;

export class TorNetwork {
  readonly exits: Address[] = [];

  constructor(private readonly space: AddressSpace) {}

  /** n exits nobody has used yet. */
  fresh(n: number): Address[] {
    const out = this.space.takeMany('tor', n);
    this.exits.push(...out);
    return out;
  }

  /** Adds unused exits until the network has at least `size`. */
  topUp(size = TOR_EXITS_BASELINE): void {
    if (this.exits.length < size) this.fresh(size - this.exits.length);
  }
}
