/**
 * @module simulate/writers/types
 * The contract of a vendor writer: where an event's records go (file per organisation and day, or per hour for
 * CloudTrail), how the file is framed, the records themselves, and the account name as the logs show it (for the
 * truth file). Writers encode records straight into the output buffer through a `Sink` (constant parts as
 * prepared bytes, ids and times as digits): a million events must be written in seconds, and building each record
 * as a string first costs more than everything else together. Everything written is ASCII: strings that could
 * hold anything else go through `q`, which escapes it.
 */
import type { Rng } from '../rng.js';
import type { SimEvent } from '../event.js';
import type { Org, SimFormat } from '../population.js';

export interface FileFrame {
  head: string;
  /** Between records. */
  sep: string;
  tail: string;
  /** Most records in one file (CloudTrail delivers many small files). */
  maxRecords?: number;
}

/** Where a writer puts bytes; `record` starts each record. Text must be ASCII. */
export interface Sink {
  record(t: number): void;
  raw(b: Uint8Array): void;
  text(s: string): void;
  uuid(rng: Rng): void;
  /** 2020-08-24T08:01:02 */
  isoLocalSeconds(t: number): void;
  /** 2020-08-24T08:01:02Z */
  isoSeconds(t: number): void;
  /** 2020-08-24T08:01:02.123Z */
  isoMillis(t: number): void;
}

export interface Writer {
  format: SimFormat;
  frame: FileFrame;
  /** Path under logs/ of the file for this organisation's events at time t. */
  fileOf(org: Org, t: number, rng: Rng): string;
  /** Key that changes when a new file starts (a day, or an hour for CloudTrail). */
  fileKey(t: number): number;
  /** Writes the event's records; returns how many (0 when the vendor logs nothing for it). */
  write(e: SimEvent, out: Sink, rng: Rng): number;
  /** The account as this vendor's logs name it. */
  accountName(e: SimEvent): string;
  /** Caveat for the truth file about attacks of a type this vendor cannot show exactly. */
  notes: Partial<Record<string, string>>;
}

/** JSON string literal, ASCII only (anything beyond is written as \u escapes). */
export const q = (s: string): string => {
  const json = JSON.stringify(s);
  return /[^\x00-\x7f]/.test(json) ? json.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
};

/** Prepared bytes of an ASCII string. */
export const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

/** The e-mail style login of an event: the user's address, or the guessed name at the organisation's domain. */
export function emailOf(e: SimEvent): string {
  return e.user ? e.user.upn : `${e.login}@${e.org.domain}`;
}

/** Something made once per object (a user, an address, a user agent) and kept. */
export class FragmentCache<K, V = Buffer> {
  private readonly map = new Map<K, V>();
  constructor(private readonly make: (k: K) => V) {}
  get(k: K): V {
    let v = this.map.get(k);
    if (v === undefined) {
      v = this.make(k);
      this.map.set(k, v);
    }
    return v;
  }
}

/** Prepared bytes of a JSON fragment per object. */
export function fragments<K>(make: (k: K) => string): FragmentCache<K> {
  return new FragmentCache<K>((k) => bytes(make(k)));
}
