/**
 * End-to-end Wohngeld estimates, each derived by hand from the law's tables
 * (../shared/reference/wohngeld-2025.md: Anlage 1, § 12 Abs. 6/7, Anlage 2, Anlage 3).
 * Notation: H = Höchstbetrag (Anlage 1), K = Klimakomponente (§ 12 Abs. 7), R = heating relief
 * (§ 12 Abs. 6); every z value is a ten-place fixed-point number (Anlage 3 Nr. 2), z4 is rounded
 * commercially to whole euros (Anlage 3 Nr. 3). The z values were cross-checked with an independent
 * implementation (Python decimal, quantize to 1e-10 ROUND_HALF_UP) before being written here.
 */
import { DomainError } from '../errors';
import type { WohngeldEstimate, WohngeldEstimateInput } from './index';
import { WOHNGELD_REASONS, estimateWohngeld } from './index';

type Income = NonNullable<WohngeldEstimateInput['incomes']>[number];

function request(overrides: Partial<WohngeldEstimateInput> & { incomes?: Income[] }): WohngeldEstimateInput {
  return {
    mietstufe: 4,
    householdMembers: 1,
    housing: { kind: 'miete', monthly: 450 },
    incomes: [],
    ...overrides,
  };
}

function expectFormula(result: WohngeldEstimate, z: { m: string; y: string; z1: string; z2: string; z3: string; z4: string }): void {
  expect(result.breakdown.formula).toMatchObject(z);
}

describe('estimateWohngeld — cases derived from the law', () => {
  it('API.md example as shown: 2 members, 1 entitled, Mietstufe IV, rent 570, pension 880 with health insurance → 191 €', () => {
    /*
     * M (§ 11 Abs. 3: amounts for ALL 2 members, then the share 1/2 for the 1 counted member):
     *   H(2, IV) = 619, K(2) = 24.80, R(2) = 142.60
     *   shares: rent 570/2 = 285; H 309.50; K 12.40; R 71.30
     *   M = min(285, 309.50 + 12.40 = 321.90) + 71.30 = 356.30
     * Y: pension 880 · 12 = 10,560 − 102 (Pauschbetrag) = 10,458; § 16 health 10 % → − 1,045.80
     *   = 9,412.20 per year; Y = 9,412.20 / 12 = 784.35
     * Coefficients for 1 counted member: a 0.04, b 0.0004797, c 0.0000408; minimum M 54, Y 396 (not hit)
     *   z1 = 0.04 + 0.0004797 · 356.30 + 0.0000408 · 784.35 = 0.04 + 0.17091711 + 0.03200148 = 0.2429185900
     *   z2 = 0.2429185900 · 784.35 = 190.5331960665
     *   z3 = 356.30 − 190.5331960665 = 165.7668039335
     *   z4 = 1.15 · 165.7668039335 = 190.631824523525 → 10 places 190.6318245235
     *   rounded: 191 € (≥ 10 €, eligible)
     */
    const result = estimateWohngeld({
      mietstufe: 4,
      householdMembers: 2,
      entitledMembers: 1,
      housing: { kind: 'miete', monthly: 570 },
      incomes: [{ member: 1, kind: 'pension', monthlyGross: 880, taxes: false, healthCare: true, pensionInsurance: false }],
      allowances: {
        severelyDisabledMembers: 0,
        singleParent: false,
        childEarningsMonthly: [],
        nsPersecutionVictims: 0,
        grundrenteMonthly: 0,
        maintenancePaidYearly: 0,
      },
    });
    expect(result).toMatchObject({ monthlyAmount: 191, eligible: true, consideredRent: 356.3, monthlyIncome: 784.35 });
    expect(result.reason).toBeUndefined();
    expect(result.breakdown.rent).toMatchObject({
      hoechstbetrag: 619,
      klimakomponente: 24.8,
      heatingRelief: 142.6,
      rentShare: 285,
      hoechstbetragShare: 309.5,
      klimakomponenteShare: 12.4,
      heatingReliefShare: 71.3,
      capped: false,
    });
    expect(result.breakdown.formula).toMatchObject({ formulaMembers: 1, a: '0.04', b: '0.0004797', c: '0.0000408' });
    expectFormula(result, {
      m: '356.3000000000',
      y: '784.3500000000',
      z1: '0.2429185900',
      z2: '190.5331960665',
      z3: '165.7668039335',
      z4: '190.6318245235',
    });
  });

  it('API.md household with both members counted (no exclusion) → 541 €', () => {
    /*
     * M: H(2, IV) 619 + K(2) 24.80 = 643.80 ≥ rent 570 → 570 + R(2) 142.60 = 712.60
     * Y: as above, 784.35
     * Coefficients for 2: a 0.03, b 0.0003571, c 0.0000304
     *   z1 = 0.03 + 0.0003571 · 712.60 + 0.0000304 · 784.35 = 0.03 + 0.25446946 + 0.02384424 = 0.3083137000
     *   z2 = 0.3083137 · 784.35 = 241.8258505950
     *   z3 = 712.60 − 241.8258505950 = 470.7741494050
     *   z4 = 1.15 · 470.7741494050 = 541.39027181575 → 541.3902718158 → 541 €
     */
    const result = estimateWohngeld(
      request({
        householdMembers: 2,
        housing: { kind: 'miete', monthly: 570 },
        incomes: [{ member: 1, kind: 'pension', monthlyGross: 880, healthCare: true }],
      }),
    );
    expect(result).toMatchObject({ monthlyAmount: 541, eligible: true, consideredRent: 712.6, monthlyIncome: 784.35 });
    expectFormula(result, {
      m: '712.6000000000',
      y: '784.3500000000',
      z1: '0.3083137000',
      z2: '241.8258505950',
      z3: '470.7741494050',
      z4: '541.3902718158',
    });
  });

  it('single employee in Berlin (municipality → Mietstufe IV): rent 450, gross 1,800 with all § 16 items → 156 €', () => {
    /*
     * Mietstufe: Berlin → IV
     * M: H(1, IV) 511 + K(1) 19.20 = 530.20 ≥ 450 → 450 + R(1) 110.40 = 560.40
     * Y: 1,800 · 12 = 21,600 − 1,230 (Arbeitnehmer-Pauschbetrag) = 20,370
     *    § 16: taxes + health + pension = 30 % → 20,370 · 0.7 = 14,259; Y = 14,259 / 12 = 1,188.25
     * Coefficients for 1: a 0.04, b 0.0004797, c 0.0000408
     *   z1 = 0.04 + 0.0004797 · 560.40 + 0.0000408 · 1,188.25 = 0.04 + 0.26882388 + 0.048480600 = 0.3573044800
     *   z2 = 0.35730448 · 1,188.25 = 424.5670483600
     *   z3 = 560.40 − 424.56704836 = 135.8329516400
     *   z4 = 1.15 · 135.83295164 = 156.207894386 → 156.2078943860 → 156 €
     */
    const result = estimateWohngeld({
      municipality: 'Berlin',
      householdMembers: 1,
      housing: { kind: 'miete', monthly: 450 },
      incomes: [{ member: 1, kind: 'employment', monthlyGross: 1800, taxes: true, healthCare: true, pensionInsurance: true }],
    });
    expect(result).toMatchObject({ monthlyAmount: 156, eligible: true, consideredRent: 560.4, monthlyIncome: 1188.25 });
    expect(result.breakdown).toMatchObject({ mietstufe: 4, mietstufeRoman: 'IV', municipality: 'Berlin' });
    expect(result.breakdown.income.members[0]).toMatchObject({
      employmentFlatDeduction: 1230,
      section16Percent: 30,
      section16Deduction: 6111,
      yearlyIncome: 14259,
    });
    expectFormula(result, {
      m: '560.4000000000',
      y: '1188.2500000000',
      z1: '0.3573044800',
      z2: '424.5670483600',
      z3: '135.8329516400',
      z4: '156.2078943860',
    });
  });

  it('rent above Höchstbetrag + Klimakomponente is capped: rent 800, ALG I 1,100 → 241 €', () => {
    /*
     * M: rent 800 > H(1, IV) 511 + K(1) 19.20 = 530.20 → 530.20 + R(1) 110.40 = 640.60
     * Y: wage_replacement 1,100 (no flat amount, no § 16 item) → 13,200 / 12 = 1,100
     *   z1 = 0.04 + 0.0004797 · 640.60 + 0.0000408 · 1,100 = 0.04 + 0.30729582 + 0.04488 = 0.3921758200
     *   z2 = 0.39217582 · 1,100 = 431.3934020000
     *   z3 = 640.60 − 431.393402 = 209.2065980000
     *   z4 = 1.15 · 209.206598 = 240.5875877000 → 241 €
     * The same household with a rent of exactly 530.20 gets the same amount.
     */
    const capped = estimateWohngeld(
      request({
        housing: { kind: 'miete', monthly: 800 },
        incomes: [{ member: 1, kind: 'wage_replacement', monthlyGross: 1100 }],
      }),
    );
    expect(capped).toMatchObject({ monthlyAmount: 241, eligible: true, consideredRent: 640.6, monthlyIncome: 1100 });
    expect(capped.breakdown.rent?.capped).toBe(true);
    expectFormula(capped, {
      m: '640.6000000000',
      y: '1100.0000000000',
      z1: '0.3921758200',
      z2: '431.3934020000',
      z3: '209.2065980000',
      z4: '240.5875877000',
    });
    const atCap = estimateWohngeld(
      request({
        housing: { kind: 'belastung', monthly: 530.2 },
        incomes: [{ member: 1, kind: 'wage_replacement', monthlyGross: 1100 }],
      }),
    );
    expect(atCap.monthlyAmount).toBe(241);
    expect(atCap.breakdown.rent?.capped).toBe(false);
  });

  it('minimum Y (Anlage 3 Nr. 1): a single person without income is computed with Y = 396 → 450 €', () => {
    /*
     * M: rent 400 ≤ 530.20 → 400 + 110.40 = 510.40 (above the minimum 54)
     * Y: no income → 0, below the minimum 396 → Y = 396
     *   z1 = 0.04 + 0.0004797 · 510.40 + 0.0000408 · 396 = 0.04 + 0.24483888 + 0.0161568 = 0.3009956800
     *   z2 = 0.30099568 · 396 = 119.1942892800
     *   z3 = 510.40 − 119.19428928 = 391.2057107200
     *   z4 = 1.15 · 391.20571072 = 449.886567328 → 449.8865673280 → 450 €
     * consideredRent and monthlyIncome report M and Y before the substitution.
     */
    const result = estimateWohngeld(request({ housing: { kind: 'miete', monthly: 400 } }));
    expect(result).toMatchObject({ monthlyAmount: 450, eligible: true, consideredRent: 510.4, monthlyIncome: 0 });
    expect(result.breakdown.formula).toMatchObject({ y: '396.0000000000', ySubstituted: true, mSubstituted: false });
    expectFormula(result, {
      m: '510.4000000000',
      y: '396.0000000000',
      z1: '0.3009956800',
      z2: '119.1942892800',
      z3: '391.2057107200',
      z4: '449.8865673280',
    });
  });

  it('minimum M (Anlage 3 Nr. 1): 1 counted of 5 members, rent 20, Mietstufe I → M 49.08 becomes 54 → 12 €', () => {
    /*
     * M (§ 11 Abs. 3, amounts for all 5 members, share 1/5):
     *   H(5, I) = 694, K(5) = 39.20, R(5) = 225.40
     *   shares: rent 20/5 = 4; H 138.80; K 7.84; R 45.08
     *   M = min(4, 146.64) + 45.08 = 49.08 < minimum 54 for 1 member → M = 54
     * Y: other income 500 → 6,000 / 12 = 500 (≥ 396)
     *   z1 = 0.04 + 0.0004797 · 54 + 0.0000408 · 500 = 0.04 + 0.0259038 + 0.0204 = 0.0863038000
     *   z2 = 0.0863038 · 500 = 43.1519000000
     *   z3 = 54 − 43.1519 = 10.8481000000
     *   z4 = 1.15 · 10.8481 = 12.4753150000 → 12 € (≥ 10 €, eligible)
     */
    const result = estimateWohngeld(
      request({
        mietstufe: 1,
        householdMembers: 5,
        entitledMembers: 1,
        housing: { kind: 'miete', monthly: 20 },
        incomes: [{ member: 1, kind: 'other', monthlyGross: 500 }],
      }),
    );
    expect(result).toMatchObject({ monthlyAmount: 12, eligible: true, consideredRent: 49.08, monthlyIncome: 500 });
    expect(result.breakdown.formula).toMatchObject({ mSubstituted: true, ySubstituted: false });
    expectFormula(result, {
      m: '54.0000000000',
      y: '500.0000000000',
      z1: '0.0863038000',
      z2: '43.1519000000',
      z3: '10.8481000000',
      z4: '12.4753150000',
    });
  });

  it('§ 11 Abs. 3: 3 members, 2 counted — amounts for 3, share 2/3, coefficients for 2 → 152 €', () => {
    /*
     * M: H(3, IV) = 737, K(3) = 29.60, R(3) = 170.20 (looked up for all 3 members)
     *   shares 2/3 (ten places): rent 900 → 600; H 491.3333333333; K 19.7333333333; R 113.4666666667
     *   cap = 491.3333333333 + 19.7333333333 = 511.0666666666 < 600 → capped
     *   M = 511.0666666666 + 113.4666666667 = 624.5333333333
     * Y: member 1 employment 2,000 · 12 = 24,000 − 1,230 = 22,770, § 16 30 % → 15,939
     *    member 2 maintenance 300 · 12 = 3,600 (no flat amount, no § 16 item)
     *    total 19,539 → Y = 1,628.25
     * Coefficients for 2 counted: a 0.03, b 0.0003571, c 0.0000304
     *   z1 = 0.03 + 0.0003571 · 624.5333333333 + 0.0000304 · 1,628.25
     *      = 0.03 + 0.22302085333… + 0.04949880 = 0.30251965333… → 0.3025196533
     *   z2 = 0.3025196533 · 1,628.25 = 492.577625485… → 492.5776254857
     *   z3 = 624.5333333333 − 492.5776254857 = 131.9557078476
     *   z4 = 1.15 · 131.9557078476 = 151.74906402474 → 151.7490640247 → 152 €
     */
    const result = estimateWohngeld(
      request({
        householdMembers: 3,
        entitledMembers: 2,
        housing: { kind: 'miete', monthly: 900 },
        incomes: [
          { member: 1, kind: 'employment', monthlyGross: 2000, taxes: true, healthCare: true, pensionInsurance: true },
          { member: 2, kind: 'maintenance', monthlyGross: 300 },
        ],
      }),
    );
    expect(result).toMatchObject({ monthlyAmount: 152, eligible: true, consideredRent: 624.53, monthlyIncome: 1628.25 });
    expect(result.breakdown.rent).toMatchObject({ shareNumerator: 2, shareDenominator: 3, capped: true, hoechstbetrag: 737 });
    expect(result.breakdown.formula).toMatchObject({ formulaMembers: 2, a: '0.03' });
    expectFormula(result, {
      m: '624.5333333333',
      y: '1628.2500000000',
      z1: '0.3025196533',
      z2: '492.5776254857',
      z3: '131.9557078476',
      z4: '151.7490640247',
    });
  });

  it('§ 19 Abs. 3: 13 members — values for 12, then + 65 € → 1,960 €', () => {
    /*
     * M: H(13, IV) = 982 + 8 · 119 = 1,934; K(13) = 39.20 + 8 · 4.80 = 77.60 → cap 2,011.60 ≥ rent 2,000
     *    R(13) = 225.40 + 8 · 27.60 = 446.20 → M = 2,000 + 446.20 = 2,446.20
     * Y: other 3,500 → Y = 3,500 (≥ minimum 2,943 for 12)
     * Coefficients for 12: a −0.12, b 0.0001107, c 0.0000221
     *   z1 = −0.12 + 0.0001107 · 2,446.20 + 0.0000221 · 3,500 = −0.12 + 0.27079434 + 0.07735 = 0.2281443400
     *   z2 = 0.22814434 · 3,500 = 798.5051900000
     *   z3 = 2,446.20 − 798.50519 = 1,647.6948100000
     *   z4 = 1.15 · 1,647.69481 = 1,894.8490315000 → 1,895
     *   + 65 € for the 13th member = 1,960 ≤ M (2,446.20) → 1,960 €
     */
    const result = estimateWohngeld(
      request({
        householdMembers: 13,
        housing: { kind: 'miete', monthly: 2000 },
        incomes: [{ member: 1, kind: 'other', monthlyGross: 3500 }],
      }),
    );
    expect(result).toMatchObject({ monthlyAmount: 1960, eligible: true, consideredRent: 2446.2, monthlyIncome: 3500 });
    expect(result.breakdown.formula).toMatchObject({
      formulaMembers: 12,
      roundedAmount: 1895,
      furtherMembers: 1,
      furtherMembersIncrease: 65,
      cappedAtConsideredRent: false,
    });
    expectFormula(result, {
      m: '2446.2000000000',
      y: '3500.0000000000',
      z1: '0.2281443400',
      z2: '798.5051900000',
      z3: '1647.6948100000',
      z4: '1894.8490315000',
    });
  });

  it('§ 19 Abs. 3: 40 members without income — formula + 28 · 65 € exceeds M and is limited to M → 8,405 €', () => {
    /*
     * M: H(40, VII) = 1,302 + 35 · 163 = 7,007; K(40) = 39.20 + 35 · 4.80 = 207.20 → cap 7,214.20 < rent 10,000
     *    R(40) = 225.40 + 35 · 27.60 = 1,191.40 → M = 7,214.20 + 1,191.40 = 8,405.60
     * Y: none → minimum for 12: 2,943
     *   z1 = −0.12 + 0.0001107 · 8,405.60 + 0.0000221 · 2,943 = −0.12 + 0.93049992 + 0.0650403 = 0.8755402200
     *   z2 = 0.87554022 · 2,943 = 2,576.7148674600
     *   z3 = 8,405.60 − 2,576.71486746 = 5,828.8851325400
     *   z4 = 1.15 · 5,828.88513254 = 6,703.217902421 → 6,703.2179024210 → 6,703
     *   + 28 · 65 = 1,820 → 8,523 > M → limited to M rounded down to whole euros: 8,405 €
     */
    const result = estimateWohngeld(
      request({ mietstufe: 7, householdMembers: 40, housing: { kind: 'miete', monthly: 10000 } }),
    );
    expect(result).toMatchObject({ monthlyAmount: 8405, eligible: true, consideredRent: 8405.6 });
    expect(result.breakdown.formula).toMatchObject({
      z4: '6703.2179024210',
      roundedAmount: 6703,
      furtherMembers: 28,
      furtherMembersIncrease: 1820,
      cappedAtConsideredRent: true,
      amountBeforeThreshold: 8405,
    });
  });

  it('§ 19 Abs. 3 with a high income: + 65 € does not rescue a negative result → 0, income_too_high', () => {
    /*
     * As the 13-member case (M 2,446.20) with other income 20,000:
     *   z1 = −0.12 + 0.27079434 + 0.0000221 · 20,000 (0.442) = 0.5927943400
     *   z2 = 0.59279434 · 20,000 = 11,855.8868000000; z3 = 2,446.20 − 11,855.8868 = −9,409.6868000000
     *   z4 = 1.15 · −9,409.6868 = −10,821.1398200000 → −10,821; + 65 = −10,756 ≤ 0 → nothing
     */
    const result = estimateWohngeld(
      request({
        householdMembers: 13,
        housing: { kind: 'miete', monthly: 2000 },
        incomes: [{ member: 1, kind: 'other', monthlyGross: 20000 }],
      }),
    );
    expect(result).toMatchObject({ monthlyAmount: 0, eligible: false, reason: WOHNGELD_REASONS.incomeTooHigh });
    expect(result.breakdown.formula).toMatchObject({ z4: '-10821.1398200000', amountBeforeThreshold: -10756 });
  });

  it('§ 21 Nr. 1: a result of 5 € is below 10 € → not eligible, below_minimum_amount', () => {
    /*
     * M = 560.40 (rent 450, 1 member, IV)
     * Y: employment 2,250 · 12 = 27,000 − 1,230 = 25,770; § 16 30 % → 18,039; Y = 1,503.25
     *   z1 = 0.04 + 0.26882388 + 0.0000408 · 1,503.25 (0.0613326) = 0.3701564800
     *   z2 = 0.37015648 · 1,503.25 = 556.4377285600
     *   z3 = 560.40 − 556.43772856 = 3.9622714400
     *   z4 = 1.15 · 3.96227144 = 4.556612156 → 4.5566121560 → 5 € < 10 € → no entitlement
     */
    const result = estimateWohngeld(
      request({
        incomes: [{ member: 1, kind: 'employment', monthlyGross: 2250, taxes: true, healthCare: true, pensionInsurance: true }],
      }),
    );
    expect(result).toMatchObject({
      monthlyAmount: 0,
      eligible: false,
      reason: WOHNGELD_REASONS.belowMinimumAmount,
      consideredRent: 560.4,
      monthlyIncome: 1503.25,
    });
    expect(result.breakdown.formula).toMatchObject({ z4: '4.5566121560', roundedAmount: 5, amountBeforeThreshold: 5 });
  });

  it('high income: gross 5,000 → z4 negative → 0 €, income_too_high', () => {
    /*
     * M = 560.40; Y: 5,000 · 12 = 60,000 − 1,230 = 58,770 · 0.7 = 41,139 → Y = 3,428.25
     *   z1 = 0.04 + 0.26882388 + 0.0000408 · 3,428.25 (0.139872600) = 0.4486964800
     *   z2 = 0.44869648 · 3,428.25 = 1,538.2437075600
     *   z3 = 560.40 − 1,538.24370756 = −977.8437075600
     *   z4 = 1.15 · −977.84370756 = −1,124.5202636940 → ≤ 0 → nothing
     */
    const result = estimateWohngeld(
      request({
        incomes: [{ member: 1, kind: 'employment', monthlyGross: 5000, taxes: true, healthCare: true, pensionInsurance: true }],
      }),
    );
    expect(result).toMatchObject({
      monthlyAmount: 0,
      eligible: false,
      reason: WOHNGELD_REASONS.incomeTooHigh,
      monthlyIncome: 3428.25,
    });
    expect(result.breakdown.formula?.z4).toBe('-1124.5202636940');
  });

  it('commercial rounding at exactly .5: z4 = 540.5000000000 → 541 €; one cent less rent → 540.4939212196 → 540 €', () => {
    /*
     * Constructed so that z1 is exactly 0.25 (found by solving the congruence for z4 ≡ .5):
     * 5 members, IV: H(5) 982 + K(5) 39.20 = 1,021.20 ≥ rent 862.60 → M = 862.60 + R(5) 225.40 = 1,088.00
     * Y: other income 2,472 → Y = 2,472 (≥ minimum 1,358)
     * Coefficients for 5: a 0, b 0.0001907, c 0.0000172
     *   z1 = 0 + 0.0001907 · 1,088 + 0.0000172 · 2,472 = 0.2074816 + 0.0425184 = 0.2500000000
     *   z2 = 0.25 · 2,472 = 618.0000000000
     *   z3 = 1,088 − 618 = 470.0000000000
     *   z4 = 1.15 · 470 = 540.5000000000 → from 0.50 up → 541 € (banker's rounding would give 540)
     * Rent 862.59 → M = 1,087.99:
     *   z1 = 0.0001907 · 1,087.99 (0.207479693) + 0.0425184 = 0.2499980930
     *   z2 = 0.249998093 · 2,472 = 617.9952858960
     *   z3 = 1,087.99 − 617.995285896 = 469.9947141040
     *   z4 = 1.15 · 469.994714104 = 540.4939212196 → below 0.50 down → 540 €
     */
    const household = (rent: number): WohngeldEstimateInput =>
      request({
        householdMembers: 5,
        housing: { kind: 'miete', monthly: rent },
        incomes: [{ member: 1, kind: 'other', monthlyGross: 2472 }],
      });
    const up = estimateWohngeld(household(862.6));
    expect(up.monthlyAmount).toBe(541);
    expectFormula(up, {
      m: '1088.0000000000',
      y: '2472.0000000000',
      z1: '0.2500000000',
      z2: '618.0000000000',
      z3: '470.0000000000',
      z4: '540.5000000000',
    });
    const down = estimateWohngeld(household(862.59));
    expect(down.monthlyAmount).toBe(540);
    expectFormula(down, {
      m: '1087.9900000000',
      y: '2472.0000000000',
      z1: '0.2499980930',
      z2: '617.9952858960',
      z3: '469.9947141040',
      z4: '540.4939212196',
    });
  });

  it('§ 17 Nr. 3 single parent: 1,320 €/year off the income → 354 € instead of 304 €', () => {
    /*
     * 2 members (parent + child), IV, rent 700 > H(2) 619 + K(2) 24.80 = 643.80 → M = 643.80 + 142.60 = 786.40
     * Y: employment 2,200 · 12 = 26,400 − 1,230 = 25,170 · 0.7 = 17,619
     *    − 1,320 single-parent allowance = 16,299 → Y = 1,358.25   (without: 17,619 / 12 = 1,468.25)
     * With the allowance (coefficients for 2):
     *   z1 = 0.03 + 0.0003571 · 786.40 (0.28082344) + 0.0000304 · 1,358.25 (0.0412908) = 0.3521142400
     *   z2 = 0.35211424 · 1,358.25 = 478.2591664800
     *   z3 = 786.40 − 478.25916648 = 308.1408335200
     *   z4 = 1.15 · 308.14083352 = 354.361958548 → 354.3619585480 → 354 €
     * Without it: z1 = 0.03 + 0.28082344 + 0.0446348 = 0.3554582400; z2 = 521.9015608800;
     *   z3 = 264.4984391200; z4 = 304.1732049880 → 304 €
     */
    const household = (singleParent: boolean): WohngeldEstimateInput =>
      request({
        householdMembers: 2,
        housing: { kind: 'miete', monthly: 700 },
        incomes: [{ member: 1, kind: 'employment', monthlyGross: 2200, taxes: true, healthCare: true, pensionInsurance: true }],
        allowances: { singleParent },
      });
    const withAllowance = estimateWohngeld(household(true));
    expect(withAllowance).toMatchObject({ monthlyAmount: 354, monthlyIncome: 1358.25, consideredRent: 786.4 });
    expect(withAllowance.breakdown.income.allowances).toMatchObject({ singleParent: 1320, total: 1320 });
    expectFormula(withAllowance, {
      m: '786.4000000000',
      y: '1358.2500000000',
      z1: '0.3521142400',
      z2: '478.2591664800',
      z3: '308.1408335200',
      z4: '354.3619585480',
    });
    const without = estimateWohngeld(household(false));
    expect(without).toMatchObject({ monthlyAmount: 304, monthlyIncome: 1468.25 });
    expect(without.breakdown.formula?.z4).toBe('304.1732049880');
  });

  it('§ 17 Nr. 1 severely disabled member: 1,800 €/year off → 212 €', () => {
    /*
     * 1 member, IV, rent 480 → M = 480 + 110.40 = 590.40
     * Y: pension 1,400 · 12 = 16,800 − 102 = 16,698; § 16 health 10 % → 15,028.20
     *    − 1,800 = 13,228.20 → Y = 1,102.35
     *   z1 = 0.04 + 0.0004797 · 590.40 (0.28321488) + 0.0000408 · 1,102.35 (0.04497588) = 0.3681907600
     *   z2 = 0.36819076 · 1,102.35 = 405.875084286 → 405.8750842860
     *   z3 = 590.40 − 405.875084286 = 184.5249157140
     *   z4 = 1.15 · 184.524915714 = 212.2036530711 → 212 €
     */
    const result = estimateWohngeld(
      request({
        housing: { kind: 'miete', monthly: 480 },
        incomes: [{ member: 1, kind: 'pension', monthlyGross: 1400, healthCare: true }],
        allowances: { severelyDisabledMembers: 1 },
      }),
    );
    expect(result).toMatchObject({ monthlyAmount: 212, monthlyIncome: 1102.35, consideredRent: 590.4 });
    expect(result.breakdown.income.allowances).toMatchObject({ severelyDisabled: 1800 });
    expectFormula(result, {
      m: '590.4000000000',
      y: '1102.3500000000',
      z1: '0.3681907600',
      z2: '405.8750842860',
      z3: '184.5249157140',
      z4: '212.2036530711',
    });
  });

  it("§ 17 Nr. 4 children's earnings: each child's allowance capped at 1,200 €/year → 431 €", () => {
    /*
     * 3 members, IV, rent 750 ≤ H(3) 737 + K(3) 29.60 = 766.60 → M = 750 + R(3) 170.20 = 920.20
     * Y: member 1 employment 2,400 · 12 = 28,800 − 1,230 = 27,570 · 0.7 = 19,299
     *    member 2 (child) minijob_flat 150 → 1,800; member 3 (child) minijob_flat 50 → 600
     *    sum 21,699; child allowances: min(150 · 12 = 1,800, 1,200) = 1,200 + min(600, 1,200) = 600 → 1,800
     *    21,699 − 1,800 = 19,899 → Y = 1,658.25
     * Coefficients for 3: a 0.02, b 0.0002917, c 0.0000245
     *   z1 = 0.02 + 0.0002917 · 920.20 (0.26842234) + 0.0000245 · 1,658.25 (0.040627125) = 0.3290494650
     *   z2 = 0.329049465 · 1,658.25 = 545.64627536… → 545.6462753363
     *   z3 = 920.20 − 545.6462753363 = 374.5537246637
     *   z4 = 1.15 · 374.5537246637 = 430.73678336… → 430.7367833633 → 431 €
     */
    const result = estimateWohngeld(
      request({
        householdMembers: 3,
        housing: { kind: 'miete', monthly: 750 },
        incomes: [
          { member: 1, kind: 'employment', monthlyGross: 2400, taxes: true, healthCare: true, pensionInsurance: true },
          { member: 2, kind: 'minijob_flat', monthlyGross: 150 },
          { member: 3, kind: 'minijob_flat', monthlyGross: 50 },
        ],
        allowances: { childEarningsMonthly: [150, 50] },
      }),
    );
    expect(result).toMatchObject({ monthlyAmount: 431, monthlyIncome: 1658.25, consideredRent: 920.2 });
    expect(result.breakdown.income.allowances).toMatchObject({ childEarnings: 1800, total: 1800 });
    expectFormula(result, {
      m: '920.2000000000',
      y: '1658.2500000000',
      z1: '0.3290494650',
      z2: '545.6462753363',
      z3: '374.5537246637',
      z4: '430.7367833633',
    });
  });

  it('§ 17 Nr. 2, § 17a and § 18: NS-persecution 750, Grundrente 50/month, maintenance paid 2,400 → 343 €', () => {
    /*
     * 1 member, IV, rent 500 → M = 500 + 110.40 = 610.40
     * Y: pension 1,300 · 12 = 15,600 − 102 = 15,498 · 0.9 (health) = 13,948.20
     *    − 750 (§ 17 Nr. 2) − 600 (§ 17a: 50 · 12) − 2,400 (§ 18) = 10,198.20 → Y = 849.85
     *   z1 = 0.04 + 0.0004797 · 610.40 (0.29280888) + 0.0000408 · 849.85 (0.03467388) = 0.3674827600
     *   z2 = 0.36748276 · 849.85 = 312.305223586 → 312.3052235860
     *   z3 = 610.40 − 312.305223586 = 298.0947764140
     *   z4 = 1.15 · 298.094776414 = 342.8089928761 → 343 €
     */
    const result = estimateWohngeld(
      request({
        housing: { kind: 'miete', monthly: 500 },
        incomes: [{ member: 1, kind: 'pension', monthlyGross: 1300, healthCare: true }],
        allowances: { nsPersecutionVictims: 1, grundrenteMonthly: 50, maintenancePaidYearly: 2400 },
      }),
    );
    expect(result).toMatchObject({ monthlyAmount: 343, monthlyIncome: 849.85 });
    expect(result.breakdown.income.allowances).toEqual({
      severelyDisabled: 0,
      nsPersecution: 750,
      singleParent: 0,
      childEarnings: 0,
      grundrente: 600,
      maintenancePaid: 2400,
      total: 3750,
    });
    expect(result.breakdown.formula?.z4).toBe('342.8089928761');
  });

  it('minijob_flat is counted as is: no flat amount, no § 16 deduction even with the flags set → 397 €', () => {
    /*
     * 1 member, IV, rent 400 → M = 510.40
     * Y: minijob_flat 538 · 12 = 6,456 (flags ignored) → Y = 538
     *   z1 = 0.04 + 0.24483888 + 0.0000408 · 538 (0.0219504) = 0.3067892800
     *   z2 = 0.30678928 · 538 = 165.0526326400
     *   z3 = 510.40 − 165.05263264 = 345.3473673600
     *   z4 = 1.15 · 345.34736736 = 397.149472464 → 397.1494724640 → 397 €
     */
    const result = estimateWohngeld(
      request({
        housing: { kind: 'miete', monthly: 400 },
        incomes: [{ member: 1, kind: 'minijob_flat', monthlyGross: 538, taxes: true, healthCare: true, pensionInsurance: true }],
      }),
    );
    expect(result).toMatchObject({ monthlyAmount: 397, monthlyIncome: 538 });
    expect(result.breakdown.income.members[0]).toMatchObject({
      employmentFlatDeduction: 0,
      section16Percent: 0,
      section16Deduction: 0,
      minijobFlatYearly: 6456,
      yearlyIncome: 6456,
    });
    expect(result.breakdown.formula?.z4).toBe('397.1494724640');
  });

  it('§ 16 per member and one Pauschbetrag per member: flags of a member combine, minijob stays outside → 337 €', () => {
    /*
     * 2 members, IV, rent 600 ≤ 643.80 → M = 600 + 142.60 = 742.60
     * member 1: employment 1,000 (taxes) + employment 600 (health): 19,200 − 1,230 once = 17,970;
     *           § 16 taxes + health = 20 % on all of it → 14,376
     * member 2: employment 50 → 600, flat amount capped at the income → 0;
     *           pension 50 → 600 − 102 = 498; minijob_flat 100 (flags set, ignored) → 1,200 as is
     *           → 0 + 498 + 1,200 = 1,698 (no § 16 item for member 2)
     * total 16,074 → Y = 1,339.50
     *   z1 = 0.03 + 0.0003571 · 742.60 (0.26518246) + 0.0000304 · 1,339.50 (0.0407208) = 0.3359032600
     *   z2 = 0.33590326 · 1,339.50 = 449.94241677 → 449.9424167700
     *   z3 = 742.60 − 449.94241677 = 292.6575832300
     *   z4 = 1.15 · 292.65758323 = 336.5562207145 → 337 €
     */
    const result = estimateWohngeld(
      request({
        householdMembers: 2,
        housing: { kind: 'miete', monthly: 600 },
        incomes: [
          { member: 1, kind: 'employment', monthlyGross: 1000, taxes: true },
          { member: 1, kind: 'employment', monthlyGross: 600, healthCare: true },
          { member: 2, kind: 'employment', monthlyGross: 50 },
          { member: 2, kind: 'pension', monthlyGross: 50 },
          { member: 2, kind: 'minijob_flat', monthlyGross: 100, taxes: true, healthCare: true, pensionInsurance: true },
        ],
      }),
    );
    expect(result).toMatchObject({ monthlyAmount: 337, monthlyIncome: 1339.5 });
    expect(result.breakdown.income.members).toEqual([
      expect.objectContaining({ member: 1, employmentFlatDeduction: 1230, section16Percent: 20, yearlyIncome: 14376 }),
      expect.objectContaining({
        member: 2,
        employmentFlatDeduction: 600,
        pensionFlatDeduction: 102,
        section16Percent: 0,
        yearlyIncome: 1698,
      }),
    ]);
    expect(result.breakdown.formula?.z4).toBe('336.5562207145');
  });

  it('§ 21 Nr. 2: all members excluded (entitledMembers 0) → no entitlement, all_members_excluded', () => {
    const result = estimateWohngeld(request({ householdMembers: 2, entitledMembers: 0 }));
    expect(result).toMatchObject({
      monthlyAmount: 0,
      eligible: false,
      reason: WOHNGELD_REASONS.allMembersExcluded,
      consideredRent: 0,
    });
    expect(result.breakdown.formula).toBeNull();
  });

  it('throws a DomainError INVALID with JSON-pointer field issues for impossible input', () => {
    let thrown: unknown;
    try {
      estimateWohngeld(
        request({ householdMembers: 2, incomes: [{ member: 3, kind: 'other', monthlyGross: 100 }] }),
      );
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect(thrown).toMatchObject({
      code: 'INVALID',
      details: {
        reason: 'invalid_wohngeld_request',
        errors: [{ path: '/incomes/0/member', message: 'member 3 does not exist in a household of 2' }],
      },
    });
  });

  it('is deterministic and leaves inputs untouched', () => {
    const input = request({ incomes: [{ member: 1, kind: 'pension', monthlyGross: 880, healthCare: true }] });
    const copy = JSON.parse(JSON.stringify(input)) as unknown;
    expect(estimateWohngeld(input)).toEqual(estimateWohngeld(input));
    expect(input).toEqual(copy);
  });
});
