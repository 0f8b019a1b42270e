/**
 * @module notify/destination-guard
 * Webhook destinations must not let whoever edits an organisation's entry (or controls its DNS) make Vigil call
 * internal services. The host is resolved (every address, IPv4 and IPv6) and refused if any address is private,
 * loopback, link-local, unique-local, multicast, documentation or otherwise not public, including IPv4 written
 * inside IPv6 (IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo). The request then connects to the address that
 * was checked, so a second DNS answer (rebinding) cannot swap in another. `allow_private: true` on the webhook
 * lifts the check for that one destination (a SIEM on the organisation's own network, a test server).
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isNonPublic } from '../enrich/special-addresses.js';
import { formatIp, parseIp, type IpAddress } from '../enrich/ip-address.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export class DestinationRefused extends Error {}

/** Why an address may not be a webhook destination, or undefined when it is a public address. */
export function whyNotPublic(text: string): string | undefined {
  const addr = parseIp(text.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  if (!addr) return `'${text}' is not an IP address`;
  // parseIp already turns IPv4-mapped IPv6 (::ffff:a.b.c.d) into IPv4, so it is judged as the IPv4 it reaches.
  if (addr.family === 6) {
    const embedded = embeddedIpv4(addr);
    if (embedded) {
      const inner = whyNotPublic(embedded.address);
      if (inner) return `${text} is IPv4 ${embedded.address} written as IPv6 (${embedded.how}), and ${inner}`;
      if (embedded.how === 'IPv4-compatible') return `${text} is a deprecated IPv4-compatible address`;
    }
  }
  if (addr.family === 4 && text.includes(':')) {
    // IPv4-mapped (::ffff:a.b.c.d): no real host name resolves to one; refused whatever it maps to.
    const inner = whyNotPublic(formatIp(addr));
    return `${text} is IPv4-mapped ${formatIp(addr)}${inner ? `, and ${inner}` : ''}; give the IPv4 address itself`;
  }
  if (isNonPublic(addr)) return `${text} is ${describeBlock(addr)}`;
  return undefined;
}

/** IPv4 inside IPv6 forms that route to (or are translated to) that IPv4 address. */
function embeddedIpv4(addr: IpAddress): { address: string; how: string } | undefined {
  const [w0, w1, w2, w3] = addr.words;
  const v4 = (w: number) => `${w >>> 24}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${w & 255}`;
  if (w0 === 0 && w1 === 0 && w2 === 0 && w3 > 1) return { address: v4(w3), how: 'IPv4-compatible' }; // ::a.b.c.d (deprecated)
  if (w0 === 0x0064ff9b && w1 === 0 && w2 === 0) return { address: v4(w3), how: 'NAT64' }; // 64:ff9b::/96
  if (w0 >>> 16 === 0x2002) return { address: v4(((w0 & 0xffff) << 16) | (w1 >>> 16)), how: '6to4' }; // 2002::/16
  if (w0 === 0x20010000) return { address: v4(~w3 >>> 0), how: 'Teredo' }; // 2001::/32, client address inverted
  return undefined;
}

function describeBlock(addr: IpAddress): string {
  const w = addr.words[0];
  if (addr.family === 4) {
    const a = w >>> 24;
    const b = (w >>> 16) & 255;
    if (a === 127) return 'a loopback address';
    if (a === 10 || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168)) return 'a private address';
    if (a === 169 && b === 254) return 'a link-local address';
    if (a === 100 && b >= 64 && b < 128) return 'a shared (carrier-grade NAT) address';
    if (a >= 224 && a < 240) return 'a multicast address';
    if (a === 0) return 'a "this network" address';
    return 'a reserved or documentation address, not on the public Internet';
  }
  const top = w >>> 16;
  if (addr.words.every((x, i) => (i < 3 ? x === 0 : x <= 1))) return addr.words[3] === 1 ? 'the loopback address' : 'the unspecified address';
  if ((top & 0xfe00) === 0xfc00) return 'a unique-local address';
  if ((top & 0xffc0) === 0xfe80) return 'a link-local address';
  if (top >>> 8 === 0xff) return 'a multicast address';
  return 'a reserved or documentation address, not on the public Internet';
}

export type Lookup = (host: string) => Promise<ResolvedAddress[]>;

export const systemLookup: Lookup = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

/**
 * Resolves the URL's host and returns the addresses it may connect to; throws `DestinationRefused` when any
 * address is not public (unless allowed) or the host does not resolve.
 */
export async function checkDestination(url: URL, allowPrivate: boolean, lookup: Lookup = systemLookup): Promise<ResolvedAddress[]> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: ResolvedAddress[];
  const literal = parseIp(host);
  if (literal) addresses = [{ address: host, family: host.includes(':') ? 6 : 4 }];
  else {
    try {
      addresses = await lookup(host);
    } catch (e) {
      throw new DestinationRefused(`cannot resolve ${host}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (!addresses.length) throw new DestinationRefused(`${host} has no address`);
  }
  if (allowPrivate) return addresses;
  for (const a of addresses) {
    const why = whyNotPublic(a.address);
    if (why) throw new DestinationRefused(`refused ${url.origin}: ${host === a.address ? '' : `${host} resolves to ${a.address}; `}${why} (set allow_private: true on this webhook to allow it)`);
  }
  return addresses;
}
