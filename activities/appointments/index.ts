import { ApplicationFailure, log } from '@temporalio/activity';
import { extendHold, findAppointment, holdSlot, releaseAppointment, rescheduleAppointment, transitionAppointment } from '../../libs/db/src/appointments/booking';
import type { FreedSlot, TransitionInput } from '../../libs/db/src/appointments/booking';
import type { ActiveAppointmentStatus, AppointmentStatus } from '../../libs/domain/src/appointments/status';
import { DomainError } from '../../libs/domain/src/errors';
import { sendMailOnce } from '../../libs/mail/src/send-mail';
import { mailFailure } from '../mail-failure';
import { publishSlotNow } from '../../libs/db/src/appointments/alarms';
import { offerSeatToQueue } from '../alarms';
import type { ActivityDeps } from '../deps';
import type { NotificationResult } from '../notify';
import { appointmentLinks, appointmentMail, appointmentMessageId } from './mails';
import type { AppointmentMailKind } from './mails';

export type { AppointmentMailKind } from './mails';
export { APPOINTMENT_MAIL_KINDS, appointmentMessageId } from './mails';

/**
 * Activities of the appointment workflow (workflows/appointment). Every seat change goes through
 * libs/db/src/appointments/booking.ts, each in one transaction with its status change and
 * idempotent, so Temporal may retry any of them. Business rejections become non-retryable
 * ApplicationFailures whose `type` is the DomainErrorCode (the API maps them to HTTP).
 * Dates cross the activity boundary as ISO 8601 strings.
 */
export interface HoldSlotInput {
  appointmentId: string;
  workflowId: string;
  slotId: string;
  serviceId: string;
  email: string;
  name: string;
  tokenHash: string;
  /** Proposed end of the hold (the workflow's now + APPOINTMENT_HOLD); stored capped at the slot start. */
  holdExpiresAt: string;
}

export interface HeldSlot {
  appointmentId: string;
  slotId: string;
  officeId: string;
  serviceId: string;
  start: string;
  end: string;
  status: AppointmentStatus;
  /** Null when the appointment is no longer reserved (a retry after the workflow moved on). */
  holdExpiresAt: string | null;
  /** False when an earlier attempt had held the seat already. */
  created: boolean;
}

/** `swapped`: a Terminalarm "earlier slot" offer was accepted and the old appointment gave its seat back. */
export type SlotFreedReason = 'cancelled' | 'expired' | 'rescheduled' | 'swapped';

/** A seat given back: the event the Terminalarm matches on (see onSlotFreed). */
export interface FreedSlotEvent {
  slotId: string;
  officeId: string;
  start: string;
  end: string;
  serviceIds: string[];
  /** When the public may book the seat (null: already public, the slot had other free seats). */
  publicAt: string | null;
  /** True when the seat is withheld from the public until publicAt (only the alarm queue may take it). */
  withheld: boolean;
  reason: SlotFreedReason;
  /** The appointment that gave the seat back. */
  appointmentId: string;
}

export interface ReleaseSlotInput {
  appointmentId: string;
  from: ActiveAppointmentStatus[];
  to: 'cancelled' | 'expired';
}

export interface ReleaseSlotResult {
  changed: boolean;
  status: AppointmentStatus;
  freed: FreedSlotEvent | null;
}

export interface RescheduleSlotInput {
  appointmentId: string;
  newSlotId: string;
}

export interface RescheduleSlotResult {
  changed: boolean;
  status: AppointmentStatus;
  slot: { slotId: string; officeId: string; start: string; end: string };
  holdExpiresAt: string | null;
  freed: FreedSlotEvent | null;
}

export type TransitionAppointmentInput = TransitionInput;

export interface AppointmentMailInput {
  appointmentId: string;
  kind: AppointmentMailKind;
  /** Reschedule generation (0 = the original slot): reminder and rescheduled mails exist once per slot. */
  generation: number;
  /** The link token, for mails with links; never logged or stored. */
  token?: string;
}

/** What onSlotFreed did with a freed seat. */
export interface SlotRouting {
  slotId: string;
  /** `public`: left to become public at publicAt. `alarm`: offered to a Terminalarm (issue 4, item 3). */
  route: 'public' | 'alarm';
  publicAt: string | null;
}

function asFailure(e: unknown): unknown {
  if (e instanceof DomainError) {
    return ApplicationFailure.create({
      type: e.code,
      message: e.message,
      nonRetryable: true,
      details: [{ ...(e.details?.reason && { reason: e.details.reason }), ...(e.details?.errors && { errors: e.details.errors }) }],
    });
  }
  return e; // technical: retried
}

function freedEvent(f: FreedSlot, reason: SlotFreedReason, appointmentId: string): FreedSlotEvent {
  return {
    slotId: f.slotId,
    officeId: f.officeId,
    start: f.start.toISOString(),
    end: f.end.toISOString(),
    serviceIds: f.serviceIds,
    publicAt: f.publicAt ? f.publicAt.toISOString() : null,
    withheld: f.withheld,
    reason,
    appointmentId,
  };
}

export function createAppointmentActivities(deps: ActivityDeps) {
  const c = deps.config;
  return {
    /** Holds a public seat for a new `reserved` appointment (libs/db holdSlot). CONFLICT / INVALID are final. */
    async holdAppointmentSlot(input: HoldSlotInput): Promise<HeldSlot> {
      try {
        const { appointment: a, created } = await holdSlot(deps.pool, {
          ...input,
          holdExpiresAt: new Date(input.holdExpiresAt),
          horizon: c.APPOINTMENT_BOOKING_HORIZON,
          perEmailLimit: c.APPOINTMENTS_PER_EMAIL_LIMIT,
        });
        log.info('appointment slot held', { appointmentId: a.appointmentId, slotId: a.slotId, created });
        return {
          appointmentId: a.appointmentId,
          slotId: a.slotId,
          officeId: a.officeId,
          serviceId: a.serviceId,
          start: a.start.toISOString(),
          end: a.end.toISOString(),
          status: a.status,
          holdExpiresAt: a.holdExpiresAt ? a.holdExpiresAt.toISOString() : null,
          created,
        };
      } catch (e) {
        throw asFailure(e);
      }
    },

    /** Moves the hold end later (the confirmation mail went out late); returns the stored value. */
    async extendAppointmentHold(input: { appointmentId: string; holdExpiresAt: string }): Promise<{ holdExpiresAt: string | null }> {
      const at = await extendHold(deps.pool, input.appointmentId, new Date(input.holdExpiresAt));
      return { holdExpiresAt: at ? at.toISOString() : null };
    },

    /** confirmed / completed / missed, guarded by `from` (idempotent). */
    async transitionAppointment(input: TransitionAppointmentInput): Promise<{ changed: boolean; status: AppointmentStatus }> {
      try {
        const r = await transitionAppointment(deps.pool, input);
        log.info('appointment status', { appointmentId: input.appointmentId, status: r.status, changed: r.changed });
        return r;
      } catch (e) {
        throw asFailure(e);
      }
    },

    /**
     * cancelled / expired and the seat back, exactly once. The seat of a full slot is withheld for
     * SLOT_RELEASE_BLOCK (the Terminalarm's window); pass `freed` to onSlotFreed.
     */
    async releaseAppointmentSlot(input: ReleaseSlotInput): Promise<ReleaseSlotResult> {
      try {
        const r = await releaseAppointment(deps.pool, { ...input, block: c.SLOT_RELEASE_BLOCK });
        log.info('appointment released', { appointmentId: input.appointmentId, status: r.status, changed: r.changed, withheld: r.freed?.withheld ?? null });
        return { changed: r.changed, status: r.status, freed: r.freed ? freedEvent(r.freed, input.to, input.appointmentId) : null };
      } catch (e) {
        throw asFailure(e);
      }
    },

    /** Moves the appointment to another slot: new seat first, old seat back, atomically. CONFLICT slot_taken is final. */
    async rescheduleAppointmentSlot(input: RescheduleSlotInput): Promise<RescheduleSlotResult> {
      try {
        const r = await rescheduleAppointment(deps.pool, { ...input, horizon: c.APPOINTMENT_BOOKING_HORIZON, block: c.SLOT_RELEASE_BLOCK });
        const a = r.appointment;
        log.info('appointment rescheduled', { appointmentId: a.appointmentId, slotId: a.slotId, changed: r.changed });
        return {
          changed: r.changed,
          status: a.status,
          slot: { slotId: a.slotId, officeId: a.officeId, start: a.start.toISOString(), end: a.end.toISOString() },
          holdExpiresAt: a.holdExpiresAt ? a.holdExpiresAt.toISOString() : null,
          freed: r.freed ? freedEvent(r.freed, 'rescheduled', a.appointmentId) : null,
        };
      } catch (e) {
        throw asFailure(e);
      }
    },

    /**
     * THE ALARM SEAM (docs/appointments.md). Called once per freed seat, right after it was given
     * back: the longest-waiting matching alarm gets the seat held for it (libs/db alarms.ts
     * matchSlot, one transaction, no public_at condition) and its workflow an offer signal; route
     * `alarm`. Nobody matches: an expired hold's seat is published at once (it was never anybody's
     * to trade), a cancelled one keeps its anti-trading block. Idempotent per (slotId,
     * appointmentId, reason) through the offer's source key.
     */
    async onSlotFreed(input: FreedSlotEvent): Promise<SlotRouting> {
      const offer = await offerSeatToQueue(deps.pool, c.ALARM_OFFER_HOLD, input.slotId, `freed:${input.slotId}:${input.appointmentId}:${input.reason}`);
      if (offer) {
        log.info('slot freed: offered to alarm', { slotId: input.slotId, offerId: offer.offerId, reason: input.reason });
        return { slotId: input.slotId, route: 'alarm', publicAt: input.publicAt };
      }
      if (input.reason === 'expired' && input.withheld) {
        await publishSlotNow(deps.pool, input.slotId);
        log.info('slot freed: public at once', { slotId: input.slotId, reason: input.reason });
        return { slotId: input.slotId, route: 'public', publicAt: null };
      }
      log.info('slot freed', { slotId: input.slotId, officeId: input.officeId, reason: input.reason, withheld: input.withheld, publicAt: input.publicAt });
      return { slotId: input.slotId, route: 'public', publicAt: input.publicAt };
    },

    /** One appointment mail, once per Message-ID (appointmentMessageId). Facts from PostgreSQL; the token only from the workflow. */
    async sendAppointmentMail(input: AppointmentMailInput): Promise<NotificationResult> {
      const a = await findAppointment(deps.pool, input.appointmentId);
      if (!a) throw ApplicationFailure.create({ type: 'NOT_FOUND', message: `appointment ${input.appointmentId} not found`, nonRetryable: true });
      const facts = await deps.pool.query<{ office_name: string; address: string; service_name: string }>(
        `SELECT o.name AS office_name, o.address, s.name AS service_name
           FROM offices o, services s WHERE o.id = $1 AND s.id = $2`,
        [a.officeId, a.serviceId],
      );
      const f = facts.rows[0];
      if (!f) throw new Error(`office ${a.officeId} or service ${a.serviceId} missing`);
      const mail = appointmentMail({
        kind: input.kind,
        name: a.name,
        serviceName: f.service_name,
        officeName: f.office_name,
        officeAddress: f.address,
        start: a.start,
        holdExpiresAt: a.holdExpiresAt,
        needsConfirmation: a.status === 'reserved',
        links: input.token ? appointmentLinks(c.PUBLIC_BASE_URL, a.appointmentId, input.token) : undefined,
      });
      const messageId = appointmentMessageId(a.appointmentId, input.kind, input.generation);
      try {
        const result = await sendMailOnce({ transport: deps.mail.transport, pool: deps.pool, from: deps.mail.from }, { messageId, to: a.email, ...mail });
        log.info('appointment mail', { messageId: result.messageId, status: result.status, attempts: result.attempts });
        return result;
      } catch (e) {
        throw mailFailure(e);
      }
    },
  };
}

export type AppointmentActivities = ReturnType<typeof createAppointmentActivities>;
