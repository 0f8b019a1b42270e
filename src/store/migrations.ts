/**
 * @module store/migrations
 * The SQLite schema as an ordered list of migrations, one file each in `migrations/`. A migration is never edited
 * once released; changes are new files. `openStore` applies the missing ones in one transaction each.
 */
import { m001 } from './migrations/001-detection.js';
import { m002 } from './migrations/002-campaigns.js';
import { m003 } from './migrations/003-notifications.js';
import { m004 } from './migrations/004-server.js';
import { m005 } from './migrations/005-state-parts.js';
import type { Migration } from './migrations/types.js';

// The server work adds 004 here once its SQL is written.
export const MIGRATIONS: Migration[] = [m001, m002, m003, m004, m005];
