/**
 * ISO 8601 durations (`P3D`, `PT15M`, `P1M`) as operators and process authors write them, turned
 * into points in time. Pure TypeScript, safe in workflows (which pass their deterministic
 * `new Date()` as the start).
 */
const ISO_DURATION = /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

export interface IsoDurationParts {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

export function isIsoDuration(value: unknown): value is string {
  return typeof value === 'string' && ISO_DURATION.test(value);
}

export function parseIsoDuration(duration: string): IsoDurationParts {
  const m = ISO_DURATION.exec(duration);
  if (!m) throw new RangeError(`not an ISO 8601 duration: ${JSON.stringify(duration)} (e.g. P3D, PT12H)`);
  const n = (i: number) => (m[i] === undefined ? 0 : Number(m[i]));
  return { years: n(1), months: n(2), weeks: n(3), days: n(4), hours: n(5), minutes: n(6), seconds: n(7) };
}

/**
 * `from` plus the duration. Years and months are calendar months (UTC), clamped to the month's last
 * day (31 Jan + P1M = 28/29 Feb); weeks, days and the time part are fixed lengths (P1D = 24 h).
 * A number is taken as milliseconds.
 */
export function addDuration(from: Date, duration: string | number): Date {
  if (typeof duration === 'number') {
    if (!Number.isFinite(duration) || duration < 0) throw new RangeError(`not a duration in milliseconds: ${duration}`);
    return new Date(from.getTime() + duration);
  }
  const p = parseIsoDuration(duration);
  let t = from.getTime();
  if (p.years || p.months) {
    const d = new Date(t);
    const totalMonths = d.getUTCMonth() + p.months + 12 * p.years;
    const year = d.getUTCFullYear() + Math.floor(totalMonths / 12);
    const month = totalMonths % 12;
    const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    t = Date.UTC(year, month, Math.min(d.getUTCDate(), lastDay), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
  }
  t += ((p.weeks * 7 + p.days) * 24 * 3600 + p.hours * 3600 + p.minutes * 60 + p.seconds) * 1000;
  return new Date(t);
}
