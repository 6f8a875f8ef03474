// An office closed on a day (POST /admin/offices/{id}/closures; docs/appointments.md "Closures"):
// one transaction records the closure (so no new slots are planned that day), cancels the day's
// appointments that have not started, withdraws the open Terminalarm offers of the day's slots
// (their alarms wait again, in their old place) and takes every seat of the day off the market.
import type { Pool } from 'pg';
import { DomainError } from '../../../domain/src/errors';
import { withTransaction } from '../cases/tx';

export interface CloseOfficeDayInput {
  officeId: string;
  /** Berlin calendar date, YYYY-MM-DD. */
  date: string;
  reason: string;
}

export interface CloseOfficeDayResult {
  /** false: the day was closed before (a repeat; the lists below are the same as the first time). */
  recorded: boolean;
  /** Cancelled with reason office_closed, for their workflows' officeClosed signal. */
  cancelled: Array<{ appointmentId: string; workflowId: string }>;
  /** Offers withdrawn (lapsed), for their alarms' offerWithdrawn signal. */
  withdrawn: Array<{ offerId: string; alarmId: string; workflowId: string }>;
}

const DAY = `($2::date::timestamp AT TIME ZONE 'Europe/Berlin')`;
const NEXT_DAY = `(($2::date + 1)::timestamp AT TIME ZONE 'Europe/Berlin')`;

/**
 * Idempotent: a repeat records nothing new and returns every appointment and offer the closure
 * affected, so a caller that died before it told the workflows can simply try again.
 */
export async function closeOfficeDay(pool: Pool, input: CloseOfficeDayInput): Promise<CloseOfficeDayResult> {
  return withTransaction(pool, async (tx) => {
    // serialises closures (and their repeats) of one office
    const office = await tx.query('SELECT id FROM offices WHERE id = $1 FOR UPDATE', [input.officeId]);
    if (office.rowCount !== 1) throw new DomainError('NOT_FOUND', 'This office does not exist.');
    const ins = await tx.query(
      `INSERT INTO office_closures (office_id, starts_at, ends_at, reason) VALUES ($1, ${DAY}, ${NEXT_DAY}, $3)
       ON CONFLICT (office_id, starts_at, ends_at) WHERE office_id IS NOT NULL DO NOTHING RETURNING id`,
      [input.officeId, input.date, input.reason],
    );
    // the day's slots that have not started, locked in id order like every seat change
    const slots = await tx.query<{ id: string }>(
      `SELECT id FROM slots WHERE office_id = $1 AND starts_at >= ${DAY} AND starts_at < ${NEXT_DAY} AND starts_at > now() ORDER BY id FOR UPDATE`,
      [input.officeId, input.date],
    );
    const slotIds = slots.rows.map((r) => r.id);
    await tx.query(
      `UPDATE appointments SET status = 'cancelled', cancel_reason = 'office_closed', hold_expires_at = NULL, cancelled_at = now(), updated_at = now()
        WHERE slot_id = ANY ($1::uuid[]) AND status IN ('reserved', 'confirmed')`,
      [slotIds],
    );
    const cancelled = await tx.query<{ id: string; workflow_id: string }>(
      `SELECT id, workflow_id FROM appointments WHERE slot_id = ANY ($1::uuid[]) AND status = 'cancelled' AND cancel_reason = 'office_closed' ORDER BY id`,
      [slotIds],
    );
    const cancelledIds = cancelled.rows.map((r) => r.id);
    // "earlier slot" alarms of those appointments: the citizen has no appointment any more, so any
    // matching slot is earlier — the alarm keeps its place in the queue and now takes every match
    await tx.query(`UPDATE alarms SET current_appointment_id = NULL, updated_at = now() WHERE current_appointment_id = ANY ($1::uuid[]) AND status IN ('active', 'offered')`, [cancelledIds]);
    const lapsed = await tx.query<{ alarm_id: string }>(
      `UPDATE alarm_offers SET status = 'lapsed', resolved_at = now() WHERE slot_id = ANY ($1::uuid[]) AND status = 'open' RETURNING alarm_id`,
      [slotIds],
    );
    // their alarms wait again with their old created_at, i.e. their old place in the queue
    await tx.query(`UPDATE alarms SET status = 'active', updated_at = now() WHERE id = ANY ($1::uuid[]) AND status = 'offered'`, [lapsed.rows.map((r) => r.alarm_id)]);
    const withdrawn = await tx.query<{ id: string; alarm_id: string; workflow_id: string }>(
      `SELECT o.id, o.alarm_id, a.workflow_id FROM alarm_offers o JOIN alarms a ON a.id = o.alarm_id WHERE o.slot_id = ANY ($1::uuid[]) AND o.status = 'lapsed' ORDER BY o.id`,
      [slotIds],
    );
    // every holder of these seats is gone: nobody may take one again (public, queue, reschedule)
    await tx.query('UPDATE slots SET booked = 0, capacity = 0 WHERE id = ANY ($1::uuid[])', [slotIds]);
    return {
      recorded: ins.rowCount === 1,
      cancelled: cancelled.rows.map((r) => ({ appointmentId: r.id, workflowId: r.workflow_id })),
      withdrawn: withdrawn.rows.map((r) => ({ offerId: r.id, alarmId: r.alarm_id, workflowId: r.workflow_id })),
    };
  });
}
