/**
 * @module enrich/merge
 * Puts database answers into an event without overriding the vendor: the vendor saw the connection and its own
 * geolocation (Entra's, Okta's) is usually better than GeoLite2's. Only missing fields are filled, and only while
 * they agree with what the vendor gave at a coarser level: a city from the database is not put under a vendor's
 * different country, and an AS name is not put beside a vendor's different AS number.
 */
import type { AutonomousSystem, Location, SrcEndpoint } from '../ocsf/authentication.js';

/** Made on first use: loading the locale data takes some 25 ms, on every thread that imports this, at start-up. */
let regionNames: Intl.DisplayNames | undefined;

const norm = (s: string) => s.trim().toLowerCase();

/** Answers of `sameCountry` so far: a log names few countries, and `Intl.DisplayNames` costs microseconds a call. */
const countryAnswers = new Map<string, Map<string, boolean>>();
const MAX_COUNTRY_ANSWERS = 10_000;

/**
 * Do a vendor's country and a database's ISO code name the same country? Vendors give ISO codes (Entra: "US") or
 * English names (Okta: "United States"), so both are accepted.
 */
export function sameCountry(vendor: string, isoCode: string): boolean {
  if (vendor === isoCode) return true;
  let byIso = countryAnswers.get(vendor);
  let same = byIso?.get(isoCode);
  if (same !== undefined) return same;
  same = compareCountries(vendor, isoCode);
  if (!byIso) {
    if (countryAnswers.size >= MAX_COUNTRY_ANSWERS) countryAnswers.clear(); // vendor text is input: keep the memo bounded
    countryAnswers.set(vendor, (byIso = new Map()));
  }
  byIso.set(isoCode, same);
  return same;
}

function compareCountries(vendor: string, isoCode: string): boolean {
  const v = norm(vendor);
  if (v === norm(isoCode)) return true;
  let name: string | undefined;
  try {
    name = (regionNames ??= new Intl.DisplayNames(['en'], { type: 'region' })).of(isoCode.toUpperCase());
  } catch {
    return false; // not a region code
  }
  return name !== undefined && v === norm(name);
}

/** Fill the endpoint's missing location fields from the database's, coarse to fine, stopping at a disagreement. */
export function mergeLocation(src: SrcEndpoint, db: Location): void {
  if (src.location) fillLocation(src.location, db);
  else src.location = { ...db };
}

/**
 * `mergeLocation` on a location given (all five fields undefined is no location: everything is filled, as the copy
 * would be). A flat sign-in is filled in place through this, being a `Location` itself.
 */
export function fillLocation(have: Location, db: Location): void {
  if (have.country !== undefined) {
    if (db.country !== undefined && !sameCountry(have.country, db.country)) return;
  } else if (db.country !== undefined) have.country = db.country;
  // Region, then city, each read by its name: a loop over the two names made every read and write a lookup by a
  // name known only at run time, which V8 cannot make a field access, on the reading thread's path for every event.
  const region = have.region;
  if (region !== undefined) {
    if (disagree(region, db.region)) return;
  } else if (db.region !== undefined) have.region = db.region;
  const city = have.city;
  if (city !== undefined) {
    if (disagree(city, db.city)) return;
  } else if (db.city !== undefined) have.city = db.city;
  // Coordinates go together: one from the vendor and one from the database would be a point nobody reported.
  if (have.lat === undefined && have.long === undefined && db.lat !== undefined && db.long !== undefined) {
    have.lat = db.lat;
    have.long = db.long;
  }
}

/** Do the log's and the database's names of a place differ (beyond case and accents)? */
function disagree(theirs: string, ours: string | undefined): boolean {
  return ours !== undefined && theirs !== ours && norm(theirs) !== norm(ours);
}

/** Fill the endpoint's missing AS number, and the name when the numbers agree. */
export function mergeAutonomousSystem(src: SrcEndpoint, db: AutonomousSystem): void {
  const have = src.autonomous_system;
  if (!have) {
    src.autonomous_system = { ...db };
    return;
  }
  if (have.number === undefined) {
    // A vendor's name alone cannot be checked against the number; keep it and add the number.
    have.number = db.number;
    if (have.name === undefined && db.name !== undefined) have.name = db.name;
    return;
  }
  if (have.number === db.number && have.name === undefined && db.name !== undefined) have.name = db.name;
}
