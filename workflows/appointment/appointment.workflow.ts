/**
 * The appointment (Termin) as a durable process — DESIGN.md "Appointment", docs/appointments.md.
 *
 *   holding ──hold ok──▶ reserved ──confirm──▶ confirmed ──(reminder at start − lead)──▶ … ──attendance──▶ completed / missed
 *      │                   │  ╲──hold lapses──▶ expired (seat back)            │            end of the Berlin day, nothing
 *      └─slot taken─▶ ends  ╲──cancel──▶ cancelled (seat back) ◀──cancel───────┘            recorded ──▶ completed (attended NULL)
 *                     reschedule (reserved or confirmed): new seat first, old seat back, same status
 *
 * - holdUpdate (update-with-start) answers as soon as the hold activity has taken the seat, so the
 *   HTTP call returns the held slot at once; the confirmation mail follows.
 * - Seats change only inside activities, each one transaction with its status change; a seat given
 *   back goes through onSlotFreed (the Terminalarm seam) before anything else.
 * - One change at a time: while an Update's activity runs (`op`), other Updates are refused with
 *   CONFLICT (retry) and the main loop waits, so timers and Updates never race on the seat.
 * - Mails run from an outbox drained by the main loop, so an Update answers right after
 *   PostgreSQL changed, not after SMTP. Every mail has a Message-ID from appointment id + purpose.
 * - Timers are durable: hold deadline, reminder, end of the appointment day.
 */
import { ActivityFailure, ApplicationFailure, allHandlersFinished, condition, log, patched, proxyActivities, proxyLocalActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities, AppointmentMailKind, FreedSlotEvent } from '../../activities';
import { APPOINTMENT_REJECTIONS } from '../../libs/domain/src/appointments/status';
import type { AppointmentRejection } from '../../libs/domain/src/appointments/status';
import { berlinIsoDate, endOfBerlinDay } from '../../libs/domain/src/berlin-time';
import { addDuration } from '../../libs/domain/src/duration';
import { isDomainErrorCode } from '../../libs/domain/src/errors';
import type { DomainErrorCode } from '../../libs/domain/src/errors';
import {
  appointmentStateQuery,
  attendanceUpdate,
  cancelUpdate,
  confirmUpdate,
  holdUpdate,
  officeClosedSignal,
  rescheduleUpdate,
  swappedSignal,
} from './appointment.contract';
import type {
  AppointmentPhase,
  AppointmentWorkflowInput,
  AppointmentWorkflowResult,
  AttendanceInput,
  AttendanceResult,
  HoldResult,
  RescheduleInput,
  TokenProof,
} from './appointment.contract';

// State changes in PostgreSQL must never be lost: retried until they succeed (business rejections
// are non-retryable ApplicationFailures and end the retrying at once).
const { transitionAppointment, releaseAppointmentSlot, rescheduleAppointmentSlot, extendAppointmentHold, onSlotFreed } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
// The hold runs while an HTTP caller waits: short, a few attempts, then the booking fails cleanly.
const HOLD_OPTIONS = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '2 seconds', maximumAttempts: 5 },
} as const;
const { holdAppointmentSlot: holdAsActivity } = proxyActivities<Activities>(HOLD_OPTIONS);
// The hold is one short SQL transaction: as a LOCAL activity it runs inside the first workflow task
// (update-with-start → task → result), without the activity task's extra round trips through the
// server (schedule, poll, complete, a second workflow task) — the larger part of a hold's latency.
const { holdAppointmentSlot: holdAsLocalActivity } = proxyLocalActivities<Activities>(HOLD_OPTIONS);
const { sendAppointmentMail } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', nonRetryableErrorTypes: ['MAIL_INVALID', 'MAIL_REJECTED', 'NOT_FOUND'] },
});

/** After a hold that failed technically, wait this long before giving back a seat it may have taken after all. */
const HOLD_COMPENSATION_DELAY = '1 minute';

const FINAL: readonly AppointmentPhase[] = ['cancelled', 'expired', 'completed', 'missed', 'rejected'];
const WITH_LINKS: readonly AppointmentMailKind[] = ['confirmation', 'confirmed', 'reminder', 'rescheduled'];

type Job = { kind: 'mail'; mail: AppointmentMailKind; generation: number } | { kind: 'freed'; event: FreedSlotEvent };

function reject(type: DomainErrorCode, message: string, reason?: AppointmentRejection, errors?: Array<{ path: string; message: string }>): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true, details: [{ ...(reason && { reason }), ...(errors && { errors }) }] });
}

/** The business rejection (DomainErrorCode type) inside an activity failure, as a fresh ApplicationFailure. */
function domainFailure(e: unknown): ApplicationFailure | undefined {
  const cause = e instanceof ActivityFailure ? e.cause : e;
  if (cause instanceof ApplicationFailure && isDomainErrorCode(cause.type)) {
    return ApplicationFailure.create({ type: cause.type, message: cause.message, nonRetryable: true, details: cause.details ?? undefined });
  }
  return undefined;
}

const ms = (iso: string): number => addDuration(new Date(0), iso).getTime();
const isoAt = (t: number): string => new Date(t).toISOString();

export async function appointmentWorkflow(input: AppointmentWorkflowInput): Promise<AppointmentWorkflowResult> {
  const { appointmentId } = input;
  const holdMs = ms(input.timing.hold);
  const confirmWindowMs = ms(input.timing.confirmWindow);
  const leadMs = ms(input.timing.reminderLead);

  let phase: AppointmentPhase = 'holding';
  let slot: { slotId: string; officeId: string; start: string; end: string } | null = null;
  let holdDeadline = 0;
  let generation = 0;
  /** The change an Update (or the main loop) is making right now; null = none. */
  let op: string | null = null;
  /** Bumped on every state change; the main loop's timers wake up on it. */
  let version = 0;
  let holdOutcome: { ok: true; result: HoldResult } | { ok: false; failure: ApplicationFailure } | undefined;
  let confirmationUndeliverable = false;
  let armedGen = -1;
  let remindedGen = -1;
  let reminderSent = false;
  /** The staff's attendance record, once made. */
  let attended: boolean | null = null;
  /** Set by swappedSignal: the appointment that replaced this one (Terminalarm swap). */
  let swappedBy: string | null = null;
  /** Set by officeClosedSignal: PostgreSQL cancelled this appointment because the office is closed that day. */
  let officeClosed = false;
  const outbox: Job[] = [];
  const changed = () => void version++;
  const startMs = () => (slot ? Date.parse(slot.start) : 0);

  setHandler(appointmentStateQuery, () => ({
    appointmentId,
    phase,
    slotId: slot?.slotId ?? null,
    start: slot?.start ?? null,
    holdExpiresAt: phase === 'reserved' ? isoAt(holdDeadline) : null,
    generation,
    reminderSent,
  }));

  setHandler(swappedSignal, (s) => {
    if (swappedBy === null && typeof s?.byAppointmentId === 'string') {
      swappedBy = s.byAppointmentId;
      changed();
    }
  });

  // A new signal: histories without it replay unchanged (its commands exist only after it arrived).
  setHandler(officeClosedSignal, () => {
    if (!officeClosed && !FINAL.includes(phase)) {
      officeClosed = true;
      changed();
    }
  });

  setHandler(
    holdUpdate,
    async () => {
      await condition(() => holdOutcome !== undefined);
      if (!holdOutcome!.ok) throw holdOutcome!.failure;
      return holdOutcome!.result;
    },
    { description: 'Update-with-start: answers with the held slot once the seat is taken (see appointment.contract.ts).' },
  );

  // ---- validators: synchronous, no side effects; a refused Update leaves no trace in history ----
  const requireToken = (proof: TokenProof | undefined): void => {
    if (typeof proof?.tokenHash !== 'string' || proof.tokenHash !== input.tokenHash) reject('NOT_FOUND', 'This appointment does not exist.');
  };
  const requireIdle = (): void => {
    if (op !== null) reject('CONFLICT', 'Another change to this appointment is in progress. Please try again in a moment.');
  };
  const holdLapsed = () => phase === 'reserved' && Date.now() >= Math.min(holdDeadline, startMs());
  const requireActive = (): void => {
    if (phase === 'expired' || holdLapsed()) reject('GONE', 'The reservation has expired. Please book a new appointment.', APPOINTMENT_REJECTIONS.holdExpired);
    if (phase !== 'reserved' && phase !== 'confirmed') reject('CONFLICT', `This appointment is ${phase} and can no longer be changed.`, APPOINTMENT_REJECTIONS.notActive);
    if (Date.now() >= startMs()) reject('CONFLICT', 'This appointment has already started.', APPOINTMENT_REJECTIONS.started);
  };

  setHandler(
    confirmUpdate,
    async () => {
      if (phase === 'confirmed') return { status: 'confirmed' as const };
      op = 'confirm';
      try {
        const r = await transitionAppointment({ appointmentId, from: ['reserved'], to: 'confirmed' });
        if (r.status !== 'confirmed') reject('CONFLICT', `This appointment is ${r.status}.`, APPOINTMENT_REJECTIONS.notActive);
        phase = 'confirmed';
        outbox.push({ kind: 'mail', mail: 'confirmed', generation });
      } catch (e) {
        throw domainFailure(e) ?? e;
      } finally {
        op = null;
        changed();
      }
      return { status: 'confirmed' as const };
    },
    {
      validator: (proof: TokenProof) => {
        requireToken(proof);
        if (phase === 'confirmed') return;
        requireIdle();
        requireActive();
      },
      description: 'The citizen confirms the reservation (email link).',
    },
  );

  setHandler(
    cancelUpdate,
    async () => {
      if (phase === 'cancelled') return { status: 'cancelled' as const };
      op = 'cancel';
      try {
        const r = await releaseAppointmentSlot({ appointmentId, from: ['reserved', 'confirmed'], to: 'cancelled' });
        if (r.freed) outbox.push({ kind: 'freed', event: r.freed });
        if (r.status !== 'cancelled') reject('CONFLICT', `This appointment is ${r.status}.`, APPOINTMENT_REJECTIONS.notActive);
        phase = 'cancelled';
        if (r.changed) outbox.push({ kind: 'mail', mail: 'cancelled', generation });
      } catch (e) {
        throw domainFailure(e) ?? e;
      } finally {
        op = null;
        changed();
      }
      return { status: 'cancelled' as const };
    },
    {
      validator: (proof: TokenProof) => {
        requireToken(proof);
        if (phase === 'cancelled') return;
        requireIdle();
        requireActive();
      },
      description: 'The citizen cancels (email link); the seat goes back through the alarm seam.',
    },
  );

  setHandler(
    rescheduleUpdate,
    async (req: RescheduleInput) => {
      op = 'reschedule';
      try {
        const r = await rescheduleAppointmentSlot({ appointmentId, newSlotId: req.slotId });
        if (r.freed) outbox.push({ kind: 'freed', event: r.freed });
        if (slot && r.slot.slotId !== slot.slotId) {
          slot = r.slot;
          generation++;
          if (phase === 'reserved' && r.holdExpiresAt) holdDeadline = Date.parse(r.holdExpiresAt);
          outbox.push({ kind: 'mail', mail: 'rescheduled', generation });
        }
      } catch (e) {
        throw domainFailure(e) ?? e;
      } finally {
        op = null;
        changed();
      }
      return { appointmentId, status: phase as 'reserved' | 'confirmed', slotId: slot!.slotId, officeId: slot!.officeId, start: slot!.start, end: slot!.end };
    },
    {
      validator: (req: RescheduleInput) => {
        requireToken(req);
        requireIdle();
        requireActive();
        if (typeof req.slotId !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(req.slotId)) {
          reject('INVALID', 'The new slot id is not valid.', APPOINTMENT_REJECTIONS.unknownSlot, [{ path: '/slotId', message: 'must be a UUID' }]);
        }
        if (req.slotId.toLowerCase() === slot?.slotId.toLowerCase()) {
          reject('INVALID', 'The appointment already has this slot.', APPOINTMENT_REJECTIONS.sameSlot, [{ path: '/slotId', message: 'same slot as now' }]);
        }
      },
      description: 'The citizen moves the appointment to another free slot (email link).',
    },
  );

  setHandler(
    attendanceUpdate,
    async (req: AttendanceInput): Promise<AttendanceResult> => {
      const wanted: AttendanceResult['status'] = req.attended ? 'completed' : 'missed';
      if (attended === req.attended) return { status: wanted, attended: req.attended };
      op = 'attendance';
      try {
        const r = await transitionAppointment({ appointmentId, from: ['confirmed'], to: wanted, attended: req.attended });
        if (r.status !== wanted) reject('CONFLICT', `This appointment is ${r.status}.`, APPOINTMENT_REJECTIONS.attendanceRecorded);
        phase = wanted;
        attended = req.attended;
      } catch (e) {
        throw domainFailure(e) ?? e;
      } finally {
        op = null;
        changed();
      }
      return { status: wanted, attended: req.attended };
    },
    {
      validator: (req: AttendanceInput) => {
        if (typeof req?.attended !== 'boolean') reject('INVALID', 'attended must be true or false.', undefined, [{ path: '/attended', message: 'must be a boolean' }]);
        if (!req.by?.roles?.some((r) => r === 'admin' || r === 'caseworker')) reject('FORBIDDEN', 'Only office staff record attendance.');
        requireIdle();
        if (attended === req.attended) return;
        if (attended !== null) reject('CONFLICT', 'Attendance has already been recorded for this appointment.', APPOINTMENT_REJECTIONS.attendanceRecorded);
        if (phase !== 'confirmed') reject('CONFLICT', `This appointment is ${phase}; only confirmed appointments are attended or missed.`, APPOINTMENT_REJECTIONS.notActive);
        if (berlinIsoDate(new Date()) < berlinIsoDate(new Date(startMs()))) {
          reject('CONFLICT', 'Attendance can be recorded from the day of the appointment on.', APPOINTMENT_REJECTIONS.attendanceTooEarly);
        }
      },
      description: 'Office staff record whether the citizen came (missed counts toward the no-show figure).',
    },
  );

  // ---- the hold (skipped for an accepted Terminalarm offer: already confirmed) ----
  if (input.preconfirmed) {
    slot = { ...input.preconfirmed };
    phase = 'confirmed';
    holdOutcome = { ok: false, failure: ApplicationFailure.create({ type: 'CONFLICT', message: 'This appointment was booked through a Terminalarm.', nonRetryable: true }) };
    outbox.push({ kind: 'mail', mail: 'confirmed', generation });
  } else {
    try {
      // patched: workflows that scheduled the hold as a normal activity before replay it as one
      const holdAppointmentSlot = patched('hold-local-activity') ? holdAsLocalActivity : holdAsActivity;
      const held = await holdAppointmentSlot({
        appointmentId,
        workflowId: workflowInfo().workflowId,
        slotId: input.slotId,
        serviceId: input.serviceId,
        email: input.email,
        name: input.name,
        tokenHash: input.tokenHash,
        holdExpiresAt: isoAt(Date.now() + holdMs),
      });
      if (held.status !== 'reserved' || !held.holdExpiresAt) reject('CONFLICT', 'This booking is no longer open.', APPOINTMENT_REJECTIONS.notActive);
      slot = { slotId: held.slotId, officeId: held.officeId, start: held.start, end: held.end };
      holdDeadline = Date.parse(held.holdExpiresAt);
      phase = 'reserved';
      holdOutcome = {
        ok: true,
        result: { appointmentId, status: 'reserved', holdExpiresAt: held.holdExpiresAt, slotId: held.slotId, officeId: held.officeId, serviceId: held.serviceId, start: held.start, end: held.end },
      };
    } catch (e) {
      phase = 'rejected';
      const business = domainFailure(e);
      if (business) {
        holdOutcome = { ok: false, failure: business };
        await condition(allHandlersFinished);
        return { appointmentId, status: 'rejected', reason: business.type ?? 'CONFLICT' };
      }
      // Technical failure after the last attempt: the caller hears "try again"; a seat that an attempt
      // took after all (it committed after its timeout) is given back once that attempt is surely over.
      log.warn('hold failed technically; compensating', { appointmentId });
      holdOutcome = { ok: false, failure: ApplicationFailure.create({ type: 'UNAVAILABLE', message: 'The booking could not be completed right now. Please try again shortly.', nonRetryable: true }) };
      await sleep(HOLD_COMPENSATION_DELAY);
      const r = await releaseAppointmentSlot({ appointmentId, from: ['reserved'], to: 'expired' });
      if (r.freed) await onSlotFreed(r.freed);
      await condition(allHandlersFinished);
      return { appointmentId, status: 'rejected', reason: 'UNAVAILABLE' };
    }

    // ---- the confirmation mail: must be out within the hold, else the seat goes back ----
    const { sendAppointmentMail: sendConfirmation } = proxyActivities<Activities>({
      startToCloseTimeout: Math.min(60_000, holdMs),
      scheduleToCloseTimeout: Math.max(holdDeadline - Date.now(), 1_000),
      retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: ['MAIL_INVALID', 'MAIL_REJECTED', 'NOT_FOUND'] },
    });
    try {
      await sendConfirmation({ appointmentId, kind: 'confirmation', generation, token: input.token });
      // A late mail still leaves the citizen the confirmation window (never beyond the start).
      const least = Math.min(Date.now() + confirmWindowMs, startMs());
      if (phase === 'reserved' && least > holdDeadline) {
        const r = await extendAppointmentHold({ appointmentId, holdExpiresAt: isoAt(least) });
        if (r.holdExpiresAt) holdDeadline = Date.parse(r.holdExpiresAt);
        changed();
      }
    } catch (e) {
      log.warn('confirmation mail could not be sent; the hold will be released', { appointmentId, error: e instanceof Error ? e.message : String(e) });
      confirmationUndeliverable = true;
      changed();
    }
  }

  // ---- the main loop: timers and outbox ----
  const expire = async (): Promise<void> => {
    phase = 'expired';
    op = 'expire';
    try {
      const r = await releaseAppointmentSlot({ appointmentId, from: ['reserved'], to: 'expired' });
      if (r.freed) outbox.push({ kind: 'freed', event: r.freed });
      if (r.changed && !confirmationUndeliverable) outbox.push({ kind: 'mail', mail: 'expired', generation });
      if (!r.changed) phase = r.status; // PostgreSQL knows better (cannot happen while only this workflow writes)
    } finally {
      op = null;
      changed();
    }
  };
  const closeUnrecorded = async (): Promise<void> => {
    phase = 'completed';
    op = 'close';
    try {
      const r = await transitionAppointment({ appointmentId, from: ['confirmed'], to: 'completed', attended: null });
      phase = r.status;
    } finally {
      op = null;
      changed();
    }
  };
  const drain = async (): Promise<void> => {
    while (outbox.length > 0) {
      const job = outbox[0]!;
      if (job.kind === 'freed') {
        await onSlotFreed(job.event);
      } else {
        try {
          await sendAppointmentMail({ appointmentId, kind: job.mail, generation: job.generation, ...(WITH_LINKS.includes(job.mail) && { token: input.token }) });
          if (job.mail === 'reminder') reminderSent = true;
        } catch (e) {
          // undeliverable (address rejected): nothing a retry can fix; the appointment stands
          log.warn('appointment mail not delivered', { appointmentId, kind: job.mail, error: e instanceof Error ? e.message : String(e) });
        }
      }
      outbox.shift();
    }
  };
  const wake = (v: number) => () => version !== v || op !== null;

  for (;;) {
    await condition(() => op === null);
    if (outbox.length > 0) {
      await drain();
      continue;
    }
    if (FINAL.includes(phase)) break;
    if (swappedBy !== null) {
      // PostgreSQL cancelled it already (the accept's transaction): this confirms it and ends, no mail
      op = 'swap';
      try {
        const r = await releaseAppointmentSlot({ appointmentId, from: ['reserved', 'confirmed'], to: 'cancelled' });
        if (r.freed) outbox.push({ kind: 'freed', event: r.freed });
        phase = r.status;
        log.info('appointment replaced by a Terminalarm swap', { appointmentId, by: swappedBy, status: r.status });
      } finally {
        op = null;
        changed();
      }
      if (!FINAL.includes(phase)) swappedBy = null; // cannot happen: the swap cancelled it
      continue;
    }
    if (officeClosed) {
      // PostgreSQL cancelled it already (closeOfficeDay): this confirms it, mails why, and ends
      op = 'closed';
      try {
        const r = await releaseAppointmentSlot({ appointmentId, from: ['reserved', 'confirmed'], to: 'cancelled' });
        if (r.freed) outbox.push({ kind: 'freed', event: r.freed });
        phase = r.status;
        if (phase === 'cancelled') outbox.push({ kind: 'mail', mail: 'closed', generation });
        log.info('appointment cancelled: office closed', { appointmentId, status: r.status });
      } finally {
        op = null;
        changed();
      }
      if (!FINAL.includes(phase)) officeClosed = false; // not cancelled in PostgreSQL (started already): it stands
      continue;
    }
    const v = version;
    const now = Date.now();
    const start = startMs();
    if (phase === 'reserved') {
      const deadline = Math.min(holdDeadline, start);
      if (confirmationUndeliverable || now >= deadline) await expire();
      else await condition(wake(v), deadline - now);
      continue;
    }
    // confirmed: the reminder of this slot (armed only if confirmed before it was due), then the day
    if (remindedGen < generation) {
      const reminderAt = start - leadMs;
      if (now < reminderAt) {
        armedGen = generation;
        await condition(wake(v), reminderAt - now);
      } else {
        if (armedGen === generation && now < start) outbox.push({ kind: 'mail', mail: 'reminder', generation });
        remindedGen = generation;
      }
      continue;
    }
    const closeAt = endOfBerlinDay(new Date(Date.parse(slot!.end))).getTime();
    if (now >= closeAt) await closeUnrecorded();
    else await condition(wake(v), closeAt - now);
  }

  await condition(allHandlersFinished);
  return { appointmentId, status: phase as AppointmentWorkflowResult['status'] };
}
