/**
 * @module simulate/netblocks
 * A small table of real public IPv4 netblocks, by country, network and kind, so that the country and ASN lookups the
 * enrichment does on simulated addresses give plausible answers (checked against the shipped GeoLite2 city and ASN
 * databases by netblocks.test.ts). Kinds: fixed broadband (homes, small offices), mobile carriers, hosting, and the
 * hosting ranges where Tor exits and commercial VPN exits actually live. The city and coordinates are the ones a
 * vendor's own geolocation would show for the block; they only feed vendor location fields.
 * No private, reserved or documentation range is ever used for a public source.
 */

export type BlockKind = 'broadband' | 'mobile' | 'hosting' | 'tor' | 'vpn';

export interface Netblock {
  cidr: string;
  country: string; // ISO 3166-1 alpha-2
  city: string;
  state: string;
  lat: number;
  lon: number;
  asn: number;
  network: string;
  kind: BlockKind;
  /** Relative share when drawing among blocks of one kind (Tor: exits seen in the real list of 2024-02-27). */
  weight?: number;
}

type Row = [cidr: string, country: string, city: string, state: string, lat: number, lon: number, asn: number, network: string, weight?: number];

function rows(kind: BlockKind, list: Row[]): Netblock[] {
  return list.map(([cidr, country, city, state, lat, lon, asn, network, weight]) => ({ cidr, country, city, state, lat, lon, asn, network, kind, weight }));
}

export const NETBLOCKS: readonly Netblock[] = [
  ...rows('broadband', [
    ['73.0.0.0/16', 'US', 'Miami', 'Florida', 25.77, -80.19, 7922, 'Comcast Cable Communications'],
    ['73.100.0.0/16', 'US', 'Quincy', 'Massachusetts', 42.25, -71.0, 7922, 'Comcast Cable Communications'],
    ['98.200.0.0/16', 'US', 'Houston', 'Texas', 29.76, -95.37, 7922, 'Comcast Cable Communications'],
    ['68.80.0.0/16', 'US', 'Philadelphia', 'Pennsylvania', 39.95, -75.16, 7922, 'Comcast Cable Communications'],
    ['76.100.0.0/16', 'US', 'Silver Spring', 'Maryland', 38.99, -77.03, 7922, 'Comcast Cable Communications'],
    ['108.20.0.0/16', 'US', 'Boston', 'Massachusetts', 42.36, -71.06, 701, 'Verizon Business'],
    ['99.100.0.0/16', 'US', 'Los Angeles', 'California', 34.05, -118.24, 7018, 'AT&T Services'],
    ['47.144.0.0/16', 'US', 'Camarillo', 'California', 34.22, -119.04, 5650, 'Frontier Communications'],
    ['86.140.0.0/16', 'GB', 'London', 'England', 51.51, -0.13, 2856, 'British Telecommunications'],
    ['86.150.0.0/16', 'GB', 'Birmingham', 'England', 52.48, -1.89, 2856, 'British Telecommunications'],
    ['82.1.0.0/16', 'GB', 'Nottingham', 'England', 52.95, -1.15, 5089, 'Virgin Media'],
    ['81.100.0.0/16', 'GB', 'Southampton', 'England', 50.9, -1.4, 5089, 'Virgin Media'],
    ['90.200.0.0/16', 'GB', 'Bristol', 'England', 51.45, -2.59, 5607, 'Sky UK'],
    ['79.200.0.0/16', 'DE', 'Velbert', 'North Rhine-Westphalia', 51.34, 7.04, 3320, 'Deutsche Telekom'],
    ['84.150.0.0/16', 'DE', 'Munich', 'Bavaria', 48.14, 11.58, 3320, 'Deutsche Telekom'],
    ['93.200.0.0/16', 'DE', 'Cologne', 'North Rhine-Westphalia', 50.94, 6.96, 3320, 'Deutsche Telekom'],
    ['88.70.0.0/16', 'DE', 'Hamburg', 'Hamburg', 53.55, 9.99, 3209, 'Vodafone GmbH'],
    ['91.64.0.0/16', 'DE', 'Berlin', 'Berlin', 52.52, 13.4, 3209, 'Vodafone GmbH'],
    ['90.10.0.0/16', 'FR', 'Paris', 'Ile-de-France', 48.86, 2.35, 3215, 'Orange'],
    ['92.160.0.0/16', 'FR', 'Lyon', 'Auvergne-Rhone-Alpes', 45.76, 4.84, 3215, 'Orange'],
    ['78.120.0.0/16', 'FR', 'Montreuil', 'Ile-de-France', 48.86, 2.44, 15557, 'SFR'],
    ['83.40.0.0/16', 'ES', 'Barcelona', 'Catalonia', 41.39, 2.17, 3352, 'Telefonica de Espana'],
    ['95.127.0.0/16', 'ES', 'Madrid', 'Madrid', 40.42, -3.7, 3352, 'Telefonica de Espana'],
    ['81.40.0.0/16', 'ES', 'Seville', 'Andalusia', 37.39, -5.98, 3352, 'Telefonica de Espana'],
    ['37.132.0.0/16', 'ES', 'Madrid', 'Madrid', 40.42, -3.7, 12479, 'Orange Espagne'],
    ['213.143.48.0/20', 'ES', 'Barcelona', 'Catalonia', 41.39, 2.17, 12479, 'Orange Espagne'],
    ['187.140.0.0/16', 'MX', 'Celaya', 'Guanajuato', 20.52, -100.81, 8151, 'Uninet (Telmex)'],
    ['189.128.0.0/16', 'MX', 'Queretaro', 'Queretaro', 20.59, -100.39, 8151, 'Uninet (Telmex)'],
    ['187.224.0.0/16', 'MX', 'Guadalajara', 'Jalisco', 20.67, -103.35, 8151, 'Uninet (Telmex)'],
    ['39.40.0.0/16', 'PK', 'Islamabad', 'Islamabad', 33.68, 73.05, 17557, 'Pakistan Telecommunication Company'],
    ['182.176.0.0/16', 'PK', 'Lahore', 'Punjab', 31.55, 74.34, 17557, 'Pakistan Telecommunication Company'],
    ['39.57.0.0/16', 'PK', 'Karachi', 'Sindh', 24.86, 67.0, 17557, 'Pakistan Telecommunication Company'],
    ['58.65.160.0/19', 'PK', 'Islamabad', 'Islamabad', 33.68, 73.05, 23674, 'Nayatel'],
    ['81.244.0.0/16', 'BE', 'Ghent', 'Flanders', 51.05, 3.72, 5432, 'Proximus'],
    ['178.117.0.0/16', 'BE', 'Antwerp', 'Flanders', 51.22, 4.4, 6848, 'Telenet'],
    ['77.170.0.0/16', 'NL', 'Amsterdam', 'North Holland', 52.37, 4.9, 1136, 'KPN'],
    ['84.24.0.0/16', 'NL', 'The Hague', 'South Holland', 52.08, 4.3, 33915, 'Vodafone Libertel'],
    ['93.40.0.0/16', 'IT', 'Rome', 'Lazio', 41.9, 12.5, 12874, 'Fastweb'],
    ['87.10.0.0/16', 'IT', 'Rome', 'Lazio', 41.9, 12.5, 3269, 'Telecom Italia'],
    ['85.0.0.0/16', 'CH', 'Zurich', 'Zurich', 47.37, 8.54, 3303, 'Swisscom'],
    ['186.200.0.0/16', 'BR', 'Sao Paulo', 'Sao Paulo', -23.55, -46.63, 10429, 'Telefonica Brasil'],
    ['187.20.0.0/16', 'BR', 'Belo Horizonte', 'Minas Gerais', -19.92, -43.94, 28573, 'Claro NXT'],
    ['113.160.0.0/16', 'VN', 'Hanoi', 'Hanoi', 21.03, 105.85, 45899, 'VNPT'],
    ['14.170.0.0/16', 'VN', 'Thai Nguyen', 'Thai Nguyen', 21.59, 105.85, 45899, 'VNPT'],
    ['36.80.0.0/16', 'ID', 'Makassar', 'South Sulawesi', -5.15, 119.43, 7713, 'Telkom Indonesia'],
  ]),
  ...rows('mobile', [
    ['172.56.0.0/16', 'US', 'San Bernardino', 'California', 34.11, -117.29, 21928, 'T-Mobile USA'],
    ['172.58.0.0/16', 'US', 'Dallas', 'Texas', 32.78, -96.8, 21928, 'T-Mobile USA'],
    ['174.192.0.0/16', 'US', 'Chicago', 'Illinois', 41.88, -87.63, 22394, 'Verizon Wireless'],
    ['97.128.0.0/16', 'US', 'Edison', 'New Jersey', 40.52, -74.41, 22394, 'Verizon Wireless'],
    ['92.40.0.0/16', 'GB', 'London', 'England', 51.51, -0.13, 206067, 'Three UK'],
    ['31.94.0.0/16', 'GB', 'Bristol', 'England', 51.45, -2.59, 2856, 'EE (BT)'],
    ['176.0.0.0/16', 'DE', 'Berlin', 'Berlin', 52.52, 13.4, 6805, 'Telefonica Germany'],
    ['80.187.0.0/16', 'DE', 'Berlin', 'Berlin', 52.52, 13.4, 3320, 'Telekom Deutschland (mobile)'],
    ['176.130.0.0/16', 'FR', 'Paris', 'Ile-de-France', 48.86, 2.35, 5410, 'Bouygues Telecom'],
    ['37.164.0.0/16', 'FR', 'Paris', 'Ile-de-France', 48.86, 2.35, 51207, 'Free Mobile'],
    ['31.4.128.0/17', 'ES', 'Barcelona', 'Catalonia', 41.39, 2.17, 12430, 'Vodafone Espana'],
    ['77.208.0.0/16', 'ES', 'Alicante', 'Valencia', 38.35, -0.48, 12430, 'Vodafone Espana'],
    ['200.68.128.0/18', 'MX', 'Ciudad Juarez', 'Chihuahua', 31.69, -106.42, 28403, 'Telcel (Radiomovil Dipsa)'],
    ['111.119.176.0/20', 'PK', 'Lahore', 'Punjab', 31.55, 74.34, 59257, 'Zong (CMPak)'],
    ['119.160.112.0/20', 'PK', 'Karachi', 'Sindh', 24.86, 67.0, 45669, 'Jazz (Mobilink)'],
    ['37.111.128.0/18', 'PK', 'Islamabad', 'Islamabad', 33.68, 73.05, 24499, 'Telenor Pakistan'],
    ['223.123.0.0/19', 'PK', 'Lahore', 'Punjab', 31.55, 74.34, 59257, 'Zong (CMPak)'],
    ['178.197.0.0/16', 'CH', 'Zurich', 'Zurich', 47.37, 8.54, 3303, 'Swisscom (mobile)'],
    ['151.40.0.0/16', 'IT', 'Florence', 'Tuscany', 43.77, 11.26, 1267, 'Wind Tre'],
    ['31.151.0.0/16', 'NL', 'Amsterdam', 'North Holland', 52.37, 4.9, 33915, 'Vodafone Libertel'],
    ['126.200.0.0/16', 'JP', 'Tokyo', 'Tokyo', 35.68, 139.69, 17676, 'SoftBank'],
    ['49.36.0.0/16', 'IN', 'Mumbai', 'Maharashtra', 19.08, 72.88, 55836, 'Reliance Jio'],
    ['102.89.0.0/16', 'NG', 'Lagos', 'Lagos', 6.52, 3.38, 29465, 'MTN Nigeria'],
    ['105.112.0.0/16', 'NG', 'Lagos', 'Lagos', 6.52, 3.38, 36873, 'Airtel Nigeria'],
  ]),
  ...rows('hosting', [
    ['64.225.0.0/18', 'US', 'Clifton', 'New Jersey', 40.86, -74.16, 14061, 'DigitalOcean'],
    ['3.80.0.0/12', 'US', 'Ashburn', 'Virginia', 39.04, -77.49, 14618, 'Amazon.com'],
    ['45.33.0.0/17', 'US', 'Fremont', 'California', 37.55, -121.99, 63949, 'Akamai (Linode)'],
    ['18.132.0.0/14', 'GB', 'London', 'England', 51.51, -0.13, 16509, 'Amazon.com'],
    ['35.180.0.0/16', 'FR', 'Paris', 'Ile-de-France', 48.86, 2.35, 16509, 'Amazon.com'],
    ['195.154.0.0/16', 'FR', 'Paris', 'Ile-de-France', 48.86, 2.35, 12876, 'Scaleway'],
    ['91.121.0.0/16', 'FR', 'Roubaix', 'Hauts-de-France', 50.69, 3.17, 16276, 'OVH'],
    ['5.39.0.0/18', 'FR', 'Roubaix', 'Hauts-de-France', 50.69, 3.17, 16276, 'OVH'],
    ['88.198.0.0/16', 'DE', 'Falkenstein', 'Saxony', 50.48, 12.37, 24940, 'Hetzner Online'],
    ['136.243.0.0/16', 'DE', 'Falkenstein', 'Saxony', 50.48, 12.37, 24940, 'Hetzner Online'],
    ['95.216.0.0/16', 'FI', 'Helsinki', 'Uusimaa', 60.17, 24.94, 24940, 'Hetzner Online'],
  ]),
  // Ranges that host many real Tor exits; weight = exits seen there in the Tor list of 2024-02-27.
  ...rows('tor', [
    ['185.220.100.0/24', 'DE', 'Brandenburg', 'Brandenburg', 52.41, 12.53, 205100, 'F3 Netze', 16],
    ['185.220.101.0/24', 'DE', 'Brandenburg', 'Brandenburg', 52.41, 12.53, 60729, 'Stiftung Erneuerbare Freiheit', 138],
    ['185.220.102.0/24', 'DE', 'Brandenburg', 'Brandenburg', 52.41, 12.53, 60729, 'Stiftung Erneuerbare Freiheit', 40],
    ['185.220.103.0/24', 'US', 'Seattle', 'Washington', 47.61, -122.33, 4224, 'The Calyx Institute', 6],
    ['192.42.116.0/24', 'NL', 'Amsterdam', 'North Holland', 52.37, 4.9, 215125, 'Church of Cyberology', 58],
    ['107.189.0.0/21', 'LU', 'Luxembourg', 'Luxembourg', 49.61, 6.13, 53667, 'FranTech Solutions', 33],
    ['5.255.96.0/19', 'NL', 'Dronten', 'Flevoland', 52.52, 5.72, 60404, 'The Infrastructure Group', 29],
    ['23.154.177.0/24', 'US', 'Kansas City', 'Missouri', 39.1, -94.58, 401720, 'Unredacted', 24],
    ['104.244.72.0/21', 'CH', 'Zurich', 'Zurich', 47.37, 8.54, 53667, 'FranTech Solutions', 19],
    ['45.141.215.0/24', 'PL', 'Warsaw', 'Mazovia', 52.23, 21.01, 210558, '1337 Services', 16],
    ['109.70.100.0/24', 'AT', 'Vienna', 'Vienna', 48.21, 16.37, 208323, 'Foundation for Applied Privacy', 13],
    ['179.43.128.0/18', 'CH', 'Rumlang', 'Zurich', 47.45, 8.53, 51852, 'Private Layer', 13],
    ['185.100.84.0/23', 'RO', 'Bucharest', 'Bucharest', 44.43, 26.1, 200651, 'FlokiNET', 13],
    ['193.189.100.0/24', 'SE', 'Stockholm', 'Stockholm', 59.33, 18.07, 41281, 'KeFF Networks', 13],
    ['23.137.248.0/24', 'NL', 'Amsterdam', 'North Holland', 52.37, 4.9, 40663, 'IncogNet', 12],
    ['162.247.74.0/24', 'US', 'New York', 'New York', 40.71, -74.01, 401370, 'Calyx Networks', 11],
    ['185.129.61.0/24', 'DK', 'Copenhagen', 'Capital Region', 55.68, 12.57, 210731, 'Forening for DotSrc', 11],
    ['185.195.71.0/24', 'CH', 'Zug', 'Zug', 47.17, 8.52, 56803, 'Datasource', 11],
    ['185.241.208.0/24', 'PL', 'Warsaw', 'Mazovia', 52.23, 21.01, 210558, '1337 Services', 10],
    ['185.243.216.0/23', 'NO', 'Sandefjord', 'Vestfold', 59.13, 10.22, 56655, 'Gigahost', 9],
    ['198.98.48.0/20', 'US', 'Staten Island', 'New York', 40.58, -74.15, 53667, 'FranTech Solutions', 9],
    ['205.185.112.0/20', 'US', 'Las Vegas', 'Nevada', 36.17, -115.14, 53667, 'FranTech Solutions', 8],
    ['209.141.32.0/19', 'US', 'Las Vegas', 'Nevada', 36.17, -115.14, 53667, 'FranTech Solutions', 8],
    ['199.195.248.0/21', 'US', 'Staten Island', 'New York', 40.58, -74.15, 53667, 'FranTech Solutions', 8],
    ['89.147.108.0/22', 'IS', 'Reykjavik', 'Capital Region', 64.15, -21.94, 44925, '1984 ehf', 8],
    ['171.25.193.0/24', 'SE', 'Stockholm', 'Stockholm', 59.33, 18.07, 198093, 'DFRI', 7],
    ['178.17.168.0/21', 'MD', 'Chisinau', 'Chisinau', 47.01, 28.86, 43289, 'Trabia', 6],
    ['87.118.64.0/18', 'DE', 'Friedberg', 'Hesse', 50.34, 8.75, 31103, 'Keyweb', 6],
    ['46.183.216.0/21', 'LV', 'Riga', 'Riga', 56.95, 24.11, 52048, 'RixHost', 5],
  ]),
  // Commercial VPN exits (ranges on the X4BNet VPN list, 2026-08-22).
  ...rows('vpn', [
    ['37.120.216.0/24', 'US', 'New York', 'New York', 40.71, -74.01, 9009, 'M247'],
    ['37.120.217.0/24', 'DE', 'Berlin', 'Berlin', 52.52, 13.4, 9009, 'M247'],
    ['37.120.218.0/24', 'BE', 'Brussels', 'Brussels', 50.85, 4.35, 9009, 'M247'],
    ['31.56.128.0/21', 'GB', 'Manchester', 'England', 53.48, -2.24, 9009, 'M247'],
    ['45.85.108.0/22', 'ES', 'Madrid', 'Madrid', 40.42, -3.7, 9009, 'M247'],
    ['2.57.68.0/22', 'FR', 'Paris', 'Ile-de-France', 48.86, 2.35, 9009, 'M247'],
    ['5.157.132.0/22', 'RO', 'Bucharest', 'Bucharest', 44.43, 26.1, 9009, 'M247'],
    ['37.19.196.0/22', 'US', 'New York', 'New York', 40.71, -74.01, 212238, 'Datacamp'],
    ['64.43.116.0/22', 'US', 'New York', 'New York', 40.71, -74.01, 136787, 'PacketHub'],
  ]),
];

export function blocksOf(kind: BlockKind, country?: string): Netblock[] {
  return NETBLOCKS.filter((b) => b.kind === kind && (country === undefined || b.country === country));
}

const ranges = new Map<string, { first: number; size: number }>();

/** First address and size of a CIDR block. */
export function cidrRange(cidr: string): { first: number; size: number } {
  let r = ranges.get(cidr);
  if (!r) {
    const [base, len] = cidr.split('/');
    r = { first: base.split('.').reduce((a, o) => a * 256 + Number(o), 0), size: 2 ** (32 - Number(len)) };
    ranges.set(cidr, r);
  }
  return r;
}

export function ipv4ToString(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

const CONTINENT: Record<string, string> = {
  US: 'NA', MX: 'NA',
  BR: 'SA',
  NG: 'AF',
  PK: 'AS', IN: 'AS', VN: 'AS', ID: 'AS', JP: 'AS',
};

/** Continent code of a country in the table (Europe unless listed otherwise). */
export function continentOf(country: string): string {
  return CONTINENT[country] ?? 'EU';
}

/** English country names, as Okta's geographicalContext and Google's reports print them. */
export const COUNTRY_NAMES: Record<string, string> = {
  US: 'United States', MX: 'Mexico', BR: 'Brazil', NG: 'Nigeria', PK: 'Pakistan', IN: 'India', VN: 'Vietnam',
  ID: 'Indonesia', JP: 'Japan', GB: 'United Kingdom', DE: 'Germany', FR: 'France', ES: 'Spain', BE: 'Belgium',
  NL: 'Netherlands', IT: 'Italy', CH: 'Switzerland', AT: 'Austria', LU: 'Luxembourg', PL: 'Poland', RO: 'Romania',
  SE: 'Sweden', DK: 'Denmark', NO: 'Norway', IS: 'Iceland', MD: 'Moldova', LV: 'Latvia', FI: 'Finland',
};
