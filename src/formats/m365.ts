/**
 * @module formats/m365
 * PLACEHOLDER: recognises nothing yet; being written.
 */
import type { JsonFormat } from './types.js';

export const m365: JsonFormat = {
  name: 'm365',
  matches() {
    return false;
  },
  normalize() {
    return [];
  },
};
