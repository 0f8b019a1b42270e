/**
 * @module simulate/clock
 * Time in the simulated world: the fixed start (no wall clock), days, and local time in an organisation's time zone
 * (working hours, weekends, Monday mornings) with daylight saving taken from the time-zone database.
 */

export const HOUR = 3_600_000;
export const MINUTE = 60_000;
export const DAY = 24 * HOUR;

/** The default first day: Monday 24 August 2020, two weeks before Microsoft's STRONTIUM report. */
export const DEFAULT_START = Date.UTC(2020, 7, 24);

const offsetCache = new Map<string, Map<number, number>>();
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Minutes east of UTC of a time zone at an instant (e.g. 120 for Berlin in summer). */
export function utcOffsetMinutes(timeZone: string, at: number): number {
  // Offsets change at most at whole hours: cache by zone and hour.
  let zone = offsetCache.get(timeZone);
  if (!zone) offsetCache.set(timeZone, (zone = new Map()));
  const hour = Math.floor(at / HOUR);
  const hit = zone.get(hour);
  if (hit !== undefined) return hit;
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
    formatters.set(timeZone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(at)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  const minutes = Math.round((asUtc - Math.floor(at / MINUTE) * MINUTE) / MINUTE);
  zone.set(hour, minutes);
  return minutes;
}

/** The instant of a local wall-clock time (hours may be fractional or beyond 24) on the local day that starts the
 * same calendar date as `dayUtc` (midnight UTC of that date). */
export function localTime(timeZone: string, dayUtc: number, hours: number): number {
  const guess = dayUtc + hours * HOUR;
  return guess - utcOffsetMinutes(timeZone, guess) * MINUTE;
}

/** Day of the week (0 Sunday .. 6 Saturday) of the calendar date starting at `dayUtc`. */
export function weekday(dayUtc: number): number {
  return new Date(dayUtc).getUTCDay();
}

export function isWeekend(dayUtc: number): boolean {
  const d = weekday(dayUtc);
  return d === 0 || d === 6;
}

/** "2020-08-24" */
export function isoDate(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

const two = (n: number) => (n < 10 ? '0' : '') + n;
let cachedDay = NaN;
let cachedPrefix = '';

/** "2020-08-24T08:01:02" without the zone; the date part is cached, as writers print millions of times per day. */
export function isoLocalSeconds(t: number): string {
  const day = Math.floor(t / DAY);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedPrefix = new Date(day * DAY).toISOString().slice(0, 11);
  }
  const s = Math.floor((t - day * DAY) / 1000);
  return `${cachedPrefix}${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`;
}

/** "2020-08-24T08:01:02Z" (Graph and CloudTrail print whole seconds). */
export function isoSeconds(t: number): string {
  return isoLocalSeconds(t) + 'Z';
}

/** "2020-08-24T08:01:02.123Z" */
export function isoMillis(t: number): string {
  const ms = ((t % 1000) + 1000) % 1000;
  return `${isoLocalSeconds(t)}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
}

/** Durations in scenario files: "90s", "45m", "6h", "5d", "1d12h". */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (!/^(\d+(\.\d+)?[smhd])+$/.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)([smhd])/g)) {
    const n = Number(m[1]);
    total += n * { s: 1000, m: MINUTE, h: HOUR, d: DAY }[m[2] as 's' | 'm' | 'h' | 'd'];
  }
  return total;
}
