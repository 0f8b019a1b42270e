/**
 * @module cli/commands/simulate
 * `vigil simulate`: writes a labelled world of sign-in logs (ordinary behaviour of many organisations plus attack
 * scenarios) in one vendor's format, with the organisations, threat intelligence and the truth, for demos, tests,
 * evaluation and benchmarks. Seeded: the same arguments give the same bytes.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_START, DAY } from '../../simulate/clock.js';
import { FORMATS, type SimFormat } from '../../simulate/population.js';
import { resolveScenarios, ScenarioError } from '../../simulate/scenarios.js';
import { generateWorld } from '../../simulate/world.js';
import { CliError, intOption, parse, UsageError, type Command } from '../command.js';

function scaleOption(value: string | undefined): number {
  if (value === undefined) return 1;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0.01 || n > 1000) throw new UsageError(`--scale must be a number from 0.01 to 1000, not '${value}'`);
  return n;
}

function startOption(value: string | undefined): number {
  if (value === undefined) return DEFAULT_START;
  const t = /^\d{4}-\d{2}-\d{2}(T00:00(:00(\.0+)?)?Z?)?$/.test(value) ? Date.parse(value.slice(0, 10) + 'T00:00:00Z') : NaN;
  if (!Number.isFinite(t)) throw new UsageError(`--start must be a date such as 2020-08-24 (midnight UTC), not '${value}'`);
  return Math.floor(t / DAY) * DAY;
}

/** Output goes into an empty directory or over an earlier simulated world (whose logs and intel are replaced). */
function prepareOut(dir: string): void {
  if (!existsSync(dir)) return;
  const entries = readdirSync(dir);
  if (entries.length === 0) return;
  if (!entries.includes('truth.json')) throw new CliError(`${dir} is not empty and holds no simulated world (no truth.json): choose an empty or new directory`);
  for (const sub of ['logs', 'intel']) rmSync(join(dir, sub), { recursive: true, force: true });
}

export const simulate: Command = {
  name: 'simulate',
  summary: 'write a labelled world of simulated sign-in logs with attacks, intel and the truth',
  usage: `Usage: vigil simulate [options] --out DIR

Writes simulated sign-in logs of many organisations, ordinary behaviour and attacks (password spray, brute force,
credential stuffing, MFA push bombing, impossible travel, Tor sign-ins), in one vendor's format, with:
  DIR/logs/               the logs (one file per organisation and day; CloudTrail: per hour)
  DIR/orgs.yaml           the organisations, their tenant ids and contacts
  DIR/intel/              a STIX 2.1 bundle on the state actor, the Tor exits and VPN ranges of the world
  DIR/truth.json          the answer key: every attack, its sources, accounts and compromises
  DIR/README.md           what was generated
The same arguments always give the same bytes.

Options:
      --seed N         random seed (default 1)
      --days D         days to simulate (default 7)
      --orgs N         organisations (default 12)
      --scale X        multiplies staff and attack volume (default 1; about 4 for a million events)
      --format F       ${FORMATS.join(', ')} (default entra)
      --scenario FILE  an attack scenario (YAML) to add, or to replace the one with the same id (repeatable);
                       the default scenarios are the files in the package's scenarios/ folder
      --start DATE     first day, midnight UTC (default 2020-08-24)
  -o, --out DIR        where to write (an empty directory, or an earlier simulated world to replace)
  -h, --help           show this help

Exit status: 0 when the world was written, 1 on a failure, 2 on a usage error.`,
  async run(argv) {
    const { values, positionals } = parse(argv, {
      seed: { type: 'string' },
      days: { type: 'string' },
      orgs: { type: 'string' },
      scale: { type: 'string' },
      format: { type: 'string', short: 'f' },
      scenario: { type: 'string', multiple: true },
      start: { type: 'string' },
      out: { type: 'string', short: 'o' },
    });
    if (values.help) {
      console.log(simulate.usage);
      return 0;
    }
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const out = values.out as string | undefined;
    if (!out) throw new UsageError('--out DIR is required');
    const format = (values.format as string | undefined) ?? 'entra';
    if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`unknown format '${format}'; use one of ${FORMATS.join(', ')}`);
    const options = {
      seed: intOption(values.seed as string | undefined, 'seed', 0, 2 ** 32 - 1) ?? 1,
      days: intOption(values.days as string | undefined, 'days', 1, 366) ?? 7,
      orgs: intOption(values.orgs as string | undefined, 'orgs', 1, 1000) ?? 12,
      scale: scaleOption(values.scale as string | undefined),
      format: format as SimFormat,
      start: startOption(values.start as string | undefined),
    };
    const scenarioArgs = (values.scenario as string[] | undefined) ?? [];
    let scenarios;
    try {
      scenarios = resolveScenarios(scenarioArgs);
    } catch (e) {
      if (e instanceof ScenarioError) throw new CliError(e.message);
      throw e;
    }
    prepareOut(out);
    const t0 = performance.now();
    const world = generateWorld({ ...options, scenarios, scenarioArgs, out });
    const seconds = (performance.now() - t0) / 1000;
    const t = world.truth;
    process.stderr.write(
      `${t.events_total} records (${t.benign_events} benign, ${t.events_total - t.benign_events} in ${t.attacks.length} attacks) for ${world.orgs.length} organisations over ${options.days} days, ` +
        `${world.files} log files in ${join(out, 'logs')}, ${seconds.toFixed(1)} s (${Math.round(t.events_total / Math.max(seconds, 0.001))} records/s)\n`,
    );
    return 0;
  },
};
