/**
 * @module store/migrations/types
 * One schema migration: applied once, in version order, inside a transaction. Never edited once released.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}
