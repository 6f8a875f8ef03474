/**
 * Dates as a Berlin authority writes them in its letters ("14. Juli 2026"), in the service's zone
 * Europe/Berlin. Computed by hand from the EU summer-time rule (since 1996: last Sunday of March
 * 01:00 UTC to last Sunday of October 01:00 UTC) instead of Intl, so the output never depends on the
 * ICU data of the Node version a workflow happens to replay on. Pure TypeScript, safe in workflows.
 */

const MONTHS_DE = ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember'] as const;
const MONTHS_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'] as const;

/** 01:00 UTC on the last Sunday of the month (0-based month). */
function lastSundayOneUtc(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, lastDay.getUTCDate() - lastDay.getUTCDay(), 1);
}

/** Offset of Europe/Berlin from UTC at that instant, in minutes (60 in winter, 120 in summer). */
export function berlinOffsetMinutes(at: Date): number {
  const y = at.getUTCFullYear();
  const t = at.getTime();
  return t >= lastSundayOneUtc(y, 2) && t < lastSundayOneUtc(y, 9) ? 120 : 60;
}

export interface BerlinDateParts {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** The wall-clock reading in Berlin at that instant. */
export function berlinParts(at: Date): BerlinDateParts {
  const local = new Date(at.getTime() + berlinOffsetMinutes(at) * 60_000);
  return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate(), hour: local.getUTCHours(), minute: local.getUTCMinutes() };
}

/** "14. Juli 2026" — the date in Berlin. */
export function formatBerlinDate(at: Date): string {
  const p = berlinParts(at);
  return `${p.day}. ${MONTHS_DE[p.month - 1]} ${p.year}`;
}

/** "14 July 2026" — the date in Berlin, for the English part of a mail. */
export function formatBerlinDateEn(at: Date): string {
  const p = berlinParts(at);
  return `${p.day} ${MONTHS_EN[p.month - 1]} ${p.year}`;
}

/** "14. Juli 2026, 09:05 Uhr" — date and time in Berlin. */
export function formatBerlinDateTime(at: Date): string {
  const p = berlinParts(at);
  return `${formatBerlinDate(at)}, ${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')} Uhr`;
}

/** "2026-07-14" — the calendar date in Berlin (ISO 8601 date, e.g. for a permit's validity). */
export function berlinIsoDate(at: Date): string {
  const p = berlinParts(at);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/**
 * The last millisecond of the Berlin calendar day that contains `at` (23:59:59.999 local time). A
 * deadline "bis zum 14. Juli" ends when that day ends (§ 188 BGB), not at the hour the letter was
 * written. Summer time switches at 02:00/03:00 local time, never at midnight, so the offset just
 * before midnight is the offset of the whole evening.
 */
export function endOfBerlinDay(at: Date): Date {
  const p = berlinParts(at);
  const nextMidnightAsUtc = Date.UTC(p.year, p.month - 1, p.day + 1);
  const offset = berlinOffsetMinutes(new Date(nextMidnightAsUtc - 3 * 3600_000));
  return new Date(nextMidnightAsUtc - offset * 60_000 - 1);
}
