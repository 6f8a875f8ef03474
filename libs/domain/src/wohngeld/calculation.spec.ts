/**
 * The building blocks: tables, the rounding rules, M and Y, the formula on its own.
 */
import { Decimal } from 'decimal.js';

import { dec, fixed10, roundToWholeEuros } from './decimal';
import { computeWohngeld, wohngeldFormulaSteps } from './formula';
import { computeHouseholdIncome } from './income';
import { computeConsideredRent, heatingRelief, hoechstbetrag, klimakomponente } from './rent';
import type { WohngeldEstimateInput } from './schema';
import { wohngeldEstimateRequestSchema } from './schema';
import {
  MIETSTUFEN,
  WOHNGELD_COEFFICIENTS,
  WOHNGELD_MINIMUM_VALUES,
  findMietstufeMunicipality,
  mietstufeOfMunicipality,
} from './tables';

describe('tables (reference file wohngeld-2025.md)', () => {
  it('Anlage 1: Höchstbeträge for 1..5 members and each further member', () => {
    expect(MIETSTUFEN.map((s) => hoechstbetrag(1, s).toNumber())).toEqual([361, 408, 456, 511, 562, 615, 677]);
    expect(MIETSTUFEN.map((s) => hoechstbetrag(5, s).toNumber())).toEqual([694, 782, 875, 982, 1080, 1183, 1302]);
    expect(hoechstbetrag(2, 4).toNumber()).toBe(619);
    expect(hoechstbetrag(4, 6).toNumber()).toBe(1035);
    // 6 members: 5 + one "each further" — I: 694 + 82, VII: 1302 + 163
    expect(MIETSTUFEN.map((s) => hoechstbetrag(6, s).toNumber())).toEqual([776, 876, 981, 1101, 1209, 1332, 1465]);
    expect(hoechstbetrag(8, 4).toNumber()).toBe(982 + 3 * 119);
  });

  it('§ 12 Abs. 6 heating relief and § 12 Abs. 7 Klimakomponente', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => heatingRelief(n).toFixed(2))).toEqual([
      '110.40',
      '142.60',
      '170.20',
      '197.80',
      '225.40',
      '253.00',
      '280.60',
    ]);
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => klimakomponente(n).toFixed(2))).toEqual([
      '19.20',
      '24.80',
      '29.60',
      '34.40',
      '39.20',
      '44.00',
      '48.80',
    ]);
  });

  it('Anlage 2 coefficients and Anlage 3 minimum values exist for exactly 1..12 members', () => {
    expect(Object.keys(WOHNGELD_COEFFICIENTS).map(Number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(Object.keys(WOHNGELD_MINIMUM_VALUES).map(Number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(WOHNGELD_COEFFICIENTS[1]).toEqual({ a: '0.04', b: '0.0004797', c: '0.0000408' });
    expect(WOHNGELD_COEFFICIENTS[7]).toEqual({ a: '-0.02', b: '0.0001592', c: '0.0000165' });
    expect(WOHNGELD_COEFFICIENTS[12]).toEqual({ a: '-0.12', b: '0.0001107', c: '0.0000221' });
    expect(WOHNGELD_MINIMUM_VALUES[6]).toEqual({ m: '103', y: '1585' });
    expect(WOHNGELD_MINIMUM_VALUES[12]).toEqual({ m: '298', y: '2943' });
  });

  it('municipality lookup: Berlin → IV by name or AGS; unknown → undefined', () => {
    expect(mietstufeOfMunicipality('Berlin')).toBe(4);
    expect(mietstufeOfMunicipality('11000000')).toBe(4);
    expect(findMietstufeMunicipality('BERLIN')?.name).toBe('Berlin');
    expect(mietstufeOfMunicipality('Atlantis')).toBeUndefined();
  });
});

describe('rounding (Anlage 3 Nr. 2 and 3)', () => {
  it('rounds whole euros commercially: below .50 down, from .50 up (not banker’s rounding)', () => {
    expect(roundToWholeEuros(dec('540.4999999999')).toNumber()).toBe(540);
    expect(roundToWholeEuros(dec('540.5')).toNumber()).toBe(541);
    expect(roundToWholeEuros(dec('541.5')).toNumber()).toBe(542);
    expect(roundToWholeEuros(dec('12.5')).toNumber()).toBe(13);
    expect(roundToWholeEuros(dec('12.49')).toNumber()).toBe(12);
  });

  it('keeps ten places and rounds the eleventh half-up — which can decide the euro', () => {
    expect(fixed10(dec('0.12345678905')).toFixed(10)).toBe('0.1234567891');
    expect(fixed10(dec('0.12345678904999')).toFixed(10)).toBe('0.1234567890');
    // 540.49999999995 is 540.5000000000 in ten places, so the euro rounds up …
    expect(roundToWholeEuros(fixed10(dec('540.49999999995'))).toNumber()).toBe(541);
    // … while 540.49999999994 stays 540.4999999999 and rounds down.
    expect(roundToWholeEuros(fixed10(dec('540.49999999994'))).toNumber()).toBe(540);
  });

  it('does not change decimal.js’ global configuration', () => {
    expect(Decimal.rounding).toBe(Decimal.ROUND_HALF_UP);
    expect(Decimal.precision).toBe(20);
  });

  it('rounds every step: z1…z4 never carry more than ten decimals', () => {
    // Y = 1,000 / 12 = 83.3333333333 (ten places); 1 member: z1 = 0.04 + 0.0004797 · 500.5 + 0.0000408 · 83.3333333333
    //   = 0.04 + 0.24008985 + 0.00340000000 (0.003399999999998640) = 0.2834898500 (0.28348984999999864 rounded)
    const { z1, z2, z3, z4 } = wohngeldFormulaSteps(dec('500.5'), fixed10(dec(1000).dividedBy(12)), WOHNGELD_COEFFICIENTS[1]!);
    expect(z1.toFixed(10)).toBe('0.2834898500');
    // z2 = 0.28348985 · 83.3333333333 = 23.624154166657217005 → 23.6241541667
    expect(z2.toFixed(10)).toBe('23.6241541667');
    // z3 = 500.5 − 23.6241541667 = 476.8758458333; z4 = 1.15 · z3 = 548.407222708295 → 548.4072227083
    expect(z3.toFixed(10)).toBe('476.8758458333');
    expect(z4.toFixed(10)).toBe('548.4072227083');
    for (const z of [z1, z2, z3, z4]) expect(z.decimalPlaces()).toBeLessThanOrEqual(10);
  });
});

describe('M (§ 11, § 12)', () => {
  it('Belastung is capped like Miete', () => {
    const rent = computeConsideredRent({ housingKind: 'belastung', monthly: 1000, mietstufe: 4, householdMembers: 1, countedMembers: 1 });
    expect(rent.m.toFixed(2)).toBe('640.60');
    expect(rent.capped).toBe(true);
  });

  it('§ 11 Abs. 3: 4 members, 3 counted — shares of the 4-member amounts', () => {
    // H(4, II) = 686, K(4) = 34.40, R(4) = 197.80; share 3/4: H 514.50, K 25.80, R 148.35; rent 600 → 450
    // M = min(450, 540.30) + 148.35 = 598.35
    const rent = computeConsideredRent({ housingKind: 'miete', monthly: 600, mietstufe: 2, householdMembers: 4, countedMembers: 3 });
    expect(rent.hoechstbetragShare.toFixed(2)).toBe('514.50');
    expect(rent.klimakomponenteShare.toFixed(2)).toBe('25.80');
    expect(rent.heatingReliefShare.toFixed(2)).toBe('148.35');
    expect(rent.m.toFixed(2)).toBe('598.35');
    expect(rent.capped).toBe(false);
  });
});

describe('Y (§§ 13–18)', () => {
  const income = (input: Partial<WohngeldEstimateInput>) =>
    computeHouseholdIncome(
      wohngeldEstimateRequestSchema.parse({ mietstufe: 4, householdMembers: 2, housing: { kind: 'miete', monthly: 500 }, ...input }),
    );

  it('the Werbungskosten flat amounts never make an income negative', () => {
    // employment 50 → 600/year, flat amount 600 (not 1,230); pension 5 → 60/year, flat amount 60 (not 102)
    const result = income({
      incomes: [
        { member: 1, kind: 'employment', monthlyGross: 50, taxes: true },
        { member: 2, kind: 'pension', monthlyGross: 5 },
      ],
    });
    expect(result.members.map((m) => m.yearlyIncome.toNumber())).toEqual([0, 0]);
    expect(result.members[0]?.employmentFlatDeduction.toNumber()).toBe(600);
    expect(result.members[1]?.pensionFlatDeduction.toNumber()).toBe(60);
  });

  it('§ 16 percentage applies after the flat amount: (1,000 · 12 − 1,230) · (1 − 0.3) = 7,539', () => {
    const result = income({
      incomes: [{ member: 1, kind: 'employment', monthlyGross: 1000, taxes: true, healthCare: true, pensionInsurance: true }],
    });
    expect(result.members[0]?.section16Base.toNumber()).toBe(10770);
    expect(result.members[0]?.yearlyIncome.toNumber()).toBe(7539);
    // Y = 7,539 / 12 = 628.25
    expect(result.monthly.toFixed(10)).toBe('628.2500000000');
  });

  it('allowances larger than the income give Y = 0, not a negative income', () => {
    const result = income({
      incomes: [{ member: 1, kind: 'other', monthlyGross: 100 }],
      allowances: { severelyDisabledMembers: 1 },
    });
    // 1,200 − 1,800 = −600 → 0
    expect(result.yearlyTotal.toNumber()).toBe(0);
    expect(result.monthly.toNumber()).toBe(0);
  });

  it('Y is one twelfth, kept to ten places', () => {
    // other 100.01 · 12 = 1,200.12; minus maintenance paid 0.01 → 1,200.11 / 12 = 100.0091666666…
    const result = income({
      incomes: [{ member: 1, kind: 'other', monthlyGross: 100.01 }],
      allowances: { maintenancePaidYearly: 0.01 },
    });
    expect(result.monthly.toFixed(10)).toBe('100.0091666667');
  });
});

describe('computeWohngeld (§ 19)', () => {
  it('uses the values for 12 members for 13+ and adds 65 € per further member', () => {
    // Same M and Y for 12 and 14 counted members: the formula part is identical, 14 adds 2 · 65 = 130
    const twelve = computeWohngeld({ m: dec('2446.2'), y: dec('3500'), countedMembers: 12 });
    const fourteen = computeWohngeld({ m: dec('2446.2'), y: dec('3500'), countedMembers: 14 });
    expect(twelve.amount.toNumber()).toBe(1895);
    expect(fourteen.z4.equals(twelve.z4)).toBe(true);
    expect(fourteen.amount.toNumber()).toBe(1895 + 130);
  });

  it('rejects impossible member counts', () => {
    expect(() => computeWohngeld({ m: dec(500), y: dec(500), countedMembers: 0 })).toThrow(RangeError);
  });
});
