import type { Pool } from 'pg';

type Queryable = Pick<Pool, 'query'>;

export type RecipientDeliveryStatus = 'pending' | 'retrying' | 'delivered' | 'failed';

export interface RecipientDeliveryRow {
  messageId: string;
  caseId: string;
  recipient: string;
  messageType: string;
  form: string;
  status: RecipientDeliveryStatus;
  attempts: number;
  xmlSha256: string;
  externalId: string | null;
  lastError: string | null;
  deliveredAt: string | null;
}

/**
 * recipient_deliveries (migrations/1764440000000_gewerbe_recipient_deliveries.sql): one row per
 * case, form and recipient, keyed by the stable message id. Never the XML, only its SHA-256.
 */
export async function beginDeliveryAttempt(
  db: Queryable,
  d: { messageId: string; caseId: string; recipient: string; messageType: string; form: string; xmlSha256: string; attempt: number },
): Promise<RecipientDeliveryRow> {
  const r = await db.query(
    `INSERT INTO recipient_deliveries (message_id, case_id, recipient, message_type, form, status, attempts, xml_sha256)
     VALUES ($1, $2, $3, $4, $5, CASE WHEN $6::int > 1 THEN 'retrying' ELSE 'pending' END, $6, $7)
     ON CONFLICT (message_id) DO UPDATE
       SET attempts = GREATEST(recipient_deliveries.attempts + 1, EXCLUDED.attempts),
           status = CASE WHEN recipient_deliveries.status = 'delivered' THEN 'delivered' ELSE 'retrying' END,
           xml_sha256 = CASE WHEN recipient_deliveries.status = 'delivered' THEN recipient_deliveries.xml_sha256 ELSE EXCLUDED.xml_sha256 END,
           updated_at = now()
     RETURNING *`,
    [d.messageId, d.caseId, d.recipient, d.messageType, d.form, d.attempt, d.xmlSha256],
  );
  return toRow(r.rows[0]);
}

export async function markDelivered(db: Queryable, messageId: string, externalId: string): Promise<RecipientDeliveryRow> {
  const r = await db.query(
    `UPDATE recipient_deliveries
        SET status = 'delivered', external_id = $2, last_error = NULL, delivered_at = COALESCE(delivered_at, now()), updated_at = now()
      WHERE message_id = $1 RETURNING *`,
    [messageId, externalId],
  );
  return toRow(r.rows[0]);
}

/** A failed attempt (`retrying`) or the end of the retries (`failed`); `error` is a code, never a message with data. */
export async function markAttemptFailed(db: Queryable, messageId: string, error: string, status: 'retrying' | 'failed'): Promise<void> {
  await db.query(
    `UPDATE recipient_deliveries SET status = $3, last_error = left($2, 500), updated_at = now()
      WHERE message_id = $1 AND status <> 'delivered'`,
    [messageId, error, status],
  );
}

export async function listDeliveries(db: Queryable, caseId: string): Promise<RecipientDeliveryRow[]> {
  const r = await db.query(`SELECT * FROM recipient_deliveries WHERE case_id = $1 ORDER BY recipient`, [caseId]);
  return r.rows.map(toRow);
}

function toRow(r: Record<string, unknown>): RecipientDeliveryRow {
  return {
    messageId: r.message_id as string,
    caseId: r.case_id as string,
    recipient: r.recipient as string,
    messageType: r.message_type as string,
    form: r.form as string,
    status: r.status as RecipientDeliveryStatus,
    attempts: r.attempts as number,
    xmlSha256: r.xml_sha256 as string,
    externalId: (r.external_id as string | null) ?? null,
    lastError: (r.last_error as string | null) ?? null,
    deliveredAt: r.delivered_at ? (r.delivered_at as Date).toISOString() : null,
  };
}
