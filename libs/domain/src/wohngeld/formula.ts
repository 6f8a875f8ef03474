/**
 * The Wohngeld formula (§ 19 WoGG with Anlage 2 and Anlage 3).
 *
 * § 19 Abs. 1: unrounded monthly Wohngeld = 1.15 · (M − (a + b·M + c·Y) · Y) for up to 12 members
 * taken into account. Anlage 3:
 *   Nr. 1 — M or Y below the minimum for the number of members is replaced by that minimum;
 *   Nr. 2 — z1 = a + b·M + c·Y; z2 = z1·Y; z3 = M − z2; z4 = 1.15·z3, each a fixed-point decimal
 *           with ten places (every step is computed exactly, then rounded half-up at the 10th place);
 *   Nr. 3 — z4 is rounded to whole euros: below 0.50 down, from 0.50 up.
 * § 19 Abs. 3: more than 12 members taken into account — the values (coefficients, minimums) for 12,
 * then + 65 € for the 13th and each further member, at most up to M.
 *   Decision: the 65 € steps are added to the rounded formula result even when that is negative
 *   (the amount "nach den Absätzen 1 und 2 berechnet"), and the sum is then limited to M and to 0.
 *   Adding them to 0 instead would pay 65 € per further member to households of any income.
 *   Decision: "at most up to M" uses the M of § 11/§ 12 (before the Anlage 3 minimum), rounded DOWN
 *   to whole euros so the whole-euro amount never exceeds M.
 * Negative results and the § 21 Nr. 1 threshold are applied in estimate.ts.
 */
import type { Dec } from './decimal';
import { dec, fixed10, maxDec, roundToWholeEuros } from './decimal';
import type { WohngeldCoefficients, WohngeldMinimumValues } from './tables';
import { WOHNGELD_COEFFICIENTS, WOHNGELD_FORMULA_FACTOR, WOHNGELD_INCREASE_PER_FURTHER_MEMBER, WOHNGELD_MAX_FORMULA_MEMBERS, WOHNGELD_MINIMUM_VALUES } from './tables';

export interface WohngeldFormulaResult {
  /** The number of members whose coefficients and minimum values were used (1..12). */
  readonly formulaMembers: number;
  readonly coefficients: WohngeldCoefficients;
  readonly minimum: WohngeldMinimumValues;
  /** M and Y as used in the formula (after the Anlage 3 Nr. 1 substitution). */
  readonly m: Dec;
  readonly y: Dec;
  readonly mSubstituted: boolean;
  readonly ySubstituted: boolean;
  readonly z1: Dec;
  readonly z2: Dec;
  readonly z3: Dec;
  readonly z4: Dec;
  /** z4 rounded commercially to whole euros (Anlage 3 Nr. 3); may be negative. */
  readonly rounded: Dec;
  /** § 19 Abs. 3: members beyond 12 and the increase for them. */
  readonly furtherMembers: number;
  readonly furtherMembersIncrease: Dec;
  /** § 19 Abs. 3: the amount was limited to M. */
  readonly cappedAtM: boolean;
  /** Whole euros, may be ≤ 0 (then no Wohngeld); before § 21 Nr. 1. */
  readonly amount: Dec;
}

export function wohngeldCoefficientsFor(members: number): WohngeldCoefficients {
  const values = WOHNGELD_COEFFICIENTS[Math.min(members, WOHNGELD_MAX_FORMULA_MEMBERS)];
  if (!values || members < 1) throw new RangeError(`no coefficients for ${members} members`);
  return values;
}

export function wohngeldMinimumValuesFor(members: number): WohngeldMinimumValues {
  const values = WOHNGELD_MINIMUM_VALUES[Math.min(members, WOHNGELD_MAX_FORMULA_MEMBERS)];
  if (!values || members < 1) throw new RangeError(`no minimum values for ${members} members`);
  return values;
}

/** Anlage 3 Nr. 2: the four steps for given M, Y (already substituted) and coefficients. */
export function wohngeldFormulaSteps(m: Dec, y: Dec, k: WohngeldCoefficients): { z1: Dec; z2: Dec; z3: Dec; z4: Dec } {
  const z1 = fixed10(dec(k.a).plus(dec(k.b).times(m)).plus(dec(k.c).times(y)));
  const z2 = fixed10(z1.times(y));
  const z3 = fixed10(m.minus(z2));
  const z4 = fixed10(dec(WOHNGELD_FORMULA_FACTOR).times(z3));
  return { z1, z2, z3, z4 };
}

/**
 * § 19 WoGG: the monthly Wohngeld in whole euros for M (§ 11/§ 12), Y (§ 13) and the number of
 * members taken into account.
 */
export function computeWohngeld(params: { readonly m: Dec; readonly y: Dec; readonly countedMembers: number }): WohngeldFormulaResult {
  const { countedMembers } = params;
  if (!Number.isInteger(countedMembers) || countedMembers < 1) {
    throw new RangeError(`countedMembers must be a positive integer, got ${countedMembers}`);
  }
  const formulaMembers = Math.min(countedMembers, WOHNGELD_MAX_FORMULA_MEMBERS);
  const coefficients = wohngeldCoefficientsFor(formulaMembers);
  const minimum = wohngeldMinimumValuesFor(formulaMembers);
  const givenM = fixed10(params.m);
  const givenY = fixed10(params.y);
  const m = maxDec(givenM, dec(minimum.m));
  const y = maxDec(givenY, dec(minimum.y));
  const { z1, z2, z3, z4 } = wohngeldFormulaSteps(m, y, coefficients);
  const rounded = roundToWholeEuros(z4);

  const furtherMembers = countedMembers - formulaMembers;
  const furtherMembersIncrease = dec(WOHNGELD_INCREASE_PER_FURTHER_MEMBER).times(furtherMembers);
  let amount = rounded.plus(furtherMembersIncrease);
  let cappedAtM = false;
  if (furtherMembers > 0) {
    const limit = givenM.floor();
    if (amount.greaterThan(limit)) {
      amount = limit;
      cappedAtM = true;
    }
  }
  return {
    formulaMembers,
    coefficients,
    minimum,
    m,
    y,
    mSubstituted: !m.equals(givenM),
    ySubstituted: !y.equals(givenY),
    z1,
    z2,
    z3,
    z4,
    rounded,
    furtherMembers,
    furtherMembersIncrease,
    cappedAtM,
    amount,
  };
}
