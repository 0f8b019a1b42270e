/**
 * @module share/uuid
 * Name-based UUIDs (RFC 4122 version 5, SHA-1) so that exporting the same campaigns twice gives the same STIX ids:
 * a partner who imports both copies sees one object, updated, not two.
 */
import { createHash } from 'node:crypto';

/** Vigil's namespace for the ids of objects it creates. */
export const VIGIL_NAMESPACE = '3b8f0c6e-9a51-4d2e-8c47-1f5a6e0b9d23';

export function uuid5(name: string, namespace = VIGIL_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** A STIX id, `type--uuid`, derived from what the object stands for. */
export function stixId(type: string, name: string): string {
  return `${type}--${uuid5(`${type}\u0000${name}`)}`;
}
