/**
 * @module formats/cloudtrail
 * PLACEHOLDER: recognises nothing yet; being written.
 */
import type { JsonFormat } from './types.js';

export const cloudtrail: JsonFormat = {
  name: 'cloudtrail',
  matches() {
    return false;
  },
  normalize() {
    return [];
  },
};
