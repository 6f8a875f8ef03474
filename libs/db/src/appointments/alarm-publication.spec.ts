import { randomUUID } from 'node:crypto';
import { alarmInput as newAlarmInput } from './alarm-fixtures';
import { createTestDatabase } from '../../../../test/support/db';
import type { TestDatabase } from '../../../../test/support/db';
import { claimQueuedOffers, deleteQueuedOffers, queuedOfferCount } from './alarm-outbox';
import { assignSeats, matchPublication } from './alarm-publication';
import { createAlarm, findAlarm, matchSlot } from './alarms';
import type { CreateAlarmInput } from './alarms';
import { holdSlot } from './booking';
import { newAppointmentToken, openAlarmToken, sealAlarmToken } from './secrets';
import { withTransaction } from '../cases/tx';

// Matching a whole publication in one transaction (matchPublication) and the offer outbox it
// fills: the same rules as the per-seat matcher (waiting order, one offer per alarm, each seat once,
// withheld seats exclusive), also with publications running concurrently.
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('alarm_pub');
});
afterAll(async () => {
  await db?.drop();
});

const OFFICE_A = 'buergeramt-rathaus-neukoelln';
const OFFICE_B = 'buergeramt-rathaus-spandau';
const SERVICE = 'reisepass-beantragen';
const withheld = () => new Date(Date.now() + 15 * 60_000);

async function slot(days: number, time: string, opts: { office?: string; capacity?: number } = {}): Promise<string> {
  const r = await db.pool.query<{ id: string }>(
    `INSERT INTO slots (office_id, starts_at, ends_at, capacity, service_ids, public_at)
     SELECT $1, t, t + interval '10 minutes', $4, $5, $6
       FROM (SELECT ((now() AT TIME ZONE 'Europe/Berlin')::date + $2::int + $3::time) AT TIME ZONE 'Europe/Berlin' AS t) x
     RETURNING id`,
    [opts.office ?? OFFICE_A, days, time, opts.capacity ?? 1, [SERVICE], withheld()],
  );
  return r.rows[0]!.id;
}

const alarmInput = (over: Partial<CreateAlarmInput> = {}): CreateAlarmInput => newAlarmInput(SERVICE, over);
const seats = async (ids: string[]) => (await db.pool.query<{ id: string; booked: number; public_at: Date | null }>('SELECT id, booked, public_at FROM slots WHERE id = ANY ($1::uuid[])', [ids])).rows;
const publish = (slotIds: string[], publishRest = false) => matchPublication(db.pool, { slotIds, offerHold: 'PT30M', newOfferId: randomUUID, publishRest });

describe('assignSeats', () => {
  it('gives each alarm in waiting order the earliest matching slot with a seat left, one seat per alarm', () => {
    const free = new Map([
      ['s1', 1],
      ['s2', 2],
    ]);
    const out = assignSeats(
      [
        { id: 'a1', slotIds: ['s1', 's2'] },
        { id: 'a2', slotIds: ['s1'] },
        { id: 'a3', slotIds: ['s1', 's2'] },
        { id: 'a4', slotIds: ['s2'] },
        { id: 'a5', slotIds: ['s2'] },
      ],
      free,
      new Set(['a3']),
    );
    expect([...out]).toEqual([
      ['a1', 's1'],
      ['a4', 's2'],
      ['a5', 's2'],
    ]);
    expect(free.get('s2')).toBe(2); // the input map is not changed
  });
});

describe('matchPublication (PostgreSQL)', () => {
  beforeEach(async () => {
    await db.pool.query(`UPDATE alarms SET status = 'cancelled' WHERE status IN ('active', 'offered')`);
    await db.pool.query('DELETE FROM alarm_offer_outbox');
  });

  it('offers the seats of a publication to the longest-waiting matching alarms, each alarm once, each seat once, and queues them', async () => {
    const alarms = [];
    for (let i = 0; i < 6; i++) alarms.push(await createAlarm(db.pool, alarmInput(i === 1 ? { timeFrom: '12:00', timeTo: '13:00' } : {})));
    const s = [await slot(6, '09:00'), await slot(6, '09:10', { capacity: 2 }), await slot(6, '12:00')];
    const offers = await publish(s);
    // waiting order: a0 earliest seat (09:00), a1 only 12:00, a2 + a3 the two seats at 09:10, a4 nothing left
    expect(offers.map((o) => [o.alarmId, o.slotId])).toEqual([
      [alarms[0]!.alarmId, s[0]],
      [alarms[1]!.alarmId, s[2]],
      [alarms[2]!.alarmId, s[1]],
      [alarms[3]!.alarmId, s[1]],
    ]);
    expect(offers.every((o) => o.workflowId === `alarm-${o.alarmId}` && o.status === 'open')).toBe(true);
    expect((await seats(s)).map((r) => r.booked).sort()).toEqual([1, 1, 2]);
    for (const a of alarms.slice(0, 4)) expect((await findAlarm(db.pool, a.alarmId))!.status).toBe('offered');
    for (const a of alarms.slice(4)) expect((await findAlarm(db.pool, a.alarmId))!.status).toBe('active');
    expect(await queuedOfferCount(db.pool)).toBe(4);

    // a second publication never offers an offered alarm again; the remaining ones get the new seat
    const later = await slot(7, '10:00');
    const again = await publish([later]);
    expect(again.map((o) => o.alarmId)).toEqual([alarms[4]!.alarmId]);
    // nothing free any more: no offer, nothing changed
    expect(await publish(s)).toEqual([]);
  });

  it('keeps an offered seat from the public and publishes what nobody wanted at once', async () => {
    const a = await createAlarm(db.pool, alarmInput());
    const offered = await slot(8, '09:00');
    const unwanted = await slot(8, '09:10', { capacity: 3 });
    const offers = await publish([offered, unwanted], true);
    expect(offers.map((o) => [o.alarmId, o.slotId])).toEqual([[a.alarmId, offered]]);
    const rows = new Map((await seats([offered, unwanted])).map((r) => [r.id, r]));
    expect(rows.get(offered)).toMatchObject({ booked: 1 });
    expect(rows.get(unwanted)).toMatchObject({ booked: 0, public_at: null });
    const holder = randomUUID();
    await expect(
      holdSlot(db.pool, { appointmentId: holder, workflowId: `appointment-${holder}`, slotId: offered, serviceId: SERVICE, email: 'x@example.org', name: 'X', tokenHash: 'a'.repeat(64), holdExpiresAt: new Date(Date.now() + 60_000), horizon: 'P60D', perEmailLimit: 2 }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('concurrent publications and single-seat matches never offer one alarm twice nor a seat beyond its capacity', async () => {
    const alarms = [];
    for (let i = 0; i < 30; i++) alarms.push(await createAlarm(db.pool, alarmInput(i % 3 === 0 ? { officeIds: [OFFICE_B] } : {})));
    const pubs: string[][] = [];
    for (let p = 0; p < 6; p++) {
      const ids: string[] = [];
      for (let k = 0; k < 3; k++) ids.push(await slot(9 + (p % 2), `1${p}:${k}0`, { office: p % 2 ? OFFICE_B : OFFICE_A, capacity: 2 }));
      pubs.push(ids);
    }
    const single = await slot(11, '08:00', { office: OFFICE_B, capacity: 4 });
    const results = await Promise.all([
      ...pubs.map((ids) => publish(ids)),
      ...Array.from({ length: 4 }, () => matchSlot(db.pool, { slotId: single, offerId: randomUUID(), offerHold: 'PT30M' }).then((o) => (o ? [o] : []))),
    ]);
    const all = results.flat();
    // 6 × 3 slots × 2 seats + 4 = 40 seats for 30 alarms: every alarm gets exactly one offer
    expect(new Set(all.map((o) => o.alarmId)).size).toBe(all.length);
    expect(all.length).toBe(30);
    const open = await db.pool.query<{ alarm_id: string; n: number }>(`SELECT alarm_id, count(*)::int AS n FROM alarm_offers WHERE status = 'open' GROUP BY alarm_id HAVING count(*) > 1`);
    expect(open.rows).toEqual([]);
    const counts = await db.pool.query<{ id: string; booked: number; offers: number }>(
      `SELECT s.id, s.booked, (SELECT count(*)::int FROM alarm_offers o WHERE o.slot_id = s.id AND o.status = 'open') AS offers FROM slots s WHERE s.id = ANY ($1::uuid[])`,
      [[...pubs.flat(), single]],
    );
    for (const c of counts.rows) expect(c.booked).toBe(c.offers);
    expect(await queuedOfferCount(db.pool)).toBe(30);
  });

  it('the outbox hands each queued offer to one drainer at a time, with what its signal and mail need', async () => {
    const keys = [{ id: 'k1', key: Buffer.alloc(32, 7) }];
    const token = newAppointmentToken();
    const alarmId = randomUUID();
    await createAlarm(db.pool, alarmInput({ alarmId, workflowId: `alarm-${alarmId}`, tokenSealed: sealAlarmToken(keys, alarmId, token) }));
    const [offer] = await publish([await slot(12, '09:00')]);
    await withTransaction(db.pool, async (tx) => {
      const [q] = await claimQueuedOffers(tx, 10);
      expect(q).toMatchObject({ offerId: offer!.offerId, alarmId, workflowId: `alarm-${alarmId}`, status: 'open', officeName: expect.any(String), serviceName: expect.any(String) });
      expect(openAlarmToken(keys, alarmId, q!.tokenSealed)).toBe(token);
      expect(openAlarmToken(keys, randomUUID(), q!.tokenSealed)).toBeNull(); // bound to its alarm
      // a second drainer skips the claimed row
      await withTransaction(db.pool, async (tx2) => expect(await claimQueuedOffers(tx2, 10)).toEqual([]));
      await deleteQueuedOffers(tx, [q!.offerId]);
    });
    expect(await queuedOfferCount(db.pool)).toBe(0);
  });
});
