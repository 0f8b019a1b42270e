/**
 * @module formats/types
 * The contract every vendor format implements. A JSON format recognises a record by its shape and turns it into
 * zero or more OCSF Authentication events; a text format (sshd) reads lines with state, since one attempt can span
 * several lines.
 */
import type { AuthEvent } from '../ocsf/authentication.js';
import type { FlatSignIn } from '../ocsf/flat-sign-in.js';

export const FORMAT_NAMES = ['entra', 'okta', 'gws', 'm365', 'cloudtrail', 'sshd', 'ocsf'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

export interface NormalizeContext {
  /** Tenant to use when the record names none (`--tenant`). */
  tenant?: string;
  file: string;
  line: number;
  /** Year for year-less syslog timestamps (`--year`). */
  year?: number;
  /** Modification time of the input file (epoch ms), the default year source for syslog. */
  fileTime?: number;
}

/** Thrown by a format for a record it recognises but cannot normalise; the record is quarantined with the message. */
export class RecordError extends Error {}

/** Result of normalising one record: events, or `skip` when it is the vendor's but no authentication attempt. */
export type Normalized = AuthEvent[];

export interface JsonFormat {
  readonly name: FormatName;
  /** Cheap shape test: does this parsed record look like this vendor's? */
  matches(rec: Record<string, unknown>): boolean;
  /** Events for an authentication record; [] when the record is this vendor's but not an authentication attempt. */
  normalize(rec: Record<string, any>, ctx: NormalizeContext): Normalized;
  /**
   * The fast way for detection: one JSON line straight to the flat sign-in detection reads (see ocsf/flat-sign-in.ts),
   * without parsing the whole line; undefined when the line needs `JSON.parse` and `normalize`. Must agree with
   * `normalize` on every field it sets. `ctx.line` is the line's number.
   */
  detectionSignIn?(line: string, ctx: NormalizeContext): FlatSignIn | undefined;
}

export interface LineParser {
  /** Feed one line; returns the events completed by it (may be events of earlier lines). */
  line(text: string, ctx: NormalizeContext): Normalized;
  /** End of input: events still pending. */
  end(ctx: NormalizeContext): Normalized;
}

export interface TextFormat {
  readonly name: FormatName;
  /** Does this line look like one of this format's lines? Used to sniff a text file. */
  sniff(line: string): boolean;
  createParser(): LineParser;
}
