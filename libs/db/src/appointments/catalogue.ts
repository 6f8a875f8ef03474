// The appointment catalogue and availability, read by the public API (GET /offices, /services,
// /availability). Tables: migrations/1764400000000_appointments.sql (+ _catalogue seed).
import type { Pool, PoolClient } from 'pg';
import type { OpeningHours, Closure } from '../../../domain/src/appointments/slot-plan';

type Queryable = Pick<Pool | PoolClient, 'query'>;

export interface OfficeRecord {
  id: string;
  name: string;
  district: string;
  address: string;
  openingHours: OpeningHours;
}

export interface ServiceRecord {
  id: string;
  name: string;
  durationMinutes: number;
  inPersonOnly: boolean;
}

interface OfficeRow {
  id: string;
  name: string;
  district: string;
  address: string;
  opening_hours: OpeningHours;
}
const toOffice = (r: OfficeRow): OfficeRecord => ({ id: r.id, name: r.name, district: r.district, address: r.address, openingHours: r.opening_hours });

interface ServiceRow {
  id: string;
  name: string;
  duration_minutes: number;
  in_person_only: boolean;
}
const toService = (r: ServiceRow): ServiceRecord => ({ id: r.id, name: r.name, durationMinutes: r.duration_minutes, inPersonOnly: r.in_person_only });

/** Active offices, by district and name. */
export async function listOffices(db: Queryable): Promise<OfficeRecord[]> {
  const r = await db.query<OfficeRow>('SELECT id, name, district, address, opening_hours FROM offices WHERE active ORDER BY district, name');
  return r.rows.map(toOffice);
}

export async function getOffice(db: Queryable, officeId: string): Promise<OfficeRecord | null> {
  const r = await db.query<OfficeRow>('SELECT id, name, district, address, opening_hours FROM offices WHERE id = $1 AND active', [officeId]);
  return r.rows[0] ? toOffice(r.rows[0]) : null;
}

/** Active services, by name. */
export async function listServices(db: Queryable): Promise<ServiceRecord[]> {
  const r = await db.query<ServiceRow>('SELECT id, name, duration_minutes, in_person_only FROM services WHERE active ORDER BY name');
  return r.rows.map(toService);
}

export async function getService(db: Queryable, serviceId: string): Promise<ServiceRecord | null> {
  const r = await db.query<ServiceRow>('SELECT id, name, duration_minutes, in_person_only FROM services WHERE id = $1 AND active', [serviceId]);
  return r.rows[0] ? toService(r.rows[0]) : null;
}

/** Ids of the active offices that offer the service. */
export async function officesOffering(db: Queryable, serviceId: string): Promise<string[]> {
  const r = await db.query<{ office_id: string }>(
    `SELECT os.office_id FROM office_services os JOIN offices o ON o.id = os.office_id
      WHERE os.service_id = $1 AND o.active ORDER BY os.office_id`,
    [serviceId],
  );
  return r.rows.map((x) => x.office_id);
}

/** Ids of the services the office offers. */
export async function servicesOfOffice(db: Queryable, officeId: string): Promise<string[]> {
  const r = await db.query<{ service_id: string }>('SELECT service_id FROM office_services WHERE office_id = $1 ORDER BY service_id', [officeId]);
  return r.rows.map((x) => x.service_id);
}

/** Closures touching [from, to) of this office, including the all-office ones (public holidays). */
export async function closuresOf(db: Queryable, officeId: string, from: Date, to: Date): Promise<Closure[]> {
  const r = await db.query<{ starts_at: Date; ends_at: Date }>(
    `SELECT starts_at, ends_at FROM office_closures
      WHERE (office_id IS NULL OR office_id = $1) AND starts_at < $3 AND ends_at > $2
      ORDER BY starts_at`,
    [officeId, from, to],
  );
  return r.rows.map((c) => ({ startsAt: c.starts_at, endsAt: c.ends_at }));
}

export interface AvailabilityQuery {
  serviceId: string;
  /** The offices to search (callers pass every office offering the service for "any"). */
  officeIds: readonly string[];
  from: Date;
  to: Date;
  /** ISO 8601 duration (APPOINTMENT_BOOKING_HORIZON): nothing later than now + horizon is offered. */
  horizon: string;
  limit: number;
}

export interface AvailableSlot {
  slotId: string;
  officeId: string;
  start: Date;
  end: Date;
  /** Free public seats. */
  free: number;
}

/**
 * Free, public slots of the service at these offices, earliest first (ties by office id), only
 * from now on and within the booking horizon. One index range scan per office over the partial
 * index slots_free_idx (booked < capacity), each stopping after `limit` hits, then a merge: cost
 * grows with offices × limit, not with the size of the slots table.
 */
export async function findAvailableSlots(db: Queryable, q: AvailabilityQuery): Promise<AvailableSlot[]> {
  if (q.officeIds.length === 0 || q.limit <= 0) return [];
  const r = await db.query<{ id: string; office_id: string; starts_at: Date; ends_at: Date; free: number }>(
    `SELECT s.id, s.office_id, s.starts_at, s.ends_at, s.free
       FROM unnest($1::text[]) AS o(id)
       CROSS JOIN LATERAL (
         SELECT id, office_id, starts_at, ends_at, capacity - booked AS free
           FROM slots
          WHERE office_id = o.id
            AND booked < capacity
            AND starts_at >= GREATEST($3::timestamptz, now())
            AND starts_at < LEAST($4::timestamptz, now() + $5::interval)
            AND $2 = ANY (service_ids)
            AND (public_at IS NULL OR public_at <= now())
          ORDER BY starts_at
          LIMIT $6
       ) s
      ORDER BY s.starts_at, s.office_id
      LIMIT $6`,
    [q.officeIds, q.serviceId, q.from, q.to, q.horizon, q.limit],
  );
  return r.rows.map((s) => ({ slotId: s.id, officeId: s.office_id, start: s.starts_at, end: s.ends_at, free: s.free }));
}

export interface SlotRecord {
  slotId: string;
  officeId: string;
  start: Date;
  end: Date;
  capacity: number;
  booked: number;
  serviceIds: string[];
  publicAt: Date | null;
  /** Public now (public_at NULL or past) — by the database clock. */
  isPublic: boolean;
  /** Starts after now and no later than now + horizon — by the database clock. */
  withinHorizon: boolean;
}

/** One slot with what a booking needs to check; null when unknown. */
export async function getSlot(db: Queryable, slotId: string, horizon: string): Promise<SlotRecord | null> {
  const r = await db.query<{
    id: string;
    office_id: string;
    starts_at: Date;
    ends_at: Date;
    capacity: number;
    booked: number;
    service_ids: string[];
    public_at: Date | null;
    is_public: boolean;
    within_horizon: boolean;
  }>(
    `SELECT id, office_id, starts_at, ends_at, capacity, booked, service_ids, public_at,
            (public_at IS NULL OR public_at <= now()) AS is_public,
            (starts_at > now() AND starts_at <= now() + $2::interval) AS within_horizon
       FROM slots WHERE id = $1`,
    [slotId, horizon],
  );
  const s = r.rows[0];
  if (!s) return null;
  return {
    slotId: s.id,
    officeId: s.office_id,
    start: s.starts_at,
    end: s.ends_at,
    capacity: s.capacity,
    booked: s.booked,
    serviceIds: s.service_ids,
    publicAt: s.public_at,
    isPublic: s.is_public,
    withinHorizon: s.within_horizon,
  };
}
