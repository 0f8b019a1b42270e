/**
 * @module formats/gws
 * PLACEHOLDER: recognises nothing yet; being written.
 */
import type { JsonFormat } from './types.js';

export const gws: JsonFormat = {
  name: 'gws',
  matches() {
    return false;
  },
  normalize() {
    return [];
  },
};
