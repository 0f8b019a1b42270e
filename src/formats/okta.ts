/**
 * @module formats/okta
 * PLACEHOLDER: recognises nothing yet; being written.
 */
import type { JsonFormat } from './types.js';

export const okta: JsonFormat = {
  name: 'okta',
  matches() {
    return false;
  },
  normalize() {
    return [];
  },
};
