import { z } from 'zod';
import { wohngeldEstimateRequestBaseSchema, wohngeldEstimateRequestSchema, wohngeldIncomeSchema } from '../../../../libs/domain/src/wohngeld';
import { applicantContactFields, plainText, streetSchema } from './application.schemas';

/** IBAN (ISO 13616): country, two check digits, up to 30 characters; the mod-97 checksum must be 1. */
export function normaliseIban(raw: string): string | undefined {
  const s = raw.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(s)) return undefined;
  if (s.startsWith('DE') && s.length !== 22) return undefined; // a German IBAN has 22 characters
  let rest = 0;
  for (const ch of s.slice(4) + s.slice(0, 4)) {
    const v = ch >= 'A' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of v) rest = (rest * 10 + Number(d)) % 97;
  }
  return rest === 1 ? s : undefined;
}

/** A real calendar date YYYY-MM-DD. */
function isCalendarDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Age in whole years on `today` (YYYY-MM-DD strings compare as dates). */
function ageOn(birthDate: string, today: string): number {
  const years = Number(today.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return today.slice(5) >= birthDate.slice(5) ? years : years - 1;
}

const birthDate = z
  .string()
  .refine(isCalendarDate, { message: 'must be a date YYYY-MM-DD', abort: true })
  .refine((d) => {
    const age = ageOn(d, new Date().toISOString().slice(0, 10));
    return age >= 15 && age <= 125;
  }, 'the applicant must be at least 15 years old (§ 36 SGB I) and the date plausible')
  .describe('YYYY-MM-DD; applicants from 15 years (§ 36 SGB I)');

const applicantSchema = z.strictObject({
  givenName: applicantContactFields.givenName,
  familyName: applicantContactFields.familyName,
  birthDate,
  email: applicantContactFields.email,
  address: z.strictObject({
    street: streetSchema('the flat the Wohngeld is for'),
    postalCode: z.string().regex(/^(0[1-9]|[1-9]\d)\d{3}$/, 'must be a German postal code (5 digits)'),
    city: plainText(100),
  }),
  iban: z
    .string()
    .max(42)
    .refine((v) => normaliseIban(v) !== undefined, 'must be a valid IBAN (checksum), e.g. DE89 3704 0044 0532 0130 00')
    .transform((v) => normaliseIban(v)!)
    .describe('The account the Wohngeld is paid to; spaces allowed, normalised to upper case without spaces'),
});

/** The application as the API validates it (household: the estimate request, normalised). */
export const wohngeldApplicationBodySchema = z.strictObject({
  applicant: applicantSchema,
  household: wohngeldEstimateRequestSchema,
});
export type WohngeldApplicationBody = z.output<typeof wohngeldApplicationBodySchema>;

/** The same for the OpenAPI document (the household without its cross-field refinements). */
export const wohngeldApplicationBodyDocSchema = z.strictObject({
  applicant: applicantSchema,
  household: wohngeldEstimateRequestBaseSchema.describe('The Wohngeld estimate request (POST /api/v1/wohngeld/estimate) for this household'),
});

export const wohngeldChangeReportBodySchema = z.strictObject({
  incomes: z
    .array(wohngeldIncomeSchema, { error: 'incomes must be a list' })
    .max(500)
    .describe('All incomes of the household now, one entry per source of a counted member (as in the estimate request); they replace the ones the notice rests on'),
});
export type WohngeldChangeReportBody = z.output<typeof wohngeldChangeReportBodySchema>;

export const wohngeldChangeReportResponseSchema = z.object({
  outcome: z.enum(['recalculated', 'unchanged']).describe('recalculated: the income rose by more than 15 % (§ 27 Abs. 2 Nr. 3 WoGG), a change notice is in the case file'),
  previousMonthlyIncome: z.number(),
  reportedMonthlyIncome: z.number(),
  incomeChangePercent: z.number().nullable(),
  monthlyAmount: z.number(),
  previousMonthlyAmount: z.number(),
  effectiveFrom: z.string().optional().describe('YYYY-MM-DD, when the new amount applies'),
  noticeDocumentId: z.string().optional(),
});
export type WohngeldChangeReportResponse = z.infer<typeof wohngeldChangeReportResponseSchema>;
