/**
 * The Wohngeld estimate: M (rent.ts), Y (income.ts), the formula (formula.ts), then
 * - a result ≤ 0 € → no Wohngeld, reason `income_too_high` (the income leaves nothing of the rent);
 * - § 21 Nr. 1 WoGG: a result below 10 € → no entitlement, reason `below_minimum_amount`;
 * - § 21 Nr. 2 WoGG: all members excluded (entitledMembers 0) → reason `all_members_excluded`.
 * `consideredRent` is M of § 11/§ 12 and `monthlyIncome` is Y of § 13, both BEFORE the Anlage 3
 * minimum substitution (that is a calculation step; the breakdown shows the values used).
 * Money is returned as numbers with two decimals; the breakdown's fixed-point values (M, Y, z1..z4,
 * coefficients) are strings with all their decimals, so nothing is lost to binary floating point.
 */
import { DomainError } from '../errors';
import type { Dec } from './decimal';
import { ZERO, dec, toFixed10String, toMoney } from './decimal';
import type { WohngeldFormulaResult } from './formula';
import { computeWohngeld } from './formula';
import type { WohngeldHouseholdIncome } from './income';
import { computeHouseholdIncome } from './income';
import type { WohngeldConsideredRent } from './rent';
import { computeConsideredRent } from './rent';
import type { WohngeldEstimateRequest, WohngeldHousingKind, WohngeldIncomeKind } from './schema';
import { parseEstimateRequest } from './schema';
import type { Mietstufe } from './tables';
import { MIETSTUFE_ROMAN, WOHNGELD_MINIMUM_AMOUNT } from './tables';

/** Why nothing is paid: a stable vocabulary for API clients, notices and statistics. */
export const WOHNGELD_REASONS = {
  /** § 21 Nr. 1 WoGG: the amount would be below 10 € a month. */
  belowMinimumAmount: 'below_minimum_amount',
  /** § 19 WoGG: the formula gives 0 € or less — the income is too high for this rent. */
  incomeTooHigh: 'income_too_high',
  /** § 21 Nr. 2 WoGG: every household member is excluded (§§ 7, 8 WoGG). */
  allMembersExcluded: 'all_members_excluded',
} as const;
export type WohngeldReason = (typeof WOHNGELD_REASONS)[keyof typeof WOHNGELD_REASONS];

export const WOHNGELD_LAW_VERSION = 'WoGG 2025 (BGBl. 2024 I Nr. 314)';

export interface WohngeldRentBreakdown {
  readonly housingKind: WohngeldHousingKind;
  readonly actualMonthly: number;
  /** Looked up for all household members (§ 11 Abs. 3: the total number decides). */
  readonly hoechstbetrag: number;
  readonly klimakomponente: number;
  readonly heatingRelief: number;
  /** counted / total (§ 11 Abs. 3); 1 when nobody is excluded. */
  readonly shareNumerator: number;
  readonly shareDenominator: number;
  readonly rentShare: number;
  readonly hoechstbetragShare: number;
  readonly klimakomponenteShare: number;
  readonly heatingReliefShare: number;
  /** The rent was above Höchstbetrag + Klimakomponente and was capped. */
  readonly capped: boolean;
  readonly consideredRent: number;
}

export interface WohngeldMemberIncomeBreakdown {
  readonly member: number;
  readonly grossYearlyByKind: Partial<Record<WohngeldIncomeKind, number>>;
  readonly employmentFlatDeduction: number;
  readonly pensionFlatDeduction: number;
  readonly section16Percent: number;
  readonly section16Deduction: number;
  readonly minijobFlatYearly: number;
  readonly yearlyIncome: number;
}

export interface WohngeldIncomeBreakdown {
  readonly members: readonly WohngeldMemberIncomeBreakdown[];
  readonly sumOfYearlyIncomes: number;
  readonly allowances: {
    readonly severelyDisabled: number;
    readonly nsPersecution: number;
    readonly singleParent: number;
    readonly childEarnings: number;
    readonly grundrente: number;
    readonly maintenancePaid: number;
    readonly total: number;
  };
  readonly yearlyTotal: number;
  readonly monthlyIncome: number;
}

export interface WohngeldFormulaBreakdown {
  readonly formulaMembers: number;
  readonly a: string;
  readonly b: string;
  readonly c: string;
  readonly minimumM: number;
  readonly minimumY: number;
  /** Ten-place fixed-point values as used (after the minimum substitution). */
  readonly m: string;
  readonly y: string;
  readonly mSubstituted: boolean;
  readonly ySubstituted: boolean;
  readonly z1: string;
  readonly z2: string;
  readonly z3: string;
  readonly z4: string;
  /** z4 rounded to whole euros (may be negative). */
  readonly roundedAmount: number;
  readonly furtherMembers: number;
  readonly furtherMembersIncrease: number;
  readonly cappedAtConsideredRent: boolean;
  /** The amount before § 21 Nr. 1 and before negative amounts become 0. */
  readonly amountBeforeThreshold: number;
}

export interface WohngeldBreakdown {
  readonly lawVersion: string;
  readonly mietstufe: Mietstufe;
  readonly mietstufeRoman: string;
  readonly municipality?: string;
  readonly householdMembers: number;
  readonly countedMembers: number;
  /** null when every member is excluded. */
  readonly rent: WohngeldRentBreakdown | null;
  readonly income: WohngeldIncomeBreakdown;
  readonly formula: WohngeldFormulaBreakdown | null;
}

export interface WohngeldEstimate {
  /** Whole euros per month; 0 when not eligible. */
  readonly monthlyAmount: number;
  readonly eligible: boolean;
  /** M (§ 11, § 12 WoGG), two decimals. */
  readonly consideredRent: number;
  /** Y (§ 13 WoGG), two decimals. */
  readonly monthlyIncome: number;
  readonly reason?: WohngeldReason;
  readonly breakdown: WohngeldBreakdown;
}

function rentBreakdown(rent: WohngeldConsideredRent): WohngeldRentBreakdown {
  return {
    housingKind: rent.housingKind,
    actualMonthly: toMoney(rent.actualMonthly),
    hoechstbetrag: toMoney(rent.hoechstbetrag),
    klimakomponente: toMoney(rent.klimakomponente),
    heatingRelief: toMoney(rent.heatingRelief),
    shareNumerator: rent.countedMembers,
    shareDenominator: rent.householdMembers,
    rentShare: toMoney(rent.rentShare),
    hoechstbetragShare: toMoney(rent.hoechstbetragShare),
    klimakomponenteShare: toMoney(rent.klimakomponenteShare),
    heatingReliefShare: toMoney(rent.heatingReliefShare),
    capped: rent.capped,
    consideredRent: toMoney(rent.m),
  };
}

function incomeBreakdown(income: WohngeldHouseholdIncome): WohngeldIncomeBreakdown {
  const a = income.allowances;
  return {
    members: income.members.map((m) => ({
      member: m.member,
      grossYearlyByKind: Object.fromEntries(
        Object.entries(m.grossYearlyByKind).map(([kind, value]) => [kind, toMoney(value as Dec)]),
      ) as Partial<Record<WohngeldIncomeKind, number>>,
      employmentFlatDeduction: toMoney(m.employmentFlatDeduction),
      pensionFlatDeduction: toMoney(m.pensionFlatDeduction),
      section16Percent: m.section16Percent,
      section16Deduction: toMoney(m.section16Deduction),
      minijobFlatYearly: toMoney(m.minijobFlatYearly),
      yearlyIncome: toMoney(m.yearlyIncome),
    })),
    sumOfYearlyIncomes: toMoney(income.sumOfYearlyIncomes),
    allowances: {
      severelyDisabled: toMoney(a.severelyDisabled),
      nsPersecution: toMoney(a.nsPersecution),
      singleParent: toMoney(a.singleParent),
      childEarnings: toMoney(a.childEarnings),
      grundrente: toMoney(a.grundrente),
      maintenancePaid: toMoney(a.maintenancePaid),
      total: toMoney(a.total),
    },
    yearlyTotal: toMoney(income.yearlyTotal),
    monthlyIncome: toMoney(income.monthly),
  };
}

function formulaBreakdown(f: WohngeldFormulaResult): WohngeldFormulaBreakdown {
  return {
    formulaMembers: f.formulaMembers,
    a: f.coefficients.a,
    b: f.coefficients.b,
    c: f.coefficients.c,
    minimumM: Number(f.minimum.m),
    minimumY: Number(f.minimum.y),
    m: toFixed10String(f.m),
    y: toFixed10String(f.y),
    mSubstituted: f.mSubstituted,
    ySubstituted: f.ySubstituted,
    z1: toFixed10String(f.z1),
    z2: toFixed10String(f.z2),
    z3: toFixed10String(f.z3),
    z4: toFixed10String(f.z4),
    roundedAmount: f.rounded.toNumber(),
    furtherMembers: f.furtherMembers,
    furtherMembersIncrease: toMoney(f.furtherMembersIncrease),
    cappedAtConsideredRent: f.cappedAtM,
    amountBeforeThreshold: f.amount.toNumber(),
  };
}

/** The estimate for an already validated request (see `parseEstimateRequest`). Pure and deterministic. */
export function calculateWohngeld(request: WohngeldEstimateRequest): WohngeldEstimate {
  const counted = request.entitledMembers;
  const income = computeHouseholdIncome(request);
  const base = {
    lawVersion: WOHNGELD_LAW_VERSION,
    mietstufe: request.mietstufe,
    mietstufeRoman: MIETSTUFE_ROMAN[request.mietstufe],
    ...(request.municipality !== undefined ? { municipality: request.municipality } : {}),
    householdMembers: request.householdMembers,
    countedMembers: counted,
    income: incomeBreakdown(income),
  };

  if (counted === 0) {
    return {
      monthlyAmount: 0,
      eligible: false,
      consideredRent: 0,
      monthlyIncome: toMoney(income.monthly),
      reason: WOHNGELD_REASONS.allMembersExcluded,
      breakdown: { ...base, rent: null, formula: null },
    };
  }

  const rent = computeConsideredRent({
    housingKind: request.housing.kind,
    monthly: request.housing.monthly,
    mietstufe: request.mietstufe,
    householdMembers: request.householdMembers,
    countedMembers: counted,
  });
  const formula = computeWohngeld({ m: rent.m, y: income.monthly, countedMembers: counted });
  const breakdown: WohngeldBreakdown = { ...base, rent: rentBreakdown(rent), formula: formulaBreakdown(formula) };
  const result = {
    consideredRent: toMoney(rent.m),
    monthlyIncome: toMoney(income.monthly),
    breakdown,
  };

  if (formula.amount.lessThanOrEqualTo(ZERO)) {
    return { monthlyAmount: 0, eligible: false, reason: WOHNGELD_REASONS.incomeTooHigh, ...result };
  }
  if (formula.amount.lessThan(dec(WOHNGELD_MINIMUM_AMOUNT))) {
    return { monthlyAmount: 0, eligible: false, reason: WOHNGELD_REASONS.belowMinimumAmount, ...result };
  }
  return { monthlyAmount: formula.amount.toNumber(), eligible: true, ...result };
}

/** `DomainErrorDetails.reason` of the INVALID error `estimateWohngeld` throws. */
export const WOHNGELD_INVALID_REQUEST_REASON = 'invalid_wohngeld_request';

/**
 * Validate (API.md request shape) and calculate. Impossible input throws a `DomainError` with code
 * `INVALID` (422 at the API edge) whose `details.errors` are FieldIssues with JSON-pointer paths;
 * use `parseEstimateRequest` to get the problems without an exception.
 */
export function estimateWohngeld(request: unknown): WohngeldEstimate {
  const parsed = parseEstimateRequest(request);
  if (!parsed.success) {
    throw new DomainError('INVALID', 'The household data for the Wohngeld estimate is not possible; see errors.', {
      reason: WOHNGELD_INVALID_REQUEST_REASON,
      errors: parsed.errors.map((e) => ({ path: e.pointer, message: e.message })),
    });
  }
  return calculateWohngeld(parsed.data);
}
