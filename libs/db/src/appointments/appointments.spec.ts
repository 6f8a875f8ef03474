import { randomUUID } from 'node:crypto';
import { openingHoursProblems } from '../../../domain/src/appointments/slot-plan';
import { DomainError } from '../../../domain/src/errors';
import { createTestDatabase } from '../../../../test/support/db';
import type { TestDatabase } from '../../../../test/support/db';
import { findAppointment, holdSlot, releaseAppointment, rescheduleAppointment, transitionAppointment } from './booking';
import type { HoldInput } from './booking';
import { findAvailableSlots, getSlot, listOffices, listServices, officesOffering } from './catalogue';
import { appointmentTokenMatches, emailHash, hashAppointmentToken, newAppointmentToken } from './secrets';
import { insertSlots } from './slots';

// The seat invariant in PostgreSQL itself, without Temporal: concurrent holds, idempotent release,
// atomic reschedule, the alarm seam's withholding, availability. Fresh migrated database (with the
// seed catalogue) on the shared test server.
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('appointments_db');
});
afterAll(async () => {
  await db?.drop();
});

const OFFICE_A = 'buergeramt-rathaus-neukoelln';
const OFFICE_B = 'buergeramt-kreuzberg-yorckstrasse';
const SERVICE = 'anmeldung-wohnung';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function slot(officeId: string, inMs: number, opts: { capacity?: number; booked?: number; publicAt?: Date | null; services?: string[] } = {}): Promise<string> {
  const start = new Date(Date.now() + inMs);
  const r = await db.pool.query<{ id: string }>(
    'INSERT INTO slots (office_id, starts_at, ends_at, capacity, booked, service_ids, public_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id',
    [officeId, start, new Date(start.getTime() + 10 * 60_000), opts.capacity ?? 1, opts.booked ?? 0, opts.services ?? [SERVICE], opts.publicAt ?? null],
  );
  return r.rows[0]!.id;
}

function hold(slotId: string, over: Partial<HoldInput> = {}): HoldInput {
  const appointmentId = randomUUID();
  return {
    appointmentId,
    workflowId: `appointment-${appointmentId}`,
    slotId,
    serviceId: SERVICE,
    email: `person-${appointmentId}@example.org`,
    name: 'Erika Mustermann',
    tokenHash: hashAppointmentToken(newAppointmentToken()),
    holdExpiresAt: new Date(Date.now() + 15 * 60_000),
    horizon: 'P60D',
    perEmailLimit: 2,
    ...over,
  };
}

const booked = async (slotId: string) => (await db.pool.query<{ booked: number }>('SELECT booked FROM slots WHERE id = $1', [slotId])).rows[0]!.booked;
const reasonOf = (r: PromiseSettledResult<unknown>) => (r.status === 'rejected' && r.reason instanceof DomainError ? `${r.reason.code}:${r.reason.details?.reason}` : r.status);

describe('appointment catalogue (seed)', () => {
  it('has at least 40 Bürgerämter in all 12 districts, with valid opening hours, offering the common services', async () => {
    const offices = await listOffices(db.pool);
    expect(offices.length).toBeGreaterThanOrEqual(40);
    expect(new Set(offices.map((o) => o.district)).size).toBe(12);
    for (const o of offices) {
      expect(o.address).toMatch(/\d{5} Berlin$/);
      expect(openingHoursProblems(o.openingHours)).toEqual([]);
    }
    const services = await listServices(db.pool);
    const ids = services.map((s) => s.id);
    for (const id of ['personalausweis-beantragen', 'reisepass-beantragen', 'anmeldung-wohnung', 'ummeldung-wohnung', 'abmeldung-wohnung', 'fuehrungszeugnis-beantragen', 'meldebescheinigung', 'beglaubigung']) {
      expect(ids).toContain(id);
    }
    expect(services.find((s) => s.id === 'personalausweis-beantragen')).toMatchObject({ inPersonOnly: true, durationMinutes: expect.any(Number) });
    expect(await officesOffering(db.pool, 'personalausweis-beantragen')).toHaveLength(offices.length);
    const holidays = await db.pool.query(`SELECT 1 FROM office_closures WHERE office_id IS NULL AND starts_at = '2026-12-25 00:00 Europe/Berlin'`);
    expect(holidays.rowCount).toBe(1);
  });
});

describe('holding a seat', () => {
  it('50 concurrent holds on a slot of capacity 1: exactly one succeeds, 49 CONFLICT slot_taken, booked = 1', async () => {
    const s = await slot(OFFICE_A, 2 * DAY);
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => holdSlot(db.pool, hold(s))));
    const outcome = results.map(reasonOf);
    expect(outcome.filter((o) => o === 'fulfilled')).toHaveLength(1);
    expect(outcome.filter((o) => o === 'CONFLICT:slot_taken')).toHaveLength(49);
    expect(await booked(s)).toBe(1);
    expect((await db.pool.query('SELECT 1 FROM appointments WHERE slot_id = $1', [s])).rowCount).toBe(1);
  });

  it('is idempotent by appointment id (a retried activity takes no second seat)', async () => {
    const s = await slot(OFFICE_A, 2 * DAY + HOUR, { capacity: 3 });
    const input = hold(s);
    const first = await holdSlot(db.pool, input);
    const again = await holdSlot(db.pool, input);
    const both = await Promise.all([holdSlot(db.pool, input), holdSlot(db.pool, input)]);
    expect(first.created).toBe(true);
    expect([again, ...both].every((r) => !r.created && r.appointment.appointmentId === input.appointmentId)).toBe(true);
    expect(await booked(s)).toBe(1);
    expect(first.appointment.status).toBe('reserved');
    expect(first.appointment.holdExpiresAt!.getTime()).toBe(input.holdExpiresAt.getTime());
  });

  it('enforces the per-address limit atomically (5 parallel holds of one address, limit 2)', async () => {
    const email = `Limit-${randomUUID()}@Example.org`;
    const slots = await Promise.all([1, 2, 3, 4, 5].map((i) => slot(OFFICE_B, 3 * DAY + i * HOUR)));
    const results = await Promise.allSettled(slots.map((s, i) => holdSlot(db.pool, hold(s, { email: i % 2 ? email : email.toLowerCase() }))));
    const outcome = results.map(reasonOf);
    expect(outcome.filter((o) => o === 'fulfilled')).toHaveLength(2);
    expect(outcome.filter((o) => o === 'CONFLICT:email_limit_reached')).toHaveLength(3);
  });

  it('refuses unknown slots, a service the slot does not offer, the past, beyond the horizon and withheld seats', async () => {
    await expect(holdSlot(db.pool, hold(randomUUID()))).rejects.toMatchObject({ code: 'INVALID', details: { reason: 'unknown_slot' } });
    const other = await slot(OFFICE_A, DAY, { services: ['reisepass-beantragen'] });
    await expect(holdSlot(db.pool, hold(other))).rejects.toMatchObject({ code: 'INVALID', details: { reason: 'service_not_offered' } });
    const past = await slot(OFFICE_A, -HOUR);
    await expect(holdSlot(db.pool, hold(past))).rejects.toMatchObject({ code: 'INVALID', details: { reason: 'outside_booking_horizon' } });
    const far = await slot(OFFICE_A, 61 * DAY);
    await expect(holdSlot(db.pool, hold(far))).rejects.toMatchObject({ code: 'INVALID', details: { reason: 'outside_booking_horizon' } });
    const withheld = await slot(OFFICE_A, DAY + HOUR, { publicAt: new Date(Date.now() + HOUR) });
    await expect(holdSlot(db.pool, hold(withheld))).rejects.toMatchObject({ code: 'CONFLICT', details: { reason: 'slot_taken' } });
    expect(await booked(withheld)).toBe(0);
  });

  it('the CHECK constraint refuses an overbooked slot even from a buggy statement', async () => {
    const s = await slot(OFFICE_A, DAY + 2 * HOUR, { capacity: 1, booked: 1 });
    await expect(db.pool.query('UPDATE slots SET booked = booked + 1 WHERE id = $1', [s])).rejects.toMatchObject({ code: '23514' });
  });
});

describe('giving a seat back', () => {
  it('releases exactly once; a seat freed from a full slot is withheld for the block (the alarm seam)', async () => {
    const s = await slot(OFFICE_A, 4 * DAY);
    const input = hold(s);
    await holdSlot(db.pool, input);
    const first = await releaseAppointment(db.pool, { appointmentId: input.appointmentId, from: ['reserved'], to: 'expired', block: 'PT15M' });
    const parallel = await Promise.all([1, 2, 3].map(() => releaseAppointment(db.pool, { appointmentId: input.appointmentId, from: ['reserved', 'confirmed'], to: 'cancelled', block: 'PT15M' })));
    expect(first).toMatchObject({ changed: true, status: 'expired', freed: { slotId: s, withheld: true } });
    expect(Math.abs(first.freed!.publicAt!.getTime() - (Date.now() + 15 * 60_000))).toBeLessThan(60_000);
    expect(parallel.every((r) => !r.changed && r.status === 'expired' && r.freed === null)).toBe(true);
    expect(await booked(s)).toBe(0);
    // withheld: not offered, not holdable by the public
    const avail = await findAvailableSlots(db.pool, { serviceId: SERVICE, officeIds: [OFFICE_A], from: new Date(), to: new Date(Date.now() + 5 * DAY), horizon: 'P60D', limit: 500 });
    expect(avail.map((x) => x.slotId)).not.toContain(s);
    await expect(holdSlot(db.pool, hold(s))).rejects.toMatchObject({ details: { reason: 'slot_taken' } });
    // once the block is over it is public again, without anyone doing anything
    await db.pool.query(`UPDATE slots SET public_at = now() - interval '1 second' WHERE id = $1`, [s]);
    expect((await getSlot(db.pool, s, 'P60D'))!.isPublic).toBe(true);
    await holdSlot(db.pool, hold(s));
    expect(await booked(s)).toBe(1);
  });

  it('does not withhold a slot that still had public seats', async () => {
    const s = await slot(OFFICE_A, 4 * DAY + HOUR, { capacity: 3 });
    const a = hold(s);
    await holdSlot(db.pool, a);
    await holdSlot(db.pool, hold(s));
    const r = await releaseAppointment(db.pool, { appointmentId: a.appointmentId, from: ['reserved'], to: 'cancelled', block: 'PT15M' });
    expect(r.freed).toMatchObject({ withheld: false, publicAt: null });
    expect((await findAppointment(db.pool, a.appointmentId))!.cancelledAt).toBeInstanceOf(Date);
  });

  it('transitions are guarded and idempotent', async () => {
    const s = await slot(OFFICE_A, 4 * DAY + 2 * HOUR);
    const a = hold(s);
    await holdSlot(db.pool, a);
    expect(await transitionAppointment(db.pool, { appointmentId: a.appointmentId, from: ['reserved'], to: 'confirmed' })).toEqual({ changed: true, status: 'confirmed' });
    expect(await transitionAppointment(db.pool, { appointmentId: a.appointmentId, from: ['reserved'], to: 'confirmed' })).toEqual({ changed: false, status: 'confirmed' });
    const rec = (await findAppointment(db.pool, a.appointmentId))!;
    expect(rec).toMatchObject({ status: 'confirmed', holdExpiresAt: null });
    expect(rec.bookedAt).toBeInstanceOf(Date);
    expect(await transitionAppointment(db.pool, { appointmentId: a.appointmentId, from: ['confirmed'], to: 'missed', attended: false })).toEqual({ changed: true, status: 'missed' });
    expect((await findAppointment(db.pool, a.appointmentId))!.attended).toBe(false);
    expect(await booked(s)).toBe(1); // a missed appointment keeps its (past) seat
  });
});

describe('rescheduling', () => {
  it('takes the new seat and gives the old one back in one transaction; a taken target changes nothing', async () => {
    const oldSlot = await slot(OFFICE_A, 5 * DAY);
    const newSlot = await slot(OFFICE_B, 6 * DAY);
    const fullSlot = await slot(OFFICE_B, 6 * DAY + HOUR, { booked: 1 });
    const a = hold(oldSlot);
    await holdSlot(db.pool, a);
    await expect(rescheduleAppointment(db.pool, { appointmentId: a.appointmentId, newSlotId: fullSlot, horizon: 'P60D', block: 'PT15M' })).rejects.toMatchObject({ code: 'CONFLICT', details: { reason: 'slot_taken' } });
    expect([await booked(oldSlot), await booked(fullSlot)]).toEqual([1, 1]);

    const r = await rescheduleAppointment(db.pool, { appointmentId: a.appointmentId, newSlotId: newSlot, horizon: 'P60D', block: 'PT15M' });
    expect(r).toMatchObject({ changed: true, appointment: { slotId: newSlot, officeId: OFFICE_B, status: 'reserved', rescheduleCount: 1 }, freed: { slotId: oldSlot, withheld: true } });
    expect([await booked(oldSlot), await booked(newSlot)]).toEqual([0, 1]);
    const retry = await rescheduleAppointment(db.pool, { appointmentId: a.appointmentId, newSlotId: newSlot, horizon: 'P60D', block: 'PT15M' });
    expect(retry).toMatchObject({ changed: false, freed: null });
    expect([await booked(oldSlot), await booked(newSlot)]).toEqual([0, 1]);
  });
});

describe('availability', () => {
  it('free public slots of the service across offices, earliest first, within the horizon', async () => {
    const svc = 'melderegisterauskunft';
    const a3 = await slot(OFFICE_A, 3 * DAY, { services: [svc] });
    await slot(OFFICE_A, 1 * DAY, { services: [svc], booked: 1 }); // full
    const a5 = await slot(OFFICE_A, 5 * DAY, { services: [svc, SERVICE], capacity: 4, booked: 1 });
    const b2 = await slot(OFFICE_B, 2 * DAY, { services: [svc] });
    const b4 = await slot(OFFICE_B, 4 * DAY, { services: [svc] });
    await slot(OFFICE_B, 2 * DAY + HOUR, { services: [svc], publicAt: new Date(Date.now() + HOUR) }); // withheld
    await slot(OFFICE_B, 70 * DAY, { services: [svc] }); // beyond the horizon
    await slot(OFFICE_B, 1 * DAY, { services: ['reisepass-beantragen'] }); // other service
    const q = { serviceId: svc, officeIds: [OFFICE_A, OFFICE_B], from: new Date(0), to: new Date(8.64e15), horizon: 'P60D', limit: 100 };
    const all = await findAvailableSlots(db.pool, q);
    expect(all.map((s) => s.slotId)).toEqual([b2, a3, b4, a5]);
    expect(all.find((s) => s.slotId === a5)!.free).toBe(3);
    expect((await findAvailableSlots(db.pool, { ...q, limit: 2 })).map((s) => s.slotId)).toEqual([b2, a3]);
    expect((await findAvailableSlots(db.pool, { ...q, from: new Date(Date.now() + 2.5 * DAY), to: new Date(Date.now() + 4.5 * DAY) })).map((s) => s.slotId)).toEqual([a3, b4]);
    const plan = await db.pool.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT id FROM slots WHERE office_id = $1 AND booked < capacity AND starts_at >= now() ORDER BY starts_at LIMIT 10`,
      [OFFICE_A],
    );
    expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/slots_free_idx|Seq Scan/); // tiny table: either is fine; the index exists
  });

  it('inserts published slots idempotently', async () => {
    const start = new Date(Date.now() + 7 * DAY);
    const planned = [0, 1, 2].map((i) => ({ start: new Date(start.getTime() + i * 600_000), end: new Date(start.getTime() + (i + 1) * 600_000) }));
    const first = await insertSlots(db.pool, { officeId: OFFICE_A, serviceIds: ['reisepass-beantragen', 'personalausweis-beantragen'], capacity: 2, slots: planned, publicAt: null });
    const again = await insertSlots(db.pool, { officeId: OFFICE_A, serviceIds: ['personalausweis-beantragen', 'reisepass-beantragen'], capacity: 2, slots: planned, publicAt: null });
    expect(first).toHaveLength(3);
    expect(again).toHaveLength(0);
  });
});

describe('link tokens', () => {
  it('are long and random, stored as sha256, compared in constant time', () => {
    const t = newAppointmentToken();
    expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(appointmentTokenMatches(t, hashAppointmentToken(t))).toBe(true);
    expect(appointmentTokenMatches(newAppointmentToken(), hashAppointmentToken(t))).toBe(false);
    expect(appointmentTokenMatches(undefined, hashAppointmentToken(t))).toBe(false);
    expect(appointmentTokenMatches(`${t}x`, hashAppointmentToken(t))).toBe(false);
    expect(emailHash(' Erika@Example.ORG ')).toBe(emailHash('erika@example.org'));
  });
});
