/**
 * The Wohngeld estimate request (API.md, "Wohngeld estimate") as a zod schema, with the
 * cross-field checks that make an impossible household a clear 422 instead of a wrong amount.
 *
 * `wohngeldEstimateRequestSchema` parses the request as API.md shows it and outputs a normalised
 * `WohngeldEstimateRequest` (Mietstufe resolved from the municipality, defaults filled in).
 * `parseEstimateRequest` returns either that data or a list of `{path, message}` for problem+json.
 *
 * Decisions:
 * - Objects are strict: an unknown or misspelt field (`"healthcare"`) is an error, because silently
 *   ignoring it would produce a wrong estimate.
 * - Members are numbered 1..householdMembers; members 1..entitledMembers are the ones taken into
 *   account, members entitledMembers+1..householdMembers are the excluded ones (§ 11 Abs. 3 WoGG).
 *   Income of an excluded member does not count (§ 13 Abs. 1 WoGG: only "zu berücksichtigende
 *   Haushaltsmitglieder"), so an income entry for one is rejected rather than silently ignored.
 * - `entitledMembers: 0` is accepted: the result is "no entitlement" (§ 21 Nr. 2 WoGG).
 * - `mietstufe` and `municipality` may both be given only when they agree.
 * - Every value check aborts, so the cross-field checks run only on a request whose fields are each
 *   valid (no "member 1 does not exist in a household of 0" after "householdMembers must be ≥ 1").
 */
import { z } from 'zod';

import type { Mietstufe } from './tables';
import { MIETSTUFE_ROMAN, findMietstufeMunicipality } from './tables';

export const WOHNGELD_INCOME_KINDS = [
  'employment',
  'pension',
  'wage_replacement',
  'maintenance_advance',
  'maintenance',
  'minijob_flat',
  'other',
] as const;
export type WohngeldIncomeKind = (typeof WOHNGELD_INCOME_KINDS)[number];

export const WOHNGELD_HOUSING_KINDS = ['miete', 'belastung'] as const;
export type WohngeldHousingKind = (typeof WOHNGELD_HOUSING_KINDS)[number];

/** A sanity bound, not a legal one: households larger than this are treated as input errors. */
export const WOHNGELD_MAX_HOUSEHOLD_MEMBERS = 50;
/** A sanity bound for a single monthly or yearly amount in euros. */
export const WOHNGELD_MAX_AMOUNT = 10_000_000;

const NOT_NEGATIVE = 'must not be negative';

function amount(what: string): z.ZodNumber {
  return z
    .number({ error: (issue) => (issue.input === undefined ? `${what} is required` : `${what} must be a number`) })
    .min(0, { error: NOT_NEGATIVE, abort: true })
    .max(WOHNGELD_MAX_AMOUNT, { error: `must be at most ${WOHNGELD_MAX_AMOUNT}`, abort: true });
}

function count(what: string, min: number, max: number): z.ZodNumber {
  return z
    .number({ error: (issue) => (issue.input === undefined ? `${what} is required` : `${what} must be a whole number`) })
    .int({ error: `${what} must be a whole number`, abort: true })
    .min(min, { error: min === 0 ? NOT_NEGATIVE : `${what} must be at least ${min}`, abort: true })
    .max(max, { error: `${what} must be at most ${max}`, abort: true });
}

const flag = z.boolean({ error: 'must be true or false' }).optional();

export const wohngeldIncomeSchema = z.strictObject({
  member: count('member', 1, WOHNGELD_MAX_HOUSEHOLD_MEMBERS),
  kind: z.enum(WOHNGELD_INCOME_KINDS, { error: `kind must be one of: ${WOHNGELD_INCOME_KINDS.join(', ')}` }),
  monthlyGross: amount('monthlyGross'),
  taxes: flag,
  healthCare: flag,
  pensionInsurance: flag,
});

export const wohngeldAllowancesSchema = z.strictObject({
  severelyDisabledMembers: count('severelyDisabledMembers', 0, WOHNGELD_MAX_HOUSEHOLD_MEMBERS).optional(),
  singleParent: flag,
  childEarningsMonthly: z
    .array(amount('childEarningsMonthly entry'), { error: 'childEarningsMonthly must be a list of amounts' })
    .max(WOHNGELD_MAX_HOUSEHOLD_MEMBERS, { error: `at most ${WOHNGELD_MAX_HOUSEHOLD_MEMBERS} children`, abort: true })
    .optional(),
  nsPersecutionVictims: count('nsPersecutionVictims', 0, WOHNGELD_MAX_HOUSEHOLD_MEMBERS).optional(),
  grundrenteMonthly: amount('grundrenteMonthly').optional(),
  maintenancePaidYearly: amount('maintenancePaidYearly').optional(),
});

/** The request object without cross-field checks (e.g. for OpenAPI / JSON Schema generation). */
export const wohngeldEstimateRequestBaseSchema = z.strictObject({
  mietstufe: count('mietstufe', 1, 7).optional(),
  municipality: z
    .string({ error: 'municipality must be a text' })
    .trim()
    .min(1, { error: 'municipality must not be empty' })
    .max(200, { error: 'municipality is too long' })
    .optional(),
  householdMembers: count('householdMembers', 1, WOHNGELD_MAX_HOUSEHOLD_MEMBERS),
  entitledMembers: count('entitledMembers', 0, WOHNGELD_MAX_HOUSEHOLD_MEMBERS).optional(),
  housing: z.strictObject(
    {
      kind: z.enum(WOHNGELD_HOUSING_KINDS, { error: `kind must be one of: ${WOHNGELD_HOUSING_KINDS.join(', ')}` }),
      monthly: amount('monthly').positive({ error: 'must be greater than 0', abort: true }),
    },
    { error: (issue) => (issue.input === undefined ? 'housing is required' : 'housing must be an object') },
  ),
  incomes: z
    .array(wohngeldIncomeSchema, { error: 'incomes must be a list' })
    .max(500, { error: 'at most 500 income entries', abort: true })
    .optional(),
  allowances: wohngeldAllowancesSchema.optional(),
});

type BaseRequest = z.output<typeof wohngeldEstimateRequestBaseSchema>;

function memberList(from: number, to: number): string {
  return from === to ? `member ${from}` : `members ${from}..${to}`;
}

function checkRequest(req: BaseRequest, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string): void => {
    ctx.addIssue({ code: 'custom', path, message });
  };
  const n = req.householdMembers;
  const counted = req.entitledMembers ?? n;

  // Mietstufe: either given directly (1..7) or derived from the municipality (§ 12 Abs. 2–5 WoGG).
  if (req.municipality !== undefined) {
    const found = findMietstufeMunicipality(req.municipality);
    if (!found) {
      issue(
        ['municipality'],
        `unknown municipality "${req.municipality}": its Mietstufe is not on file; give mietstufe (1..7) instead`,
      );
    } else if (req.mietstufe !== undefined && req.mietstufe !== found.mietstufe) {
      issue(
        ['mietstufe'],
        `mietstufe ${req.mietstufe} contradicts municipality ${found.name} (Mietstufe ${MIETSTUFE_ROMAN[found.mietstufe]} = ${found.mietstufe}); give only one of them`,
      );
    }
  } else if (req.mietstufe === undefined) {
    issue(['mietstufe'], 'give either mietstufe (1..7) or municipality (e.g. "Berlin")');
  }

  if (req.entitledMembers !== undefined && req.entitledMembers > n) {
    issue(
      ['entitledMembers'],
      `entitledMembers (${req.entitledMembers}) cannot exceed householdMembers (${n})`,
    );
  }

  (req.incomes ?? []).forEach((income, i) => {
    if (income.member > n) {
      issue(['incomes', i, 'member'], `member ${income.member} does not exist in a household of ${n}`);
    } else if (income.member > counted) {
      issue(
        ['incomes', i, 'member'],
        `member ${income.member} is excluded from Wohngeld (entitledMembers is ${counted}, so ${memberList(counted + 1, n)} ` +
          `of ${n} are the excluded ones): an excluded member's income does not count (§ 11 Abs. 3, § 13 WoGG); leave it out`,
      );
    }
  });

  const allowances = req.allowances ?? {};
  const countedText = `${counted} member${counted === 1 ? ' is' : 's are'} taken into account`;
  if ((allowances.severelyDisabledMembers ?? 0) > counted) {
    issue(
      ['allowances', 'severelyDisabledMembers'],
      `${allowances.severelyDisabledMembers} severely disabled members, but only ${countedText} (§ 17 Nr. 1 WoGG)`,
    );
  }
  if ((allowances.nsPersecutionVictims ?? 0) > counted) {
    issue(
      ['allowances', 'nsPersecutionVictims'],
      `${allowances.nsPersecutionVictims} victims of Nazi persecution, but only ${countedText} (§ 17 Nr. 2 WoGG)`,
    );
  }
  if (allowances.singleParent === true && n < 2) {
    issue(
      ['allowances', 'singleParent'],
      'a single parent lives with at least one child, so householdMembers must be at least 2 (§ 17 Nr. 3 WoGG)',
    );
  }
  const children = allowances.childEarningsMonthly?.length ?? 0;
  if (children > 0 && (children > counted || children > n - 1)) {
    issue(
      ['allowances', 'childEarningsMonthly'],
      `earnings of ${children} children given, but the children must be members taken into account besides a parent: ` +
        `at most ${Math.max(0, Math.min(counted, n - 1))} in this household (§ 17 Nr. 4 WoGG)`,
    );
  }
}

export interface WohngeldIncome {
  readonly member: number;
  readonly kind: WohngeldIncomeKind;
  readonly monthlyGross: number;
  readonly taxes: boolean;
  readonly healthCare: boolean;
  readonly pensionInsurance: boolean;
}

export interface WohngeldAllowances {
  readonly severelyDisabledMembers: number;
  readonly singleParent: boolean;
  readonly childEarningsMonthly: readonly number[];
  readonly nsPersecutionVictims: number;
  readonly grundrenteMonthly: number;
  readonly maintenancePaidYearly: number;
}

/** A validated, normalised estimate request: what the calculation works with. */
export interface WohngeldEstimateRequest {
  readonly mietstufe: Mietstufe;
  /** The municipality's official name (e.g. "Berlin") when one was given. */
  readonly municipality?: string;
  readonly householdMembers: number;
  /** Members taken into account (not excluded): members 1..entitledMembers. */
  readonly entitledMembers: number;
  readonly housing: { readonly kind: WohngeldHousingKind; readonly monthly: number };
  readonly incomes: readonly WohngeldIncome[];
  readonly allowances: WohngeldAllowances;
}

function normalise(req: BaseRequest): WohngeldEstimateRequest {
  const municipality = req.municipality !== undefined ? findMietstufeMunicipality(req.municipality) : undefined;
  const mietstufe = (req.mietstufe ?? municipality?.mietstufe) as Mietstufe;
  const a = req.allowances ?? {};
  return {
    mietstufe,
    ...(municipality ? { municipality: municipality.name } : {}),
    householdMembers: req.householdMembers,
    entitledMembers: req.entitledMembers ?? req.householdMembers,
    housing: { kind: req.housing.kind, monthly: req.housing.monthly },
    incomes: (req.incomes ?? []).map((income) => ({
      member: income.member,
      kind: income.kind,
      monthlyGross: income.monthlyGross,
      taxes: income.taxes ?? false,
      healthCare: income.healthCare ?? false,
      pensionInsurance: income.pensionInsurance ?? false,
    })),
    allowances: {
      severelyDisabledMembers: a.severelyDisabledMembers ?? 0,
      singleParent: a.singleParent ?? false,
      childEarningsMonthly: [...(a.childEarningsMonthly ?? [])],
      nsPersecutionVictims: a.nsPersecutionVictims ?? 0,
      grundrenteMonthly: a.grundrenteMonthly ?? 0,
      maintenancePaidYearly: a.maintenancePaidYearly ?? 0,
    },
  };
}

/** The estimate request as in API.md, with cross-field checks; outputs a `WohngeldEstimateRequest`. */
export const wohngeldEstimateRequestSchema = wohngeldEstimateRequestBaseSchema
  .superRefine(checkRequest)
  .transform(normalise);

/** The request as a client sends it (all optional fields optional). */
export type WohngeldEstimateInput = z.input<typeof wohngeldEstimateRequestSchema>;

export interface WohngeldRequestError {
  /** Dotted path with indices, e.g. `incomes[0].member`; empty string for the whole request. */
  readonly path: string;
  /** The same place as a JSON pointer (RFC 6901), e.g. `/incomes/0/member` (FieldIssue in ../errors). */
  readonly pointer: string;
  readonly message: string;
}

export type ParseEstimateResult =
  | { readonly success: true; readonly data: WohngeldEstimateRequest }
  | { readonly success: false; readonly errors: readonly WohngeldRequestError[] };

/** `['incomes', 0, 'member']` → `incomes[0].member`. */
export function formatWohngeldIssuePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, segment) => {
    if (typeof segment === 'number') return `${text}[${segment}]`;
    const name = String(segment);
    return text === '' ? name : `${text}.${name}`;
  }, '');
}

/** `['incomes', 0, 'member']` → `/incomes/0/member` (RFC 6901). */
export function wohngeldIssuePointer(path: readonly PropertyKey[]): string {
  return path.map((segment) => `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** Zod issues as `{path, pointer, message}` (e.g. for an RFC 9457 problem+json `errors` member). */
export function toWohngeldRequestErrors(error: z.ZodError): WohngeldRequestError[] {
  return error.issues.map((issue) => ({
    path: formatWohngeldIssuePath(issue.path),
    pointer: wohngeldIssuePointer(issue.path),
    message: issue.message,
  }));
}

/** Validate an estimate request: the normalised data, or every problem with its path. */
export function parseEstimateRequest(input: unknown): ParseEstimateResult {
  const result = wohngeldEstimateRequestSchema.safeParse(input);
  return result.success
    ? { success: true, data: result.data }
    : { success: false, errors: toWohngeldRequestErrors(result.error) };
}
