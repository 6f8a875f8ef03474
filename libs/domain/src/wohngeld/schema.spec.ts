import type { WohngeldEstimateInput, WohngeldRequestError } from './index';
import { parseEstimateRequest, wohngeldEstimateRequestSchema } from './index';

const valid: WohngeldEstimateInput = {
  mietstufe: 4,
  householdMembers: 2,
  housing: { kind: 'miete', monthly: 570 },
  incomes: [{ member: 1, kind: 'pension', monthlyGross: 880, healthCare: true }],
};

function errorsOf(input: unknown): readonly WohngeldRequestError[] {
  const result = parseEstimateRequest(input);
  if (result.success) throw new Error('expected the request to be rejected');
  return result.errors;
}

describe('wohngeld estimate request schema', () => {
  it('accepts the API.md example and fills in the defaults', () => {
    const result = parseEstimateRequest(valid);
    expect(result).toEqual({
      success: true,
      data: {
        mietstufe: 4,
        householdMembers: 2,
        entitledMembers: 2,
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
      },
    });
  });

  it('derives the Mietstufe from the municipality (Berlin → IV), case- and space-insensitive', () => {
    const { mietstufe: _ignored, ...withoutMietstufe } = valid;
    const result = wohngeldEstimateRequestSchema.parse({ ...withoutMietstufe, municipality: '  berlin ' });
    expect(result.mietstufe).toBe(4);
    expect(result.municipality).toBe('Berlin');
    expect(wohngeldEstimateRequestSchema.parse({ ...valid, municipality: 'Berlin' }).mietstufe).toBe(4);
  });

  it('rejects a member that does not exist', () => {
    expect(errorsOf({ ...valid, incomes: [{ member: 3, kind: 'other', monthlyGross: 100 }] })).toEqual([
      { path: 'incomes[0].member', pointer: '/incomes/0/member', message: 'member 3 does not exist in a household of 2' },
    ]);
  });

  it('rejects the income of an excluded member (members after entitledMembers are the excluded ones)', () => {
    const errors = errorsOf({
      ...valid,
      householdMembers: 3,
      entitledMembers: 1,
      incomes: [
        { member: 1, kind: 'other', monthlyGross: 100 },
        { member: 2, kind: 'other', monthlyGross: 100 },
      ],
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path).toBe('incomes[1].member');
    expect(errors[0]?.message).toContain('member 2 is excluded from Wohngeld');
    expect(errors[0]?.message).toContain('members 2..3 of 3');
  });

  it('rejects negative and zero rent', () => {
    expect(errorsOf({ ...valid, housing: { kind: 'miete', monthly: -1 } })).toEqual([
      { path: 'housing.monthly', pointer: '/housing/monthly', message: 'must not be negative' },
    ]);
    expect(errorsOf({ ...valid, housing: { kind: 'miete', monthly: 0 } })).toEqual([
      { path: 'housing.monthly', pointer: '/housing/monthly', message: 'must be greater than 0' },
    ]);
  });

  it('rejects negative incomes and allowances', () => {
    const errors = errorsOf({
      ...valid,
      householdMembers: 3,
      incomes: [{ member: 1, kind: 'other', monthlyGross: -5 }],
      allowances: { maintenancePaidYearly: -1, childEarningsMonthly: [10, -2] },
    });
    expect(errors.map((e) => e.path).sort()).toEqual([
      'allowances.childEarningsMonthly[1]',
      'allowances.maintenancePaidYearly',
      'incomes[0].monthlyGross',
    ]);
    expect(errors.every((e) => e.message === 'must not be negative')).toBe(true);
  });

  it('rejects an unknown municipality on municipality', () => {
    const { mietstufe: _ignored, ...withoutMietstufe } = valid;
    expect(errorsOf({ ...withoutMietstufe, municipality: 'Atlantis' })).toEqual([
      {
        path: 'municipality',
        pointer: '/municipality',
        message: 'unknown municipality "Atlantis": its Mietstufe is not on file; give mietstufe (1..7) instead',
      },
    ]);
  });

  it('rejects a Mietstufe outside 1..7, a missing one, and one contradicting the municipality', () => {
    expect(errorsOf({ ...valid, mietstufe: 8 })).toEqual([
      { path: 'mietstufe', pointer: '/mietstufe', message: 'mietstufe must be at most 7' },
    ]);
    const { mietstufe: _ignored, ...withoutMietstufe } = valid;
    expect(errorsOf(withoutMietstufe)).toEqual([
      { path: 'mietstufe', pointer: '/mietstufe', message: 'give either mietstufe (1..7) or municipality (e.g. "Berlin")' },
    ]);
    const conflict = errorsOf({ ...valid, mietstufe: 3, municipality: 'Berlin' });
    expect(conflict).toHaveLength(1);
    expect(conflict[0]?.path).toBe('mietstufe');
    expect(conflict[0]?.message).toContain('contradicts municipality Berlin');
  });

  it('rejects entitledMembers greater than householdMembers', () => {
    expect(errorsOf({ ...valid, entitledMembers: 3 })).toEqual([
      { path: 'entitledMembers', pointer: '/entitledMembers', message: 'entitledMembers (3) cannot exceed householdMembers (2)' },
    ]);
  });

  it('rejects allowances that do not fit the household', () => {
    const errors = errorsOf({
      ...valid,
      householdMembers: 1,
      incomes: [],
      allowances: { severelyDisabledMembers: 2, singleParent: true, childEarningsMonthly: [100], nsPersecutionVictims: 2 },
    });
    expect(errors.map((e) => e.path).sort()).toEqual([
      'allowances.childEarningsMonthly',
      'allowances.nsPersecutionVictims',
      'allowances.severelyDisabledMembers',
      'allowances.singleParent',
    ]);
  });

  it('rejects unknown fields, wrong kinds and non-integers with their paths', () => {
    const errors = errorsOf({
      ...valid,
      householdMembers: 1.5,
      housing: { kind: 'eigentum', monthly: 500 },
      incomes: [{ member: 1, kind: 'salary', monthlyGross: 100, healthcare: true }],
    });
    expect(errors.map((e) => e.path).sort()).toEqual(['householdMembers', 'housing.kind', 'incomes[0]', 'incomes[0].kind']);
    expect(errors.find((e) => e.path === 'incomes[0]')?.message).toContain('healthcare');
    expect(errors.find((e) => e.path === 'housing.kind')?.message).toBe('kind must be one of: miete, belastung');
  });

  it('runs the cross-field checks only when every field is valid on its own', () => {
    expect(errorsOf({ ...valid, householdMembers: 0 })).toEqual([
      { path: 'householdMembers', pointer: '/householdMembers', message: 'householdMembers must be at least 1' },
    ]);
  });

  it('reports missing required fields', () => {
    expect(errorsOf({ mietstufe: 4 }).map((e) => `${e.path}: ${e.message}`).sort()).toEqual([
      'householdMembers: householdMembers is required',
      'housing: housing is required',
    ]);
  });
});
