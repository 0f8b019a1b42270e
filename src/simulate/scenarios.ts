/**
 * @module simulate/scenarios
 * Attack scenarios are data: YAML files in `scenarios/` (id, type, actor, description, rationale and parameters),
 * validated here so that a mistake names the file and the field. The default world loads every file there;
 * `--scenario FILE` adds a scenario or replaces the one with the same id.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseDuration } from './clock.js';
import { ORG_KINDS } from './names.js';

export const ATTACK_TYPES = ['password_spray', 'brute_force', 'credential_stuffing', 'mfa_fatigue', 'impossible_travel', 'anonymizer_signin', 'account_compromise'] as const;
export type AttackType = (typeof ATTACK_TYPES)[number];

/** Where the default scenario files live: `scenarios/` at the package root (from src/simulate or dist/simulate). */
export const DEFAULT_SCENARIO_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));

export class ScenarioError extends Error {}

const duration = z.string().refine((s) => parseDuration(s) !== undefined, { message: 'expected a duration such as 90m, 6h, 5d or 1d12h' });
const share = z.number().min(0).max(1);
const range = z.tuple([z.number().min(0), z.number().min(0)]).refine(([a, b]) => a <= b, { message: 'expected [low, high] with low <= high' });
const CLIENTS = ['browser', 'mobile_app', 'desktop_app', 'activesync', 'imap', 'smtp', 'ropc'] as const;
const SOURCE_KINDS = ['tor', 'vpn', 'hosting', 'broadband', 'mobile'] as const;

const common = {
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'expected lower-case letters, digits and hyphens' }),
  actor: z.string().min(1).nullable(),
  description: z.string().min(1),
  rationale: z.string().min(1),
  /** When, as offsets from the world's start; moved earlier and shortened to fit a shorter world. */
  window: z.strictObject({ start: duration.default('0h'), duration: z.union([duration, z.literal('all')]) }),
  targets: z.strictObject({
    organisations: z.number().int().min(1).default(1),
    /** Kinds of organisation picked first (campaign, party, think_tank, ngo, newsroom, consultancy, business, agency). */
    kinds: z.array(z.enum(ORG_KINDS)).optional(),
    /** Accounts per organisation: a count, or a share of its staff. */
    accounts: z.number().int().min(1).optional(),
    account_share: z.number().gt(0).max(1).optional(),
    /** random staff, or senior staff (hand-picked targets) */
    pick: z.enum(['random', 'senior']).default('random'),
    /** Guessed names that match no account, as a share of the targeted real accounts (or a count when >= 1 with accounts). */
    guessed_names: z.number().min(0).default(0),
  }),
  sources: z.strictObject({
    /** Share of the pool by kind of network, e.g. {tor: 0.8, vpn: 0.1, hosting: 0.1}. */
    mix: z.partialRecord(z.enum(SOURCE_KINDS), share).default({}),
    /** Addresses in the pool (ignored when sharing another scenario's pool). */
    pool: z.number().int().min(1).default(1),
    churn_per_day: z.number().int().min(0).default(0),
    /** Use another scenario's addresses (same day's pool) instead of drawing new ones. */
    share_pool_with: z.string().optional(),
    /** Countries to draw from (ISO codes); default: anywhere the kind exists. */
    countries: z.array(z.string().regex(/^[A-Z]{2}$/)).optional(),
    /** Multiply the pool by --scale (default true). */
    scaled: z.boolean().default(true),
  }),
  tool: z.strictObject({
    user_agent: z.string(),
    client: z.enum(CLIENTS),
  }),
};

const guessing = z.strictObject({
  ...common,
  type: z.enum(['password_spray', 'brute_force', 'credential_stuffing']),
  cadence: z
    .strictObject({
      per_account_per_hour: z.number().positive().optional(),
      per_account_per_day: z.number().positive().optional(),
      tries_per_account: range.optional(),
      /** Bursts: the tries of all accounts are packed into this many waves of `wave_length`. */
      waves: z.number().int().min(1).default(1),
      wave_length: duration.default('20m'),
      /** Hours of the day (UTC) the operator works, e.g. [5, 15]; default all day. */
      active_hours_utc: range.optional(),
    })
    .refine((c) => [c.per_account_per_hour, c.per_account_per_day, c.tries_per_account].filter((x) => x !== undefined).length === 1, {
      message: 'give exactly one of per_account_per_hour, per_account_per_day, tries_per_account',
    }),
  errors: z
    .strictObject({
      /** Share of attempts on real accounts answered "locked" (smart lock-out under a fast attack). */
      locked_share: share.default(0),
      /** How a right password stopped by MFA is answered: interrupt (Entra 50074) or required (50076). */
      mfa_answer: z.enum(['interrupt', 'required']).default('required'),
    })
    .default({ locked_share: 0, mfa_answer: 'required' }),
  outcome: z
    .strictObject({
      /** Accounts whose password the attacker finds but MFA stops. */
      password_valid: z.number().int().min(0).default(0),
      /** Accounts whose password works on a protocol without MFA: the attacker gets in. */
      compromised: z.number().int().min(0).default(0),
      /** Sign-ins of the attacker after a compromise (reading mail). */
      follow_up_signins: z.number().int().min(0).default(3),
    })
    .default({ password_valid: 0, compromised: 0, follow_up_signins: 3 }),
});

const mfaFatigue = z.strictObject({
  ...common,
  type: z.literal('mfa_fatigue'),
  pushes: range,
  push_interval: z.tuple([duration, duration]),
  /** Local hour of the victim when the bombing starts (late evening works best for attackers). */
  local_hour: z.number().min(0).max(24),
  follow_up_signins: z.number().int().min(0).default(3),
});

const impossibleTravel = z.strictObject({
  ...common,
  type: z.literal('impossible_travel'),
  /** Minutes between the victim's own sign-in and the attacker's. */
  delay_minutes: range,
  local_hour: z.number().min(0).max(24),
  follow_up_signins: z.number().int().min(0).default(2),
});

const anonymizer = z.strictObject({
  ...common,
  type: z.enum(['anonymizer_signin', 'account_compromise']),
  failures_before: z.number().int().min(0).default(1),
  local_hour: z.number().min(0).max(24),
  follow_up_signins: z.number().int().min(0).default(2),
});

export type GuessingScenario = z.infer<typeof guessing>;
export type MfaFatigueScenario = z.infer<typeof mfaFatigue>;
export type TravelScenario = z.infer<typeof impossibleTravel>;
export type AnonymizerScenario = z.infer<typeof anonymizer>;
/** A validated scenario; `file` is the name of the file it came from. */
export type Scenario = (GuessingScenario | MfaFatigueScenario | TravelScenario | AnonymizerScenario) & { file?: string };

function schemaFor(type: unknown) {
  switch (type) {
    case 'password_spray':
    case 'brute_force':
    case 'credential_stuffing':
      return guessing;
    case 'mfa_fatigue':
      return mfaFatigue;
    case 'impossible_travel':
      return impossibleTravel;
    case 'anonymizer_signin':
    case 'account_compromise':
      return anonymizer;
    default:
      return undefined;
  }
}

/** A scenario from parsed YAML; errors name the file and the field. */
export function validateScenario(data: unknown, file: string): Scenario {
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new ScenarioError(`${file}: expected a mapping with id, type, actor, description, rationale and parameters`);
  const type = (data as Record<string, unknown>).type;
  const schema = schemaFor(type);
  if (!schema) throw new ScenarioError(`${file}: type: expected one of ${ATTACK_TYPES.join(', ')}, got ${JSON.stringify(type)}`);
  const r = schema.safeParse(data);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${file}: ${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
    throw new ScenarioError(lines.join('\n'));
  }
  return { ...(r.data as Scenario), file: basename(file) };
}

export function loadScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ScenarioError(`cannot read scenario ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (e) {
    throw new ScenarioError(`${path}: invalid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  return validateScenario(data, path);
}

/** Every scenario in a directory (*.yaml, *.yml), by file name order; duplicate ids are an error. */
export function loadScenarioDir(dir: string): Scenario[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.ya?ml$/i.test(n)).sort();
  } catch (e) {
    // A missing scenarios/ folder would silently give a world without attacks.
    throw new ScenarioError(`cannot read the scenario folder ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const out: Scenario[] = [];
  for (const n of names) {
    const s = loadScenarioFile(join(dir, n));
    const dup = out.find((o) => o.id === s.id);
    if (dup) throw new ScenarioError(`${join(dir, n)}: id '${s.id}' is already used by another file in ${basename(dir)}`);
    out.push(s);
  }
  return out;
}

/** The default scenarios, with `extra` files added or replacing those of the same id; checks pool references. */
export function resolveScenarios(extraFiles: string[], dir = DEFAULT_SCENARIO_DIR): Scenario[] {
  const list = loadScenarioDir(dir);
  for (const f of extraFiles) {
    const s = loadScenarioFile(f);
    const at = list.findIndex((o) => o.id === s.id);
    if (at >= 0) list[at] = s;
    else list.push(s);
  }
  for (const s of list) {
    const ref = s.sources.share_pool_with;
    if (ref && !list.some((o) => o.id === ref && o !== s)) throw new ScenarioError(`scenario ${s.id}: sources.share_pool_with: no scenario with id '${ref}'`);
  }
  return list;
}
