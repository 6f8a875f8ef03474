import { z } from 'zod';
import { EXTERNAL_STATUSES } from '../../../../libs/domain/src/cases';

// What every application's body and answer share, so the processes validate a name, an e-mail
// address and a street the same way and answer a submission alike. Process-specific rules (a
// Berlin postal code, an IBAN, a birth date) stay in the process's own *.schemas.ts.

/** Trimmed, 1…max characters, no control characters (names, streets, cities). */
export const plainText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((s) => ![...s].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f), 'must not contain control characters');

/** The applicant's name and e-mail address (the case's status mails go there). */
export const applicantContactFields = {
  givenName: plainText(100),
  familyName: plainText(100),
  email: z.email().max(254),
};

/** Street and house number; `what` says which address the process needs. */
export const streetSchema = (what: string) => plainText(200).describe(`Street and house number of ${what}`);

/** 201 of every application submission: the case and its number at once. */
export const submissionResponseSchema = z.object({
  caseId: z.uuid(),
  caseNumber: z.string().describe('e.g. BP-2026-000123'),
  status: z.enum(EXTERNAL_STATUSES),
});
export type SubmissionResponse = z.infer<typeof submissionResponseSchema>;
