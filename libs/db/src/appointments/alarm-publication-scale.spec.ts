import { randomUUID } from 'node:crypto';
import { createTestDatabase } from '../../../../test/support/db';
import type { TestDatabase } from '../../../../test/support/db';
import { matchPublication } from './alarm-publication';

// matchPublication at the bench's scale (docs/appointments.md "Terminalarm"): 24 publications of
// 42 seats each at once (one per office, as POST /admin/offices/{id}/slots), against 5,000 waiting
// alarms, many of which match several publications (any-office alarms). Concurrent matchers must
// never offer an alarm twice nor a seat beyond its capacity, and must stay fast enough for the
// request path (each transaction holds a pool connection).
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('alarm_pub_scale');
});
afterAll(async () => {
  await db?.drop();
});

it('24 concurrent publications against 5,000 alarms: one offer per alarm, seats = offers, every seat that someone waiting wants is offered', async () => {
  const offices = (await db.pool.query<{ id: string }>('SELECT id FROM offices ORDER BY id LIMIT 24')).rows.map((r) => r.id);
  const services = (await db.pool.query<{ id: string }>('SELECT id FROM services ORDER BY id LIMIT 10')).rows.map((r) => r.id);
  const all = (await db.pool.query<{ id: string }>('SELECT id FROM offices ORDER BY id')).rows.map((r) => r.id);
  await db.pool.query(
    `INSERT INTO alarms (id, service_id, office_ids, from_date, to_date, weekdays, email, email_hash, name, token_hash, status, created_at, expires_at, workflow_id)
     SELECT gen_random_uuid(), ($1::text[])[1 + i % 10], CASE WHEN i % 4 = 0 THEN '{}'::text[] ELSE ARRAY[($2::text[])[1 + (i * 7) % cardinality($2::text[])]] END,
            current_date, current_date + 20, '{}', 'a' || i || '@x.org', lpad(to_hex(i), 64, '0'), 'N', repeat('a', 64), 'active', now() - (5000 - i) * interval '1 second', now() + interval '30 days', 'alarm-' || i
       FROM generate_series(1, 5000) i`,
    [services, all],
  );
  const pubs: string[][] = [];
  for (const office of offices) {
    const r = await db.pool.query<{ id: string }>(
      `INSERT INTO slots (office_id, starts_at, ends_at, capacity, service_ids, public_at)
       SELECT $1, now() + interval '3 days' + g * interval '10 minutes', now() + interval '3 days' + (g + 1) * interval '10 minutes', 1, $2, now() + interval '15 minutes'
         FROM generate_series(0, 41) g RETURNING id`,
      [office, services],
    );
    pubs.push(r.rows.map((x) => x.id));
  }
  const t = Date.now();
  const results = await Promise.all(pubs.map((ids) => matchPublication(db.pool, { slotIds: ids, offerHold: 'PT30M', newOfferId: randomUUID, publishRest: true })));
  const offers = results.flat();
  const ms = Date.now() - t;
  process.stderr.write(`[alarm-publication-scale] ${offers.length} offers for ${pubs.flat().length} seats in ${ms} ms\n`);
  expect(new Set(offers.map((o) => o.alarmId)).size).toBe(offers.length);
  const counts = await db.pool.query<{ booked: number; offers: number }>(
    `SELECT s.booked, (SELECT count(*)::int FROM alarm_offers o WHERE o.slot_id = s.id AND o.status = 'open') AS offers FROM slots s WHERE s.id = ANY ($1::uuid[])`,
    [pubs.flat()],
  );
  for (const c of counts.rows) expect(c.booked).toBe(c.offers);
  // a seat left free although an alarm still waiting matches it would be a lost offer
  const unserved = await db.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM slots s JOIN alarms a ON a.status = 'active' AND a.service_id = ANY (s.service_ids)
       AND (cardinality(a.office_ids) = 0 OR s.office_id = ANY (a.office_ids))
       AND (s.starts_at AT TIME ZONE 'Europe/Berlin')::date BETWEEN a.from_date AND a.to_date
      WHERE s.id = ANY ($1::uuid[]) AND s.booked < s.capacity`,
    [pubs.flat()],
  );
  expect(unserved.rows[0]!.n).toBe(0);
  expect(offers.length).toBeGreaterThan(900);
}, 120_000);
