import { randomUUID } from 'node:crypto';
import { alarmInput as newAlarmInput, berlinDateIn } from './alarm-fixtures';
import { DomainError } from '../../../domain/src/errors';
import { createTestDatabase } from '../../../../test/support/db';
import type { TestDatabase } from '../../../../test/support/db';
import { acceptOffer, closeAlarm, createAlarm, findAlarm, matchSlot, resolveOffer, routeSlot } from './alarms';
import type { CreateAlarmInput, MatchedOffer } from './alarms';
import { findAppointment, holdSlot, releaseAppointment } from './booking';

// The Terminalarm queue in PostgreSQL itself, without Temporal: matching in Berlin time, strict
// order of creation, exclusivity of an offered seat, accept / decline / lapse, one active alarm per
// address and service.
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('alarms_db');
});
afterAll(async () => {
  await db?.drop();
});

const OFFICE = 'buergeramt-rathaus-neukoelln';
const SERVICE = 'reisepass-beantragen';

/** A slot at Berlin wall-clock `time` on the date `days` from today (Berlin). */
async function slot(days: number, time = '10:00', opts: { capacity?: number; booked?: number; publicAt?: Date | null } = {}): Promise<{ slotId: string; start: Date }> {
  const r = await db.pool.query<{ id: string; starts_at: Date }>(
    `INSERT INTO slots (office_id, starts_at, ends_at, capacity, booked, service_ids, public_at)
     SELECT $1, t, t + interval '10 minutes', $4, $5, $6, $7
       FROM (SELECT ((now() AT TIME ZONE 'Europe/Berlin')::date + $2::int + $3::time) AT TIME ZONE 'Europe/Berlin' AS t) x
     RETURNING id, starts_at`,
    [OFFICE, days, time, opts.capacity ?? 1, opts.booked ?? 0, [SERVICE], opts.publicAt ?? null],
  );
  return { slotId: r.rows[0]!.id, start: r.rows[0]!.starts_at };
}

const ISO_DOW: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const berlinDate = berlinDateIn;

const alarmInput = (over: Partial<CreateAlarmInput> = {}): CreateAlarmInput => newAlarmInput(SERVICE, over);
const booked = async (slotId: string) => (await db.pool.query<{ booked: number }>('SELECT booked FROM slots WHERE id = $1', [slotId])).rows[0]!.booked;
const match = (slotId: string, sourceKey?: string) => matchSlot(db.pool, { slotId, offerId: randomUUID(), offerHold: 'PT30M', sourceKey });

describe('Terminalarm queue (PostgreSQL)', () => {
  beforeEach(async () => {
    await db.pool.query(`UPDATE alarms SET status = 'cancelled' WHERE status IN ('active', 'offered')`);
  });

  it('serves three alarms for the same wish strictly in order of creation, one seat at a time', async () => {
    const alarms = [];
    for (let i = 0; i < 3; i++) alarms.push(await createAlarm(db.pool, alarmInput()));
    const served: string[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await slot(5 + i, '09:00', { publicAt: new Date(Date.now() + 15 * 60_000) });
      const o = await match(s.slotId);
      expect(o).not.toBeNull();
      served.push(o!.alarmId);
      expect(await booked(s.slotId)).toBe(1);
    }
    expect(served).toEqual(alarms.map((a) => a.alarmId));
    for (const a of alarms) expect((await findAlarm(db.pool, a.alarmId))!.status).toBe('offered');
  });

  it('matches office, date range, Berlin weekday and time window; nobody matching changes nothing', async () => {
    const s = await slot(3, '14:30', { publicAt: new Date(Date.now() + 15 * 60_000) });
    const isoDow = ISO_DOW[new Date(s.start).toLocaleDateString('en-US', { timeZone: 'Europe/Berlin', weekday: 'short' })]!;
    const otherDay = (isoDow % 7) + 1;
    await createAlarm(db.pool, alarmInput({ officeIds: ['buergeramt-kreuzberg-yorckstrasse'] }));
    await createAlarm(db.pool, alarmInput({ fromDate: berlinDate(10) }));
    await createAlarm(db.pool, alarmInput({ weekdays: [otherDay] }));
    await createAlarm(db.pool, alarmInput({ timeFrom: '08:00', timeTo: '14:30' }));
    expect(await match(s.slotId)).toBeNull();
    expect(await booked(s.slotId)).toBe(0);
    const fits = await createAlarm(db.pool, alarmInput({ officeIds: [OFFICE], weekdays: [isoDow], timeFrom: '14:30', timeTo: '15:00', fromDate: berlinDate(3), toDate: berlinDate(3) }));
    expect((await match(s.slotId))?.alarmId).toBe(fits.alarmId);
  });

  it('an offered seat is not publicly bookable while the offer stands; accept books it confirmed', async () => {
    const a = await createAlarm(db.pool, alarmInput());
    // a full slot whose seat is freed by a cancellation: withheld, then offered
    const s = await slot(4, '11:00');
    const holder = randomUUID();
    await holdSlot(db.pool, { appointmentId: holder, workflowId: `appointment-${holder}`, slotId: s.slotId, serviceId: SERVICE, email: 'x@example.org', name: 'X', tokenHash: 'a'.repeat(64), holdExpiresAt: new Date(Date.now() + 60_000), horizon: 'P60D', perEmailLimit: 2 });
    await releaseAppointment(db.pool, { appointmentId: holder, from: ['reserved'], to: 'cancelled', block: 'PT0S' });
    await db.pool.query('UPDATE slots SET public_at = NULL WHERE id = $1', [s.slotId]); // even a public seat: the offer holds it
    const o = (await match(s.slotId, `freed:${s.slotId}:${holder}:cancelled`))!;
    expect(o.alarmId).toBe(a.alarmId);
    expect(await match(s.slotId, `freed:${s.slotId}:${holder}:cancelled`)).toMatchObject({ offerId: o.offerId }); // idempotent
    expect(await booked(s.slotId)).toBe(1);

    const publicTry = randomUUID();
    await expect(
      holdSlot(db.pool, { appointmentId: publicTry, workflowId: `appointment-${publicTry}`, slotId: s.slotId, serviceId: SERVICE, email: 'y@example.org', name: 'Y', tokenHash: 'b'.repeat(64), holdExpiresAt: new Date(Date.now() + 60_000), horizon: 'P60D', perEmailLimit: 2 }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });

    const r = await acceptOffer(db.pool, o.offerId);
    expect(r).toMatchObject({ changed: true, appointmentId: o.offerId, slotId: s.slotId });
    expect(await acceptOffer(db.pool, o.offerId)).toMatchObject({ changed: false });
    expect((await findAppointment(db.pool, o.offerId))!).toMatchObject({ status: 'confirmed', slotId: s.slotId });
    expect((await findAlarm(db.pool, a.alarmId))!).toMatchObject({ status: 'booked', servedAt: expect.any(Date) });
    expect(await booked(s.slotId)).toBe(1);
  });

  it('decline / lapse gives the seat to the next alarm and the first keeps waiting (not offered the same slot again)', async () => {
    const first = await createAlarm(db.pool, alarmInput());
    const second = await createAlarm(db.pool, alarmInput());
    const s = await slot(6, '12:00', { publicAt: new Date(Date.now() + 15 * 60_000) });
    const o1 = (await match(s.slotId))!;
    expect(o1.alarmId).toBe(first.alarmId);
    expect(await resolveOffer(db.pool, { offerId: o1.offerId, to: 'lapsed' })).toMatchObject({ changed: true, slotId: s.slotId });
    expect(await resolveOffer(db.pool, { offerId: o1.offerId, to: 'lapsed' })).toMatchObject({ changed: false });
    expect(await booked(s.slotId)).toBe(0);
    expect((await findAlarm(db.pool, first.alarmId))!.status).toBe('active');
    const notified: MatchedOffer[] = [];
    const [o2] = await routeSlot(db.pool, { slotId: s.slotId, offerHold: 'PT30M', sourceKey: `after:${o1.offerId}`, newOfferId: randomUUID }, async (o) => {
      notified.push(o);
      return 'delivered';
    });
    expect(o2!.alarmId).toBe(second.alarmId);
    expect(notified.map((n) => n.workflowId)).toEqual([second.workflowId]);
    await expect(acceptOffer(db.pool, o1.offerId)).rejects.toMatchObject({ code: 'GONE' });
  });

  it('one active alarm per address and service; closing an offered alarm returns its open offer', async () => {
    const a = await createAlarm(db.pool, alarmInput({ email: 'same@example.org' }));
    await expect(createAlarm(db.pool, alarmInput({ email: 'Same@Example.org ' }))).rejects.toBeInstanceOf(DomainError);
    await createAlarm(db.pool, alarmInput({ email: 'same@example.org', serviceId: 'anmeldung-wohnung' }));
    const s = await slot(7, '10:00', { publicAt: new Date(Date.now() + 15 * 60_000) });
    const o = (await match(s.slotId))!;
    expect(o.alarmId).toBe(a.alarmId);
    expect(await closeAlarm(db.pool, a.alarmId, 'expired')).toMatchObject({ changed: false, status: 'offered', openOffer: { offerId: o.offerId } });
  });
  it('an "earlier slot" alarm: accept swaps the bookings in one transaction (old seat back, old appointment cancelled as swapped), idempotently', async () => {
    const svc = 'meldebescheinigung'; // a service no other alarm of this file waits for
    const newSlot = async (days: number) =>
      (
        await db.pool.query<{ id: string }>(
          `INSERT INTO slots (office_id, starts_at, ends_at, capacity, service_ids) VALUES ($1, now() + make_interval(days => $2), now() + make_interval(days => $2, mins => 10), 1, $3) RETURNING id`,
          [OFFICE, days, [svc]],
        )
      ).rows[0]!.id;
    const day10 = await newSlot(10);
    const current = randomUUID();
    await holdSlot(db.pool, { appointmentId: current, workflowId: `appointment-${current}`, slotId: day10, serviceId: svc, email: 'swap@example.org', name: 'S', tokenHash: 'c'.repeat(64), holdExpiresAt: new Date(Date.now() + 60_000), horizon: 'P60D', perEmailLimit: 2 });
    const a = await createAlarm(db.pool, alarmInput({ serviceId: svc, email: 'swap@example.org', currentAppointmentId: current }));

    expect(await match(await newSlot(12))).toBeNull(); // later than the current appointment: no match
    const day3 = await newSlot(3);
    const o = (await match(day3))!;
    expect(o.alarmId).toBe(a.alarmId);
    expect(await booked(day10)).toBe(1);

    const r = await acceptOffer(db.pool, o.offerId, { block: 'PT15M' });
    expect(r).toMatchObject({ changed: true, appointmentId: o.offerId, slotId: day3, swapped: { appointmentId: current, workflowId: `appointment-${current}`, freed: { slotId: day10, withheld: true } } });
    expect(await booked(day3)).toBe(1);
    expect(await booked(day10)).toBe(0);
    expect((await findAppointment(db.pool, current))!.status).toBe('cancelled');
    expect((await db.pool.query('SELECT cancel_reason FROM appointments WHERE id = $1', [current])).rows[0]).toEqual({ cancel_reason: 'swapped' });
    expect((await findAppointment(db.pool, o.offerId))!).toMatchObject({ status: 'confirmed', slotId: day3 });
    // a retry changes nothing and reports the same swap
    expect(await acceptOffer(db.pool, o.offerId, { block: 'PT15M' })).toMatchObject({ changed: false, swapped: { appointmentId: current, freed: { slotId: day10 } } });
    expect(await booked(day10)).toBe(0);
    // the old appointment's own release (its workflow told of the swap) gives back nothing
    expect(await releaseAppointment(db.pool, { appointmentId: current, from: ['reserved', 'confirmed'], to: 'cancelled', block: 'PT0S' })).toMatchObject({ changed: false, status: 'cancelled', freed: null });
    expect(await booked(day10)).toBe(0);
  });
});
