// Matching a whole publication (POST /admin/offices/{id}/slots) against the alarm queue at once:
// one transaction, a fixed number of statements however many seats and alarms there are, instead
// of one transaction per seat. docs/appointments.md "Terminalarm" (publication).
import type { Pool, PoolClient } from 'pg';
import { withTransaction } from '../cases/tx';
import { enqueueOffers } from './alarm-outbox';
import type { MatchedOffer } from './alarms';

/**
 * The next `$4` active alarms in waiting order after the keyset ($2, $3) that match at least one
 * of the slots, each with its matching slots earliest first. The same predicate as MATCH_ALARM in
 * alarms.ts (Berlin wall clock; an alarm is never offered the same slot twice), with a cheap
 * pre-filter on the alarm row (service, date range, offices). Waiting order first and LIMIT: a
 * publication of n seats needs about the first n matching alarms, not all of them (the lateral
 * match runs only for the rows the limit reaches).
 */
const CANDIDATES = `
  WITH s AS MATERIALIZED (
         SELECT id, office_id, service_ids, starts_at, (starts_at AT TIME ZONE 'Europe/Berlin') AS local
           FROM slots WHERE id = ANY ($1::uuid[])),
       b AS (SELECT min(local::date) AS lo, max(local::date) AS hi, array_agg(DISTINCT office_id) AS offices,
                    (SELECT array_agg(DISTINCT x) FROM s, unnest(s.service_ids) x) AS services
               FROM s),
       a AS MATERIALIZED (
         SELECT a.id, a.created_at, a.service_id, a.office_ids, a.from_date, a.to_date, a.weekdays, a.time_from, a.time_to, a.current_appointment_id
           FROM alarms a, b
          WHERE a.status = 'active' AND a.service_id = ANY (b.services) AND a.expires_at > now()
            AND a.from_date <= b.hi AND a.to_date >= b.lo
            AND (cardinality(a.office_ids) = 0 OR a.office_ids && b.offices)
            AND (a.created_at, a.id) > ($2::timestamptz, $3::uuid))
  SELECT a.id, a.created_at::text AS created_at, m.slot_ids
    -- sorted before the lateral join, so LIMIT stops the matching early (sorting after it would match every alarm)
    FROM (SELECT * FROM a ORDER BY a.created_at, a.id) a CROSS JOIN LATERAL (
           SELECT array_agg(s.id ORDER BY s.starts_at, s.id) AS slot_ids
             FROM s
            WHERE a.service_id = ANY (s.service_ids)
              AND (cardinality(a.office_ids) = 0 OR s.office_id = ANY (a.office_ids))
              AND s.local::date BETWEEN a.from_date AND a.to_date
              AND (cardinality(a.weekdays) = 0 OR extract(isodow FROM s.local)::int = ANY (a.weekdays))
              AND (a.time_from IS NULL OR s.local::time >= a.time_from)
              AND (a.time_to IS NULL OR s.local::time < a.time_to)
              AND (a.current_appointment_id IS NULL
                   OR s.starts_at < (SELECT c.starts_at FROM appointments c WHERE c.id = a.current_appointment_id))
              AND NOT EXISTS (SELECT 1 FROM alarm_offers x WHERE x.alarm_id = a.id AND x.slot_id = s.id)) m
   WHERE m.slot_ids IS NOT NULL
   ORDER BY a.created_at, a.id
   LIMIT $4`;


/**
 * Longest-waiting first: each alarm in waiting order takes the earliest of its matching slots that
 * still has a seat; each alarm gets at most one seat, each slot at most its free seats.
 */
export function assignSeats(candidates: ReadonlyArray<{ id: string; slotIds: readonly string[] }>, freeSeats: ReadonlyMap<string, number>, skip: ReadonlySet<string>): Map<string, string> {
  const left = new Map(freeSeats);
  const out = new Map<string, string>();
  for (const c of candidates) {
    if (skip.has(c.id)) continue;
    const slotId = c.slotIds.find((s) => (left.get(s) ?? 0) > 0);
    if (!slotId) continue;
    left.set(slotId, left.get(slotId)! - 1);
    out.set(c.id, slotId);
  }
  return out;
}

export interface MatchPublicationInput {
  slotIds: readonly string[];
  /** ALARM_OFFER_HOLD, ISO 8601. */
  offerHold: string;
  newOfferId: () => string;
  /** Publish the seats nobody wanted at once (public_at = NULL), in the same transaction. */
  publishRest?: boolean;
}

/**
 * Offers the free seats of the given slots to the matching alarms (assignSeats), in ONE
 * transaction: the slot rows are locked first (id order; public holds of these slots wait, and
 * re-check `booked < capacity` after the commit), the chosen alarms with FOR UPDATE SKIP LOCKED (an
 * alarm a concurrent matcher is offering to is left out and its seat goes to the next one), then
 * offers, alarm statuses, seat counts and the outbox rows are written set-wise. Nothing is
 * signalled here: the outbox's NOTIFY wakes the worker's drainer at commit.
 */
export async function matchPublication(pool: Pool, input: MatchPublicationInput): Promise<MatchedOffer[]> {
  if (input.slotIds.length === 0) return [];
  return withTransaction(pool, async (tx) => {
    const free = await tx.query<{ id: string; free: number }>(
      'SELECT id, capacity - booked AS free FROM slots WHERE id = ANY ($1::uuid[]) AND booked < capacity AND starts_at > now() ORDER BY id FOR UPDATE',
      [input.slotIds],
    );
    const offers = free.rows.length > 0 ? await offerSeats(tx, input, new Map(free.rows.map((r) => [r.id, r.free]))) : [];
    if (input.publishRest) await tx.query('UPDATE slots SET public_at = NULL WHERE id = ANY ($1::uuid[]) AND public_at > now()', [input.slotIds]);
    return offers;
  });
}

async function offerSeats(tx: PoolClient, input: MatchPublicationInput, freeSeats: Map<string, number>): Promise<MatchedOffer[]> {
  const seats = [...freeSeats.values()].reduce((a, n) => a + n, 0);
  const slotIds = [...freeSeats.keys()];
  const candidates: Array<{ id: string; slotIds: string[] }> = [];
  // the keyset as text: a JS Date would drop the microseconds and read the last row again
  let after: { createdAt: string; id: string } = { createdAt: '-infinity', id: '00000000-0000-0000-0000-000000000000' };
  let exhausted = false;
  let page = Math.max(64, 2 * seats);
  const skip = new Set<string>();
  const locked = new Map<string, string>(); // alarm id → workflow id
  let assigned = new Map<string, string>();
  // Ends: every round either reads more alarms (finitely many) or locks all it wants, or skips at
  // least one more alarm (a concurrent matcher holds it; finitely many). No round cap: settling for
  // fewer offers under contention would leave seats that someone waiting wants unoffered.
  for (;;) {
    assigned = assignSeats(candidates, freeSeats, skip);
    if (assigned.size < seats && !exhausted) {
      // seats left: read the next alarms in waiting order (pages grow, so a seat nobody wants costs few reads)
      const r = await tx.query<{ id: string; created_at: string; slot_ids: string[] }>(CANDIDATES, [slotIds, after.createdAt, after.id, page]);
      for (const row of r.rows) candidates.push({ id: row.id, slotIds: row.slot_ids });
      const last = r.rows[r.rows.length - 1];
      if (last) after = { createdAt: last.created_at, id: last.id };
      exhausted = r.rows.length < page;
      page *= 2;
      continue;
    }
    const want = [...assigned.keys()].filter((id) => !locked.has(id));
    if (want.length === 0) break;
    // re-checked on the newest row version: an alarm offered (or closed) meanwhile is not returned
    const r = await tx.query<{ id: string; workflow_id: string }>(
      `SELECT id, workflow_id FROM alarms WHERE id = ANY ($1::uuid[]) AND status = 'active' AND expires_at > now() FOR UPDATE SKIP LOCKED`,
      [want],
    );
    for (const row of r.rows) locked.set(row.id, row.workflow_id);
    const missed = want.filter((id) => !locked.has(id));
    if (missed.length === 0) break;
    for (const id of missed) skip.add(id);
  }
  const pairs = [...assigned].filter(([alarmId]) => locked.has(alarmId));
  if (pairs.length === 0) return [];
  const offerIds = pairs.map(() => input.newOfferId());
  const alarmIds = pairs.map(([a]) => a);
  const offeredSlots = pairs.map(([, s]) => s);
  await tx.query(
    `INSERT INTO alarm_offers (id, alarm_id, slot_id, status, expires_at)
     SELECT u.o, u.a, u.s, 'open', now() + $4::interval FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS u(o, a, s)`,
    [offerIds, alarmIds, offeredSlots, input.offerHold],
  );
  await tx.query(`UPDATE alarms SET status = 'offered', updated_at = now() WHERE id = ANY ($1::uuid[])`, [alarmIds]);
  await tx.query(
    `UPDATE slots s SET booked = s.booked + u.n FROM (SELECT x AS id, count(*)::int AS n FROM unnest($1::uuid[]) x GROUP BY x) u WHERE s.id = u.id`,
    [offeredSlots],
  );
  await enqueueOffers(tx, offerIds);
  const o = await tx.query<{ id: string; alarm_id: string; slot_id: string; office_id: string; starts_at: Date; ends_at: Date; expires_at: Date }>(
    `SELECT o.id, o.alarm_id, o.slot_id, s.office_id, s.starts_at, s.ends_at, o.expires_at FROM alarm_offers o JOIN slots s ON s.id = o.slot_id WHERE o.id = ANY ($1::uuid[])`,
    [offerIds],
  );
  const byId = new Map(o.rows.map((r) => [r.id, r]));
  return offerIds.map((id) => {
    const r = byId.get(id)!;
    return {
      offerId: id,
      alarmId: r.alarm_id,
      slotId: r.slot_id,
      officeId: r.office_id,
      start: r.starts_at,
      end: r.ends_at,
      status: 'open' as const,
      expiresAt: r.expires_at,
      appointmentId: null,
      workflowId: locked.get(r.alarm_id)!,
    };
  });
}
