/**
 * @module ingest/reading-thread
 * Where the reading thread starts (see thread-start.ts): asked to, it starts reading the IPv4 geo and ASN files
 * before it loads the rest of its code (read-worker.ts), so that reading them and loading the code overlap.
 */
import { workerData } from 'node:worker_threads';
import { readIpv4TablesAhead } from '../enrich/database-files.js';

if ((workerData as { readTablesAhead?: boolean } | undefined)?.readTablesAhead) readIpv4TablesAhead();
await import('./read-worker.js');
