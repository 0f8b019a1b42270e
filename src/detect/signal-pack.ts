/**
 * @module detect/signal-pack
 * Signals across threads, packed: numbers in one typed array (transferred, not copied), the strings that repeat
 * from event to event (organisation, tool, network owner, country, file) once per batch in a table, and only the
 * event's own strings (account, address) once per signal.
 *
 * Why a table: a batch of 750 Entra sign-ins names a few dozen organisations and tools, so most of its text is
 * repeats. Sent once, they are also received as one string each, shared by every signal of the batch: less to
 * allocate on the detection thread, and a string used as a map key there is hashed once per batch, not per event.
 * The strings are copied by the structured clone, so no received string is a view into a larger one.
 */
import { interned } from './intern.js';
import { activityHour } from '../store/activity.js';
import type { FlatSignIn } from '../ocsf/flat-sign-in.js';
import { netKeyOf, toolFingerprint, type Signal } from './signal.js';
import type { SourceKey } from './profiles.js';

/** One batch as posted between threads (`nums.buffer` can be transferred). */
export interface PackedSignals {
  /** The repeated strings, each once, referred to by index. */
  table: string[];
  /** Per signal: user, userKey (null when equal to user), ip, netblock key when it is text (null when a number). */
  own: (string | null)[];
  nums: Float64Array<ArrayBuffer>;
  /**
   * The batch's sign-in counts as `ActivityCounter.addSignal` counts them, five numbers a row: hour, organisation and
   * country (table indexes), failures, successes. Counted here, on the reading thread, they cost the detection thread
   * a few dozen additions a batch instead of three map lookups an event. Absent in batches kept by older builds.
   */
  activity?: number[];
  /** The lowest input line of the batch's signals (-1 when one has none): whether a resumed run feeds them all. */
  minLine?: number;
}

/** A batch's counts (`PackedSignals.activity`) on the detection thread, with its table and lowest line. */
export interface BatchActivity {
  rows: number[];
  table: string[];
  minLine: number;
}

/** Each count of a batch, its organisation and country as text (the rows' layout is the packer's, above). */
export function forEachCount(a: BatchActivity, f: (hour: number, tenant: string, country: string, failures: number, successes: number) => void): void {
  const { rows, table } = a;
  for (let r = 0; r < rows.length; r += 5) f(rows[r], table[rows[r + 1]], table[rows[r + 2]], rows[r + 3], rows[r + 4]);
}

/** A batch as the detection thread takes it: its signals, with the reading thread's sign-in counts when it made them. */
export interface SignalBatch {
  signals: Signal[];
  activity?: BatchActivity;
}

/**
 * Numbers per signal: t, asn, lat, lon, flags, status, line, then table indexes of the repeated strings, then the
 * netblock key when it is a number (an IPv4 /24), else NaN.
 */
const NUMS = 20;
/** The layout of packed batches, for files that keep them (scripts/engine-only.mjs): changes with the layout. */
export const PACKED_LAYOUT = `nums${NUMS}`;
const OWN = 4;
const NO_VALUE = -1;
/** Slots of the packer's recent strings (a power of two). */
const RECENT_SLOTS = 256;
/** Table indexes below this make a numeric fingerprint key (three of them fit a double exactly). */
const FP_INDEX_LIMIT = 2048;

/**
 * Packs signals one at a time, so that each can be let go as soon as it is added (the reading thread never holds a
 * batch of signal objects, and packs each while it is still in the processor's cache).
 */
export class SignalPacker {
  private readonly table: string[] = [];
  private readonly index = new Map<string, number>();
  /**
   * The fingerprint is made of ua, app and proto (`toolFingerprint`): found by their three indexes rather than hashed
   * whole, and made again from them, so it is never sent on its own.
   */
  private readonly fps = new Map<number | string, number>();
  /**
   * The strings last referred to, by a slot chosen from their length and two characters, with their indexes. Most of
   * a batch's repeated strings are fresh copies cut from each line (organisation, client, country): found here they
   * are compared character by character, where the map would compute each one's hash first (the hashing and the
   * map's lookups were a tenth of the reading thread's time in a whole run, measured with `perf`).
   */
  private readonly recent: string[] = new Array<string>(RECENT_SLOTS).fill('');
  private readonly recentIndex: number[] = new Array<number>(RECENT_SLOTS).fill(NO_VALUE);
  private readonly nums: Float64Array<ArrayBuffer>;
  /**
   * Grown as signals are added, never made at its full length up front: `new Array(n)` is an array with holes (V8
   * keeps that kind even once every slot is filled), and the structured clone sends such an array as a sparse one,
   * index by index as named properties, and rebuilds it so on the other side. Sent densely: 6.5% fewer instructions
   * in a whole 200k-event Entra run (cachegrind, all threads), the detection thread's taking of a 1M-event run's
   * batches 461 -> 184 ms (CPU profile).
   */
  private readonly own: (string | null)[] = [];
  private n = 0;
  /** Sign-in counts (see `PackedSignals.activity`), and the row of each hour, organisation and country. */
  private readonly activity: number[] = [];
  private readonly activityRow = new Map<number | string, number>();
  private minLine = Infinity;

  /** `capacity`: the number of signals to be added (exactly that many make a batch without a copy). */
  constructor(readonly capacity: number) {
    this.nums = new Float64Array(capacity * NUMS);
  }

  private ref(v: string): number {
    const n = v.length;
    const slot = (n * 7 + (n === 0 ? 0 : v.charCodeAt(n >> 1) + 3 * v.charCodeAt(n - 1))) & (RECENT_SLOTS - 1);
    const known = this.recentIndex[slot];
    if (known !== NO_VALUE && this.recent[slot] === v) return known;
    const i = this.tableIndex(v);
    this.recent[slot] = v;
    this.recentIndex[slot] = i;
    return i;
  }

  private tableIndex(v: string): number {
    let i = this.index.get(v);
    if (i === undefined) {
      i = this.table.length;
      this.table.push(v);
      this.index.set(v, i);
    }
    return i;
  }

  add(s: Signal): void {
    const src = s.source;
    this.put(s.t, s.tenant, s.user, s.userKey, s.ip, s.netKey, s.asn, s.asOrg, s.country, s.lat, s.lon, s.anon, s.ok, s.status, s.passwordValid,
      s.reason, s.legacy, s.mfaEvent, s.ua, s.app, s.proto, src ? src.file : undefined, src ? src.line : NO_VALUE, s.format);
  }

  /**
   * Adds the signal of a flat sign-in (enriched) without making it: what `add(signInSignal(f))` adds, held equal in
   * the tests. The reading thread's way for a format's fast way (a signal object per event was a tenth of its
   * allocations).
   */
  addSignIn(f: FlatSignIn): void {
    const ok = f.status_id === 1;
    this.put(f.time, f.tenant, f.user, f.user.toLowerCase(), f.ip, f.ip ? netKeyOf(f.ip) : '', f.asn ?? 0, f.as_name ?? '', f.country ?? '',
      f.city ? f.lat : undefined, f.city ? f.long : undefined, f.type ?? '', ok, f.status_id, ok || !!f.password_valid,
      f.status_id === 2 ? (f.reason ?? 'other') : '', f.legacy_protocol, '', f.user_agent ?? '', f.client_app ?? '', f.auth_protocol ?? '',
      f.file, f.line, f.format);
  }

  private put(
    t: number, tenant: string, user: string, userKey: string, ip: string, netKey: SourceKey, asn: number, asOrg: string, country: string,
    lat: number | undefined, lon: number | undefined, anon: string, ok: boolean, status: number, passwordValid: boolean, reason: string, legacy: boolean,
    mfaEvent: string, ua: string, app: string, proto: string, file: string | undefined, line: number, format: string,
  ): void {
    if (this.n === this.capacity) throw new RangeError(`a packer for ${this.capacity} signals was given more`);
    const nums = this.nums;
    const p = this.n * NUMS;
    this.n++;
    nums[p] = t;
    nums[p + 1] = asn;
    nums[p + 2] = lat ?? NaN;
    nums[p + 3] = lon ?? NaN;
    nums[p + 4] = (ok ? 1 : 0) | (passwordValid ? 2 : 0) | (legacy ? 4 : 0) | (lat === undefined ? 8 : 0) | (lon === undefined ? 16 : 0);
    nums[p + 5] = status;
    nums[p + 6] = line;
    const tenantRef = this.ref(tenant);
    nums[p + 7] = tenantRef;
    nums[p + 8] = this.ref(asOrg);
    const countryRef = this.ref(country);
    nums[p + 9] = countryRef;
    nums[p + 10] = this.ref(anon);
    nums[p + 11] = this.ref(reason);
    nums[p + 12] = this.ref(mfaEvent);
    const uaRef = this.ref(ua);
    const appRef = this.ref(app);
    const protoRef = this.ref(proto);
    nums[p + 13] = uaRef;
    nums[p + 14] = appRef;
    nums[p + 15] = protoRef;
    // A number while the indexes are small (always, but for batches of thousands of distinct strings): hashed at once.
    const fpKey =
      uaRef < FP_INDEX_LIMIT && appRef < FP_INDEX_LIMIT && protoRef < FP_INDEX_LIMIT ? (uaRef * FP_INDEX_LIMIT + appRef) * FP_INDEX_LIMIT + protoRef : `${uaRef},${appRef},${protoRef}`;
    let fp = this.fps.get(fpKey);
    if (fp === undefined) this.fps.set(fpKey, (fp = this.ref(toolFingerprint(ua, app, proto))));
    nums[p + 16] = fp;
    nums[p + 17] = file !== undefined ? this.ref(file) : NO_VALUE;
    nums[p + 18] = this.ref(format);
    nums[p + 19] = typeof netKey === 'number' ? netKey : NaN;
    this.own.push(user, userKey === user ? null : userKey, ip, typeof netKey === 'string' ? netKey : null);
    if (line < this.minLine) this.minLine = line;
    const hour = activityHour(t, status, tenant);
    if (hour !== undefined) this.count(hour, tenantRef, countryRef, status === 1);
  }

  private count(hour: number, tenantRef: number, countryRef: number, success: boolean): void {
    // One number while it is exact (hours since 1970 below 2^29, indexes below 2^12): hashed in place.
    const h = hour / 3600_000;
    const key = h >= 0 && h < 2 ** 29 && tenantRef < 4096 && countryRef < 4096 ? (h * 4096 + tenantRef) * 4096 + countryRef : `${hour},${tenantRef},${countryRef}`;
    let row = this.activityRow.get(key);
    if (row === undefined) {
      row = this.activity.length;
      this.activityRow.set(key, row);
      this.activity.push(hour, tenantRef, countryRef, 0, 0);
    }
    this.activity[row + (success ? 4 : 3)]++;
  }

  /** The batch of the signals added. */
  finish(): PackedSignals {
    const full = this.n === this.capacity;
    return {
      table: this.table, own: this.own, nums: full ? this.nums : this.nums.slice(0, this.n * NUMS),
      activity: this.activity, minLine: this.n === 0 ? -1 : this.minLine,
    };
  }
}

export function packSignals(signals: Signal[]): PackedSignals {
  const packer = new SignalPacker(signals.length);
  for (const s of signals) packer.add(s);
  return packer.finish();
}

/**
 * A number read from the packed array as V8 keeps small integers: in place, where a double read from a typed array
 * and stored in a signal's field is a heap object of its own (three per signal for the network, status and line).
 */
const small = (x: number): number => ((x | 0) === x ? x | 0 : x);

export function unpackSignals(packed: PackedSignals): Signal[] {
  return unpackBatch(packed).signals;
}

export function unpackBatch(packed: PackedSignals): SignalBatch {
  const { own, nums } = packed;
  // The batch's repeated strings as the one object each value has on this thread (a few dozen lookups a batch): the
  // detectors' maps keyed by organisation or tool, and their lists of countries, then find them by identity, where
  // each batch's own copies were hashed again and compared character by character.
  const table = packed.table.map(interned);
  const n = nums.length / NUMS;
  const out: Signal[] = new Array(n);
  for (let i = 0, p = 0, o = 0; i < n; i++, p += NUMS, o += OWN) {
    const flags = nums[p + 4];
    const line = small(nums[p + 6]);
    const user = own[o] as string;
    // One object literal for every signal: one hidden class, so the detectors' property reads stay fast.
    out[i] = {
      t: nums[p], tenant: table[nums[p + 7]], user, userKey: own[o + 1] ?? user, ip: own[o + 2] as string, netKey: own[o + 3] ?? small(nums[p + 19]),
      asn: small(nums[p + 1]), asOrg: table[nums[p + 8]], country: table[nums[p + 9]],
      lat: flags & 8 ? undefined : nums[p + 2], lon: flags & 16 ? undefined : nums[p + 3], anon: table[nums[p + 10]],
      ok: (flags & 1) !== 0, status: small(nums[p + 5]), passwordValid: (flags & 2) !== 0, reason: table[nums[p + 11]] as Signal['reason'],
      legacy: (flags & 4) !== 0, mfaEvent: table[nums[p + 12]], ua: table[nums[p + 13]], app: table[nums[p + 14]],
      proto: table[nums[p + 15]], fp: table[nums[p + 16]],
      source: line === NO_VALUE ? undefined : { file: table[nums[p + 17]], line }, format: table[nums[p + 18]],
    };
  }
  return { signals: out, activity: packed.activity === undefined ? undefined : { rows: packed.activity, table, minLine: packed.minLine ?? -1 } };
}
