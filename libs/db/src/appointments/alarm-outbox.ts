// The offer outbox (migrations/1764450000000_alarm_offer_outbox.sql): every offer the matcher makes
// is queued here in the matcher's own transaction, with a NOTIFY that PostgreSQL delivers at
// commit. The worker's drainer (activities/alarms/offer-outbox.ts) signals and mails the offers and
// deletes the rows; a row left by a crash is found by its startup sweep. docs/appointments.md
// "Offer outbox".
import type { Pool, PoolClient } from 'pg';

type Queryable = Pick<Pool | PoolClient, 'query'>;

/** LISTEN/NOTIFY channel; the payload is empty (the rows are the truth). */
export const OFFER_OUTBOX_CHANNEL = 'alarm_offer_outbox';

/** Queues offers for their signal (and mail); call inside the transaction that created them. */
export async function enqueueOffers(tx: Queryable, offerIds: readonly string[]): Promise<void> {
  if (offerIds.length === 0) return;
  await tx.query('INSERT INTO alarm_offer_outbox (offer_id) SELECT unnest($1::uuid[]) ON CONFLICT DO NOTHING', [offerIds]);
  await tx.query(`SELECT pg_notify('${OFFER_OUTBOX_CHANNEL}', '')`);
}

/** A queued offer with what its signal and its mail need. */
export interface QueuedOffer {
  offerId: string;
  alarmId: string;
  workflowId: string;
  /** The offer's status now: only `open` offers are signalled and mailed. */
  status: string;
  slotId: string;
  officeId: string;
  start: Date;
  end: Date;
  expiresAt: Date;
  tokenSealed: string | null;
  /** Personal data. */
  email: string;
  /** Personal data. */
  name: string;
  alarmExpiresAt: Date;
  serviceName: string;
  officeName: string;
  officeAddress: string;
}

interface QueuedRow {
  offer_id: string;
  alarm_id: string;
  workflow_id: string;
  status: string;
  slot_id: string;
  office_id: string;
  starts_at: Date;
  ends_at: Date;
  expires_at: Date;
  token_sealed: string | null;
  email: string;
  name: string;
  alarm_expires_at: Date;
  service_name: string;
  office_name: string;
  office_address: string;
}

/**
 * Locks up to `limit` queued offers, oldest first, skipping rows another drainer holds; call in a
 * transaction and delete what was handled (deleteQueuedOffers) before the commit. A drainer that
 * dies releases its rows with its connection.
 */
export async function claimQueuedOffers(tx: PoolClient, limit: number): Promise<QueuedOffer[]> {
  const r = await tx.query<QueuedRow>(
    `SELECT x.offer_id, o.alarm_id, a.workflow_id, o.status, o.slot_id, s.office_id, s.starts_at, s.ends_at, o.expires_at,
            a.token_sealed, a.email, a.name, a.expires_at AS alarm_expires_at, sv.name AS service_name, f.name AS office_name, f.address AS office_address
       FROM alarm_offer_outbox x
       JOIN alarm_offers o ON o.id = x.offer_id
       JOIN alarms a ON a.id = o.alarm_id
       JOIN slots s ON s.id = o.slot_id
       JOIN services sv ON sv.id = a.service_id
       JOIN offices f ON f.id = s.office_id
      ORDER BY x.created_at, x.offer_id
      LIMIT $1
        FOR UPDATE OF x SKIP LOCKED`,
    [limit],
  );
  return r.rows.map((q) => ({
    offerId: q.offer_id,
    alarmId: q.alarm_id,
    workflowId: q.workflow_id,
    status: q.status,
    slotId: q.slot_id,
    officeId: q.office_id,
    start: q.starts_at,
    end: q.ends_at,
    expiresAt: q.expires_at,
    tokenSealed: q.token_sealed,
    email: q.email,
    name: q.name,
    alarmExpiresAt: q.alarm_expires_at,
    serviceName: q.service_name,
    officeName: q.office_name,
    officeAddress: q.office_address,
  }));
}

export async function deleteQueuedOffers(tx: Queryable, offerIds: readonly string[]): Promise<void> {
  if (offerIds.length > 0) await tx.query('DELETE FROM alarm_offer_outbox WHERE offer_id = ANY ($1::uuid[])', [offerIds]);
}

/** How many offers wait for their signal (health, tests). */
export async function queuedOfferCount(db: Queryable): Promise<number> {
  const r = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM alarm_offer_outbox');
  return r.rows[0]?.n ?? 0;
}
