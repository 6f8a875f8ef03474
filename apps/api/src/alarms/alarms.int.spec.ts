import { randomUUID } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Client } from '@temporalio/client';
import request from 'supertest';
import { signDevToken } from '../../../../libs/auth/src/dev-tokens';
import { berlinIsoDate } from '../../../../libs/domain/src/berlin-time';
import type { TestDatabase } from '../../../../test/support/db';
import { listMails, waitForMails } from '../../../../test/support/mail';
import type { SinkMail } from '../../../../test/support/mail';
import { SLOT_EVENTS } from '../appointments/slot-events';
import type { SlotEvents } from '../appointments/slot-events';
import { testConfig } from '../testing/test-app';
import { eventually } from '../../../../test/support/eventually';
import { OFFICE_A, startAppointmentsStack } from '../testing/appointments-stack';
import type { AppointmentsStack } from '../testing/appointments-stack';

// Terminalarm end to end: the API in-process on a fresh PostgreSQL database (with the seed
// catalogue), the shared Temporal dev server, the SMTP sink, and a worker in-process with the real
// activities and the production data converter on TASK_QUEUES.appointments. Seats free up through
// the real seams: publication (SLOT_EVENTS, as POST /admin/offices/{id}/slots calls it) and a
// cancelled appointment (onSlotFreed in the worker). Every workflow is terminated in afterAll.
const SERVICE = 'personalausweis-beantragen';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let stack: AppointmentsStack;
let db: TestDatabase;
let client: Client;
let app: NestExpressApplication;
let tokens: AppointmentsStack['tokens'];
const started = new Set<string>();

beforeAll(async () => {
  stack = await startAppointmentsStack({ dbPrefix: 'alarms_api', workflowsPath: require.resolve('../../../../test/fixtures/alarm.workflows') });
  ({ db, client, app, tokens } = stack);
});

afterAll(async () => {
  await stack?.stop([...started]);
});

const http = () => request(app.getHttpServer());
const uniqueEmail = (tag: string) => `${tag}-${randomUUID().slice(0, 8)}@example.org`;
const messageIdOf = (m: SinkMail) => (typeof m.headers?.['message-id'] === 'string' ? m.headers['message-id'].trim() : `<${String(m.messageId).replace(/^<|>$/g, '')}>`);
const berlinDay = (inDays: number) => berlinIsoDate(new Date(Date.now() + inDays * DAY));

/** A new slot at OFFICE_A, withheld for the queue, published through the seam (as the admin endpoint does). */
async function publish(inMs: number): Promise<string> {
  const start = new Date(Date.now() + inMs);
  const publicAt = new Date(Date.now() + HOUR);
  const r = await db.pool.query<{ id: string }>('INSERT INTO slots (office_id, starts_at, ends_at, capacity, service_ids, public_at) VALUES ($1, $2, $3, 1, $4, $5) RETURNING id', [
    OFFICE_A,
    start,
    new Date(start.getTime() + 10 * 60_000),
    [SERVICE],
    publicAt,
  ]);
  const slotId = r.rows[0]!.id;
  await app.get<SlotEvents>(SLOT_EVENTS).onSlotsPublished({ officeId: OFFICE_A, serviceIds: [SERVICE], slotIds: [slotId], publicAt });
  return slotId;
}

async function createAlarm(email: string): Promise<{ alarmId: string; token: string }> {
  const res = await http()
    .post('/api/v1/alarms')
    .send({ serviceId: SERVICE, officeIds: [OFFICE_A], from: berlinDay(0), to: berlinDay(20), email, name: 'Erika Mustermann' })
    .expect(201);
  const body = res.body as { alarmId: string; token: string; status: string; expiresAt: string };
  expect(body).toMatchObject({ status: 'active', expiresAt: expect.any(String) });
  started.add(`alarm-${body.alarmId}`);
  return body;
}

const alarmView = async (a: { alarmId: string; token: string }) => (await http().get(`/api/v1/alarms/${a.alarmId}`).query({ token: a.token }).expect(200)).body as {
  status: string;
  position?: number;
  offer?: { offerId: string; slotId: string };
};

describe('Terminalarm (API + Temporal + PostgreSQL + SMTP)', () => {
  it('one active alarm per address and service (409), a wrong token is 404', async () => {
    const email = uniqueEmail('single');
    const a = await createAlarm(email);
    await http().post('/api/v1/alarms').send({ serviceId: SERVICE, officeIds: [], from: berlinDay(0), to: berlinDay(5), email, name: 'E' }).expect(409);
    await http().get(`/api/v1/alarms/${a.alarmId}`).query({ token: 'x'.repeat(43) }).expect(404);
    await http().delete(`/api/v1/alarms/${a.alarmId}`).query({ token: a.token }).expect(200, { alarmId: a.alarmId, status: 'cancelled' });
    expect((await alarmView(a)).status).toBe('cancelled');
  });

  it('serves three alarms for the same wish in order of creation; an offered seat is not public; accept books it confirmed; a cancellation goes to the queue first', async () => {
    const emails = [uniqueEmail('first'), uniqueEmail('second'), uniqueEmail('third')];
    const alarms: Array<{ alarmId: string; token: string }> = [];
    for (const e of emails) alarms.push(await createAlarm(e));
    expect((await alarmView(alarms[2]!)).position).toBeGreaterThanOrEqual(3);

    const slots: string[] = [];
    for (let i = 0; i < 3; i++) {
      slots.push(await publish((3 + i) * DAY));
      const v = await alarmView(alarms[i]!);
      expect(v).toMatchObject({ status: 'offered', offer: { slotId: slots[i] } });
      for (const later of alarms.slice(i + 1)) expect((await alarmView(later)).status).toBe('active');
    }
    // each offer mailed exactly to its alarm, with accept/decline links
    for (let i = 0; i < 3; i++) {
      const offerId = (await alarmView(alarms[i]!)).offer!.offerId;
      const [mail] = await waitForMails((m) => messageIdOf(m) === `<alarm-${alarms[i]!.alarmId}.offer-${offerId}@amtsweg>`, { timeoutMs: 20_000 });
      expect(mail!.to?.[0]?.address).toBe(emails[i]);
      expect(mail!.text).toContain(`/angebote/${offerId}/annehmen?token=`);
    }

    // the offered slot is not publicly bookable while the offer stands
    const publicTry = await http().post('/api/v1/appointments').send({ serviceId: SERVICE, slotId: slots[0], email: uniqueEmail('public'), name: 'Max' });
    expect(publicTry.status).toBe(409);

    // accept: confirmed at once, alarm booked, the appointment's own workflow mails the confirmation
    const first = alarms[0]!;
    const offerId = (await alarmView(first)).offer!.offerId;
    const accepted = await http().post(`/api/v1/alarms/${first.alarmId}/offers/${offerId}/accept`).send({ token: first.token }).expect(201);
    expect(accepted.body).toEqual({ appointmentId: offerId, status: 'confirmed' });
    started.add(`appointment-${offerId}`);
    expect((await alarmView(first)).status).toBe('booked');
    const appt = await http().get(`/api/v1/appointments/${offerId}`).query({ token: first.token }).expect(200);
    expect(appt.body).toMatchObject({ status: 'confirmed', slotId: slots[0] });
    await waitForMails((m) => messageIdOf(m) === `<appointment-${offerId}.confirmed@amtsweg>`, { timeoutMs: 20_000 });
    expect((await db.pool.query<{ booked: number }>('SELECT booked FROM slots WHERE id = $1', [slots[0]])).rows[0]!.booked).toBe(1);

    // the second declines: it keeps waiting, nobody else wants slot 2
    const second = alarms[1]!;
    const secondOffer = (await alarmView(second)).offer!.offerId;
    await http().post(`/api/v1/alarms/${second.alarmId}/offers/${secondOffer}/decline`).send({ token: second.token }).expect(200);
    await eventually(async () => (await alarmView(second)).status === 'active', 'the declined alarm waiting again', 20_000);

    // the booked appointment is cancelled: its seat goes to the queue first (the second alarm), not the public
    await http().post(`/api/v1/appointments/${offerId}/cancel`).send({ token: first.token }).expect(200);
    const v = await eventually(async () => {
      const s = await alarmView(second);
      return s.status === 'offered' ? s : undefined;
    }, 'the freed seat offered to the next alarm', 20_000);
    expect(v.offer!.slotId).toBe(slots[0]);
  });
});

describe('Terminalarm for an earlier slot (swap)', () => {
  it('accepting an earlier offer swaps the bookings in one transaction; the old seat goes to the queue first', async () => {
    const email = uniqueEmail('swap');
    // the citizen's current appointment on day 10 (a public slot, booked through the API)
    const start10 = new Date(Date.now() + 10 * DAY);
    const day10 = (
      await db.pool.query<{ id: string }>('INSERT INTO slots (office_id, starts_at, ends_at, capacity, service_ids) VALUES ($1, $2, $3, 1, $4) RETURNING id', [
        OFFICE_A,
        start10,
        new Date(start10.getTime() + 10 * 60_000),
        [SERVICE],
      ])
    ).rows[0]!.id;
    const held = await http().post('/api/v1/appointments').send({ serviceId: SERVICE, slotId: day10, email, name: 'Erika Mustermann' }).expect(201);
    const oldId = (held.body as { appointmentId: string }).appointmentId;
    started.add(`appointment-${oldId}`);
    const [confirmation] = await waitForMails((m) => messageIdOf(m) === `<appointment-${oldId}.confirmation@amtsweg>`, { timeoutMs: 20_000 });
    const apptToken = decodeURIComponent(/[?&]token=([^\s&]+)/.exec(confirmation!.text ?? '')![1]!);
    await http().post(`/api/v1/appointments/${oldId}/confirm`).send({ token: apptToken }).expect(200);

    // ownership is proven by the appointment's token; the service must be the appointment's
    const wish = { serviceId: SERVICE, officeIds: [OFFICE_A], from: berlinDay(0), to: berlinDay(20), email, name: 'Erika Mustermann' };
    await http().post('/api/v1/alarms').send({ ...wish, appointmentId: oldId, appointmentToken: 'x'.repeat(43) }).expect(404);
    await http().post('/api/v1/alarms').send({ ...wish, appointmentId: oldId }).expect(422);
    await http().post('/api/v1/alarms').send({ ...wish, serviceId: 'reisepass-beantragen', appointmentId: oldId, appointmentToken: apptToken }).expect(422);
    const res = await http().post('/api/v1/alarms').send({ ...wish, appointmentId: oldId, appointmentToken: apptToken }).expect(201);
    const swapAlarm = res.body as { alarmId: string; token: string };
    started.add(`alarm-${swapAlarm.alarmId}`);
    // the next alarm in the queue wants days 8..12 (the day-10 seat, not the day-3 one)
    const nextRes = await http()
      .post('/api/v1/alarms')
      .send({ serviceId: SERVICE, officeIds: [OFFICE_A], from: berlinDay(8), to: berlinDay(12), email: uniqueEmail('next'), name: 'Max Mustermann' })
      .expect(201);
    const nextAlarm = nextRes.body as { alarmId: string; token: string };
    started.add(`alarm-${nextAlarm.alarmId}`);

    // a seat on day 3 frees up → offered to the swap alarm
    const day3 = await publish(3 * DAY);
    const offered = await eventually(async () => {
      const v = await alarmView(swapAlarm);
      return v.status === 'offered' ? v : undefined;
    }, 'the day-3 seat offered to the swap alarm', 20_000);
    expect(offered.offer!.slotId).toBe(day3);
    const offerId = offered.offer!.offerId;
    await waitForMails((m) => messageIdOf(m) === `<alarm-${swapAlarm.alarmId}.offer-${offerId}@amtsweg>`, { timeoutMs: 20_000 });

    const accepted = await http().post(`/api/v1/alarms/${swapAlarm.alarmId}/offers/${offerId}/accept`).send({ token: swapAlarm.token }).expect(201);
    expect(accepted.body).toEqual({ appointmentId: offerId, status: 'confirmed' });
    started.add(`appointment-${offerId}`);

    // PostgreSQL: one active appointment (day 3, confirmed), the old one cancelled as swapped, seats counted right
    const appts = await db.pool.query<{ id: string; slot_id: string; status: string; cancel_reason: string | null }>(
      `SELECT id, slot_id, status, cancel_reason FROM appointments WHERE id = ANY ($1::uuid[]) ORDER BY starts_at`,
      [[oldId, offerId]],
    );
    expect(appts.rows).toEqual([
      { id: offerId, slot_id: day3, status: 'confirmed', cancel_reason: null },
      { id: oldId, slot_id: day10, status: 'cancelled', cancel_reason: 'swapped' },
    ]);
    const active = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM appointments WHERE email_hash = (SELECT email_hash FROM appointments WHERE id = $1) AND status IN ('reserved', 'confirmed')`,
      [oldId],
    );
    expect(active.rows[0]!.n).toBe(1);
    const booked = async (slotId: string) => (await db.pool.query<{ booked: number }>('SELECT booked FROM slots WHERE id = $1', [slotId])).rows[0]!.booked;
    expect(await booked(day3)).toBe(1);
    expect(await db.pool.query(`SELECT 1 FROM alarm_offers WHERE id = $1 AND status = 'accepted' AND swapped_appointment_id = $2`, [offerId, oldId])).toMatchObject({ rowCount: 1 });

    // the freed day-10 seat goes to the queue first: the next alarm holds it (booked again = 1, by its open offer)
    const nextView = await eventually(async () => {
      const v = await alarmView(nextAlarm);
      return v.status === 'offered' ? v : undefined;
    }, 'the freed day-10 seat offered to the next alarm', 20_000);
    expect(nextView.offer!.slotId).toBe(day10);
    expect(await booked(day10)).toBe(1);
    // the next alarm declines: the day-10 seat is free (booked 0), withheld only for the release block
    await http().post(`/api/v1/alarms/${nextAlarm.alarmId}/offers/${nextView.offer!.offerId}/decline`).send({ token: nextAlarm.token }).expect(200);
    await eventually(async () => (await booked(day10)) === 0, 'the day-10 seat free again', 20_000);

    // the old appointment's workflow ended as cancelled, without a cancellation mail; the new one mailed `confirmed`
    const oldResult = await client.workflow.getHandle(`appointment-${oldId}`).result();
    expect(oldResult).toMatchObject({ appointmentId: oldId, status: 'cancelled' });
    await waitForMails((m) => messageIdOf(m) === `<appointment-${offerId}.confirmed@amtsweg>`, { timeoutMs: 20_000 });
    expect((await listMails()).filter((m) => messageIdOf(m) === `<appointment-${oldId}.cancelled@amtsweg>`)).toEqual([]);
    expect((await alarmView(swapAlarm)).status).toBe('booked');
  });
});

describe('office closed on the offered day', () => {
  it('withdraws the offer: the alarm waits again in its place, the citizen is told, and the next seat goes to it', async () => {
    const svc = 'reisepass-beantragen'; // a service no other alarm of this file waits for
    const email = uniqueEmail('closure');
    const res = await http().post('/api/v1/alarms').send({ serviceId: svc, officeIds: [OFFICE_A], from: berlinDay(0), to: berlinDay(50), email, name: 'Erika Mustermann' }).expect(201);
    const alarm = res.body as { alarmId: string; token: string };
    started.add(`alarm-${alarm.alarmId}`);
    const slotAt = async (inMs: number) => {
      const start = new Date(Date.now() + inMs);
      const publicAt = new Date(Date.now() + HOUR);
      const r = await db.pool.query<{ id: string }>('INSERT INTO slots (office_id, starts_at, ends_at, capacity, service_ids, public_at) VALUES ($1, $2, $3, 1, $4, $5) RETURNING id', [
        OFFICE_A,
        start,
        new Date(start.getTime() + 10 * 60_000),
        [svc],
        publicAt,
      ]);
      await app.get<SlotEvents>(SLOT_EVENTS).onSlotsPublished({ officeId: OFFICE_A, serviceIds: [svc], slotIds: [r.rows[0]!.id], publicAt });
      return r.rows[0]!.id;
    };
    const closedDaySlot = await slotAt(45 * DAY);
    const offer = (await alarmView(alarm)).offer!;
    expect(offer.slotId).toBe(closedDaySlot);
    await waitForMails((m) => messageIdOf(m) === `<alarm-${alarm.alarmId}.offer-${offer.offerId}@amtsweg>`, { timeoutMs: 20_000 });
    await eventually(async () => (await client.workflow.getHandle(`alarm-${alarm.alarmId}`).query('alarmState')) !== null, 'the alarm workflow runs', 10_000);

    const close = await http()
      .post(`/api/v1/admin/offices/${OFFICE_A}/closures`)
      .set('Authorization', `Bearer ${tokens.neukoelln}`)
      .send({ date: berlinDay(45), reason: 'Personalversammlung' })
      .expect(201);
    expect(close.body).toMatchObject({ withdrawnOffers: 1 });
    const [mail] = await waitForMails((m) => messageIdOf(m) === `<alarm-${alarm.alarmId}.withdrawn-${offer.offerId}@amtsweg>`, { timeoutMs: 20_000 });
    expect(mail!.to?.[0]?.address).toBe(email);
    await eventually(async () => ((await client.workflow.getHandle(`alarm-${alarm.alarmId}`).query('alarmState')) as { offer: unknown }).offer === null, 'the workflow dropped the offer', 20_000);
    expect(await alarmView(alarm)).toMatchObject({ status: 'active' });
    await http().post(`/api/v1/alarms/${alarm.alarmId}/offers/${offer.offerId}/accept`).send({ token: alarm.token }).expect((r) => expect([404, 410]).toContain(r.status));
    const seat = await db.pool.query<{ booked: number; capacity: number }>('SELECT booked, capacity FROM slots WHERE id = $1', [closedDaySlot]);
    expect(seat.rows[0]).toEqual({ booked: 0, capacity: 0 });

    // the next matching seat goes to it at once (its place kept), offered and mailed as usual
    const next = await slotAt(46 * DAY);
    expect(await alarmView(alarm)).toMatchObject({ status: 'offered', offer: { slotId: next } });
    const nextOffer = (await alarmView(alarm)).offer!.offerId;
    await waitForMails((m) => messageIdOf(m) === `<alarm-${alarm.alarmId}.offer-${nextOffer}@amtsweg>`, { timeoutMs: 20_000 });
  });
});

describe('GET /api/v1/admin/kpi/appointments', () => {
  it('gives admins the 14-day figures, alarms active and served', async () => {
    const admin = (await signDevToken(testConfig().DEV_JWT_SECRET, { sub: 'kpi-admin', roles: ['admin'], trustLevel: 'hoch', groups: [] }, 3600)).access_token;
    const res = await http().get('/api/v1/admin/kpi/appointments').set('Authorization', `Bearer ${admin}`).expect(200);
    expect(res.body).toEqual({
      bookings: expect.any(Number),
      withinDays14Share: expect.anything(),
      averageWaitDays: expect.anything(),
      noShowShare: null,
      alarmsActive: expect.any(Number),
      alarmsServed: expect.any(Number),
      medianAlarmWaitHours: expect.anything(),
    });
    expect(res.body.alarmsServed).toBeGreaterThanOrEqual(1); // the accepted offer above
    expect(res.body.bookings).toBeGreaterThanOrEqual(1);
    expect(res.body.withinDays14Share).toBe(1);
    await http().get('/api/v1/admin/kpi/appointments').set('Authorization', `Bearer ${tokens.neukoelln}`).expect(403);
  });
});
