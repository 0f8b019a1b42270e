/**
 * @module detect/signal
 * The compact view of an enriched OCSF Authentication event that detectors work on: lower-cased account, source
 * netblock, tool fingerprint, anonymiser class. Built once per event so detectors don't each re-derive it.
 */
import { isIP } from 'node:net';
import { parseIpv4 } from '../enrich/ip-address.js';
import { detachedText } from '../formats/common.js';
import type { Enricher } from '../enrich/index.js';
import type { SourceKey } from './profiles.js';
import type { AuthEvent, FailureReason } from '../ocsf/authentication.js';
import { isFlatSignIn, type FlatSignIn } from '../ocsf/flat-sign-in.js';

export interface Signal {
  t: number;
  tenant: string;
  /** Account as written in the log (for display) and its lower-cased key. */
  user: string;
  userKey: string;
  /**
   * The source address; its host name when the log gives only that (old sshd PAM lines: rhost=host), so attempts
   * from it are still told apart and findings can name it; '' when the log has neither.
   */
  ip: string;
  /**
   * The source's netblock, /24 for IPv4 and /48 for IPv6 (the unit rotating infrastructure usually shares), as the
   * profiles and attempt groups key it (`netKeyOf`): an IPv4 /24 as the number of its first three bytes, which a map
   * hashes and compares in place, else the netblock's text (`netText` writes either); '' when there is none.
   */
  netKey: SourceKey;
  asn: number; // 0 unknown
  asOrg: string;
  country: string;
  /** Coordinates are only as good as the city: country-level lookups give the country's centre. */
  lat: number | undefined;
  lon: number | undefined;
  /** Most specific intel kind of the source: malicious, tor, vpn, hosting, or ''. */
  anon: string;
  ok: boolean;
  /** OCSF status_id: 1 success, 2 failure, 99 other (an MFA prompt sent, a vendor warning). */
  status: number;
  passwordValid: boolean;
  reason: FailureReason | '';
  legacy: boolean;
  mfaEvent: string;
  ua: string;
  app: string;
  proto: string;
  /** The tool fingerprint: user agent + client app + protocol, the attacker's constant while addresses rotate. */
  fp: string;
  /** Where the event came from (for evidence). Signals keep no reference to the event: it can be freed at once. */
  source: { file: string; line: number } | undefined;
  /** The input format (sshd attempts span lines, which decides where a run may checkpoint). */
  format: string;
}

export function netblockOf(ip: string): string {
  // parseIpv4 takes exactly the texts isIP calls IPv4, without its regular expression.
  const v = parseIpv4(ip) !== undefined ? 4 : isIP(ip);
  if (v === 4) return ip.slice(0, ip.lastIndexOf('.')) + '.0/24';
  if (v === 6) {
    const full = expand6(ip);
    return full ? full.slice(0, 3).join(':') + '::/48' : ip;
  }
  return '';
}

/**
 * `netKey(netblockOf(ip))`, without the netblock's text for IPv4: its first three bytes as one number (the reading
 * thread sends it as a number, and nothing on the detection thread makes or parses the text for each event).
 */
export function netKeyOf(ip: string): SourceKey {
  const v4 = parseIpv4(ip);
  return v4 !== undefined ? Math.floor(v4 / 256) : netblockOf(ip);
}

function expand6(ip: string): string[] | undefined {
  const [head, tail] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined ? (tail ? tail.split(':') : []) : [];
  if (tail === undefined && h.length !== 8) return undefined;
  const zeros = new Array(Math.max(0, 8 - h.length - t.length)).fill('0');
  return [...h, ...zeros, ...t].map((p) => p.replace(/^0+(?=.)/, '').toLowerCase());
}

/** "N address(es) in M netblock(s)", and the sources the log named by host name only (see `Signal.ip`). */
export function sourcesText(sources: readonly string[]): string {
  // Netblocks as their keys (an IPv4 /24 a number): no netblock text to make per address (a brute force's finding is
  // remade with its thousands of addresses as it grows).
  const nets = new Set<SourceKey>();
  let hosts = 0;
  for (const x of sources) {
    const n = netKeyOf(x);
    if (n !== '') nets.add(n);
    else hosts++;
  }
  return describeSources(sources.length - hosts, nets.size, hosts);
}

/** `sourcesText`'s words for its counts: addresses, the netblocks they are in, and sources named only by host name. */
export function describeSources(addresses: number, netblocks: number, hosts: number): string {
  if (addresses === 0) return `${hosts} host(s) the log names only by host name`;
  return `${addresses} address(es) in ${netblocks} netblock(s)` + (hosts ? ` and ${hosts} host(s) the log names only by host name` : '');
}

/** A signal's `fp`: user agent, client app and protocol in one key. */
export function toolFingerprint(ua: string, app: string, proto: string): string {
  return `${ua}|${app}|${proto}`;
}

export function toSignal(ev: AuthEvent): Signal {
  const src = ev.src_endpoint ?? {};
  const ip = src.ip || src.hostname || '';
  const ua = ev.http_request?.user_agent ?? '';
  const app = ev.unmapped?.client_app ?? '';
  const proto = ev.auth_protocol ?? '';
  const intel = ev.unmapped?.intel;
  return {
    t: ev.time,
    tenant: ev.metadata.tenant_uid,
    user: ev.user.name,
    userKey: ev.user.name.toLowerCase(),
    ip,
    netKey: ip ? netKeyOf(ip) : '',
    asn: src.autonomous_system?.number ?? 0,
    asOrg: src.autonomous_system?.name ?? '',
    country: src.location?.country ?? '',
    lat: src.location?.city ? src.location.lat : undefined,
    lon: src.location?.city ? src.location.long : undefined,
    anon: src.type ?? (intel && intel.length ? intel[0] : ''),
    ok: ev.status_id === 1,
    status: ev.status_id,
    passwordValid: ev.status_id === 1 || !!ev.unmapped?.password_valid,
    reason: ev.status_id === 2 ? (ev.unmapped?.reason ?? 'other') : '',
    legacy: !!ev.unmapped?.legacy_protocol,
    mfaEvent: ev.unmapped?.mfa_event ?? '',
    ua,
    app,
    proto,
    fp: toolFingerprint(ua, app, proto),
    source: ev.unmapped?.source,
    format: ev.unmapped?.format ?? '',
  };
}

/**
 * The signal of a flat sign-in (a format's fast way, enriched): `toSignal` of the Authentication event with the same
 * fields, without the event.
 */
export function signInSignal(f: FlatSignIn): Signal {
  const ip = f.ip;
  const ua = f.user_agent ?? '';
  const app = f.client_app ?? '';
  const proto = f.auth_protocol ?? '';
  const ok = f.status_id === 1;
  return {
    t: f.time,
    tenant: f.tenant,
    user: f.user,
    userKey: f.user.toLowerCase(),
    ip,
    netKey: ip ? netKeyOf(ip) : '',
    asn: f.asn ?? 0,
    asOrg: f.as_name ?? '',
    country: f.country ?? '',
    lat: f.city ? f.lat : undefined,
    lon: f.city ? f.long : undefined,
    anon: f.type ?? '',
    ok,
    status: f.status_id,
    passwordValid: ok || !!f.password_valid,
    reason: f.status_id === 2 ? (f.reason ?? 'other') : '',
    legacy: f.legacy_protocol,
    mfaEvent: '',
    ua,
    app,
    proto,
    fp: toolFingerprint(ua, app, proto),
    source: { file: f.file, line: f.line },
    format: f.format,
  };
}

/** The signal of what a reader gave for detection (an event or a flat sign-in), enriched first. */
export function readSignal(x: AuthEvent | FlatSignIn, enricher: Enricher): Signal {
  if (isFlatSignIn(x)) {
    enricher.enrichSignIn(x);
    return signInSignal(x);
  }
  enricher.enrich(x);
  return toSignal(x);
}

/**
 * The signal with its strings copied out of the line they were cut from. V8 keeps a substring of 13 or more
 * characters as a view into its source: a signal kept for days (a group's sample, a valid-password event) would hold
 * its whole 1.4 KB log line. Signals that crossed threads are fresh copies already.
 */
export function detached(s: Signal): Signal {
  return withStrings(s, detachedText, true);
}

/** String fields whose values repeat from event to event (organisation, tool, network, place, format). */
const REPEATED = ['tenant', 'asOrg', 'country', 'ua', 'app', 'proto', 'fp', 'format'] as const;
/** String fields of the event itself (account, address). */
const OWN = ['user', 'userKey', 'ip'] as const;

/** The signal with `f` applied to its repeated string fields (and to its own ones too, with `all`), in place. */
export function withStrings(s: Signal, f: (v: string) => string, all = false): Signal {
  for (const k of REPEATED) s[k] = f(s[k]) as never;
  if (all) for (const k of OWN) s[k] = f(s[k]);
  if (s.source) s.source = { file: f(s.source.file), line: s.source.line };
  return s;
}

/**
 * A stable total order for events with equal times, so results never depend on input order: field by field, the
 * order of `signalOrderKey` (for fields without NUL or U+0001 characters, which the key uses as separators) without
 * making the key. A key per event was the detecting thread's second largest allocation (about 250 characters, kept
 * while the event waits for reordering), since exports write many sign-ins in the same second.
 */
export function compareSignals(a: Signal, b: Signal): number {
  return (
    cmp(a.tenant, b.tenant) || cmp(a.userKey, b.userKey) || cmp(a.ip, b.ip) || (a.ok === b.ok ? 0 : a.ok ? 1 : -1) ||
    cmp(a.reason, b.reason) || cmp(a.mfaEvent, b.mfaEvent) || cmp(a.fp, b.fp)
  );
}

function cmp(x: string, y: string): number {
  return x === y ? 0 : x < y ? -1 : 1;
}

/** The content order as text (what `compareSignals` compares, for tests and reading). */
export function signalOrderKey(s: Signal): string {
  return `${s.tenant}\u0001${s.userKey}\u0001${s.ip}\u0001${s.ok ? 1 : 0}\u0001${s.reason}\u0001${s.mfaEvent}\u0001${s.fp}`;
}
