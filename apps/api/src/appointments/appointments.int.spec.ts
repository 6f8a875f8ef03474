import { randomUUID } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { toBerlinIso } from '../../../../libs/domain/src/appointments/slot-plan';
import { berlinIsoDate } from '../../../../libs/domain/src/berlin-time';
import type { TestDatabase } from '../../../../test/support/db';
import { waitForMails } from '../../../../test/support/mail';
import type { SinkMail } from '../../../../test/support/mail';
import { appointmentWorkflowId } from '../../../../workflows/appointment/appointment.contract';
import { OFFICE_A, OFFICE_B, RELEASE_BLOCK_SECONDS, startAppointmentsStack } from '../testing/appointments-stack';
import type { AppointmentStaff, AppointmentsStack } from '../testing/appointments-stack';

// Appointments end to end: the API in-process on a fresh PostgreSQL database (with the seed
// catalogue), the shared Temporal dev server, the SMTP sink, and a worker in-process with the real
// activities and the production data converter on TASK_QUEUES.appointments (the queue the API
// starts appointment workflows on). Every workflow this file starts is terminated in afterAll.
const SERVICE = 'personalausweis-beantragen';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let stack: AppointmentsStack;
let db: TestDatabase;
let app: NestExpressApplication;
let tokens: AppointmentsStack['tokens'];
const started = new Set<string>();

beforeAll(async () => {
  stack = await startAppointmentsStack({ dbPrefix: 'appointments_api', workflowsPath: require.resolve('../../../../workflows/appointment/appointment.workflow') });
  ({ db, app, tokens } = stack);
});

afterAll(async () => {
  await stack?.stop([...started].map((id) => appointmentWorkflowId(id)));
});

const http = () => request(app.getHttpServer());

async function slot(officeId: string, inMs: number, opts: { capacity?: number; services?: string[] } = {}): Promise<string> {
  const start = new Date(Date.now() + inMs);
  const r = await db.pool.query<{ id: string }>('INSERT INTO slots (office_id, starts_at, ends_at, capacity, service_ids) VALUES ($1, $2, $3, $4, $5) RETURNING id', [
    officeId,
    start,
    new Date(start.getTime() + 10 * 60_000),
    opts.capacity ?? 1,
    opts.services ?? [SERVICE],
  ]);
  return r.rows[0]!.id;
}

const slotRow = async (id: string) => (await db.pool.query<{ booked: number; public_at: Date | null }>('SELECT booked, public_at FROM slots WHERE id = $1', [id])).rows[0]!;
const uniqueEmail = (tag: string) => `${tag}-${randomUUID().slice(0, 8)}@example.org`;
const messageIdOf = (m: SinkMail) => (typeof m.headers?.['message-id'] === 'string' ? m.headers['message-id'].trim() : `<${String(m.messageId).replace(/^<|>$/g, '')}>`);

async function book(slotId: string, email: string, serviceId = SERVICE) {
  const res = await http().post('/api/v1/appointments').send({ serviceId, slotId, email, name: 'Erika Mustermann' });
  if (res.status === 201) started.add((res.body as { appointmentId: string }).appointmentId);
  return res;
}

/** The token from the confirmation mail's link (the only place it exists outside the workflow). */
async function tokenFromMail(email: string): Promise<{ token: string; mail: SinkMail }> {
  const [mail] = await waitForMails((m) => m.to?.some((t) => t.address === email) === true && /bestaetigen\?token=/.test(m.text ?? ''), { timeoutMs: 20_000 });
  const token = /\/bestaetigen\?token=([A-Za-z0-9_-]+)/.exec(mail!.text ?? '')![1]!;
  return { token, mail: mail! };
}

describe('catalogue', () => {
  it('lists Berlin’s Bürgerämter and the services', async () => {
    const offices = await http().get('/api/v1/offices').expect(200);
    expect(offices.body.length).toBeGreaterThanOrEqual(40);
    expect(offices.body).toContainEqual(expect.objectContaining({ id: OFFICE_A, name: 'Bürgeramt Rathaus Neukölln', district: 'Neukölln', address: expect.stringContaining('Berlin') }));
    const services = await http().get('/api/v1/services').expect(200);
    expect(services.body).toContainEqual({ id: SERVICE, name: 'Personalausweis beantragen', durationMinutes: 20, inPersonOnly: true });
    expect(services.body).toContainEqual(expect.objectContaining({ id: 'anmeldung-wohnung', inPersonOnly: false }));
  });
});

describe('availability', () => {
  it('answers free slots across two offices, earliest first, and validates its query', async () => {
    const svc = 'beglaubigung';
    const a2 = await slot(OFFICE_A, 2 * DAY, { services: [svc] });
    const b1 = await slot(OFFICE_B, 1 * DAY, { services: [svc] });
    const a3 = await slot(OFFICE_A, 3 * DAY, { services: [svc], capacity: 3 });
    const other = await slot('buergeramt-wedding', 12 * HOUR, { services: [svc] });
    const res = await http().get(`/api/v1/availability?serviceId=${svc}&officeId=${OFFICE_A}&officeId=${OFFICE_B}`).expect(200);
    expect(res.body.slots.map((s: { slotId: string }) => s.slotId)).toEqual([b1, a2, a3]);
    expect(res.body.slots[2]).toMatchObject({ officeId: OFFICE_A, free: 3, start: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00$/) });
    const one = await http().get(`/api/v1/availability?serviceId=${svc}&officeId=${OFFICE_A}`).expect(200);
    expect(one.body.slots.map((s: { slotId: string }) => s.slotId)).toEqual([a2, a3]);
    const any = await http().get(`/api/v1/availability?serviceId=${svc}&limit=2`).expect(200);
    expect(any.body.slots.map((s: { slotId: string }) => s.slotId)).toEqual([other, b1]);

    // a window in Berlin time, the + of the offset written unencoded (arrives as a space)
    const from = new Date(Date.now() + 1.5 * DAY);
    const to = new Date(Date.now() + 2.5 * DAY);
    const window = await http().get(`/api/v1/availability?serviceId=${svc}&from=${toBerlinIso(from)}&to=${encodeURIComponent(toBerlinIso(to))}`).expect(200);
    expect(window.body.slots.map((s: { slotId: string }) => s.slotId)).toEqual([a2]);

    expect((await http().get('/api/v1/availability?serviceId=gibt-es-nicht')).status).toBe(422);
    expect((await http().get(`/api/v1/availability?serviceId=${svc}&officeId=nirgendwo`)).status).toBe(422);
    expect((await http().get(`/api/v1/availability?serviceId=${svc}&from=gestern`)).status).toBe(422);
    expect((await http().get('/api/v1/availability')).status).toBe(422);
  });
});

describe('booking', () => {
  it('100 concurrent holds on one slot of capacity 1: exactly one 201, 99 × 409, nothing else; booked = 1', async () => {
    const s = await slot(OFFICE_A, 5 * DAY);
    const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => book(s, uniqueEmail(`race${i}`))));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((x) => x === 201)).toHaveLength(1);
    expect(statuses.filter((x) => x === 409)).toHaveLength(99);
    for (const r of responses.filter((x) => x.status === 409)) expect(r.body).toMatchObject({ status: 409, code: 'CONFLICT', reason: 'slot_taken' });
    expect((await slotRow(s)).booked).toBe(1);
    const rows = await db.pool.query('SELECT status FROM appointments WHERE slot_id = $1', [s]);
    expect(rows.rows).toEqual([{ status: 'reserved' }]);
  });

  it('book → mail with links → confirm with the mailed token → cancel → the slot is free again after the block', async () => {
    const s = await slot(OFFICE_B, 4 * DAY);
    const email = uniqueEmail('erika');
    const held = await book(s, email);
    expect(held.status).toBe(201);
    expect(held.body).toMatchObject({ status: 'reserved', slotId: s, officeId: OFFICE_B, serviceId: SERVICE, holdExpiresAt: expect.any(String) });
    expect(held.headers.location).toBe(`/api/v1/appointments/${held.body.appointmentId}`);
    const id = held.body.appointmentId as string;
    expect(Date.parse(held.body.holdExpiresAt) - Date.now()).toBeGreaterThan(10 * 60_000);
    expect(held.body).not.toHaveProperty('token'); // the token goes to the mailbox only

    const { token, mail } = await tokenFromMail(email);
    expect(messageIdOf(mail)).toBe(`<appointment-${id}.confirmation@amtsweg>`);
    expect(mail.text).toContain(`https://termine.example.berlin/termine/${id}/absagen?token=${token}`);
    expect(mail.text).toContain('Bürgeramt Rathaus Spandau');
    expect(mail.subject).not.toContain('Erika');
    const stored = await db.pool.query<{ token_hash: string }>('SELECT token_hash FROM appointments WHERE id = $1', [id]);
    expect(stored.rows[0]!.token_hash).not.toContain(token);

    // wrong or missing token: 404, like an unknown id
    expect((await http().get(`/api/v1/appointments/${id}?token=${'A'.repeat(43)}`)).status).toBe(404);
    expect((await http().get(`/api/v1/appointments/${id}`)).status).toBe(404);
    expect((await http().post(`/api/v1/appointments/${id}/confirm`).send({ token: 'falsch' })).status).toBe(404);
    expect((await http().get(`/api/v1/appointments/${randomUUID()}?token=${token}`)).status).toBe(404);
    const view = await http().get(`/api/v1/appointments/${id}?token=${token}`).expect(200);
    expect(view.body).toMatchObject({ appointmentId: id, status: 'reserved', serviceId: SERVICE, officeId: OFFICE_B, officeName: 'Bürgeramt Rathaus Spandau', name: 'Erika Mustermann' });

    expect((await http().post(`/api/v1/appointments/${id}/confirm`).send({ token }).expect(200)).body).toEqual({ appointmentId: id, status: 'confirmed' });
    expect((await http().post(`/api/v1/appointments/${id}/confirm`).send({ token }).expect(200)).body.status).toBe('confirmed'); // idempotent
    await waitForMails((m) => m.to?.some((t) => t.address === email) === true && messageIdOf(m) === `<appointment-${id}.confirmed@amtsweg>`, { timeoutMs: 20_000 });
    expect((await http().get(`/api/v1/appointments/${id}?token=${token}`)).body).toMatchObject({ status: 'confirmed', holdExpiresAt: null, confirmedAt: expect.any(String) });

    expect((await book(s, uniqueEmail('late'))).status).toBe(409);

    expect((await http().post(`/api/v1/appointments/${id}/cancel`).send({ token }).expect(200)).body).toEqual({ appointmentId: id, status: 'cancelled' });
    expect((await http().post(`/api/v1/appointments/${id}/cancel`).send({ token }).expect(200)).body.status).toBe('cancelled'); // idempotent
    expect((await http().post(`/api/v1/appointments/${id}/confirm`).send({ token })).status).toBe(409);
    const freed = await slotRow(s);
    expect(freed.booked).toBe(0);
    expect(freed.public_at!.getTime()).toBeGreaterThan(Date.now()); // withheld for the Terminalarm queue
    const during = await http().get(`/api/v1/availability?serviceId=${SERVICE}&officeId=${OFFICE_B}`).expect(200);
    expect(during.body.slots.map((x: { slotId: string }) => x.slotId)).not.toContain(s);
    expect((await book(s, uniqueEmail('snatch'))).body).toMatchObject({ status: 409, reason: 'slot_taken' });
    await waitForMails((m) => messageIdOf(m) === `<appointment-${id}.cancelled@amtsweg>`, { timeoutMs: 20_000 });

    await new Promise((r) => setTimeout(r, RELEASE_BLOCK_SECONDS * 1000 + 500));
    const after = await http().get(`/api/v1/availability?serviceId=${SERVICE}&officeId=${OFFICE_B}`).expect(200);
    expect(after.body.slots).toContainEqual(expect.objectContaining({ slotId: s, free: 1 }));
    expect((await book(s, uniqueEmail('next'))).status).toBe(201);
  });

  it('limits active appointments per email address (409 email_limit_reached) and validates the body', async () => {
    const email = uniqueEmail('hoarder');
    const [s1, s2, s3] = await Promise.all([slot(OFFICE_A, 6 * DAY), slot(OFFICE_A, 6 * DAY + HOUR), slot(OFFICE_A, 6 * DAY + 2 * HOUR)]);
    expect((await book(s1!, email)).status).toBe(201);
    expect((await book(s2!, email.toUpperCase())).status).toBe(201);
    const third = await book(s3!, email);
    expect(third.status).toBe(409);
    expect(third.body).toMatchObject({ code: 'CONFLICT', reason: 'email_limit_reached' });

    expect((await http().post('/api/v1/appointments').send({ serviceId: SERVICE, slotId: randomUUID(), email: uniqueEmail('x'), name: 'X' })).body).toMatchObject({ status: 422, reason: 'unknown_slot' });
    expect((await http().post('/api/v1/appointments').send({ serviceId: 'anmeldung-wohnung', slotId: s3, email: uniqueEmail('x'), name: 'X' })).body).toMatchObject({ status: 422, reason: 'service_not_offered' });
    expect((await http().post('/api/v1/appointments').send({ serviceId: SERVICE, slotId: s3, email: 'keine-adresse', name: 'X' })).status).toBe(422);
    expect((await http().post('/api/v1/appointments').send({ serviceId: SERVICE, slotId: 42, email: uniqueEmail('x'), name: 'X' })).status).toBe(400);
  });

  it('reschedules by link: the new seat is taken, the old one given back', async () => {
    const [from, to, taken] = await Promise.all([slot(OFFICE_A, 7 * DAY), slot(OFFICE_B, 8 * DAY), slot(OFFICE_B, 8 * DAY + HOUR)]);
    const email = uniqueEmail('mover');
    const held = await book(from!, email);
    const id = held.body.appointmentId as string;
    const { token } = await tokenFromMail(email);
    await http().post(`/api/v1/appointments/${id}/confirm`).send({ token }).expect(200);
    expect((await book(taken!, uniqueEmail('other'))).status).toBe(201);

    expect((await http().post(`/api/v1/appointments/${id}/reschedule`).send({ token, slotId: taken })).body).toMatchObject({ status: 409, reason: 'slot_taken' });
    expect((await http().post(`/api/v1/appointments/${id}/reschedule`).send({ token: 'x', slotId: to })).status).toBe(404);
    const moved = await http().post(`/api/v1/appointments/${id}/reschedule`).send({ token, slotId: to }).expect(200);
    expect(moved.body).toMatchObject({ appointmentId: id, status: 'confirmed', slotId: to, officeId: OFFICE_B });
    expect([(await slotRow(from!)).booked, (await slotRow(to!)).booked]).toEqual([0, 1]);
    await waitForMails((m) => messageIdOf(m) === `<appointment-${id}.rescheduled-1@amtsweg>`, { timeoutMs: 20_000 });
  });
});

describe('office administration', () => {
  it('publishes capacity inside opening hours, outside closures, idempotently; caseworkers only for their office', async () => {
    await db.pool.query('DELETE FROM office_closures');
    // the Monday two weeks ahead (Berlin), through Friday
    const d = new Date(Date.now() + 14 * DAY);
    const monday = new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * DAY);
    const day = (offset: number) => berlinIsoDate(new Date(monday.getTime() + offset * DAY));
    await db.pool.query(`INSERT INTO office_closures (office_id, starts_at, ends_at, reason) VALUES ($1, ($2::date)::timestamp AT TIME ZONE 'Europe/Berlin', ($2::date + 1)::timestamp AT TIME ZONE 'Europe/Berlin', 'Betriebsausflug')`, [OFFICE_A, day(2)]);
    const body = { serviceIds: [SERVICE, 'reisepass-beantragen'], start: `${day(0)}T00:00:00+01:00`, end: `${day(5)}T00:00:00+01:00`, slotMinutes: 30, capacity: 4 };
    const auth = (who: AppointmentStaff) => ({ Authorization: `Bearer ${tokens[who]}` });

    expect((await http().post(`/api/v1/admin/offices/${OFFICE_A}/slots`).send(body)).status).toBe(401);
    expect((await http().post(`/api/v1/admin/offices/${OFFICE_A}/slots`).set(auth('spandau')).send(body)).status).toBe(403);
    expect((await http().post('/api/v1/admin/offices/gibt-es-nicht/slots').set(auth('admin')).send(body)).status).toBe(404);
    expect((await http().post(`/api/v1/admin/offices/${OFFICE_A}/slots`).set(auth('neukoelln')).send({ ...body, serviceIds: ['zauberei'] })).status).toBe(422);
    expect((await http().post(`/api/v1/admin/offices/${OFFICE_A}/slots`).set(auth('neukoelln')).send({ ...body, end: body.start })).status).toBe(422);

    const res = await http().post(`/api/v1/admin/offices/${OFFICE_A}/slots`).set(auth('neukoelln')).send(body).expect(201);
    // Neukölln's hours: Mon 08–15 (14 slots), Tue 11–18 (14), Wed closed by the closure, Thu 11–18 (14), Fri 08–13 (10)
    expect(res.body).toEqual({ officeId: OFFICE_A, created: 52, planned: 52, publicAt: null });
    const local = await db.pool.query<{ d: string; t: string; n: number }>(
      `SELECT to_char(starts_at AT TIME ZONE 'Europe/Berlin', 'YYYY-MM-DD') AS d, min(to_char(starts_at AT TIME ZONE 'Europe/Berlin', 'HH24:MI')) AS t, count(*)::int AS n
         FROM slots WHERE office_id = $1 AND capacity = 4 AND starts_at >= $2 GROUP BY 1 ORDER BY 1`,
      [OFFICE_A, new Date(`${day(0)}T00:00:00+01:00`)],
    );
    expect(local.rows).toEqual([
      { d: day(0), t: '08:00', n: 14 },
      { d: day(1), t: '11:00', n: 14 },
      { d: day(3), t: '11:00', n: 14 },
      { d: day(4), t: '08:00', n: 10 },
    ]);
    const again = await http().post(`/api/v1/admin/offices/${OFFICE_A}/slots`).set(auth('admin')).send(body).expect(201);
    expect(again.body).toMatchObject({ created: 0, planned: 52 });
  });

  it('records attendance (admin or the office’s caseworker), not for other offices, not twice differently', async () => {
    const s = await slot(OFFICE_A, 20 * 60_000); // later today
    const email = uniqueEmail('visitor');
    const id = (await book(s, email)).body.appointmentId as string;
    const { token } = await tokenFromMail(email);
    await http().post(`/api/v1/appointments/${id}/confirm`).send({ token }).expect(200);
    const auth = (who: AppointmentStaff) => ({ Authorization: `Bearer ${tokens[who]}` });

    expect((await http().post(`/api/v1/admin/appointments/${id}/attendance`).set(auth('spandau')).send({ attended: true })).status).toBe(404);
    expect((await http().post(`/api/v1/admin/appointments/${id}/attendance`).set(auth('neukoelln')).send({ attended: 'ja' })).status).toBe(400);
    const r = await http().post(`/api/v1/admin/appointments/${id}/attendance`).set(auth('neukoelln')).send({ attended: false }).expect(200);
    expect(r.body).toEqual({ appointmentId: id, status: 'missed', attended: false });
    expect((await http().post(`/api/v1/admin/appointments/${id}/attendance`).set(auth('admin')).send({ attended: false })).status).toBe(200);
    expect((await http().post(`/api/v1/admin/appointments/${id}/attendance`).set(auth('admin')).send({ attended: true })).body).toMatchObject({ status: 409, reason: 'attendance_recorded' });
    const row = await db.pool.query('SELECT status, attended FROM appointments WHERE id = $1', [id]);
    expect(row.rows[0]).toEqual({ status: 'missed', attended: false });
  });
});

describe('office closed for a day', () => {
  it('cancels that day’s appointments with a mail saying why, takes its seats off the market, blocks new slots; caseworkers only for their office; repeatable', async () => {
    const auth = (who: AppointmentStaff) => ({ Authorization: `Bearer ${tokens[who]}` });
    const first = await slot(OFFICE_A, 41 * DAY);
    const second = await slot(OFFICE_A, 41 * DAY + 30 * 60_000, { capacity: 3 });
    const otherOffice = await slot(OFFICE_B, 41 * DAY);
    const date = berlinIsoDate(new Date(Date.now() + 41 * DAY));
    const emails = [uniqueEmail('closed-a'), uniqueEmail('closed-b'), uniqueEmail('open-c')];
    const ids: string[] = [];
    for (const [i, s] of [first, second, otherOffice].entries()) {
      const r = await book(s, emails[i]!);
      expect(r.status).toBe(201);
      ids.push(r.body.appointmentId as string);
    }
    const { token } = await tokenFromMail(emails[0]!);
    await http().post(`/api/v1/appointments/${ids[0]}/confirm`).send({ token }).expect(200); // confirmed ones are cancelled as well

    const body = { date, reason: 'Stromausfall' };
    expect((await http().post(`/api/v1/admin/offices/${OFFICE_A}/closures`).send(body)).status).toBe(401);
    expect((await http().post(`/api/v1/admin/offices/${OFFICE_A}/closures`).set(auth('spandau')).send(body)).status).toBe(403);
    expect((await http().post('/api/v1/admin/offices/gibt-es-nicht/closures').set(auth('admin')).send(body)).status).toBe(404);
    expect((await http().post(`/api/v1/admin/offices/${OFFICE_A}/closures`).set(auth('neukoelln')).send({ date: '2020-01-06', reason: 'x' })).status).toBe(422);
    expect((await http().post(`/api/v1/admin/offices/${OFFICE_A}/closures`).set(auth('neukoelln')).send({ date: '2027-02-30', reason: 'x' })).status).toBe(422);
    expect((await http().post(`/api/v1/admin/offices/${OFFICE_A}/closures`).set(auth('neukoelln')).send({ date })).status).toBe(422);

    const res = await http().post(`/api/v1/admin/offices/${OFFICE_A}/closures`).set(auth('neukoelln')).send(body).expect(201);
    expect(res.body).toEqual({ officeId: OFFICE_A, date, cancelledAppointments: 2, withdrawnOffers: 0 });

    // each citizen of that day: one mail saying the office is closed; the other office's booking stands
    for (const [i, id] of ids.slice(0, 2).entries()) {
      const [mail] = await waitForMails((m) => messageIdOf(m) === `<appointment-${id}.closed@amtsweg>`, { timeoutMs: 20_000 });
      expect(mail!.to?.[0]?.address).toBe(emails[i]);
      expect(mail!.text).toContain('geschlossen');
    }
    const rows = await db.pool.query<{ id: string; status: string; cancel_reason: string | null }>('SELECT id, status, cancel_reason FROM appointments WHERE id = ANY ($1::uuid[]) ORDER BY array_position($1::uuid[], id)', [ids]);
    expect(rows.rows.map((r) => [r.status, r.cancel_reason])).toEqual([
      ['cancelled', 'office_closed'],
      ['cancelled', 'office_closed'],
      ['reserved', null],
    ]);
    const seats = await db.pool.query<{ id: string; booked: number; capacity: number }>('SELECT id, booked, capacity FROM slots WHERE id = ANY ($1::uuid[])', [[first, second]]);
    expect(seats.rows.map((r) => [r.booked, r.capacity])).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect((await book(second, uniqueEmail('too-late'))).status).toBe(409);
    const publish = await http()
      .post(`/api/v1/admin/offices/${OFFICE_A}/slots`)
      .set(auth('admin'))
      .send({ serviceIds: [SERVICE], start: `${date}T00:00:00+01:00`, end: `${date}T23:00:00+01:00`, slotMinutes: 30, capacity: 1 })
      .expect(201);
    expect(publish.body).toMatchObject({ created: 0, planned: 0 });

    // a repeat (e.g. after a 503) reports the same and mails nobody twice
    const again = await http().post(`/api/v1/admin/offices/${OFFICE_A}/closures`).set(auth('admin')).send(body).expect(201);
    expect(again.body).toEqual(res.body);
    await new Promise((r) => setTimeout(r, 1_500));
    const closedMails = await waitForMails((m) => ids.slice(0, 2).some((id) => messageIdOf(m) === `<appointment-${id}.closed@amtsweg>`), { timeoutMs: 5_000, count: 2 });
    expect(closedMails).toHaveLength(2);
  });
});
