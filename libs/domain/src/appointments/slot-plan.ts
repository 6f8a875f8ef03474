/**
 * Turning an admin's "publish capacity from … to …" into slots: only inside the office's opening
 * hours (Berlin wall-clock time), never overlapping a closure (public holidays, office closures),
 * on a grid anchored at each opening time. Pure TypeScript (no Intl, see berlin-time.ts), safe in
 * workflows and unit-testable without a database.
 */
import { berlinOffsetMinutes, berlinParts } from '../berlin-time';

export const WEEKDAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type WeekdayKey = (typeof WEEKDAY_KEYS)[number];

/** `{"mon": [["08:00","16:00"]], "thu": [["11:00","18:00"]]}` — days without an entry are closed. */
export type OpeningHours = Partial<Record<WeekdayKey, ReadonlyArray<readonly [string, string]>>>;

export interface Closure {
  startsAt: Date;
  endsAt: Date;
}

export interface PlannedSlot {
  start: Date;
  end: Date;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

function minutesOf(hhmm: string): number {
  const m = HHMM.exec(hhmm);
  if (!m) throw new RangeError(`not a time of day (HH:MM): ${JSON.stringify(hhmm)}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Problems with an opening-hours object (empty = fine): unknown days, bad times, open ≥ close, overlaps. */
export function openingHoursProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['opening hours must be an object keyed by weekday (mon … sun)'];
  const problems: string[] = [];
  for (const [day, intervals] of Object.entries(value as Record<string, unknown>)) {
    if (!(WEEKDAY_KEYS as readonly string[]).includes(day)) {
      problems.push(`${day}: not a weekday key (${WEEKDAY_KEYS.join(', ')})`);
      continue;
    }
    if (!Array.isArray(intervals)) {
      problems.push(`${day}: must be a list of ["HH:MM","HH:MM"] intervals`);
      continue;
    }
    const spans: Array<[number, number]> = [];
    for (const iv of intervals as unknown[]) {
      if (!Array.isArray(iv) || iv.length !== 2 || !iv.every((t) => typeof t === 'string' && HHMM.test(t))) {
        problems.push(`${day}: ${JSON.stringify(iv)} is not an ["HH:MM","HH:MM"] interval`);
        continue;
      }
      const [a, b] = [minutesOf(iv[0] as string), minutesOf(iv[1] as string)];
      if (a >= b) problems.push(`${day}: ${iv[0]}–${iv[1]} opens after it closes`);
      else spans.push([a, b]);
    }
    spans.sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < spans.length; i++) if (spans[i]![0] < spans[i - 1]![1]) problems.push(`${day}: intervals overlap`);
  }
  return problems;
}

/**
 * The instant at which Berlin clocks show that wall-clock time. Times inside the spring-forward
 * gap (02:00–03:00 on the last Sunday of March) map to the hour after; offices are closed then.
 */
export function berlinWallTimeToUtc(year: number, month: number, day: number, hour: number, minute: number): Date {
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  const guess = asUtc - berlinOffsetMinutes(new Date(asUtc - 3_600_000)) * 60_000;
  return new Date(asUtc - berlinOffsetMinutes(new Date(guess)) * 60_000);
}

/** ISO 8601 with the Berlin offset, e.g. `2026-12-01T09:00:00+01:00` (API.md: times with offset, zone Europe/Berlin). */
export function toBerlinIso(at: Date): string {
  const offset = berlinOffsetMinutes(at);
  const local = new Date(at.getTime() + offset * 60_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return (
    `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

export class TooManySlotsError extends RangeError {
  constructor(readonly limit: number) {
    super(`more than ${limit} slots in one request`);
    this.name = 'TooManySlotsError';
  }
}

export interface PlanSlotsInput {
  openingHours: OpeningHours;
  closures: readonly Closure[];
  /** The admin's range: slots start at or after `from` and end at or before `to`. */
  from: Date;
  to: Date;
  slotMinutes: number;
  /** Slots starting before this instant are left out (typically now). */
  notBefore?: Date;
  /** Throws TooManySlotsError beyond this many (protects the database from a runaway request). */
  maxSlots?: number;
}

/**
 * The slots of [from, to) that lie fully inside an opening interval of their Berlin day and do not
 * overlap any closure, in start order. Within each opening interval the grid starts at the
 * opening time (08:00, 08:10, … for 10-minute slots), so every publication of the same office
 * lines up and a re-publication of a range hits the same starts (idempotent inserts).
 */
export function planSlots(input: PlanSlotsInput): PlannedSlot[] {
  const len = input.slotMinutes * 60_000;
  if (!Number.isInteger(input.slotMinutes) || input.slotMinutes <= 0) throw new RangeError('slotMinutes must be a positive integer');
  const from = input.from.getTime();
  const to = input.to.getTime();
  const notBefore = input.notBefore?.getTime() ?? -Infinity;
  const max = input.maxSlots ?? Infinity;
  const closures = input.closures.map((c) => [c.startsAt.getTime(), c.endsAt.getTime()] as const);
  const out: PlannedSlot[] = [];
  if (to <= from) return out;

  const first = berlinParts(input.from);
  const last = berlinParts(new Date(to - 1));
  const lastDay = Date.UTC(last.year, last.month - 1, last.day);
  for (let d = Date.UTC(first.year, first.month - 1, first.day); d <= lastDay; d += 86_400_000) {
    const date = new Date(d);
    const [y, m, day] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    const intervals = input.openingHours[WEEKDAY_KEYS[date.getUTCDay()]!] ?? [];
    for (const [open, close] of intervals) {
      const o = minutesOf(open);
      const c = minutesOf(close);
      const openAt = berlinWallTimeToUtc(y, m, day, Math.floor(o / 60), o % 60).getTime();
      const closeAt = berlinWallTimeToUtc(y, m, day, Math.floor(c / 60), c % 60).getTime();
      let cursor = openAt;
      if (from > cursor) cursor += Math.ceil((from - cursor) / len) * len;
      const until = Math.min(closeAt, to);
      for (; cursor + len <= until; cursor += len) {
        if (cursor < notBefore) continue;
        const end = cursor + len;
        if (closures.some(([cs, ce]) => cursor < ce && end > cs)) continue;
        if (out.length >= max) throw new TooManySlotsError(max);
        out.push({ start: new Date(cursor), end: new Date(end) });
      }
    }
  }
  return out;
}
