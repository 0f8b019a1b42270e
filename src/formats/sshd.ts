/**
 * @module formats/sshd
 * OpenSSH sign-in attempts from sshd's own log lines, one event per attempt, in the shapes they reach us:
 * - RFC 3164 syslog: `Dec 10 06:55:46 LabSZ sshd[24200]: Failed password for ...` (optionally after `<PRI>`);
 * - ISO / RFC 3339 stamps (rsyslog's precise format): `2024-03-01T12:00:00.123456+01:00 host sshd[123]: ...`;
 * - RFC 5424: `<34>1 2024-03-01T12:00:00Z host sshd 123 - - ...` (structured data is skipped);
 * - journald `journalctl -o json` records: `sshdJournal` below, a JSON format (the reader sends JSON lines to JSON
 *   formats); the text parser also takes such lines, statefully, when `--format sshd` is forced;
 * - the old `sshd(pam_unix)[pid]: authentication failure; ... rhost=... user=...` dialect.
 * The processes `sshd`, `sshd-session` (OpenSSH 9.8+) and `sshd-auth` (10.0+) all count as sshd.
 *
 * Year of RFC 3164 lines, which carry none: `--year` (ctx.year) when given, taken as the year of the file's first
 * line and advanced by one when the months wrap from December to January within the file; otherwise the year of the
 * file's modification time (ctx.fileTime), or of the current time when there is none, except that a line which
 * would then fall more than one day after that reference time is put in the year before (a file written on
 * 2 January holds lines of 31 December). RFC 3164 stamps have no zone either: they are read as UTC.
 *
 * One attempt, one event. sshd and PAM often log the same attempt twice or more, so lines are grouped by
 * connection (host and pid) and:
 * - `Failed password|keyboard-interactive[/pam] for [invalid user] U from IP port P` is a failed attempt
 *   (`bad_password`, or `unknown_user` for an invalid user; `blocked_by_policy`/`disabled` after
 *   `User U not allowed because ...`); `message repeated N times: [ <line> ]` and `last message repeated N times`
 *   are N more of the repeated line.
 * - `Accepted <method> for U from IP port P` is a success (`is_mfa` only after a `Partial` first factor).
 * - `pam_unix(sshd:auth): authentication failure; ... rhost=H [user=U]` is the twin of the next `Failed` line of
 *   its connection and is dropped when one comes; a PAM failure left without one when the connection ends
 *   (the old dialect never logs `Failed` lines; a log cut mid-attempt) is itself the attempt. No `user=` means
 *   PAM did not know the account: `unknown_user`, with an empty user name unless sshd named it. A host name in
 *   `rhost` is kept as `src_endpoint.hostname`, with no IP.
 * - `Invalid user U from IP` is an attempt only when its connection ends with no `Failed`/`Accepted` line (the
 *   client sent a user name and tried only the `none` method or a key, then left): one `unknown_user` event.
 * - `Failed none|publickey|hostbased|gssapi-with-mic` are not attempts: `none` asks which methods exist, and a
 *   refused key is an offer, not a guessed secret (an agent offers every key it holds, so counting them would
 *   make one user with three keys look like a brute force).
 * - Not attempts: `PAM N more authentication failures` (a summary of `Failed` lines already counted),
 *   `error: maximum authentication attempts exceeded`, `Disconnecting: Too many authentication failures`,
 *   `Connection closed by [authenticating user U] IP`, `Disconnected from`, `Received disconnect`,
 *   `reverse mapping ... POSSIBLE BREAK-IN ATTEMPT`, `Did not receive identification string`, PAM session lines.
 * A connection ends at its disconnect lines, when its pid starts a new `Connection from`, after 10 minutes of log
 * time without a line (sshd's login grace time is 2 minutes), or at the end of input.
 *
 * journald records are normalised one at a time, with no connection state: `sshdJournal` emits only `Failed
 * password|keyboard-interactive` and `Accepted` messages (journald has sshd's own lines, so these exist for every
 * attempt) and ignores `pam_unix` failures and `Invalid user` lines, their twins. The cost: a client that gave an
 * unknown user name but never tried a password is not counted from journald JSON.
 */
import { isIP } from 'node:net';
import { makeAuthEvent, type AuthEvent, type FailureReason } from '../ocsf/authentication.js';
import { cleanIp, parseTime, str } from './common.js';
import { RecordError, type JsonFormat, type LineParser, type NormalizeContext, type TextFormat } from './types.js';

const PRODUCT = { name: 'OpenSSH', vendor_name: 'OpenBSD' };
const SERVICE = { name: 'sshd' };
const SSHD_PROGRAM = /^sshd(?:-session|-auth)?$/;
/** A connection with no line for this long (log time) is over; sshd's LoginGraceTime defaults to 2 minutes. */
const IDLE_MS = 10 * 60_000;
/** Idle connections are looked for at most this often (log time). */
const SWEEP_MS = 60_000;
/** Upper bound on open connections, so a log of endless half-open connections cannot exhaust memory. */
const MAX_CONNECTIONS = 50_000;
const DAY_MS = 86_400_000;
/** More repeats than this of one message is not a log but an attack on the reader. */
const MAX_REPEAT = 1000;

// ---------------------------------------------------------------------------------------------------------------
// Line headers: which program wrote the line, when, on which host.

type Stamp = { kind: 'bsd'; month: number; day: number; h: number; m: number; s: number; ms: number } | { kind: 'iso'; text: string };

interface Header {
  stamp: Stamp;
  host: string;
  program: string;
  pid?: string;
  /** The program tag was `sshd(pam_unix)`: every message is pam_unix's. */
  pamTag: boolean;
  msg: string;
}

const MONTHS: Record<string, number> = { jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11 };
const BSD = /^(?:<\d{1,3}>)?([A-Za-z]{3}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))? +(\S+) (.*)$/;
const ISO = /^(?:<\d{1,3}>)?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?) +(\S+) (.*)$/;
const RFC5424 = /^<\d{1,3}>\d{1,2} (\S+) (\S+) (\S+) (\S+) (\S+) ?(.*)$/;
const TAG = /^([\w.\/-]+)(\((\w+)\))?(?:\[(\d+)\])?: ?(.*)$/;
const LAST_REPEATED = /^last message repeated (\d+) times?$/;

/** The header of a syslog line, or undefined for a line of no syslog shape. */
function parseHeader(line: string): Header | { lastRepeated: string; host: string } | undefined {
  let m = RFC5424.exec(line);
  if (m) {
    const [, time, host, app, procid, , rest] = m;
    return { stamp: { kind: 'iso', text: time }, host, program: app, pid: procid === '-' ? undefined : procid, pamTag: false, msg: skipStructuredData(rest) };
  }
  let stamp: Stamp;
  let host: string;
  let rest: string;
  if ((m = ISO.exec(line))) {
    stamp = { kind: 'iso', text: m[1] };
    host = m[2];
    rest = m[3];
  } else if ((m = BSD.exec(line))) {
    const month = MONTHS[m[1].toLowerCase()];
    if (month === undefined) return undefined;
    stamp = { kind: 'bsd', month, day: +m[2], h: +m[3], m: +m[4], s: +m[5], ms: m[6] ? Math.round(Number('0.' + m[6]) * 1000) : 0 };
    host = m[7];
    rest = m[8];
  } else return undefined;
  const tag = TAG.exec(rest);
  if (!tag) {
    const rep = LAST_REPEATED.exec(rest.trim());
    return rep ? { lastRepeated: rep[1], host } : undefined;
  }
  return { stamp, host, program: tag[1], pid: tag[4], pamTag: tag[3] === 'pam_unix', msg: tag[5] };
}

/** RFC 5424 message after its structured data (`-` or `[id k="v" ...]...`), without a UTF-8 BOM. */
function skipStructuredData(rest: string): string {
  let i = 0;
  if (rest[0] === '-') i = 1;
  else {
    while (rest[i] === '[') {
      let quoted = false;
      for (i++; i < rest.length; i++) {
        const c = rest[i];
        if (c === '\\') i++;
        else if (c === '"') quoted = !quoted;
        else if (c === ']' && !quoted) break;
      }
      i++;
    }
  }
  return rest.slice(i).replace(/^ ?\uFEFF?/, '');
}

/** Epoch ms of an RFC 3164 stamp under the module's year rule; `wrap` carries the --year state of one file. */
function bsdTime(s: Extract<Stamp, { kind: 'bsd' }>, ctx: NormalizeContext, wrap: YearWrap): number {
  let year: number;
  if (ctx.year !== undefined) {
    if (wrap.lastMonth !== undefined) {
      if (s.month + 6 < wrap.lastMonth) wrap.offset++; // December -> January: a new year
      else if (s.month > wrap.lastMonth + 6) wrap.offset--; // a late December line after January
    }
    wrap.lastMonth = s.month;
    year = ctx.year + wrap.offset;
  } else {
    const ref = ctx.fileTime ?? Date.now();
    year = new Date(ref).getUTCFullYear();
    if (Date.UTC(year, s.month, s.day, s.h, s.m, s.s, s.ms) > ref + DAY_MS) year--;
  }
  if (s.day < 1 || s.day > 31 || s.h > 23 || s.m > 59 || s.s > 60) throw new RecordError(`invalid syslog time: ${s.month + 1}/${s.day} ${s.h}:${s.m}:${s.s}`);
  return parseTime(Date.UTC(year, s.month, s.day, s.h, s.m, s.s, s.ms), 'syslog time');
}

interface YearWrap {
  lastMonth?: number;
  offset: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Messages: what one sshd message says about authentication.

type Message =
  | { kind: 'failed'; method: string; user: string; invalid: boolean; ip?: string; port: number; counted: boolean }
  | { kind: 'accepted'; method: string; user: string; ip?: string; port: number }
  | { kind: 'partial' }
  | { kind: 'invalid'; user: string; ip?: string; port?: number; reason: FailureReason }
  | { kind: 'pam-failure'; rhost?: string; user?: string }
  | { kind: 'repeated'; times: number; inner: string }
  | { kind: 'start' }
  | { kind: 'end' };

const FAILED = /^Failed (\S+) for (?:(?:invalid|illegal) user )?(.*) from (\S+) port (\d+)(?: ssh\d?)?(?:: .*)?$/;
const FAILED_INVALID = /^Failed \S+ for (?:invalid|illegal) user /;
const ACCEPTED = /^Accepted (\S+) for (.*) from (\S+) port (\d+)(?: ssh\d?)?(?:: .*)?$/;
const INVALID_USER = /^(?:Invalid|Illegal) user (.*) from (\S+?)(?: port (\d+))?$/;
const NOT_ALLOWED = /^User (.*?)(?: from (\S+))? not allowed because (.*)$/;
const REPEATED = /^message repeated (\d+) times?: \[\s*(.*?)\s*\]$/;
const PAM_PREFIX = /^pam_unix\(sshd(?:-session|-auth)?:auth\): (.*)$/;
const PAM_FAILURE = /^authentication failure; (.*)$/;
const END = /^(?:Connection closed by |Connection reset by |(?:error: )?Received disconnect from |Disconnected from |Disconnecting|Timeout before authentication|fatal: |error: maximum authentication attempts exceeded|Did not receive identification string|pam_unix\(sshd(?:-session)?:session\): session closed)/;
/** Password-type methods: the client sent a secret. */
const SECRET_METHODS = /^(?:password|keyboard-interactive(?:\/pam)?)$/;

function classify(raw: string, pamTag: boolean): Message | undefined {
  const trimmed = raw.trimEnd();
  const msg = trimmed.endsWith(' [preauth]') ? trimmed.slice(0, -10).trimEnd() : trimmed;
  const rep = REPEATED.exec(msg);
  if (rep) return { kind: 'repeated', times: repeatCount(rep[1]), inner: rep[2] };
  const pam = PAM_PREFIX.exec(msg);
  if (pam || pamTag) {
    const f = PAM_FAILURE.exec(pam ? pam[1] : msg);
    if (!f) return /^session closed/.test(pam ? pam[1] : msg) ? { kind: 'end' } : undefined;
    return { kind: 'pam-failure', rhost: /(?:^|\s)rhost=(\S+)/.exec(f[1])?.[1], user: /(?:^|\s)user=(\S+)/.exec(f[1])?.[1] };
  }
  let m: RegExpExecArray | null;
  if ((m = FAILED.exec(msg))) {
    return { kind: 'failed', method: m[1], invalid: FAILED_INVALID.test(msg), user: m[2], ip: cleanIp(m[3]), port: +m[4], counted: SECRET_METHODS.test(m[1]) };
  }
  if ((m = ACCEPTED.exec(msg))) return { kind: 'accepted', method: m[1], user: m[2], ip: cleanIp(m[3]), port: +m[4] };
  if ((m = INVALID_USER.exec(msg))) return { kind: 'invalid', user: m[1], ip: cleanIp(m[2]), port: m[3] ? +m[3] : undefined, reason: 'unknown_user' };
  if ((m = NOT_ALLOWED.exec(msg))) {
    const reason: FailureReason = /locked|shell|expired/i.test(m[3]) ? 'disabled' : 'blocked_by_policy';
    return { kind: 'invalid', user: m[1], ip: cleanIp(m[2]), reason };
  }
  if (msg.startsWith('Partial ')) return { kind: 'partial' };
  if (msg.startsWith('Connection from ')) return { kind: 'start' };
  if (END.test(msg)) return { kind: 'end' };
  return undefined;
}

function repeatCount(digits: string): number {
  const n = Number(digits);
  if (n > MAX_REPEAT) throw new RecordError(`implausible repeat count ${digits.slice(0, 12)} (more than ${MAX_REPEAT})`);
  return n;
}

/** `ssh-password`, `ssh-publickey`, `ssh-keyboard-interactive`... from sshd's method name. */
function protocolOf(method: string): string {
  return 'ssh-' + method.replace(/\/pam$/, '');
}

// ---------------------------------------------------------------------------------------------------------------
// Events.

/** Where and when a line was written: what every event of the line shares. */
interface Origin {
  time: number;
  tenant: string;
  file: string;
  line: number;
  logName: 'syslog' | 'journald';
  text: string;
}

/** The origin of another line or text of the same record (object spread is slow on this hot path). */
function withLine(o: Origin, line: number, text: string): Origin {
  return { time: o.time, tenant: o.tenant, file: o.file, line, logName: o.logName, text };
}

interface EventFacts {
  success: boolean;
  user: string;
  ip?: string;
  hostname?: string;
  port?: number;
  protocol?: string;
  reason?: FailureReason;
  mfa?: boolean;
}

function toEvent(o: Origin, f: EventFacts): AuthEvent {
  const ev = makeAuthEvent({
    time: o.time,
    success: f.success,
    tenant: o.tenant,
    user: { name: f.user },
    ip: f.ip,
    hostname: f.hostname,
    port: f.port,
    service: SERVICE,
    auth_protocol: f.protocol,
    is_mfa: f.mfa ?? false,
    status_detail: o.text,
    product: PRODUCT,
    log_name: o.logName,
    facts: { reason: f.success ? undefined : f.reason ?? 'other', password_valid: f.success, legacy_protocol: false },
  });
  ev.unmapped.source = { file: o.file, line: o.line };
  return ev;
}

function failedEvent(o: Origin, m: Extract<Message, { kind: 'failed' }>, invalidReason: FailureReason | undefined): AuthEvent {
  const reason = m.invalid ? invalidReason ?? 'unknown_user' : 'bad_password';
  return toEvent(o, { success: false, user: m.user, ip: m.ip, port: m.port, protocol: protocolOf(m.method), reason });
}

function acceptedEvent(o: Origin, m: Extract<Message, { kind: 'accepted' }>, mfa: boolean): AuthEvent {
  return toEvent(o, { success: true, user: m.user, ip: m.ip, port: m.port, protocol: protocolOf(m.method), mfa });
}

// ---------------------------------------------------------------------------------------------------------------
// Connections: the state that pairs twins.

interface PamFailure {
  origin: Origin;
  rhost?: string;
  user?: string;
}

interface Connection {
  lastTime: number;
  /** PAM failures not yet paired with a `Failed` line. */
  pam: PamFailure[];
  /** A `Failed password`/`Accepted` line was seen: the `Invalid user` line, if any, is its twin. */
  counted: boolean;
  invalid?: { origin: Origin; user: string; ip?: string; port?: number; reason: FailureReason };
  /** Method of a `Failed none|publickey...` line: how an unknown user was tried. */
  probe?: string;
  partial: boolean;
}

/** Events a connection still owes when it ends: unpaired PAM failures, else a lone `Invalid user`. */
function leftovers(c: Connection): AuthEvent[] {
  const out: AuthEvent[] = [];
  let invalid = c.counted ? undefined : c.invalid;
  for (const p of c.pam) {
    const ip = cleanIp(p.rhost);
    const hostname = !ip && p.rhost && !isIP(p.rhost) ? p.rhost : undefined;
    const user = p.user ?? invalid?.user ?? '';
    const reason = p.user ? 'bad_password' : invalid?.reason ?? 'unknown_user';
    out.push(toEvent(p.origin, { success: false, user, ip: ip ?? invalid?.ip, hostname: ip ? undefined : hostname, port: invalid?.port, protocol: 'ssh-password', reason }));
    invalid = undefined;
  }
  if (invalid) {
    const protocol = c.probe ? protocolOf(c.probe) : 'ssh';
    out.push(toEvent(invalid.origin, { success: false, user: invalid.user, ip: invalid.ip, port: invalid.port, protocol, reason: invalid.reason }));
  }
  return out;
}

class SshdLineParser implements LineParser {
  private readonly connections = new Map<string, Connection>();
  private readonly wrap: YearWrap = { offset: 0 };
  private latest = -Infinity;
  private lastSweep = -Infinity;
  /** The previous line, when it was sshd's, for sysklogd's `last message repeated N times`. */
  private previous: { origin: Origin; host: string; key: string; msg: string; pamTag: boolean } | undefined;

  line(text: string, ctx: NormalizeContext): AuthEvent[] {
    const t = text.trim();
    if (t.startsWith('{')) return this.journalLine(t, ctx);
    const h = parseHeader(t);
    if (!h) {
      this.previous = undefined;
      return [];
    }
    if ('lastRepeated' in h) {
      const p = this.previous;
      if (!p || p.host !== h.host) return [];
      const out: AuthEvent[] = [];
      const origin = withLine(p.origin, ctx.line, p.msg);
      const times = repeatCount(h.lastRepeated);
      for (let i = 0; i < times; i++) this.message(p.key, origin, p.msg, p.pamTag, out);
      return out;
    }
    if (!SSHD_PROGRAM.test(h.program)) {
      this.previous = undefined;
      return [];
    }
    const time = h.stamp.kind === 'iso' ? parseTime(h.stamp.text, 'syslog time') : bsdTime(h.stamp, ctx, this.wrap);
    const host = h.host === '-' ? undefined : h.host;
    const tenant = ctx.tenant ?? host;
    if (!tenant) throw new RecordError('sshd line without a host name: pass --tenant');
    const key = `${host ?? ''}\u0000${h.pid ?? ''}`;
    const origin: Origin = { time, tenant, file: ctx.file, line: ctx.line, logName: 'syslog', text: h.msg };
    this.previous = { origin, host: h.host, key, msg: h.msg, pamTag: h.pamTag };
    return this.handle(key, origin, h.msg, h.pamTag);
  }

  end(): AuthEvent[] {
    const out: AuthEvent[] = [];
    for (const c of this.connections.values()) out.push(...leftovers(c));
    this.connections.clear();
    this.previous = undefined;
    return out;
  }

  /** A `journalctl -o json` line read as text (when `--format sshd` is forced). */
  private journalLine(text: string, ctx: NormalizeContext): AuthEvent[] {
    this.previous = undefined;
    let rec: unknown;
    try {
      rec = JSON.parse(text);
    } catch {
      return [];
    }
    if (!rec || typeof rec !== 'object' || !sshdJournal.matches(rec as Record<string, unknown>)) return [];
    const j = readJournal(rec as Record<string, any>, ctx);
    if (!j) return [];
    const key = `${j.host ?? ''}\u0000${j.pid ?? ''}`;
    return this.handle(key, { time: j.time, tenant: j.tenant, file: ctx.file, line: ctx.line, logName: 'journald', text: j.msg }, j.msg, false);
  }

  private handle(key: string, origin: Origin, msg: string, pamTag: boolean): AuthEvent[] {
    const out: AuthEvent[] = [];
    if (origin.time > this.latest) this.latest = origin.time;
    this.message(key, origin, msg, pamTag, out);
    this.sweep(out);
    return out;
  }

  private message(key: string, origin: Origin, msg: string, pamTag: boolean, out: AuthEvent[]): void {
    const m = classify(msg, pamTag);
    if (!m) return;
    switch (m.kind) {
      case 'repeated':
        for (let i = 0; i < m.times; i++) this.message(key, withLine(origin, origin.line, m.inner), m.inner, pamTag, out);
        return;
      case 'start': // a new connection on a reused pid ends the old one
      case 'end':
        this.finish(key, out);
        return;
    }
    const c = this.connection(key, origin.time);
    switch (m.kind) {
      case 'failed':
        if (!m.counted) {
          c.probe ??= m.method;
          return;
        }
        c.counted = true;
        c.pam.shift(); // its PAM twin, if PAM logged one
        out.push(failedEvent(origin, m, c.invalid?.reason));
        return;
      case 'accepted':
        c.counted = true;
        out.push(acceptedEvent(origin, m, c.partial));
        this.finish(key, out);
        return;
      case 'partial':
        c.partial = true;
        return;
      case 'invalid':
        c.invalid = { origin, user: m.user, ip: m.ip, port: m.port, reason: m.reason };
        return;
      case 'pam-failure':
        c.pam.push({ origin, rhost: m.rhost, user: m.user });
        return;
    }
  }

  private connection(key: string, time: number): Connection {
    let c = this.connections.get(key);
    if (!c) {
      c = { lastTime: time, pam: [], counted: false, partial: false };
      this.connections.set(key, c);
    } else if (time > c.lastTime) c.lastTime = time;
    return c;
  }

  private finish(key: string, out: AuthEvent[]): void {
    const c = this.connections.get(key);
    if (!c) return;
    this.connections.delete(key);
    out.push(...leftovers(c));
  }

  /** Ends connections idle for IDLE_MS of log time, and the oldest ones beyond MAX_CONNECTIONS. */
  private sweep(out: AuthEvent[]): void {
    if (this.connections.size > MAX_CONNECTIONS) {
      for (const key of this.connections.keys()) {
        if (this.connections.size <= MAX_CONNECTIONS) break;
        this.finish(key, out);
      }
    }
    if (this.latest - this.lastSweep < SWEEP_MS) return;
    this.lastSweep = this.latest;
    for (const [key, c] of this.connections) if (c.lastTime < this.latest - IDLE_MS) this.finish(key, out);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Formats.

/** A syslog line sshd wrote, of any supported shape, or a journald JSON record of sshd. */
function isSshdLine(line: string): boolean {
  const t = line.trim();
  if (t.startsWith('{')) return /"(?:SYSLOG_IDENTIFIER|_COMM)"\s*:\s*"sshd(?:-session|-auth)?"/.test(t) && t.includes('"MESSAGE"');
  const h = parseHeader(t);
  return !!h && !('lastRepeated' in h) && SSHD_PROGRAM.test(h.program);
}

export const sshd: TextFormat = {
  name: 'sshd',
  sniff: isSshdLine,
  createParser: () => new SshdLineParser(),
};

/** The parts of a journald record the parser needs; undefined when it has no message text. */
function readJournal(rec: Record<string, any>, ctx: NormalizeContext): { time: number; host?: string; tenant: string; pid?: string; msg: string } | undefined {
  const msg = messageText(rec.MESSAGE);
  if (msg === undefined) return undefined;
  const micros = str(rec._SOURCE_REALTIME_TIMESTAMP) ?? str(rec.__REALTIME_TIMESTAMP);
  if (!micros || !/^\d{1,20}$/.test(micros)) throw new RecordError(`invalid time in __REALTIME_TIMESTAMP: ${JSON.stringify(micros ?? null)}`);
  const time = parseTime(Math.floor(Number(micros) / 1000), '__REALTIME_TIMESTAMP');
  const host = str(rec._HOSTNAME);
  const tenant = ctx.tenant ?? host;
  if (!tenant) throw new RecordError('sshd journal record without _HOSTNAME: pass --tenant');
  return { time, host, tenant, pid: str(rec._PID) ?? str(rec.SYSLOG_PID), msg };
}

/** journald gives MESSAGE as a string, or as an array of bytes when it is not valid UTF-8. */
function messageText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((b) => Number.isInteger(b) && b >= 0 && b < 256)) return Buffer.from(v as number[]).toString('utf8');
  return undefined;
}

/**
 * journald `journalctl -o json` records of sshd. Stateless: only `Failed password|keyboard-interactive` and
 * `Accepted` messages give events (see the module comment for why that is one event per attempt).
 */
export const sshdJournal: JsonFormat = {
  name: 'sshd',
  matches(rec) {
    if (rec.MESSAGE === undefined || (rec.__REALTIME_TIMESTAMP === undefined && rec._SOURCE_REALTIME_TIMESTAMP === undefined)) return false;
    const ids = [rec.SYSLOG_IDENTIFIER, rec._COMM];
    return ids.some((id) => typeof id === 'string' && SSHD_PROGRAM.test(id));
  },
  normalize(rec, ctx) {
    const j = readJournal(rec, ctx);
    if (!j) return [];
    const origin: Origin = { time: j.time, tenant: j.tenant, file: ctx.file, line: ctx.line, logName: 'journald', text: j.msg };
    let m = classify(j.msg, false);
    let times = 1;
    if (m?.kind === 'repeated') {
      times = m.times;
      origin.text = m.inner;
      m = classify(m.inner, false);
    }
    const out: AuthEvent[] = [];
    for (let i = 0; i < times; i++) {
      if (m?.kind === 'failed' && m.counted) out.push(failedEvent(origin, m, undefined));
      else if (m?.kind === 'accepted') out.push(acceptedEvent(origin, m, false));
    }
    return out;
  },
};
