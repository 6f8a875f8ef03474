/**
 * The Gewerbeanmeldung (GewA 1, GewAnzV Anlage 1) as `POST /api/v1/applications/gewerbeanmeldung`
 * takes it (API.md "Application bodies"), with strict validation and German messages per field.
 *
 * Rules and why:
 * - Objects are strict: an unknown or misspelt field is an error, never silently dropped — the data
 *   goes to up to a dozen authorities (§ 14 Abs. 8 GewO) and must be what the citizen meant.
 * - Dates are ISO 8601 ("2027-01-01") and must exist (no 30 February).
 * - startDate: the Anzeige is due when the business starts ("gleichzeitig mit dem Beginn",
 *   § 14 Abs. 1 GewO; a late one is an Ordnungswidrigkeit, § 146 Abs. 2 Nr. 2 GewO). We accept a
 *   start at most START_DATE_MAX_MONTHS_PAST months back online — an older start is a late filing
 *   that a caseworker looks at, filed in person. At most START_DATE_MAX_MONTHS_AHEAD months ahead:
 *   an Anzeige for a business that far off is not yet a plan the authorities can act on.
 * - birthDate: the owner must be of full age on the day of filing (§ 2 BGB). A minor may run a
 *   business only with the guardian's consent and the family court's approval (§ 112 BGB); those
 *   documents cannot be checked online, so minors file with a caseworker. Older than
 *   MAX_AGE_YEARS years is treated as a typing error.
 * - The business address must be in Berlin: the authority of the place of business is competent
 *   (§ 14 Abs. 1, § 155 Abs. 2 GewO with Berlin's ZustKat Ord), and this service is Berlin's.
 *   Berlin's postal codes lie in 10115–14199; the range is a first check, the Gewerberegister's
 *   address check is the final one. The owner may live anywhere in Germany (5-digit postal code);
 *   owners living abroad file with a caseworker.
 * - wzCode: a WZ 2008 subclass, "47910" or "47.91.0", output without dots (see wz2008.ts).
 * - nationality: ISO 3166-1 alpha-2, upper- or lower-case, output upper-case (see countries.ts).
 * - For a partnership or legal person, `owner` is the person filing (partner or legal
 *   representative), as on the paper form where each one fills in the personal fields.
 *
 * The date rules depend on "today": `createGewerbeanmeldungSchema(today)` takes it as a function;
 * `gewerbeanmeldungSchema` reads the Berlin date at parse time (inside a workflow `Date` is the
 * workflow's deterministic clock); `parseGewerbeanmeldung(body, { today })` injects it.
 */
import { z } from 'zod';

import { berlinIsoDate } from '../berlin-time';
import { DomainError } from '../errors';
import { COUNTRY_CODES } from './countries';
import { addMonths, anniversary, isRealIsoDate } from './iso-date';
import { REGULATED_ACTIVITY_CODES } from './regulated-activities';
import { normaliseWzCode, wzCodeProblem } from './wz2008';

export const START_DATE_MAX_MONTHS_PAST = 3;
export const START_DATE_MAX_MONTHS_AHEAD = 12;
export const MIN_AGE_YEARS = 18;
export const MAX_AGE_YEARS = 120;
/** A sanity bound for the head count, not a legal one. */
export const MAX_EMPLOYEES = 1_000_000;

export const GEWERBE_KINDS = ['industrie', 'handwerk', 'handel', 'sonstiges'] as const;
export type GewerbeKind = (typeof GEWERBE_KINDS)[number];

export const ESTABLISHMENTS = ['hauptniederlassung', 'zweigniederlassung', 'unselbststaendige_zweigstelle'] as const;
export type Establishment = (typeof ESTABLISHMENTS)[number];

/** Reasons for an Anmeldung (GewA 1 "Grund"), field 24 (see anlage1-fields.ts). */
export const ANMELDUNG_REASONS = [
  'neugruendung', // Neuerrichtung / Neugründung
  'uebernahme', // Übernahme durch Erbfolge, Kauf, Pacht
  'zuzug', // Wiedereröffnung nach Verlegung aus einem anderen Meldebezirk
  'wiederaufnahme', // Wiederaufnahme einer ruhenden oder abgemeldeten Tätigkeit
  'gruendung_nach_umwandlung', // Gründung nach dem Umwandlungsgesetz
  'rechtsformwechsel', // Wechsel der Rechtsform
  'gesellschaftereintritt', // Eintritt eines Gesellschafters
] as const;
export type AnmeldungReason = (typeof ANMELDUNG_REASONS)[number];

/** German legal forms (and the one foreign form common in Berlin's register). */
export const LEGAL_FORMS = [
  'Einzelunternehmen',
  'e.K.',
  'GbR',
  'eGbR',
  'OHG',
  'KG',
  'GmbH & Co. KG',
  'GmbH',
  'gGmbH',
  'UG (haftungsbeschränkt)',
  'AG',
  'KGaA',
  'SE',
  'eG',
  'e.V.',
  'Partnerschaftsgesellschaft',
  'PartG mbB',
  'Ltd.',
] as const;
export type LegalForm = (typeof LEGAL_FORMS)[number];

const REQUIRED = 'Pflichtangabe fehlt';

function missingOr(message: string) {
  return (issue: { input: unknown }) => (issue.input === undefined ? REQUIRED : message);
}

function hasControlCharacters(s: string): boolean {
  return [...s].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);
}

function text(min: number, max: number) {
  return z
    .string({ error: missingOr('muss ein Text sein') })
    .trim()
    .min(min, { error: min <= 1 ? 'darf nicht leer sein' : `muss mindestens ${min} Zeichen lang sein`, abort: true })
    .max(max, { error: `darf höchstens ${max} Zeichen lang sein`, abort: true })
    .refine((s) => !hasControlCharacters(s), { error: 'darf keine Steuerzeichen enthalten' });
}

function enumOf<T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: missingOr(`muss einer dieser Werte sein: ${values.join(', ')}`) });
}

function isoDate() {
  return z
    .string({ error: missingOr('muss ein Datum im Format JJJJ-MM-TT sein') })
    .refine(isRealIsoDate, { error: 'muss ein gültiges Datum im Format JJJJ-MM-TT sein', abort: true });
}

function count() {
  return z
    .number({ error: missingOr('muss eine ganze Zahl sein') })
    .int({ error: 'muss eine ganze Zahl sein', abort: true })
    .min(0, { error: 'darf nicht negativ sein', abort: true })
    .max(MAX_EMPLOYEES, { error: `darf höchstens ${MAX_EMPLOYEES} sein` });
}

function object<T extends z.core.$ZodLooseShape>(shape: T) {
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') return `unbekannte Angabe: ${issue.keys.join(', ')}`;
      return issue.input === undefined ? REQUIRED : 'muss ein Objekt sein';
    },
  });
}

const ownerAddress = object({
  street: text(1, 200),
  postalCode: z
    .string({ error: missingOr('muss eine Postleitzahl sein') })
    .trim()
    .regex(/^\d{5}$/, { error: 'muss eine fünfstellige deutsche Postleitzahl sein' }),
  city: text(1, 100),
});

const berlinAddress = object({
  street: text(1, 200),
  postalCode: z
    .string({ error: missingOr('muss eine Postleitzahl sein') })
    .trim()
    .regex(/^\d{5}$/, { error: 'muss eine fünfstellige Postleitzahl sein', abort: true })
    .refine((p) => Number(p) >= 10115 && Number(p) <= 14199, {
      error:
        'muss eine Berliner Postleitzahl sein (10115–14199): zuständig ist die Gewerbebehörde am Ort der Betriebsstätte, und dieser Dienst nimmt nur Berliner Betriebsstätten an',
    }),
  city: z
    .string({ error: missingOr('muss ein Text sein') })
    .trim()
    .refine((c) => c.toLowerCase() === 'berlin', { error: 'muss Berlin sein: die Betriebsstätte muss in Berlin liegen' })
    .transform(() => 'Berlin'),
});

const wzCode = z
  .string({ error: missingOr('muss ein WZ-2008-Schlüssel sein, z. B. "47.91.0"') })
  .superRefine((raw, ctx) => {
    const code = normaliseWzCode(raw);
    if (code === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'muss ein fünfstelliger WZ-2008-Schlüssel (Unterklasse) sein, z. B. "47910" oder "47.91.0"',
      });
      return;
    }
    const problem = wzCodeProblem(code);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform((raw) => normaliseWzCode(raw)!);

const nationality = z
  .string({ error: missingOr('muss ein Ländercode nach ISO 3166-1 sein, z. B. "DE"') })
  .trim()
  .transform((c) => c.toUpperCase())
  .refine((c) => COUNTRY_CODES.has(c), { error: 'muss ein Ländercode nach ISO 3166-1 alpha-2 sein, z. B. "DE"' });

/** The schema with the date rules evaluated against `today()` (an ISO date in Berlin). */
export function createGewerbeanmeldungSchema(today: () => string) {
  const birthDate = isoDate().superRefine((value, ctx) => {
    const now = today();
    if (value > now) {
      ctx.addIssue({ code: 'custom', message: 'darf nicht in der Zukunft liegen' });
    } else if (anniversary(value, MIN_AGE_YEARS) > now) {
      ctx.addIssue({
        code: 'custom',
        message:
          'die Inhaberin oder der Inhaber muss volljährig sein; Minderjährige brauchen die Einwilligung der gesetzlichen Vertreter und die Genehmigung des Familiengerichts (§ 112 BGB) und melden das Gewerbe bei der Sachbearbeitung an',
      });
    } else if (anniversary(value, MAX_AGE_YEARS) <= now) {
      ctx.addIssue({ code: 'custom', message: `ist nicht plausibel (älter als ${MAX_AGE_YEARS} Jahre)` });
    }
  });

  const startDate = isoDate().superRefine((value, ctx) => {
    const now = today();
    const earliest = addMonths(now, -START_DATE_MAX_MONTHS_PAST);
    const latest = addMonths(now, START_DATE_MAX_MONTHS_AHEAD);
    if (value < earliest) {
      ctx.addIssue({
        code: 'custom',
        message: `darf höchstens ${START_DATE_MAX_MONTHS_PAST} Monate zurückliegen (frühestens ${earliest}); die Anzeige ist mit Beginn der Tätigkeit fällig (§ 14 Abs. 1 GewO) — eine ältere Anmeldung prüft die Sachbearbeitung`,
      });
    } else if (value > latest) {
      ctx.addIssue({
        code: 'custom',
        message: `darf höchstens ${START_DATE_MAX_MONTHS_AHEAD} Monate in der Zukunft liegen (spätestens ${latest})`,
      });
    }
  });

  return object({
    owner: object({
      givenName: text(1, 100),
      familyName: text(1, 100),
      birthDate,
      birthPlace: text(1, 200),
      nationality,
      email: z
        .string({ error: missingOr('muss eine E-Mail-Adresse sein') })
        .trim()
        .max(254, { error: 'darf höchstens 254 Zeichen lang sein', abort: true })
        .pipe(z.email({ error: 'muss eine gültige E-Mail-Adresse sein' })),
      address: ownerAddress,
    }),
    business: object({
      name: text(1, 200),
      legalForm: enumOf(LEGAL_FORMS),
      address: berlinAddress,
      activity: text(3, 1000),
      wzCode,
      kind: enumOf(GEWERBE_KINDS),
      startDate,
      employeesFullTime: count(),
      employeesPartTime: count(),
      establishment: enumOf(ESTABLISHMENTS),
      sideBusiness: z.boolean({ error: missingOr('muss true oder false sein') }),
      regulatedActivity: z
        .enum(REGULATED_ACTIVITY_CODES, {
          error: `muss null oder einer dieser Werte sein: ${REGULATED_ACTIVITY_CODES.join(', ')}`,
        })
        .nullable()
        .default(null),
    }),
    reason: enumOf(ANMELDUNG_REASONS),
  });
}

/** The schema for the API: the date rules use the current Berlin date at parse time. */
export const gewerbeanmeldungSchema = createGewerbeanmeldungSchema(() => berlinIsoDate(new Date()));

export type GewerbeanmeldungRequest = z.infer<typeof gewerbeanmeldungSchema>;
export type GewerbeanmeldungInput = z.input<typeof gewerbeanmeldungSchema>;

/** One problem with one field: `field` dotted ("business.wzCode"), `path` a JSON pointer. */
export interface GewerbeFieldError {
  readonly field: string;
  readonly path: string;
  readonly message: string;
}

export type GewerbeValidationResult =
  | { readonly success: true; readonly data: GewerbeanmeldungRequest }
  | { readonly success: false; readonly errors: readonly GewerbeFieldError[] };

export interface GewerbeParseOptions {
  /** "Today" for the date rules: an ISO date, or an instant whose Berlin date is taken. Default: now. */
  readonly today?: string | Date;
}

/** `DomainErrorDetails.reason` of the INVALID error parseGewerbeanmeldung throws. */
export const GEWERBE_INVALID_REQUEST_REASON = 'invalid_gewerbeanmeldung';

function fieldError(path: readonly PropertyKey[], message: string): GewerbeFieldError {
  return {
    field: path.map(String).join('.'),
    path: path.map((seg) => `/${String(seg).replace(/~/g, '~0').replace(/\//g, '~1')}`).join(''),
    message,
  };
}

function toFieldErrors(error: z.ZodError): GewerbeFieldError[] {
  return error.issues.flatMap((issue) =>
    // An unknown key is reported at the key itself ("business.foo"), not at its object.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => fieldError([...issue.path, key], 'unbekannte Angabe'))
      : [fieldError(issue.path, issue.message)],
  );
}

function todayOf(options: GewerbeParseOptions): string {
  const t = options.today ?? new Date();
  return typeof t === 'string' ? t : berlinIsoDate(t);
}

/** Validate without throwing: the data, or every problem with its field. */
export function validateGewerbeanmeldung(body: unknown, options: GewerbeParseOptions = {}): GewerbeValidationResult {
  const today = todayOf(options);
  const result = createGewerbeanmeldungSchema(() => today).safeParse(body);
  return result.success ? { success: true, data: result.data } : { success: false, errors: toFieldErrors(result.error) };
}

/**
 * Validate a Gewerbeanmeldung. Invalid input throws a DomainError INVALID (422 at the API edge)
 * whose `details.errors` are FieldIssues with JSON-pointer paths ("/business/wzCode"), like every
 * other 422 of the API; `validateGewerbeanmeldung` also gives the dotted field name.
 */
export function parseGewerbeanmeldung(body: unknown, options: GewerbeParseOptions = {}): GewerbeanmeldungRequest {
  const result = validateGewerbeanmeldung(body, options);
  if (!result.success) {
    throw new DomainError('INVALID', 'Die Gewerbeanmeldung enthält ungültige Angaben; siehe errors.', {
      reason: GEWERBE_INVALID_REQUEST_REASON,
      errors: result.errors.map((e) => ({ path: e.path, message: e.message })),
    });
  }
  return result.data;
}
