/**
 * @module store/migrations/005-state-parts
 * Detector memory in pieces: a large state (a million tracked addresses) is written as rows of about a megabyte,
 * so a checkpoint never holds the whole text in memory. `detector_state.state` then keeps only a small header
 * (`{"parts":N,"watermark":...}`); states written before this migration are whole in that column and still read.
 */
import type { Migration } from './types.js';

export const m005: Migration = {
  version: 5,
  name: 'state-parts',
  sql: `
    CREATE TABLE detector_state_parts (
      seq INTEGER PRIMARY KEY,  -- order of the pieces; their concatenation is the state's JSON text
      text TEXT NOT NULL
    );
  `,
};
