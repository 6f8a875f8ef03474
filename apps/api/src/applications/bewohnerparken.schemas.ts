import { z } from 'zod';
import { applicantContactFields, streetSchema } from './application.schemas';

/**
 * German registration number ("B-AB 1234", also written "B AB 1234", "b-ab1234"; E = electric,
 * H = historic), normalised to "B-AB 1234": district code 1–3 letters, 1–2 letters, 1–4 digits
 * not starting with 0, at most 8 characters without separators and suffix.
 */
const PLATE = /^([A-ZÄÖÜ]{1,3})[- ]([A-Z]{1,2})[- ]?([1-9]\d{0,3})([EH]?)$/;
export function normaliseLicensePlate(raw: string): string | undefined {
  const m = PLATE.exec(raw.trim().toUpperCase().replace(/\s+/g, ' '));
  if (!m) return undefined;
  const [, district, letters, digits, suffix] = m;
  if (district!.length + letters!.length + digits!.length > 8) return undefined;
  return `${district}-${letters} ${digits}${suffix}`;
}

/** "Zone 31", "zone 31" or "31" → "Zone 31" (Berlin's parking zones are numbered). */
const ZONE = /^(?:zone\s*)?(\d{1,3}[a-z]?)$/i;

export const bewohnerparkenBodySchema = z.strictObject({
  applicant: z.strictObject({
    ...applicantContactFields,
    address: z.strictObject({
      street: streetSchema('the registered main residence'),
      postalCode: z.string().regex(/^1[0-4]\d{3}$/, 'must be a Berlin postal code (10115–14199)'),
      city: z
        .string()
        .trim()
        .refine((c) => c.toLowerCase() === 'berlin', 'must be Berlin: the permit is for residents of a Berlin parking zone')
        .transform(() => 'Berlin'),
    }),
  }),
  vehicle: z.strictObject({
    licensePlate: z
      .string()
      .max(20)
      .refine((p) => normaliseLicensePlate(p) !== undefined, 'must be a German registration number such as "B-AB 1234"')
      .transform((p) => normaliseLicensePlate(p)!),
    registeredToApplicant: z.boolean().describe('False when the car is registered to someone else (company car, leasing): proof of permanent use is then requested'),
  }),
  zone: z
    .string()
    .trim()
    .regex(ZONE, 'must name a Berlin parking zone such as "Zone 31"')
    .transform((v) => `Zone ${ZONE.exec(v)![1]!.toLowerCase()}`)
    .describe('The parking zone (Parkzone) of the applicant’s address, e.g. "Zone 31"'),
});
export type BewohnerparkenBody = z.output<typeof bewohnerparkenBodySchema>;
