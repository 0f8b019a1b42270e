/**
 * @module detect/signal
 * The compact view of an enriched OCSF Authentication event that detectors work on: lower-cased account, source
 * netblock, tool fingerprint, anonymiser class. Built once per event so detectors don't each re-derive it.
 */
import { isIP } from 'node:net';
import type { AuthEvent, FailureReason } from '../ocsf/authentication.js';

export interface Signal {
  t: number;
  tenant: string;
  /** Account as written in the log (for display) and its lower-cased key. */
  user: string;
  userKey: string;
  ip: string; // '' when the log has none
  /** /24 for IPv4, /48 for IPv6: the unit rotating infrastructure usually shares. */
  net: string;
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

/**
 * Signals across threads as one JSON text of numbers and strings (far cheaper than a structured clone of objects).
 * Strings that repeat from event to event (tenant, account, tool, country, file) are sent once and then by number,
 * so the text is a third of the size and the receiving thread gets one string object per value: less memory, and
 * map keys built from them hash once. The two ends keep the same table: a packer and an unpacker are a pair, used
 * for the messages of one worker in order.
 */
export class SignalPacker {
  private readonly ids = new Map<string, number>();

  /** @param maxStrings strings remembered before the table starts again */
  constructor(private readonly maxStrings = 500_000) {}

  pack(signals: Signal[]): string {
    const fresh: string[] = [];
    let reset = 0;
    // The table is bounded: an endless stream of new accounts starts it again rather than growing it.
    if (this.ids.size > this.maxStrings) {
      this.ids.clear();
      reset = 1;
    }
    const id = (v: string): number => {
      let n = this.ids.get(v);
      if (n === undefined) {
        n = this.ids.size;
        this.ids.set(v, n);
        fresh.push(v);
      }
      return n;
    };
    const flat: unknown[] = new Array(signals.length * STRIDE);
    let o = 0;
    for (const s of signals) {
      flat[o++] = s.t;
      flat[o++] = id(s.tenant);
      flat[o++] = id(s.user);
      flat[o++] = id(s.userKey);
      flat[o++] = s.ip;
      flat[o++] = s.net;
      flat[o++] = s.asn;
      flat[o++] = id(s.asOrg);
      flat[o++] = id(s.country);
      flat[o++] = s.lat ?? null;
      flat[o++] = s.lon ?? null;
      flat[o++] = id(s.anon);
      flat[o++] = s.ok ? 1 : 0;
      flat[o++] = s.status;
      flat[o++] = s.passwordValid ? 1 : 0;
      flat[o++] = id(s.reason);
      flat[o++] = s.legacy ? 1 : 0;
      flat[o++] = id(s.mfaEvent);
      flat[o++] = id(s.ua);
      flat[o++] = id(s.app);
      flat[o++] = id(s.proto);
      flat[o++] = id(s.fp);
      flat[o++] = s.source ? s.source.line : -1;
      flat[o++] = s.source ? id(s.source.file) : -1;
      flat[o++] = id(s.format);
    }
    return JSON.stringify([reset, fresh, flat]);
  }
}

export class SignalUnpacker {
  private table: string[] = [];

  unpack(text: string): Signal[] {
    const [reset, fresh, f] = JSON.parse(text) as [number, string[], any[]];
    if (reset) this.table = [];
    const table = this.table;
    for (const v of fresh) table.push(v);
    const out: Signal[] = new Array(f.length / STRIDE);
    for (let i = 0, o = 0; o < f.length; i++, o += STRIDE) {
      // One object literal for every signal: one hidden class, so the detectors' property reads stay fast.
      out[i] = {
        t: f[o], tenant: table[f[o + 1]], user: table[f[o + 2]], userKey: table[f[o + 3]], ip: f[o + 4], net: f[o + 5],
        asn: f[o + 6], asOrg: table[f[o + 7]], country: table[f[o + 8]], lat: f[o + 9] ?? undefined, lon: f[o + 10] ?? undefined,
        anon: table[f[o + 11]], ok: f[o + 12] === 1, status: f[o + 13], passwordValid: f[o + 14] === 1,
        reason: table[f[o + 15]] as Signal['reason'], legacy: f[o + 16] === 1, mfaEvent: table[f[o + 17]], ua: table[f[o + 18]],
        app: table[f[o + 19]], proto: table[f[o + 20]], fp: table[f[o + 21]],
        source: f[o + 22] < 0 ? undefined : { file: table[f[o + 23]], line: f[o + 22] }, format: table[f[o + 24]],
      };
    }
    return out;
  }
}

const STRIDE = 25;

export function netblockOf(ip: string): string {
  const v = isIP(ip);
  if (v === 4) return ip.slice(0, ip.lastIndexOf('.')) + '.0/24';
  if (v === 6) {
    const full = expand6(ip);
    return full ? full.slice(0, 3).join(':') + '::/48' : ip;
  }
  return '';
}

function expand6(ip: string): string[] | undefined {
  const [head, tail] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined ? (tail ? tail.split(':') : []) : [];
  if (tail === undefined && h.length !== 8) return undefined;
  const zeros = new Array(Math.max(0, 8 - h.length - t.length)).fill('0');
  return [...h, ...zeros, ...t].map((p) => p.replace(/^0+(?=.)/, '').toLowerCase());
}

export function toSignal(ev: AuthEvent): Signal {
  const src = ev.src_endpoint ?? {};
  const ip = src.ip ?? '';
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
    net: ip ? netblockOf(ip) : '',
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
    fp: `${ua}|${app}|${proto}`,
    source: ev.unmapped?.source,
    format: ev.unmapped?.format ?? '',
  };
}

/** A stable total order for events with equal times, so results never depend on input order. */
export function signalOrderKey(s: Signal): string {
  return `${s.tenant}\u0001${s.userKey}\u0001${s.ip}\u0001${s.ok ? 1 : 0}\u0001${s.reason}\u0001${s.mfaEvent}\u0001${s.fp}`;
}
