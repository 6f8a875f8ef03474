/**
 * The approval period (Bewilligungszeitraum, § 25 WoGG) and the change report (§ 27 WoGG) of a
 * Wohngeld case. Pure and deterministic (Berlin dates computed by hand, decimal.js for the
 * percentage), safe in workflows.
 *
 * - The period starts on the first of the month in which the application arrived (§ 25 Abs. 3:
 *   "vom Ersten des Monats an, in dem der Antrag gestellt worden ist") and lasts `months` (usually
 *   12) — it ends with the last day of the month before the first of month `months` later.
 * - The reminder to apply again goes out `reapplyLead` (P2M) before the period ends: on the first
 *   day of the month `reapplyLead` before the day after the period, in Berlin.
 * - A change report counts when the total income Y rises by MORE than 15 % (§ 27 Abs. 2 Nr. 3).
 */
import { berlinParts, endOfBerlinDay } from '../berlin-time';
import { parseIsoDuration } from '../duration';
import { dec } from './decimal';

export interface WohngeldApprovalPeriod {
  /** YYYY-MM-DD, the first of the month of application. */
  from: string;
  /** YYYY-MM-DD, the last day of the period. */
  to: string;
  /** ISO 8601 instant: the end of `to` in Berlin. */
  endsAt: string;
  /** ISO 8601 instant: midnight in Berlin starting the day of the reminder to apply again. */
  reapplyReminderAt: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const iso = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;

/** The calendar date (y, m 1–12, d), normalised through Date.UTC (month 13 = January next year). */
function date(y: number, m: number, d: number): { y: number; m: number; d: number } {
  const t = new Date(Date.UTC(y, m - 1, d));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

/** The instant of midnight in Berlin at the start of that calendar day. */
export function startOfBerlinDay(y: number, m: number, d: number): Date {
  // noon UTC of the day before is that day's afternoon in Berlin; its end + 1 ms is our midnight
  return new Date(endOfBerlinDay(new Date(Date.UTC(y, m - 1, d - 1, 12))).getTime() + 1);
}

/**
 * The period for an application made at `appliedAt`: `months` long from the first of that month
 * (Berlin), the reminder `reapplyLead` before its end. `reapplyLead` may use years, months, weeks
 * and days (e.g. P2M, P6W).
 */
export function wohngeldApprovalPeriod(appliedAt: Date, months: number, reapplyLead: string): WohngeldApprovalPeriod {
  if (!Number.isInteger(months) || months < 1 || months > 24) throw new RangeError('the approval period is 1 to 24 months (§ 25 Abs. 1 WoGG)');
  const p = berlinParts(appliedAt);
  const next = date(p.year, p.month + months, 1); // the day after the period
  const last = date(next.y, next.m, 0);
  const lead = parseIsoDuration(reapplyLead);
  if (lead.hours || lead.minutes || lead.seconds) throw new RangeError('reapplyLead is counted in years, months, weeks and days');
  const reminder = date(next.y, next.m - lead.months - 12 * lead.years, next.d - lead.days - 7 * lead.weeks);
  return {
    from: iso(p.year, p.month, 1),
    to: iso(last.y, last.m, last.d),
    endsAt: endOfBerlinDay(new Date(Date.UTC(last.y, last.m - 1, last.d, 12))).toISOString(),
    reapplyReminderAt: startOfBerlinDay(reminder.y, reminder.m, reminder.d).toISOString(),
  };
}

/** The first day of the month after `at` (Berlin), YYYY-MM-DD: when a change takes effect (§ 27 Abs. 2). */
export function firstOfNextMonth(at: Date): string {
  const p = berlinParts(at);
  const n = date(p.year, p.month + 1, 1);
  return iso(n.y, n.m, n.d);
}

/** § 27 Abs. 2 Nr. 3 WoGG: more than 15 %. */
export const WOHNGELD_CHANGE_THRESHOLD_PERCENT = 15;

export interface WohngeldIncomeChange {
  /** Percent change of the monthly total income, two decimals (Infinity when it was 0 before and is not now). */
  changePercent: number;
  /** True when the income rose by more than 15 %: the notice has to be recalculated. */
  significant: boolean;
}

/** Compares the monthly total income Y the notice rests on with the reported one. */
export function wohngeldIncomeChange(previousMonthlyIncome: number, reportedMonthlyIncome: number): WohngeldIncomeChange {
  const before = dec(previousMonthlyIncome);
  const after = dec(reportedMonthlyIncome);
  if (before.isZero()) {
    return after.isZero() ? { changePercent: 0, significant: false } : { changePercent: Number.POSITIVE_INFINITY, significant: true };
  }
  const percent = after.minus(before).dividedBy(before).times(100);
  return { changePercent: percent.toDecimalPlaces(2).toNumber(), significant: percent.greaterThan(WOHNGELD_CHANGE_THRESHOLD_PERCENT) };
}
