/**
 * @module store/migrations/004-server
 * API tokens (hashed) and server bookkeeping. Owned by the server (issue 7) work: fill in the SQL.
 */
import type { Migration } from './types.js';

export const m004: Migration = {
  version: 4,
  name: 'server',
  sql: `SELECT 1;`,
};
