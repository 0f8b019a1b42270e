/**
 * @module formats
 * The registry of formats and per-record auto-detection. JSON formats are tried most specific first;
 * the format that matched the previous record is tried first, since files rarely mix vendors.
 */
import { cloudtrail } from './cloudtrail.js';
import { entra } from './entra.js';
import { gws } from './gws.js';
import { m365 } from './m365.js';
import { ocsf } from './ocsf.js';
import { okta } from './okta.js';
import { sshd, sshdJournal } from './sshd.js';
import type { FormatName, JsonFormat, TextFormat } from './types.js';

export const JSON_FORMATS: readonly JsonFormat[] = [ocsf, entra, okta, gws, m365, cloudtrail, sshdJournal];
export const TEXT_FORMATS: readonly TextFormat[] = [sshd];

export function jsonFormat(name: FormatName): JsonFormat | undefined {
  return JSON_FORMATS.find((f) => f.name === name);
}
export function textFormat(name: FormatName): TextFormat | undefined {
  return TEXT_FORMATS.find((f) => f.name === name);
}

/** Per-stream detector that remembers the last matching format. */
export class FormatDetector {
  private last: JsonFormat | undefined;
  /** The format of the last record recognised (the one tried first for the next). */
  get current(): JsonFormat | undefined {
    return this.last;
  }
  detect(rec: Record<string, unknown>): JsonFormat | undefined {
    if (this.last && this.last.matches(rec)) return this.last;
    for (const f of JSON_FORMATS) {
      if (f !== this.last && f.matches(rec)) {
        this.last = f;
        return f;
      }
    }
    return undefined;
  }
}
