/**
 * @module formats/sshd
 * PLACEHOLDER: recognises nothing yet; being written.
 */
import type { TextFormat } from './types.js';

export const sshd: TextFormat = {
  name: 'sshd',
  sniff() {
    return false;
  },
  createParser() {
    return { line: () => [], end: () => [] };
  },
};
