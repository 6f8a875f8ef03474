/** Calendar dates as ISO 8601 strings ("2027-01-01"); compared as strings, which sorts correctly. */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for "YYYY-MM-DD" naming a day that exists ("2027-02-29" does not). */
export function isRealIsoDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

function toIso(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * The date `months` calendar months later (negative: earlier). A day that the target month lacks
 * rolls over into the next month (31 May − 3 months → 3 March), the lenient reading for a deadline.
 */
export function addMonths(iso: string, months: number): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return toIso(new Date(Date.UTC(y, m - 1 + months, d)));
}

/**
 * The day someone born on `birthDate` turns `years` old: the same month and day (§ 187 Abs. 2
 * Satz 2 BGB counts the birthday itself); for 29 February in a common year, 1 March.
 */
export function anniversary(birthDate: string, years: number): string {
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  return toIso(new Date(Date.UTC(y + years, m - 1, d)));
}
