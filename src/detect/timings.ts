/**
 * @module detect/timings
 * Where a run's time went, for whoever tunes it: with VIGIL_TIMINGS=1, `vigil detect` ends with one line on
 * standard error giving the process time at which each phase ended (first batch taken, last batch, input flushed,
 * final checkpoint, campaigns) and how long the detection thread waited for the reading thread. A run on two
 * threads is paced by whichever is slower at the moment; the wait says how much of it was the reading side's.
 * Off (the default), every call is a check of one variable. The line's form is read by the benchmark
 * (scripts/bench/vigil.ts) and held by test/detect-timings.test.ts.
 */

export class Timings {
  private readonly marks: [string, number][] = [];
  private waitedMs = 0;

  /** The process time (since it started) at which a phase ended. */
  mark(phase: string): void {
    this.marks.push([phase, performance.now()]);
  }

  /** Time the detection thread spent waiting for input. */
  waited(ms: number): void {
    this.waitedMs += ms;
  }

  /** `phase 1.23 s, ...` in the order marked, then the waiting. */
  line(): string {
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    return [...this.marks.map(([p, t]) => `${p} ${s(t)}`), `waited for input ${s(this.waitedMs)}`].join(', ');
  }
}

/** The run's timings when VIGIL_TIMINGS is set (read once, when the CLI loads). */
export const timings: Timings | undefined = process.env.VIGIL_TIMINGS && process.env.VIGIL_TIMINGS !== '0' ? new Timings() : undefined;
