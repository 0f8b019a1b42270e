/**
 * @module enrich/special-addresses
 * Addresses that are not on the public Internet (private, loopback, link-local, shared CGNAT space, documentation,
 * benchmarking, multicast, reserved; from the IANA special-purpose registries). Geo and ASN databases have nothing
 * true to say about them, so the enricher does not look them up; a database answer for them would mislead.
 */
import type { IpAddress } from './ip-address.js';
import { parseCidr } from './ip-address.js';
import { DualTable, type BitRange } from './ip-set.js';

export const NON_PUBLIC_BLOCKS: readonly string[] = [
  // IPv4
  '0.0.0.0/8', // "this network"
  '10.0.0.0/8', // private (RFC 1918)
  '100.64.0.0/10', // shared address space behind carrier-grade NAT (RFC 6598)
  '127.0.0.0/8', // loopback
  '169.254.0.0/16', // link-local
  '172.16.0.0/12', // private (RFC 1918)
  '192.0.0.0/24', // IETF protocol assignments
  '192.0.2.0/24', // documentation (TEST-NET-1)
  '192.168.0.0/16', // private (RFC 1918)
  '198.18.0.0/15', // benchmarking
  '198.51.100.0/24', // documentation (TEST-NET-2)
  '203.0.113.0/24', // documentation (TEST-NET-3)
  '224.0.0.0/4', // multicast: never a sign-in source
  '240.0.0.0/4', // reserved, and 255.255.255.255 broadcast
  // IPv6 (IPv4-mapped addresses are looked up as IPv4)
  '::/127', // unspecified and loopback
  '64:ff9b::/96', // NAT64 well-known prefix: the real source is the embedded IPv4 address, not known here
  '64:ff9b:1::/48', // NAT64 local use
  '100::/64', // discard-only
  '2001:db8::/32', // documentation
  '3fff::/20', // documentation (RFC 9637)
  '5f00::/16', // segment routing SIDs
  'fc00::/7', // unique local
  'fe80::/10', // link-local
  'ff00::/8', // multicast
];

const table = DualTable.fromBitRanges(
  NON_PUBLIC_BLOCKS.map((cidr): BitRange => {
    const r = parseCidr(cidr);
    if (!r) throw new Error(`bad built-in block ${cidr}`);
    return { ...r, bits: 1 };
  }),
);

/** True for private, loopback, link-local, documentation, multicast and other non-public addresses. */
export function isNonPublic(addr: IpAddress): boolean {
  return table.valueAt(addr) !== undefined;
}
