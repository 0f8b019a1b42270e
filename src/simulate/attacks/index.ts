/**
 * @module simulate/attacks
 * From scenario to attack engine, by type. Scenarios that share another's source pool are planned after it.
 */
import type { Scenario } from '../scenarios.js';
import { anonymizerAttack } from './anonymizer.js';
import type { Attack, AttackContext } from './context.js';
import { guessingAttack } from './guessing.js';
import { mfaFatigueAttack } from './mfa-fatigue.js';
import { travelAttack } from './travel.js';

export type { Attack, AttackContext } from './context.js';

function create(s: Scenario, index: number, ctx: AttackContext): Attack {
  switch (s.type) {
    case 'password_spray':
    case 'brute_force':
    case 'credential_stuffing':
      return guessingAttack(s, index, ctx);
    case 'mfa_fatigue':
      return mfaFatigueAttack(s, index, ctx);
    case 'impossible_travel':
      return travelAttack(s, index, ctx);
    case 'anonymizer_signin':
    case 'account_compromise':
      return anonymizerAttack(s, index, ctx);
  }
}

/** Attacks in scenario order (their index is their place in the truth file); pools planned before their sharers. */
export function planAttacks(scenarios: Scenario[], ctx: AttackContext): Attack[] {
  const attacks: Attack[] = new Array(scenarios.length);
  const order = scenarios.map((s, i) => ({ s, i })).sort((a, b) => Number(!!a.s.sources.share_pool_with) - Number(!!b.s.sources.share_pool_with));
  for (const { s, i } of order) attacks[i] = create(s, i, ctx);
  return attacks;
}
