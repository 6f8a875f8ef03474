// Terminalarm: standing wishes (alarms) and their exclusive offers. Matching runs HERE, in SQL over
// the indexed queue (alarms_queue_idx), each match in ONE transaction: take the seat (without the
// public_at condition: the queue may enter withheld seats), lock the longest-waiting matching
// alarm (FOR UPDATE SKIP LOCKED, so concurrent matchers never pick the same alarm), create the
// offer, mark the alarm `offered`. Written by activities/appointments for workflows/appointment-alarm
// and by the API (creation, publication); docs/appointments.md "Terminalarm".
import type { Pool, PoolClient } from 'pg';
import type { AlarmStatus, OfferStatus } from '../../../domain/src/appointments/alarm';
import { DomainError } from '../../../domain/src/errors';
import { PG_UNIQUE_VIOLATION, pgErrorCode, withTransaction } from '../cases/tx';
import { freedSlotView, giveBackSeat } from './booking';
import type { FreedSlot } from './booking';
import { enqueueOffers } from './alarm-outbox';
import { emailHash } from './secrets';

type Queryable = Pick<Pool | PoolClient, 'query'>;

export type { AlarmStatus, OfferStatus } from '../../../domain/src/appointments/alarm';

export interface AlarmRecord {
  alarmId: string;
  serviceId: string;
  officeIds: string[];
  fromDate: string;
  toDate: string;
  weekdays: number[];
  timeFrom: string | null;
  timeTo: string | null;
  /** Personal data. */
  email: string;
  /** Personal data. */
  name: string;
  tokenHash: string;
  status: AlarmStatus;
  createdAt: Date;
  expiresAt: Date;
  extendedCount: number;
  workflowId: string;
  servedAt: Date | null;
}

export interface OfferRecord {
  offerId: string;
  alarmId: string;
  slotId: string;
  officeId: string;
  start: Date;
  end: Date;
  status: OfferStatus;
  expiresAt: Date;
  appointmentId: string | null;
}

interface AlarmRow {
  id: string;
  service_id: string;
  office_ids: string[];
  from_date: string;
  to_date: string;
  weekdays: number[];
  time_from: string | null;
  time_to: string | null;
  email: string;
  name: string;
  token_hash: string;
  status: AlarmStatus;
  created_at: Date;
  expires_at: Date;
  extended_count: number;
  workflow_id: string;
  served_at: Date | null;
}
const ALARM_COLUMNS =
  "id, service_id, office_ids, to_char(from_date, 'YYYY-MM-DD') AS from_date, to_char(to_date, 'YYYY-MM-DD') AS to_date, weekdays, to_char(time_from, 'HH24:MI') AS time_from, to_char(time_to, 'HH24:MI') AS time_to, email, name, token_hash, status, created_at, expires_at, extended_count, workflow_id, served_at";
const toAlarm = (r: AlarmRow): AlarmRecord => ({
  alarmId: r.id,
  serviceId: r.service_id,
  officeIds: r.office_ids,
  fromDate: r.from_date,
  toDate: r.to_date,
  weekdays: r.weekdays,
  timeFrom: r.time_from,
  timeTo: r.time_to,
  email: r.email,
  name: r.name,
  tokenHash: r.token_hash,
  status: r.status,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  extendedCount: r.extended_count,
  workflowId: r.workflow_id,
  servedAt: r.served_at,
});

interface OfferRow {
  id: string;
  alarm_id: string;
  slot_id: string;
  office_id: string;
  starts_at: Date;
  ends_at: Date;
  status: OfferStatus;
  expires_at: Date;
  appointment_id: string | null;
}
const OFFER_SELECT = `SELECT o.id, o.alarm_id, o.slot_id, s.office_id, s.starts_at, s.ends_at, o.status, o.expires_at, o.appointment_id
                        FROM alarm_offers o JOIN slots s ON s.id = o.slot_id`;
const toOffer = (r: OfferRow): OfferRecord => ({
  offerId: r.id,
  alarmId: r.alarm_id,
  slotId: r.slot_id,
  officeId: r.office_id,
  start: r.starts_at,
  end: r.ends_at,
  status: r.status,
  expiresAt: r.expires_at,
  appointmentId: r.appointment_id,
});

export interface CreateAlarmInput {
  alarmId: string;
  workflowId: string;
  serviceId: string;
  officeIds: string[];
  fromDate: string;
  toDate: string;
  weekdays: number[];
  timeFrom: string | null;
  timeTo: string | null;
  email: string;
  name: string;
  tokenHash: string;
  /** ALARM_LIFETIME, ISO 8601. */
  lifetime: string;
  /** "Earlier slot" alarm: only slots before this appointment's start match; accept swaps (acceptOffer). */
  currentAppointmentId?: string | null;
  /** The link token sealed for the offer outbox (sealAlarmToken); null = offer mails come from the workflow only. */
  tokenSealed?: string | null;
}

/** Creates an active alarm; CONFLICT alarm_exists when the address has an active one for the service. */
export async function createAlarm(db: Queryable, input: CreateAlarmInput): Promise<AlarmRecord> {
  try {
    const r = await db.query<AlarmRow>(
      `INSERT INTO alarms (id, service_id, office_ids, from_date, to_date, weekdays, time_from, time_to, email, email_hash, name, token_hash, status, expires_at, workflow_id, current_appointment_id, token_sealed)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'active', now() + $13::interval, $14, $15, $16)
       RETURNING ${ALARM_COLUMNS}`,
      [
        input.alarmId,
        input.serviceId,
        input.officeIds,
        input.fromDate,
        input.toDate,
        input.weekdays,
        input.timeFrom,
        input.timeTo,
        input.email,
        emailHash(input.email),
        input.name,
        input.tokenHash,
        input.lifetime,
        input.workflowId,
        input.currentAppointmentId ?? null,
        input.tokenSealed ?? null,
      ],
    );
    return toAlarm(r.rows[0]!);
  } catch (e) {
    if (pgErrorCode(e) === PG_UNIQUE_VIOLATION) {
      throw new DomainError('CONFLICT', 'This email address already has an active alarm for this service.', { reason: 'alarm_exists' });
    }
    throw e;
  }
}

export async function findAlarm(db: Queryable, alarmId: string): Promise<AlarmRecord | null> {
  const r = await db.query<AlarmRow>(`SELECT ${ALARM_COLUMNS} FROM alarms WHERE id = $1`, [alarmId]);
  return r.rows[0] ? toAlarm(r.rows[0]) : null;
}

/** 1-based place among the waiting alarms of the same service (a rough figure: wishes differ). */
export async function alarmPosition(db: Queryable, alarm: AlarmRecord): Promise<number> {
  const r = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM alarms WHERE service_id = $1 AND status = 'active' AND (created_at, id) < ($2, $3)`,
    [alarm.serviceId, alarm.createdAt, alarm.alarmId],
  );
  return (r.rows[0]?.n ?? 0) + 1;
}

export async function findOffer(db: Queryable, offerId: string): Promise<OfferRecord | null> {
  const r = await db.query<OfferRow>(`${OFFER_SELECT} WHERE o.id = $1`, [offerId]);
  return r.rows[0] ? toOffer(r.rows[0]) : null;
}

export async function findOpenOffer(db: Queryable, alarmId: string): Promise<OfferRecord | null> {
  const r = await db.query<OfferRow>(`${OFFER_SELECT} WHERE o.alarm_id = $1 AND o.status = 'open'`, [alarmId]);
  return r.rows[0] ? toOffer(r.rows[0]) : null;
}

/** The alarm a matched offer went to, for signalling its workflow. */
export interface MatchedOffer extends OfferRecord {
  workflowId: string;
}

/**
 * THE MATCH of the wish against one slot, in Europe/Berlin wall-clock terms. An alarm that has
 * declined or let lapse an offer of this slot is not asked again.
 */
const MATCH_ALARM = `
  SELECT a.id, a.workflow_id
    FROM slots s
    JOIN alarms a ON a.service_id = ANY (s.service_ids) AND a.status = 'active'
   WHERE s.id = $1
     AND a.expires_at > now()
     AND (cardinality(a.office_ids) = 0 OR s.office_id = ANY (a.office_ids))
     AND (s.starts_at AT TIME ZONE 'Europe/Berlin')::date BETWEEN a.from_date AND a.to_date
     AND (cardinality(a.weekdays) = 0 OR extract(isodow FROM s.starts_at AT TIME ZONE 'Europe/Berlin')::int = ANY (a.weekdays))
     AND (a.time_from IS NULL OR (s.starts_at AT TIME ZONE 'Europe/Berlin')::time >= a.time_from)
     AND (a.time_to IS NULL OR (s.starts_at AT TIME ZONE 'Europe/Berlin')::time < a.time_to)
     AND (a.current_appointment_id IS NULL
          OR s.starts_at < (SELECT c.starts_at FROM appointments c WHERE c.id = a.current_appointment_id))
     AND NOT EXISTS (SELECT 1 FROM alarm_offers x WHERE x.alarm_id = a.id AND x.slot_id = s.id)
   ORDER BY a.created_at, a.id
   LIMIT 1
   FOR UPDATE OF a SKIP LOCKED`;

class NoMatch extends Error {}

export interface MatchInput {
  slotId: string;
  /** New offer id (also the appointment id on accept). */
  offerId: string;
  /** ALARM_OFFER_HOLD, ISO 8601. */
  offerHold: string;
  /** Idempotency key of the trigger; a retry returns the offer made before. */
  sourceKey?: string | null;
}

/**
 * Offers one seat of the slot to the longest-waiting matching alarm, in one transaction; null when
 * the slot has no free seat, has started, or nobody matches (then nothing changed).
 */
export async function matchSlot(pool: Pool, input: MatchInput): Promise<MatchedOffer | null> {
  if (input.sourceKey) {
    const before = await pool.query<OfferRow & { workflow_id: string }>(
      `${OFFER_SELECT.replace('SELECT o.id', 'SELECT a.workflow_id, o.id')} JOIN alarms a ON a.id = o.alarm_id WHERE o.source_key = $1`,
      [input.sourceKey],
    );
    if (before.rows[0]) return { ...toOffer(before.rows[0]), workflowId: before.rows[0].workflow_id };
  }
  try {
    return await withTransaction(pool, async (tx) => {
      // the seat first: the slot row lock serialises matchers and public holds of this slot
      const seat = await tx.query(`UPDATE slots SET booked = booked + 1 WHERE id = $1 AND booked < capacity AND starts_at > now() RETURNING id`, [input.slotId]);
      if (seat.rowCount !== 1) return null;
      const alarm = await tx.query<{ id: string; workflow_id: string }>(MATCH_ALARM, [input.slotId]);
      const a = alarm.rows[0];
      if (!a) throw new NoMatch(); // rolls the seat back
      await tx.query(`UPDATE alarms SET status = 'offered', updated_at = now() WHERE id = $1`, [a.id]);
      await tx.query(
        `INSERT INTO alarm_offers (id, alarm_id, slot_id, status, expires_at, source_key) VALUES ($1, $2, $3, 'open', now() + $4::interval, $5)`,
        [input.offerId, a.id, input.slotId, input.offerHold, input.sourceKey ?? null],
      );
      await enqueueOffers(tx, [input.offerId]); // the signal survives a crash right after the commit
      const o = await tx.query<OfferRow>(`${OFFER_SELECT} WHERE o.id = $1`, [input.offerId]);
      return { ...toOffer(o.rows[0]!), workflowId: a.workflow_id };
    });
  } catch (e) {
    if (e instanceof NoMatch) return null; // rolled back: the seat is free again
    if (pgErrorCode(e) === PG_UNIQUE_VIOLATION && input.sourceKey) return matchSlot(pool, input); // a concurrent retry won
    throw e;
  }
}


/** Publishes a slot's free seats at once (nobody in the queue wanted it). */
export async function publishSlotNow(db: Queryable, slotId: string): Promise<void> {
  await db.query(`UPDATE slots SET public_at = NULL WHERE id = $1 AND public_at > now()`, [slotId]);
}

export interface ResolveOfferOutcome {
  changed: boolean;
  status: OfferStatus;
  slotId: string;
}

/**
 * Declined or lapsed: the offer ends, the seat goes back (public_at unchanged: the next matcher
 * run may give it to the next alarm; otherwise it becomes public when its withhold ends) and the
 * alarm waits again — one transaction, idempotent by the offer's `open` guard.
 */
export async function resolveOffer(pool: Pool, input: { offerId: string; to: 'declined' | 'lapsed' }): Promise<ResolveOfferOutcome> {
  return withTransaction(pool, async (tx) => {
    const r = await tx.query<{ slot_id: string; alarm_id: string }>(
      `UPDATE alarm_offers SET status = $2, resolved_at = now() WHERE id = $1 AND status = 'open' RETURNING slot_id, alarm_id`,
      [input.offerId, input.to],
    );
    const row = r.rows[0];
    if (!row) {
      const o = await findOffer(tx, input.offerId);
      if (!o) throw new DomainError('NOT_FOUND', 'This offer does not exist.');
      return { changed: false, status: o.status, slotId: o.slotId };
    }
    await tx.query(`UPDATE slots SET booked = booked - 1 WHERE id = $1`, [row.slot_id]);
    await tx.query(`UPDATE alarms SET status = 'active', updated_at = now() WHERE id = $1 AND status = 'offered'`, [row.alarm_id]);
    return { changed: true, status: input.to, slotId: row.slot_id };
  });
}

export interface AcceptOutcome {
  changed: boolean;
  appointmentId: string;
  slotId: string;
  officeId: string;
  serviceId: string;
  start: Date;
  end: Date;
  /** An "earlier slot" alarm: the appointment this booking replaced (now cancelled) and its seat, given back. */
  swapped: { appointmentId: string; workflowId: string; freed: FreedSlot } | null;
}

/**
 * Accept: the held seat becomes a CONFIRMED appointment (id = offer id, the alarm's token hash and
 * contact) and the alarm is `booked`, in one transaction. The seat was taken by the match, so no
 * seat changes here. Idempotent; GONE when the offer is no longer open.
 */
export async function acceptOffer(pool: Pool, offerId: string, opts: { block?: string } = {}): Promise<AcceptOutcome> {
  return withTransaction(pool, async (tx) => {
    const o = await tx.query<
      OfferRow & { service_id: string; email: string; email_hash: string; name: string; token_hash: string; current_appointment_id: string | null; swapped_appointment_id: string | null }
    >(
      `SELECT o.id, o.alarm_id, o.slot_id, s.office_id, s.starts_at, s.ends_at, o.status, o.expires_at, o.appointment_id,
              a.service_id, a.email, a.email_hash, a.name, a.token_hash, a.current_appointment_id, o.swapped_appointment_id
         FROM alarm_offers o JOIN slots s ON s.id = o.slot_id JOIN alarms a ON a.id = o.alarm_id
        WHERE o.id = $1 FOR UPDATE OF o, a`,
      [offerId],
    );
    const row = o.rows[0];
    if (!row) throw new DomainError('NOT_FOUND', 'This offer does not exist.');
    const outcome = { appointmentId: row.id, slotId: row.slot_id, officeId: row.office_id, serviceId: row.service_id, start: row.starts_at, end: row.ends_at };
    if (row.status === 'accepted') {
      // a retry: report the swap made by the first call (its seat view as it stands now)
      let swapped: AcceptOutcome['swapped'] = null;
      if (row.swapped_appointment_id) {
        const old = await tx.query<{ slot_id: string; workflow_id: string }>('SELECT slot_id, workflow_id FROM appointments WHERE id = $1', [row.swapped_appointment_id]);
        const freed = old.rows[0] ? await freedSlotView(tx, old.rows[0].slot_id) : null;
        if (old.rows[0] && freed) swapped = { appointmentId: row.swapped_appointment_id, workflowId: old.rows[0].workflow_id, freed };
      }
      return { changed: false, ...outcome, swapped };
    }
    if (row.status !== 'open') throw new DomainError('GONE', 'This offer is no longer open.', { reason: 'offer_closed' });
    // "Earlier slot" alarm: the current appointment (if still active and not started) gives its seat
    // back in this same transaction — the citizen never holds two seats, never none. Lock order as
    // rescheduleAppointment: the appointment, then both slot rows in id order.
    let swapped: AcceptOutcome['swapped'] = null;
    if (row.current_appointment_id) {
      const cur = await tx.query<{ id: string; slot_id: string; workflow_id: string }>(
        `SELECT id, slot_id, workflow_id FROM appointments WHERE id = $1 AND status IN ('reserved', 'confirmed') AND starts_at > now() FOR UPDATE`,
        [row.current_appointment_id],
      );
      const old = cur.rows[0];
      if (old && old.slot_id !== row.slot_id) {
        await tx.query('SELECT id FROM slots WHERE id = ANY ($1::uuid[]) ORDER BY id FOR UPDATE', [[row.slot_id, old.slot_id]]);
        await tx.query(
          `UPDATE appointments SET status = 'cancelled', cancel_reason = 'swapped', hold_expires_at = NULL, cancelled_at = now(), updated_at = now() WHERE id = $1`,
          [old.id],
        );
        const freed = await giveBackSeat(tx, old.slot_id, opts.block ?? 'PT15M');
        swapped = { appointmentId: old.id, workflowId: old.workflow_id, freed };
      }
    }
    await tx.query(
      `INSERT INTO appointments (id, slot_id, service_id, office_id, starts_at, ends_at, status, email, email_hash, name, token_hash, workflow_id, booked_at, confirmed_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'confirmed', $7, $8, $9, $10, $11, now(), now())`,
      [row.id, row.slot_id, row.service_id, row.office_id, row.starts_at, row.ends_at, row.email, row.email_hash, row.name, row.token_hash, `appointment-${row.id}`],
    );
    await tx.query(`UPDATE alarm_offers SET status = 'accepted', appointment_id = id, swapped_appointment_id = $2, resolved_at = now() WHERE id = $1`, [row.id, swapped?.appointmentId ?? null]);
    await tx.query(`UPDATE alarms SET status = 'booked', served_at = now(), updated_at = now() WHERE id = $1`, [row.alarm_id]);
    return { changed: true, ...outcome, swapped };
  });
}

/** Ends a waiting alarm (expired / cancelled). An offered alarm is not touched: its open offer is returned. */
export async function closeAlarm(db: Queryable, alarmId: string, to: 'expired' | 'cancelled'): Promise<{ changed: boolean; status: AlarmStatus; openOffer: OfferRecord | null }> {
  const r = await db.query<{ status: AlarmStatus }>(`UPDATE alarms SET status = $2, updated_at = now() WHERE id = $1 AND status = 'active' RETURNING status`, [alarmId, to]);
  if (r.rows[0]) return { changed: true, status: to, openOffer: null };
  const a = await findAlarm(db, alarmId);
  if (!a) throw new DomainError('NOT_FOUND', 'This alarm does not exist.');
  return { changed: false, status: a.status, openOffer: a.status === 'offered' ? await findOpenOffer(db, alarmId) : null };
}

/** Moves the expiry to now + lifetime (never earlier) while the alarm waits; returns the stored value. */
export async function extendAlarm(db: Queryable, alarmId: string, lifetime: string): Promise<{ expiresAt: Date | null; extendedCount: number }> {
  const r = await db.query<{ expires_at: Date; extended_count: number }>(
    `UPDATE alarms SET expires_at = GREATEST(expires_at, now() + $2::interval), extended_count = extended_count + 1, updated_at = now()
      WHERE id = $1 AND status IN ('active', 'offered') RETURNING expires_at, extended_count`,
    [alarmId, lifetime],
  );
  return r.rows[0] ? { expiresAt: r.rows[0].expires_at, extendedCount: r.rows[0].extended_count } : { expiresAt: null, extendedCount: 0 };
}

/**
 * Routes free seats of a slot through the queue: match, then `notify` the alarm's workflow, until
 * the slot has no free seat or nobody matches (`maxOffers` bounds it; 1 for a single freed seat).
 * When notify says the alarm's workflow is gone, that offer lapses and the seat goes on.
 * Returns the offers made (a retry with the same sourceKey returns the first one again).
 */
export async function routeSlot(
  pool: Pool,
  input: { slotId: string; offerHold: string; sourceKey?: string | null; maxOffers?: number; newOfferId: () => string },
  notify: (offer: MatchedOffer) => Promise<'delivered' | 'gone'>,
): Promise<MatchedOffer[]> {
  const offers: MatchedOffer[] = [];
  let sourceKey = input.sourceKey ?? null;
  const max = input.maxOffers ?? 1;
  for (let i = 0; offers.length < max && i < max + 10; i++) {
    const offer = await matchSlot(pool, { slotId: input.slotId, offerId: input.newOfferId(), offerHold: input.offerHold, sourceKey });
    if (!offer) break;
    if ((await notify(offer)) === 'delivered') {
      offers.push(offer);
      sourceKey = null;
      continue;
    }
    await resolveOffer(pool, { offerId: offer.offerId, to: 'lapsed' });
    await pool.query(`UPDATE alarms SET status = 'cancelled', updated_at = now() WHERE id = $1 AND status = 'active'`, [offer.alarmId]);
    sourceKey = `after:${offer.offerId}`;
  }
  return offers;
}
