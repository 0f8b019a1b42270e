/**
 * @module simulate/population
 * The organisations and their people: sector, language, country, time zone, size; per person a login, an office or
 * home working pattern, a home address and phone addresses that stay the same all week, the devices and mail
 * clients they use, whether they use a commercial VPN, and the trips they take. Identifiers are in the shape each
 * vendor's logs name the organisation by (Entra tenant GUID, Okta login domain, Google customer id, AWS account, sshd host),
 * because `orgs.yaml` ids must be the tenant ids the logs carry.
 */
import type { Address, AddressSpace } from './addresses.js';
import { UA } from './event.js';
import { FAMILY, GIVEN, orgName, slugOf, type Language, type OrgKind } from './names.js';
import { NETBLOCKS } from './netblocks.js';
import type { Rng } from './rng.js';

export const FORMATS = ['entra', 'okta', 'gws', 'm365', 'cloudtrail', 'sshd'] as const;
export type SimFormat = (typeof FORMATS)[number];

export const SECTORS = ['political', 'media', 'ngo', 'business', 'government', 'other'] as const;
export type Sector = (typeof SECTORS)[number];

const SECTOR_OF: Record<OrgKind, Sector> = {
  campaign: 'political',
  party: 'political',
  think_tank: 'other',
  ngo: 'ngo',
  newsroom: 'media',
  consultancy: 'business',
  business: 'business',
  agency: 'government',
};

/** Staff numbers by kind at scale 1 (the brief's 20 to 400 accounts). */
const SIZE: Record<OrgKind, [number, number]> = {
  campaign: [40, 250],
  party: [60, 300],
  think_tank: [20, 90],
  ngo: [20, 150],
  newsroom: [60, 400],
  consultancy: [20, 120],
  business: [80, 400],
  agency: [100, 400],
};

/** The mix of organisations, cycled when more are asked for. */
const TEMPLATES: [OrgKind, Language, string, string][] = [
  ['campaign', 'en', 'US', 'America/New_York'],
  ['think_tank', 'en', 'US', 'America/New_York'],
  ['ngo', 'en', 'GB', 'Europe/London'],
  ['newsroom', 'de', 'DE', 'Europe/Berlin'],
  ['consultancy', 'en', 'GB', 'Europe/London'],
  ['party', 'es', 'ES', 'Europe/Madrid'],
  ['ngo', 'fr', 'FR', 'Europe/Paris'],
  ['think_tank', 'de', 'DE', 'Europe/Berlin'],
  ['newsroom', 'ur', 'PK', 'Asia/Karachi'],
  ['business', 'es', 'MX', 'America/Mexico_City'],
  ['campaign', 'en', 'US', 'America/Chicago'],
  ['agency', 'fr', 'FR', 'Europe/Paris'],
  ['business', 'en', 'US', 'America/Los_Angeles'],
  ['ngo', 'ur', 'PK', 'Asia/Karachi'],
  ['newsroom', 'en', 'US', 'America/New_York'],
  ['think_tank', 'fr', 'FR', 'Europe/Paris'],
];

/** Where people from each country travel to. */
const TRAVEL: Record<string, string[]> = {
  US: ['GB', 'DE', 'FR', 'BE', 'MX', 'JP', 'CH'],
  GB: ['US', 'BE', 'FR', 'DE', 'NL', 'CH', 'IT'],
  DE: ['BE', 'FR', 'CH', 'US', 'NL', 'IT', 'GB'],
  FR: ['BE', 'DE', 'CH', 'ES', 'IT', 'US', 'GB'],
  ES: ['FR', 'BE', 'MX', 'IT', 'GB', 'DE'],
  MX: ['US', 'ES', 'BR'],
  PK: ['GB', 'US', 'CH', 'NL'],
};

export interface Trip {
  /** First and last local day index of the trip (inclusive). */
  from: number;
  to: number;
  country: string;
  addrs: Address[];
}

export interface User {
  idx: number;
  org: Org;
  displayName: string;
  /** Local part of the e-mail address, e.g. maria.garcia */
  login: string;
  /** Unix-style name for sshd, e.g. mgarcia */
  unix: string;
  upn: string;
  /** Directory object id (Entra), also used as M365 UserKey. */
  uid: string;
  oktaId: string;
  googleId: string;
  awsId: string;
  country: string;
  home: Address;
  phone: Address[];
  /** Works from home every day. */
  remote: boolean;
  desktopUa: string;
  phoneUa: string;
  /** How the phone fetches mail: modern app or legacy ActiveSync / IMAP (a stale password shows there). */
  mailClient: 'mobile_app' | 'activesync' | 'imap';
  mailUa: string;
  vpn: Address[] | undefined;
  trips: Trip[];
  /** Local hour the working day starts and its length. */
  dayStart: number;
  dayLength: number;
  /** Senior staff: the hand-picked targets of slow, targeted guessing. */
  senior: boolean;
}

export interface Org {
  idx: number;
  id: string;
  name: string;
  kind: OrgKind;
  sector: Sector;
  language: Language;
  country: string;
  timeZone: string;
  domain: string;
  slug: string;
  /** sshd host name (syslog HOSTNAME) */
  host: string;
  awsAccount: string;
  size: number;
  office: Address;
  /** The identity provider asks for a second factor on first interactive sign-in. */
  mfa: boolean;
  /** Failed attempts after which the provider locks the account for a while. */
  lockoutThreshold: number;
  users: User[];
  byLogin: Map<string, User>;
}

/** The organisation's id as the chosen vendor's logs carry it. */
function tenantIdFor(format: SimFormat, rng: Rng, slug: string, domain: string, awsAccount: string): string {
  switch (format) {
    case 'entra':
    case 'm365':
      return rng.uuid();
    case 'okta':
      return domain; // Okta events carry no org id: the org is the domain of its logins
    case 'gws':
      return `C0${rng.alnum(7)}`;
    case 'cloudtrail':
      return awsAccount;
    case 'sshd':
      return `bastion.${domain}`;
  }
}

function capital(word: string): string {
  return word[0].toUpperCase() + word.slice(1);
}

/** A country someone can live in: it has both home broadband and mobile networks in the table. */
function livable(country: string): boolean {
  return NETBLOCKS.some((b) => b.country === country && b.kind === 'broadband') && NETBLOCKS.some((b) => b.country === country && b.kind === 'mobile');
}

/** A country someone can visit: it has some consumer network in the table. */
function visitable(country: string): boolean {
  return NETBLOCKS.some((b) => b.country === country && (b.kind === 'broadband' || b.kind === 'mobile'));
}

export interface PopulationOptions {
  orgs: number;
  scale: number;
  days: number;
  format: SimFormat;
}

export function buildPopulation(opts: PopulationOptions, rng: Rng, space: AddressSpace): Org[] {
  const orgs: Org[] = [];
  const slugs = new Set<string>();
  for (let i = 0; i < opts.orgs; i++) {
    const r = rng.fork('org', i);
    const [kind, language, country, timeZone] = TEMPLATES[i % TEMPLATES.length];
    let name = orgName(kind, language, r);
    let slug = slugOf(name);
    for (let n = 2; slugs.has(slug); n++) {
      name = orgName(kind, language, r);
      slug = slugOf(name) + (n > 4 ? String(n) : '');
    }
    slugs.add(slug);
    const domain = `${slug}.example`;
    const awsAccount = String(100000000000 + r.int(899999999999));
    const [lo, hi] = SIZE[kind];
    const size = Math.max(3, Math.round(r.range(lo, hi) * opts.scale));
    const org: Org = {
      idx: i,
      // From its own stream, so the same seed tells the same story in every format.
      id: tenantIdFor(opts.format, r.fork('tenant'), slug, domain, awsAccount),
      name,
      kind,
      sector: SECTOR_OF[kind],
      language,
      country,
      timeZone,
      domain,
      slug,
      host: `bastion.${domain}`,
      awsAccount,
      size,
      office: space.takeKind('broadband', country),
      mfa: r.chance(0.8),
      lockoutThreshold: r.pick([5, 10, 10]),
      users: [],
      byLogin: new Map(),
    };
    buildUsers(org, opts, r.fork('users'), space);
    orgs.push(org);
  }
  return orgs;
}

function buildUsers(org: Org, opts: PopulationOptions, rng: Rng, space: AddressSpace): void {
  const unixNames = new Set<string>();
  for (let i = 0; i < org.size; i++) {
    const given = rng.pick(GIVEN[org.language]);
    const family = rng.pick(FAMILY[org.language]);
    let login = `${given}.${family}`;
    for (let n = 2; org.byLogin.has(login); n++) login = `${given}.${family}${n}`;
    let unix = `${given[0]}${family}`.slice(0, 16);
    for (let n = 2; unixNames.has(unix); n++) unix = `${given[0]}${family}`.slice(0, 14) + n;
    unixNames.add(unix);
    // A few staff live abroad (correspondents, remote consultants).
    const abroad = rng.chance(0.03) ? rng.pick(TRAVEL[org.country].filter(livable)) : undefined;
    const country = abroad ?? org.country;
    const iphone = rng.chance(0.55);
    const mailClient = rng.chance(0.7) ? 'mobile_app' : rng.chance(0.85) ? 'activesync' : 'imap';
    const user: User = {
      idx: i,
      org,
      displayName: `${capital(given)} ${capital(family)}`,
      login,
      unix,
      upn: `${login}@${org.domain}`,
      uid: rng.uuid(),
      oktaId: `00u${rng.alnum(17)}`,
      googleId: `10${String(rng.int(1e9)).padStart(9, '0')}${String(rng.int(1e10)).padStart(10, '0')}`,
      awsId: `AIDA${rng.alnum(17).toUpperCase()}`,
      country,
      home: space.takeKind('broadband', country),
      phone: [space.takeKind('mobile', country), space.takeKind('mobile', country)],
      remote: abroad !== undefined || rng.chance(0.3),
      desktopUa: rng.pick([UA.chromeWin, UA.chromeWin, UA.edgeWin, UA.edgeWin, UA.firefoxWin, UA.safariMac, UA.chromeMac]),
      phoneUa: iphone ? UA.safariIphone : UA.chromeAndroid,
      mailClient,
      mailUa: mailClient === 'mobile_app' ? (iphone ? UA.outlookIos : UA.outlookAndroid) : mailClient === 'activesync' ? (iphone ? UA.iosMail : UA.androidMail) : UA.thunderbird,
      vpn: undefined,
      trips: [],
      dayStart: Math.min(10.5, Math.max(6.5, rng.normal(8.4, 0.8))),
      dayLength: Math.min(11, Math.max(6, rng.normal(8.8, 1))),
      senior: i < Math.max(2, Math.round(org.size * 0.05)),
    };
    if (rng.chance(0.06)) {
      const vpnCountry = rng.chance(0.6) ? country : rng.pick(['US', 'GB', 'DE', 'FR', 'ES', 'BE', 'RO']);
      user.vpn = [space.sharedExit('vpn', vpnCountry), space.sharedExit('vpn', vpnCountry), space.sharedExit('vpn', vpnCountry)];
    }
    planTrips(user, opts.days, rng, space);
    org.users.push(user);
    org.byLogin.set(login, user);
  }
}

/** About one person in twenty is away each week: a trip of 2-5 days to a country their colleagues travel to. */
function planTrips(user: User, days: number, rng: Rng, space: AddressSpace): void {
  const expected = (days / 7) * 0.05;
  let count = rng.poisson(expected);
  let earliest = 1;
  while (count-- > 0 && earliest < days - 1) {
    const from = rng.range(earliest, days - 1);
    const to = Math.min(days - 1, from + rng.range(1, 4));
    const country = rng.pick(TRAVEL[user.org.country].filter((c) => c !== user.country && visitable(c)));
    const kinds = NETBLOCKS.filter((b) => b.country === country && (b.kind === 'broadband' || b.kind === 'mobile'));
    const addrs = [space.take(rng.pick(kinds)), space.take(rng.pick(kinds))];
    user.trips.push({ from, to, country, addrs });
    earliest = to + 3;
  }
}

/** The trip a user is on during a local day, if any. */
export function tripOn(user: User, day: number): Trip | undefined {
  for (const t of user.trips) if (day >= t.from && day <= t.to) return t;
  return undefined;
}
