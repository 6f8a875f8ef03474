/**
 * Y — the monthly total income (Gesamteinkommen, §§ 13–18 WoGG).
 *
 * Per member taken into account (§ 14 Jahreseinkommen):
 *   1. every income entry is counted twelve times (the monthly amounts are the expected ones, § 15);
 *   2. employment: minus the Arbeitnehmer-Pauschbetrag of 1,230 €/year (§ 14 Abs. 1 WoGG with
 *      § 9a Satz 1 Nr. 1 Buchst. a EStG), pensions: minus 102 €/year (§ 9a Satz 1 Nr. 3 EStG),
 *      neither below 0;
 *      Decision: a flat amount is deducted ONCE PER MEMBER from the sum of that member's entries of
 *      that kind — it is a Pauschbetrag per person and year in the EStG, not per employer.
 *   3. § 16 Abs. 1 WoGG: minus 10 % each where taxes, health/care insurance, pension insurance
 *      contributions are payable, of "the amount that results from §§ 14 and 15", i.e. of the
 *      member's income AFTER the flat amounts.
 *      Decision: § 16 is a per-member deduction ("vom Haushaltsmitglied … zu leisten"); the API
 *      carries the flags per income entry, so a member's percentage is the union of the flags of
 *      that member's entries (a member who pays income tax pays it, whatever the source), applied to
 *      the member's income from all kinds except `minijob_flat`.
 *   4. `minijob_flat` (§ 14 Abs. 2 WoGG, pauschal besteuerter Arbeitslohn nach § 40a EStG): counted
 *      as is — no flat amount, no § 16 deduction (API.md); its flags are ignored.
 * Household (§ 13 Abs. 1 WoGG): sum of the members' Jahreseinkommen minus the § 17 allowances, the
 * § 17a Grundrente allowance and the § 18 maintenance paid; not below 0 (decision: a negative total
 * is no income). § 13 Abs. 2: Y = one twelfth, kept as a ten-place fixed-point number (Anlage 3).
 */
import type { Dec } from './decimal';
import { ZERO, dec, fixed10, maxDec, minDec } from './decimal';
import type { WohngeldIncomeKind, WohngeldEstimateRequest } from './schema';
import { WOHNGELD_INCOME_RULES } from './tables';

export interface WohngeldMemberIncome {
  readonly member: number;
  /** Yearly gross of the entries of each kind, before any deduction. */
  readonly grossYearlyByKind: Partial<Record<WohngeldIncomeKind, Dec>>;
  /** Werbungskosten flat amounts actually deducted (capped at the income they apply to). */
  readonly employmentFlatDeduction: Dec;
  readonly pensionFlatDeduction: Dec;
  /** The amount § 16 applies to (everything after the flat amounts, without minijob_flat). */
  readonly section16Base: Dec;
  /** 0, 10, 20 or 30 (§ 16 Abs. 1 WoGG). */
  readonly section16Percent: number;
  readonly section16Deduction: Dec;
  readonly minijobFlatYearly: Dec;
  /** Jahreseinkommen (§ 14 WoGG) of the member. */
  readonly yearlyIncome: Dec;
}

export interface WohngeldHouseholdIncome {
  readonly members: readonly WohngeldMemberIncome[];
  readonly sumOfYearlyIncomes: Dec;
  readonly allowances: {
    /** § 17 Nr. 1 WoGG */
    readonly severelyDisabled: Dec;
    /** § 17 Nr. 2 WoGG */
    readonly nsPersecution: Dec;
    /** § 17 Nr. 3 WoGG */
    readonly singleParent: Dec;
    /** § 17 Nr. 4 WoGG: per child min(12 × monthly earnings, 1,200 €). */
    readonly childEarnings: Dec;
    /** § 17a WoGG: 12 × the monthly Grundrente allowance already determined. */
    readonly grundrente: Dec;
    /** § 18 WoGG: maintenance paid, as given (see estimate.ts / the report for the caps). */
    readonly maintenancePaid: Dec;
    readonly total: Dec;
  };
  /** Gesamteinkommen per year (§ 13 Abs. 1), not below 0. */
  readonly yearlyTotal: Dec;
  /** Y: monthly Gesamteinkommen (§ 13 Abs. 2), ten-place fixed point. */
  readonly monthly: Dec;
}

const NO_FLAT_AMOUNT_KINDS: readonly WohngeldIncomeKind[] = [
  'wage_replacement',
  'maintenance_advance',
  'maintenance',
  'other',
];

/** Jahreseinkommen of one member (§ 14, § 16 WoGG) from that member's income entries. */
export function memberYearlyIncome(
  member: number,
  entries: readonly WohngeldEstimateRequest['incomes'][number][],
): WohngeldMemberIncome {
  const grossYearlyByKind: Partial<Record<WohngeldIncomeKind, Dec>> = {};
  let taxes = false;
  let healthCare = false;
  let pensionInsurance = false;
  for (const entry of entries) {
    const yearly = dec(entry.monthlyGross).times(12);
    grossYearlyByKind[entry.kind] = (grossYearlyByKind[entry.kind] ?? ZERO).plus(yearly);
    if (entry.kind !== 'minijob_flat') {
      taxes ||= entry.taxes;
      healthCare ||= entry.healthCare;
      pensionInsurance ||= entry.pensionInsurance;
    }
  }

  const employmentGross = grossYearlyByKind.employment ?? ZERO;
  const employmentFlatDeduction = minDec(employmentGross, dec(WOHNGELD_INCOME_RULES.employmentFlatDeductionYearly));
  const pensionGross = grossYearlyByKind.pension ?? ZERO;
  const pensionFlatDeduction = minDec(pensionGross, dec(WOHNGELD_INCOME_RULES.pensionFlatDeductionYearly));

  const section16Base = NO_FLAT_AMOUNT_KINDS.reduce(
    (sum, kind) => sum.plus(grossYearlyByKind[kind] ?? ZERO),
    employmentGross.minus(employmentFlatDeduction).plus(pensionGross.minus(pensionFlatDeduction)),
  );
  const items = [taxes, healthCare, pensionInsurance].filter(Boolean).length;
  const section16Deduction = section16Base.times(dec(WOHNGELD_INCOME_RULES.section16RatePerItem).times(items));
  const minijobFlatYearly = grossYearlyByKind.minijob_flat ?? ZERO;

  return {
    member,
    grossYearlyByKind,
    employmentFlatDeduction,
    pensionFlatDeduction,
    section16Base,
    section16Percent: items * 10,
    section16Deduction,
    minijobFlatYearly,
    yearlyIncome: section16Base.minus(section16Deduction).plus(minijobFlatYearly),
  };
}

/** § 13 WoGG: the household's Gesamteinkommen and Y (monthly, ten places). */
export function computeHouseholdIncome(request: WohngeldEstimateRequest): WohngeldHouseholdIncome {
  const byMember = new Map<number, WohngeldEstimateRequest['incomes'][number][]>();
  for (const entry of request.incomes) {
    const list = byMember.get(entry.member) ?? [];
    list.push(entry);
    byMember.set(entry.member, list);
  }
  const members = [...byMember.entries()]
    .sort(([a], [b]) => a - b)
    .map(([member, entries]) => memberYearlyIncome(member, entries));
  const sumOfYearlyIncomes = members.reduce((sum, m) => sum.plus(m.yearlyIncome), ZERO);

  const a = request.allowances;
  const cap = dec(WOHNGELD_INCOME_RULES.childEarningsCapYearly);
  const severelyDisabled = dec(WOHNGELD_INCOME_RULES.severelyDisabledYearly).times(a.severelyDisabledMembers);
  const nsPersecution = dec(WOHNGELD_INCOME_RULES.nsPersecutionVictimYearly).times(a.nsPersecutionVictims);
  const singleParent = a.singleParent ? dec(WOHNGELD_INCOME_RULES.singleParentYearly) : ZERO;
  const childEarnings = a.childEarningsMonthly.reduce(
    (sum, monthly) => sum.plus(minDec(dec(monthly).times(12), cap)),
    ZERO,
  );
  const grundrente = dec(a.grundrenteMonthly).times(12);
  const maintenancePaid = dec(a.maintenancePaidYearly);
  const total = severelyDisabled
    .plus(nsPersecution)
    .plus(singleParent)
    .plus(childEarnings)
    .plus(grundrente)
    .plus(maintenancePaid);

  const yearlyTotal = maxDec(ZERO, sumOfYearlyIncomes.minus(total));
  return {
    members,
    sumOfYearlyIncomes,
    allowances: { severelyDisabled, nsPersecution, singleParent, childEarnings, grundrente, maintenancePaid, total },
    yearlyTotal,
    monthly: fixed10(yearlyTotal.dividedBy(12)),
  };
}
