/**
 * The kinds of case amtsweg runs and the prefix of their case numbers (`WG-2026-000123`).
 * Case numbers are gap-free per type and year (allocated in PostgreSQL, see libs/db).
 */
export const CASE_TYPES = {
  wohngeld: { prefix: 'WG', title: 'Wohngeld' },
  gewerbeanmeldung: { prefix: 'GA', title: 'Gewerbeanmeldung' },
  bewohnerparken: { prefix: 'BP', title: 'Bewohnerparkausweis' },
} as const;

export type CaseType = keyof typeof CASE_TYPES;

export function isCaseType(value: unknown): value is CaseType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CASE_TYPES, value);
}

/** `WG-2026-000123`: prefix, year, a six-digit (or longer) running number. */
export function formatCaseNumber(type: CaseType, year: number, seq: number): string {
  return `${CASE_TYPES[type].prefix}-${year}-${String(seq).padStart(6, '0')}`;
}

export const CASE_NUMBER_PATTERN = /^[A-Z]{2}-\d{4}-\d{6,}$/;
