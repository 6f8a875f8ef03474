// Bookings: the seat of a slot is taken and given back ONLY here, each time in one transaction
// together with the appointment's status change, so a seat is never held twice and never lost.
// Written by activities/appointments for workflows/appointment; read by the API.
import type { Pool, PoolClient } from 'pg';
import type { ActiveAppointmentStatus, AppointmentStatus } from '../../../domain/src/appointments/status';
import { APPOINTMENT_REJECTIONS } from '../../../domain/src/appointments/status';
import { DomainError } from '../../../domain/src/errors';
import { PG_UNIQUE_VIOLATION, pgErrorCode, withTransaction } from '../cases/tx';
import { getSlot } from './catalogue';
import type { SlotRecord } from './catalogue';
import { emailHash } from './secrets';

type Queryable = Pick<Pool | PoolClient, 'query'>;

export interface AppointmentRecord {
  appointmentId: string;
  slotId: string;
  serviceId: string;
  officeId: string;
  start: Date;
  end: Date;
  status: AppointmentStatus;
  /** Personal data. */
  email: string;
  /** Personal data. */
  name: string;
  tokenHash: string;
  workflowId: string;
  holdExpiresAt: Date | null;
  attended: boolean | null;
  rescheduleCount: number;
  createdAt: Date;
  bookedAt: Date | null;
  confirmedAt: Date | null;
  cancelledAt: Date | null;
  closedAt: Date | null;
}

interface AppointmentRow {
  id: string;
  slot_id: string;
  service_id: string;
  office_id: string;
  starts_at: Date;
  ends_at: Date;
  status: AppointmentStatus;
  email: string;
  name: string;
  token_hash: string;
  workflow_id: string;
  hold_expires_at: Date | null;
  attended: boolean | null;
  reschedule_count: number;
  created_at: Date;
  booked_at: Date | null;
  confirmed_at: Date | null;
  cancelled_at: Date | null;
  closed_at: Date | null;
}

const COLUMNS =
  'id, slot_id, service_id, office_id, starts_at, ends_at, status, email, name, token_hash, workflow_id, hold_expires_at, attended, reschedule_count, created_at, booked_at, confirmed_at, cancelled_at, closed_at';

function toRecord(r: AppointmentRow): AppointmentRecord {
  return {
    appointmentId: r.id,
    slotId: r.slot_id,
    serviceId: r.service_id,
    officeId: r.office_id,
    start: r.starts_at,
    end: r.ends_at,
    status: r.status,
    email: r.email,
    name: r.name,
    tokenHash: r.token_hash,
    workflowId: r.workflow_id,
    holdExpiresAt: r.hold_expires_at,
    attended: r.attended,
    rescheduleCount: r.reschedule_count,
    createdAt: r.created_at,
    bookedAt: r.booked_at,
    confirmedAt: r.confirmed_at,
    cancelledAt: r.cancelled_at,
    closedAt: r.closed_at,
  };
}

export async function findAppointment(db: Queryable, appointmentId: string): Promise<AppointmentRecord | null> {
  const r = await db.query<AppointmentRow>(`SELECT ${COLUMNS} FROM appointments WHERE id = $1`, [appointmentId]);
  return r.rows[0] ? toRecord(r.rows[0]) : null;
}

/** Active appointments (reserved or confirmed, not yet started) of the address. */
export async function countActiveAppointments(db: Queryable, email: string): Promise<number> {
  const r = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM appointments WHERE email_hash = $1 AND status IN ('reserved', 'confirmed') AND starts_at > now()`,
    [emailHash(email)],
  );
  return r.rows[0]?.n ?? 0;
}

/**
 * Whether a slot can be booked for the service (INVALID otherwise, with the body field at fault):
 * it exists, offers the service, starts in the future and within the horizon. Seats are checked
 * by the atomic UPDATE, not here.
 */
export function assertBookable(slot: SlotRecord | null, serviceId: string, fields: { slot: string; service: string } = { slot: '/slotId', service: '/serviceId' }): asserts slot is SlotRecord {
  if (!slot) {
    throw new DomainError('INVALID', 'This slot does not exist.', { reason: APPOINTMENT_REJECTIONS.unknownSlot, errors: [{ path: fields.slot, message: 'unknown slot' }] });
  }
  if (!slot.serviceIds.includes(serviceId)) {
    throw new DomainError('INVALID', 'This slot is not offered for the chosen service.', {
      reason: APPOINTMENT_REJECTIONS.serviceNotOffered,
      errors: [{ path: fields.service, message: 'service not offered in this slot' }],
    });
  }
  if (!slot.withinHorizon) {
    throw new DomainError('INVALID', 'This slot lies in the past or beyond the booking horizon.', {
      reason: APPOINTMENT_REJECTIONS.outsideHorizon,
      errors: [{ path: fields.slot, message: 'slot outside the booking horizon' }],
    });
  }
}

function slotTaken(): DomainError {
  return new DomainError('CONFLICT', 'This slot has just been taken. Please choose another one.', { reason: APPOINTMENT_REJECTIONS.slotTaken });
}

/** Takes one public seat, or nothing. THE statement that makes double booking impossible. */
async function takePublicSeat(db: Queryable, slotId: string): Promise<boolean> {
  const r = await db.query(
    `UPDATE slots SET booked = booked + 1
      WHERE id = $1 AND booked < capacity AND (public_at IS NULL OR public_at <= now())
      RETURNING id`,
    [slotId],
  );
  return r.rowCount === 1;
}

export interface FreedSlot {
  slotId: string;
  officeId: string;
  start: Date;
  end: Date;
  serviceIds: string[];
  /**
   * When the seat becomes bookable by the public: a future instant when the slot was full before
   * (the seat is withheld for the Terminalarm queue and against slot trading), otherwise the
   * slot's unchanged public_at (null = public already).
   */
  publicAt: Date | null;
  /** True when the freed seat is withheld from the public until publicAt. */
  withheld: boolean;
}

interface FreedRow {
  id: string;
  office_id: string;
  starts_at: Date;
  ends_at: Date;
  service_ids: string[];
  public_at: Date | null;
  withheld: boolean;
}
const toFreed = (s: FreedRow): FreedSlot => ({ slotId: s.id, officeId: s.office_id, start: s.starts_at, end: s.ends_at, serviceIds: s.service_ids, publicAt: s.public_at, withheld: s.withheld });

/**
 * Gives one seat back. A seat freed from a FULL slot is withheld until now + block (the alarm
 * seam: only the Terminalarm queue may take it meanwhile); a slot that still had public seats stays
 * as it was (anyone could book those anyway, withholding would only hide them).
 */
const GIVE_BACK_SEAT = `
  UPDATE slots
     SET booked = booked - 1,
         public_at = CASE WHEN booked >= capacity
                          THEN GREATEST(COALESCE(public_at, now()), now() + $2::interval)
                          ELSE public_at END
   WHERE id = $1
  RETURNING id, office_id, starts_at, ends_at, service_ids, public_at, (public_at IS NOT NULL AND public_at > now()) AS withheld`;

/**
 * Gives one seat of the slot back (withheld like any freed seat when the slot was full) inside the
 * caller's transaction; the caller has locked the slot row and changed the appointment that held
 * the seat. For the Terminalarm swap (libs/db/src/appointments/alarms.ts acceptOffer).
 */
export async function giveBackSeat(tx: Queryable, slotId: string, block: string): Promise<FreedSlot> {
  const r = await tx.query<FreedRow>(GIVE_BACK_SEAT, [slotId, block]);
  if (!r.rows[0]) throw new Error(`slot ${slotId} not found`);
  return toFreed(r.rows[0]);
}

/** The slot as a FreedSlot (its current public_at), for reporting a seat given back earlier. */
export async function freedSlotView(db: Queryable, slotId: string): Promise<FreedSlot | null> {
  const r = await db.query<FreedRow>(
    `SELECT id, office_id, starts_at, ends_at, service_ids, public_at, (public_at IS NOT NULL AND public_at > now()) AS withheld FROM slots WHERE id = $1`,
    [slotId],
  );
  return r.rows[0] ? toFreed(r.rows[0]) : null;
}

export interface HoldInput {
  appointmentId: string;
  workflowId: string;
  slotId: string;
  serviceId: string;
  email: string;
  name: string;
  tokenHash: string;
  /** Proposed end of the hold; stored as min(this, slot start). */
  holdExpiresAt: Date;
  /** APPOINTMENT_BOOKING_HORIZON. */
  horizon: string;
  /** APPOINTMENTS_PER_EMAIL_LIMIT. */
  perEmailLimit: number;
}

export interface HoldOutcome {
  appointment: AppointmentRecord;
  /** False when an earlier attempt with this appointment id had already held the seat (retry). */
  created: boolean;
}

/**
 * Holds a seat for a new appointment (status `reserved`) — in ONE transaction: the per-address
 * limit (serialised per address by an advisory lock, so two parallel bookings of one address
 * cannot both pass), the atomic seat UPDATE and the appointment INSERT. Idempotent by
 * appointmentId: a retry after a commit returns the existing appointment and takes no second seat.
 * Throws DomainError INVALID (slot/service/horizon), CONFLICT slot_taken / email_limit_reached.
 */
export async function holdSlot(pool: Pool, input: HoldInput): Promise<HoldOutcome> {
  const existing = await findAppointment(pool, input.appointmentId);
  if (existing) return { appointment: existing, created: false };
  const hash = emailHash(input.email);
  try {
    return await withTransaction(pool, async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('appointments:email:' || $1, 0))`, [hash]);
      const again = await findAppointment(tx, input.appointmentId);
      if (again) return { appointment: again, created: false };

      const slot = await getSlot(tx, input.slotId, input.horizon);
      assertBookable(slot, input.serviceId);
      const active = await tx.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM appointments WHERE email_hash = $1 AND status IN ('reserved', 'confirmed') AND starts_at > now()`,
        [hash],
      );
      if ((active.rows[0]?.n ?? 0) >= input.perEmailLimit) {
        throw new DomainError('CONFLICT', `This email address already holds ${input.perEmailLimit} appointment(s). Cancel one before booking another.`, {
          reason: APPOINTMENT_REJECTIONS.emailLimit,
        });
      }
      if (!(await takePublicSeat(tx, slot.slotId))) throw slotTaken();
      const r = await tx.query<AppointmentRow>(
        `INSERT INTO appointments (id, slot_id, service_id, office_id, starts_at, ends_at, status, email, email_hash, name, token_hash, workflow_id, hold_expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'reserved', $7, $8, $9, $10, $11, LEAST($12::timestamptz, $5::timestamptz))
         RETURNING ${COLUMNS}`,
        [input.appointmentId, slot.slotId, input.serviceId, slot.officeId, slot.start, slot.end, input.email, hash, input.name, input.tokenHash, input.workflowId, input.holdExpiresAt],
      );
      return { appointment: toRecord(r.rows[0]!), created: true };
    });
  } catch (e) {
    // A concurrent attempt with the same id won the insert: its result is ours (our seat was rolled back).
    if (pgErrorCode(e) === PG_UNIQUE_VIOLATION) {
      const winner = await findAppointment(pool, input.appointmentId);
      if (winner) return { appointment: winner, created: false };
    }
    throw e;
  }
}

export interface ReleaseInput {
  appointmentId: string;
  /** Only from these statuses (the transition is the idempotency: a second call changes nothing). */
  from: readonly ActiveAppointmentStatus[];
  to: 'cancelled' | 'expired';
  /** SLOT_RELEASE_BLOCK, ISO 8601. */
  block: string;
}

export interface ReleaseOutcome {
  /** True when this call made the transition (and gave the seat back). */
  changed: boolean;
  status: AppointmentStatus;
  /** The seat given back by this call; null when nothing changed. */
  freed: FreedSlot | null;
}

/**
 * Ends an active appointment (cancelled / expired) and gives its seat back, in ONE statement: the
 * seat is returned exactly once, however often this runs (the status transition guards it).
 */
export async function releaseAppointment(pool: Pool, input: ReleaseInput): Promise<ReleaseOutcome> {
  const r = await pool.query<FreedRow>(
    `WITH a AS (
       UPDATE appointments
          SET status = $2,
              hold_expires_at = NULL,
              cancelled_at = CASE WHEN $2 = 'cancelled' THEN now() ELSE cancelled_at END,
              expired_at = CASE WHEN $2 = 'expired' THEN now() ELSE expired_at END,
              updated_at = now()
        WHERE id = $1 AND status = ANY ($3::text[])
        RETURNING slot_id
     )
     UPDATE slots
        SET booked = slots.booked - 1,
            public_at = CASE WHEN slots.booked >= slots.capacity
                             THEN GREATEST(COALESCE(slots.public_at, now()), now() + $4::interval)
                             ELSE slots.public_at END
       FROM a
      WHERE slots.id = a.slot_id
     RETURNING slots.id, slots.office_id, slots.starts_at, slots.ends_at, slots.service_ids, slots.public_at,
               (slots.public_at IS NOT NULL AND slots.public_at > now()) AS withheld`,
    [input.appointmentId, input.to, [...input.from], input.block],
  );
  const freed = r.rows[0];
  if (freed) return { changed: true, status: input.to, freed: toFreed(freed) };
  const current = await findAppointment(pool, input.appointmentId);
  if (!current) throw new DomainError('NOT_FOUND', 'This appointment does not exist.');
  return { changed: false, status: current.status, freed: null };
}

export interface RescheduleInput {
  appointmentId: string;
  newSlotId: string;
  horizon: string;
  block: string;
}

export interface RescheduleOutcome {
  changed: boolean;
  appointment: AppointmentRecord;
  /** The old seat given back by this call; null when nothing changed (a retry). */
  freed: FreedSlot | null;
}

/**
 * Moves an active appointment to another slot, in ONE transaction: take a public seat in the new
 * slot (CONFLICT slot_taken if none), give back the old seat (withheld like any freed seat), point
 * the appointment at the new slot. Either both happen or neither: the citizen never ends up with
 * two seats or none. Idempotent: when the appointment already has the new slot, nothing happens.
 */
export async function rescheduleAppointment(pool: Pool, input: RescheduleInput): Promise<RescheduleOutcome> {
  return withTransaction(pool, async (tx) => {
    const locked = await tx.query<AppointmentRow>(`SELECT ${COLUMNS} FROM appointments WHERE id = $1 FOR UPDATE`, [input.appointmentId]);
    if (!locked.rows[0]) throw new DomainError('NOT_FOUND', 'This appointment does not exist.');
    const appt = toRecord(locked.rows[0]);
    if (appt.slotId === input.newSlotId) return { changed: false, appointment: appt, freed: null };
    if (appt.status !== 'reserved' && appt.status !== 'confirmed') {
      throw new DomainError('CONFLICT', 'This appointment is no longer active.', { reason: APPOINTMENT_REJECTIONS.notActive });
    }
    const slot = await getSlot(tx, input.newSlotId, input.horizon);
    assertBookable(slot, appt.serviceId, { slot: '/slotId', service: '/slotId' });
    // both slot rows in id order, so two reschedules swapping slots cannot deadlock
    await tx.query('SELECT id FROM slots WHERE id = ANY ($1::uuid[]) ORDER BY id FOR UPDATE', [[appt.slotId, slot.slotId]]);
    if (!(await takePublicSeat(tx, slot.slotId))) throw slotTaken();
    const freed = await tx.query<FreedRow>(GIVE_BACK_SEAT, [appt.slotId, input.block]);
    const moved = await tx.query<AppointmentRow>(
      `UPDATE appointments
          SET slot_id = $2, office_id = $3, starts_at = $4, ends_at = $5, reschedule_count = reschedule_count + 1,
              hold_expires_at = CASE WHEN status = 'reserved' THEN LEAST(hold_expires_at, $4::timestamptz) ELSE NULL END,
              updated_at = now()
        WHERE id = $1
        RETURNING ${COLUMNS}`,
      [appt.appointmentId, slot.slotId, slot.officeId, slot.start, slot.end],
    );
    return { changed: true, appointment: toRecord(moved.rows[0]!), freed: freed.rows[0] ? toFreed(freed.rows[0]) : null };
  });
}

export interface TransitionInput {
  appointmentId: string;
  from: readonly AppointmentStatus[];
  /** confirmed (the link was clicked), completed / missed (attendance, or closed at the end of the day). */
  to: 'confirmed' | 'completed' | 'missed';
  /** With completed/missed: the admin's record (null = not recorded). */
  attended?: boolean | null;
}

/** A status change that does not touch seats; idempotent by the `from` guard. */
export async function transitionAppointment(db: Queryable, input: TransitionInput): Promise<{ changed: boolean; status: AppointmentStatus }> {
  const r = await db.query<{ status: AppointmentStatus }>(
    `UPDATE appointments
        SET status = $3,
            attended = CASE WHEN $3 IN ('completed', 'missed') THEN $4::boolean ELSE attended END,
            confirmed_at = CASE WHEN $3 = 'confirmed' THEN now() ELSE confirmed_at END,
            booked_at = CASE WHEN $3 = 'confirmed' THEN COALESCE(booked_at, now()) ELSE booked_at END,
            closed_at = CASE WHEN $3 IN ('completed', 'missed') THEN now() ELSE closed_at END,
            hold_expires_at = NULL,
            updated_at = now()
      WHERE id = $1 AND status = ANY ($2::text[])
      RETURNING status`,
    [input.appointmentId, [...input.from], input.to, input.attended ?? null],
  );
  if (r.rows[0]) return { changed: true, status: r.rows[0].status };
  const current = await findAppointment(db, input.appointmentId);
  if (!current) throw new DomainError('NOT_FOUND', 'This appointment does not exist.');
  return { changed: false, status: current.status };
}

/** Moves a reserved appointment's hold end later (never earlier); no-op otherwise. */
export async function extendHold(db: Queryable, appointmentId: string, holdExpiresAt: Date): Promise<Date | null> {
  const r = await db.query<{ hold_expires_at: Date }>(
    `UPDATE appointments SET hold_expires_at = GREATEST(hold_expires_at, $2), updated_at = now()
      WHERE id = $1 AND status = 'reserved' RETURNING hold_expires_at`,
    [appointmentId, holdExpiresAt],
  );
  return r.rows[0]?.hold_expires_at ?? null;
}
