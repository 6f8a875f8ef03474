// Figures for the 14-day goal (API.md "Office administration", GET /admin/kpi/appointments).
import type { Pool } from 'pg';

export interface AppointmentKpi {
  /** Bookings (appointments that became confirmed) made in [from, to). */
  bookings: number;
  /** Share of those whose appointment starts within 14 days of the booking; null without bookings. */
  withinDays14Share: number | null;
  /** Average days from booking to appointment; null without bookings. */
  averageWaitDays: number | null;
  /** missed / (missed + attended) of appointments in [from, to) with a record; null without records. */
  noShowShare: number | null;
  /** Alarms waiting or holding an offer now. */
  alarmsActive: number;
  /** Alarms served (booked) in [from, to). */
  alarmsServed: number;
  /** Median hours from creation to being served, of the alarms served in [from, to); null without any. */
  medianAlarmWaitHours: number | null;
}

const round = (v: number | string | null, digits = 4): number | null => (v === null ? null : Math.round(Number(v) * 10 ** digits) / 10 ** digits);

export async function appointmentKpi(pool: Pool, from: Date, to: Date): Promise<AppointmentKpi> {
  const r = await pool.query<{
    bookings: number;
    within14: string | null;
    avg_wait_days: string | null;
    no_show: string | null;
    alarms_active: number;
    alarms_served: number;
    median_wait_hours: string | null;
  }>(
    `SELECT b.bookings, b.within14, b.avg_wait_days, n.no_show, aa.alarms_active, s.alarms_served, s.median_wait_hours
       FROM (SELECT count(*)::int AS bookings,
                    avg(CASE WHEN starts_at - booked_at <= interval '14 days' THEN 1.0 ELSE 0.0 END) AS within14,
                    avg(extract(epoch FROM starts_at - booked_at) / 86400.0) AS avg_wait_days
               FROM appointments WHERE booked_at >= $1 AND booked_at < $2) b,
            (SELECT avg(CASE WHEN attended THEN 0.0 ELSE 1.0 END) AS no_show
               FROM appointments WHERE starts_at >= $1 AND starts_at < $2 AND attended IS NOT NULL) n,
            (SELECT count(*)::int AS alarms_active FROM alarms WHERE status IN ('active', 'offered')) aa,
            (SELECT count(*)::int AS alarms_served,
                    percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM served_at - created_at) / 3600.0) AS median_wait_hours
               FROM alarms WHERE served_at >= $1 AND served_at < $2) s`,
    [from, to],
  );
  const row = r.rows[0]!;
  return {
    bookings: row.bookings,
    withinDays14Share: round(row.within14),
    averageWaitDays: round(row.avg_wait_days, 2),
    noShowShare: round(row.no_show),
    alarmsActive: row.alarms_active,
    alarmsServed: row.alarms_served,
    medianAlarmWaitHours: round(row.median_wait_hours, 2),
  };
}
