/**
 * Contract of the Terminalarm workflow (docs/appointments.md "Terminalarm"): one workflow per
 * alarm, id `alarm-<uuid>` (the alarm id), on TASK_QUEUES.appointments. The API, the matcher and
 * the workflow share these definitions; nothing here does I/O.
 *
 * Token split as for appointments: the API authenticates the link token against alarms.token_hash
 * (404 otherwise); every citizen Update carries `tokenHash`, which the validators compare with the
 * hash the workflow was started with. The token itself is only in the (encrypted) input, for links.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AlarmStatus } from '../../libs/domain/src/appointments/alarm';
import { TASK_QUEUES } from '../../libs/domain/src/task-queues';

export const ALARM_WORKFLOW_TYPE = 'appointmentAlarm';
export const ALARM_TASK_QUEUE = TASK_QUEUES.appointments;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `alarm-<uuid>` (no personal data). */
export function alarmWorkflowId(alarmId: string): string {
  if (!UUID.test(alarmId)) throw new Error('alarmWorkflowId expects a UUID');
  return `alarm-${alarmId.toLowerCase()}`;
}

export interface AlarmTiming {
  /** ALARM_LIFETIME: an extension moves the expiry to now + this. */
  lifetime: string;
  /** How long before the expiry the "extend by link" mail goes out. */
  expiryWarning: string;
  /** APPOINTMENT_REMINDER_LEAD etc. for the appointment an accepted offer starts. */
  appointment: { hold: string; confirmWindow: string; reminderLead: string };
}

export interface AlarmWorkflowInput {
  alarmId: string;
  serviceId: string;
  /** ISO 8601, as stored (alarms.expires_at). */
  expiresAt: string;
  /** Personal data (encrypted payload): for the appointment an accepted offer starts. */
  email: string;
  /** Personal data (encrypted payload). */
  name: string;
  /** The link token, for the mails' links only. */
  token: string;
  tokenHash: string;
  timing: AlarmTiming;
}

/** An offer made by the matcher (the seat is already held for the alarm). */
export interface OfferNotice {
  offerId: string;
  slotId: string;
  officeId: string;
  start: string;
  end: string;
  /** ISO 8601: the offer lapses then (created + ALARM_OFFER_HOLD). */
  expiresAt: string;
}

export interface TokenProof {
  tokenHash: string;
}
export interface OfferDecision extends TokenProof {
  offerId: string;
}

export interface AcceptResult {
  appointmentId: string;
  status: 'confirmed';
}

/** The matcher tells the alarm it holds a seat for it. Duplicates (same offerId) are ignored. */
export const offerSignal = defineSignal<[OfferNotice]>('offer');
/**
 * The offered slot's office is closed that day (POST /admin/offices/{id}/closures): PostgreSQL has
 * lapsed the offer and the alarm waits again in its old place. The workflow drops the offer (if it
 * is the one it holds) and mails the citizen that it was withdrawn.
 */
export const offerWithdrawnSignal = defineSignal<[{ offerId: string }]>('offerWithdrawn');
/** Accept the open offer: confirmed appointment at once. NOT_FOUND (token/offer), GONE (lapsed). */
export const acceptOfferUpdate = defineUpdate<AcceptResult, [OfferDecision]>('acceptOffer');
/** Decline the open offer: the seat goes to the next matching alarm; this alarm keeps waiting. */
export const declineOfferUpdate = defineUpdate<{ status: 'active' }, [OfferDecision]>('declineOffer');
/** The citizen ends the alarm (an open offer is declined first). */
export const cancelAlarmUpdate = defineUpdate<{ status: 'cancelled' }, [TokenProof]>('cancelAlarm');
/** The citizen extends the alarm (link in the expiry mail): expiry = now + lifetime. */
export const extendAlarmUpdate = defineUpdate<{ expiresAt: string }, [TokenProof]>('extendAlarm');

export interface AlarmView {
  alarmId: string;
  status: AlarmStatus;
  expiresAt: string;
  offer: OfferNotice | null;
  appointmentId: string | null;
}
export const alarmStateQuery = defineQuery<AlarmView>('alarmState');

export interface AlarmWorkflowResult {
  alarmId: string;
  status: AlarmStatus;
  appointmentId?: string;
}
