/**
 * Contract of the appointment workflow (DESIGN.md "Appointment"): one workflow per booking, id
 * `appointment-<uuid>` where the uuid is the appointment id, on TASK_QUEUES.appointments. The API
 * and the workflow share these definitions; nothing here does I/O.
 *
 * Who checks the link token (the clean split):
 * - The API authenticates: it loads the appointment from PostgreSQL and compares sha256(token)
 *   with token_hash in constant time; wrong or missing → 404 before Temporal is contacted.
 * - The workflow authorises the state change: every citizen Update carries `tokenHash` (never the
 *   token), and its validator compares it with the hash the workflow was started with (NOT_FOUND
 *   otherwise) — so an Update that did not come through the API's check changes nothing either.
 * - The token itself is in the workflow input only (encrypted like every payload), because the
 *   workflow's mails carry the links; it is never stored in PostgreSQL, never logged.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AppointmentStatus } from '../../libs/domain/src/appointments/status';
import { TASK_QUEUES } from '../../libs/domain/src/task-queues';

export const APPOINTMENT_WORKFLOW_TYPE = 'appointmentWorkflow';
export const APPOINTMENT_TASK_QUEUE = TASK_QUEUES.appointments;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `appointment-<uuid>` (the appointment id; no personal data, libs/temporal/src/pii-guard.ts). */
export function appointmentWorkflowId(appointmentId: string): string {
  if (!UUID.test(appointmentId)) throw new Error('appointmentWorkflowId expects a UUID');
  return `appointment-${appointmentId.toLowerCase()}`;
}

/** The process's durations, ISO 8601 (from APPOINTMENT_* configuration; the API passes them at start). */
export interface AppointmentTiming {
  /** APPOINTMENT_HOLD: how long an unconfirmed booking holds its seat. */
  hold: string;
  /** APPOINTMENT_CONFIRM_WINDOW: the least time to confirm after the confirmation mail went out. */
  confirmWindow: string;
  /** APPOINTMENT_REMINDER_LEAD: reminder this long before the start. */
  reminderLead: string;
}

export interface AppointmentWorkflowInput {
  appointmentId: string;
  slotId: string;
  serviceId: string;
  /** Personal data (encrypted payload). */
  email: string;
  /** Personal data (encrypted payload). */
  name: string;
  /** The link token, for the mails' links only. */
  token: string;
  /** sha256 hex of the token: what the Update validators compare. */
  tokenHash: string;
  timing: AppointmentTiming;
  /**
   * Confirmed-at-once mode (a Terminalarm offer was accepted): the appointment row exists already,
   * `confirmed`, on this slot (libs/db/src/appointments/alarms.ts acceptOffer). The workflow skips
   * hold and confirmation mail, mails `confirmed` and continues with reminder and attendance.
   */
  preconfirmed?: { slotId: string; officeId: string; start: string; end: string };
}

/** The answer of holdUpdate (update-with-start): the held slot. */
export interface HoldResult {
  appointmentId: string;
  status: 'reserved';
  /** ISO 8601: the seat is released unless confirmed by then (may be extended when the mail is late). */
  holdExpiresAt: string;
  slotId: string;
  officeId: string;
  serviceId: string;
  start: string;
  end: string;
}

export interface TokenProof {
  /** sha256 hex of the link token (the API has checked the token itself against PostgreSQL). */
  tokenHash: string;
}

export interface RescheduleInput extends TokenProof {
  slotId: string;
}

export interface RescheduleResult {
  appointmentId: string;
  status: 'reserved' | 'confirmed';
  slotId: string;
  officeId: string;
  start: string;
  end: string;
}

export interface AttendanceInput {
  attended: boolean;
  /** The admin or caseworker recording it (the API has checked role and office). */
  by: { sub: string; roles: readonly string[] };
}

export interface AttendanceResult {
  status: 'completed' | 'missed';
  attended: boolean;
}

/**
 * Update-with-start: answers once the seat is held (or rejects with ApplicationFailure type
 * CONFLICT reason slot_taken / email_limit_reached, INVALID for an unusable slot, UNAVAILABLE
 * when the database could not be reached — the workflow then ends). Idempotent: the same answer
 * for a repeated call.
 */
export const holdUpdate = defineUpdate<HoldResult>('hold');
/** reserved → confirmed. Validator: NOT_FOUND (token), GONE hold_expired, CONFLICT otherwise. Idempotent. */
export const confirmUpdate = defineUpdate<{ status: 'confirmed' }, [TokenProof]>('confirm');
/** reserved|confirmed → cancelled, seat back through the alarm seam. CONFLICT after the start. Idempotent. */
export const cancelUpdate = defineUpdate<{ status: 'cancelled' }, [TokenProof]>('cancel');
/** To another slot: the new seat first, then the old one back (atomically). CONFLICT slot_taken. */
export const rescheduleUpdate = defineUpdate<RescheduleResult, [RescheduleInput]>('reschedule');
/** Admin: confirmed → completed (attended) / missed, from the appointment's Berlin day on. */
export const attendanceUpdate = defineUpdate<AttendanceResult, [AttendanceInput]>('attendance');

/**
 * A Terminalarm "earlier slot" offer was accepted: PostgreSQL has already cancelled this appointment
 * (cancel_reason `swapped`) and given its seat back, in the accept's transaction; the alarm workflow
 * routes the seat (onSlotFreed). This workflow only ends: no cancellation mail (the new
 * appointment's `confirmed` mail tells the citizen).
 */
export const swappedSignal = defineSignal<[{ byAppointmentId: string }]>('swapped');

/**
 * The office is closed on the appointment's day (POST /admin/offices/{id}/closures): PostgreSQL has
 * cancelled the appointment (cancel_reason office_closed) and taken the day's seats off the market.
 * The workflow confirms that, mails the citizen why (`closed`), and ends.
 */
export const officeClosedSignal = defineSignal<[]>('officeClosed');

/** Where the process stands (operators, tests). `holding`: the hold activity runs; `rejected`: it failed. */
export type AppointmentPhase = AppointmentStatus | 'holding' | 'rejected';

export interface AppointmentView {
  appointmentId: string;
  phase: AppointmentPhase;
  slotId: string | null;
  start: string | null;
  holdExpiresAt: string | null;
  /** Reschedules so far. */
  generation: number;
  reminderSent: boolean;
}
export const appointmentStateQuery = defineQuery<AppointmentView>('appointmentState');

export interface AppointmentWorkflowResult {
  appointmentId: string;
  status: AppointmentStatus | 'rejected';
  /** For `rejected`: the failure type (CONFLICT, INVALID, UNAVAILABLE). */
  reason?: string;
}
