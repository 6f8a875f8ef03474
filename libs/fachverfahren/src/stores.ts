import type { Pool } from 'pg';

type Queryable = Pick<Pool, 'query'>;

// --- adapter_calls: which workflow made which call (routing of inbound callbacks) ----------------

export type AdapterCallOperation = 'submit' | 'payment' | 'refund';

export interface AdapterCallStart {
  adapter: string;
  caseId: string;
  step: string;
  operation: AdapterCallOperation;
  idempotencyKey: string;
  workflowId: string;
}

export interface CallbackRoute {
  workflowId: string;
  caseId: string;
  step: string;
  operation: AdapterCallOperation;
}

/** What the activities record and the callback endpoint looks up. */
export interface AdapterCallStore {
  /** Records the call before the remote is contacted (again on a retry: counts the attempt). */
  begin(call: AdapterCallStart): Promise<void>;
  /** The remote answered: its id for the call and the status it reported. */
  succeeded(ref: { adapter: string; caseId: string; step: string }, externalId: string, status: string): Promise<void>;
  /** The remote said no, or could not be reached: a code or reason, never the remote's message. */
  failed(ref: { adapter: string; caseId: string; step: string }, error: string): Promise<void>;
  /** A later status (cancelled, completed) for a call known by its external id. */
  statusChanged(adapter: string, externalId: string, status: string): Promise<void>;
  /** The workflow waiting for a callback: by the remote's id first, else by (caseId, step). */
  findRoute(q: { adapter: string; externalId?: string; caseId?: string; step?: string }): Promise<CallbackRoute | undefined>;
}

export class PgAdapterCallStore implements AdapterCallStore {
  constructor(private readonly db: Queryable) {}

  async begin(c: AdapterCallStart): Promise<void> {
    const r = await this.db.query(
      `INSERT INTO adapter_calls (adapter, case_id, step, operation, idempotency_key, workflow_id)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (adapter, case_id, step) DO UPDATE
         SET attempts = adapter_calls.attempts + 1, workflow_id = EXCLUDED.workflow_id, updated_at = now()
         WHERE adapter_calls.operation = EXCLUDED.operation`,
      [c.adapter, c.caseId, c.step, c.operation, c.idempotencyKey, c.workflowId],
    );
    if (r.rowCount === 0) {
      throw new TypeError(`step "${c.step}" of this case was already used for another operation on adapter "${c.adapter}"; use one step name per call`);
    }
  }

  async succeeded(ref: { adapter: string; caseId: string; step: string }, externalId: string, status: string): Promise<void> {
    await this.db.query(
      `UPDATE adapter_calls SET external_id = $4, status = $5, last_error = NULL, updated_at = now()
        WHERE adapter = $1 AND case_id = $2 AND step = $3`,
      [ref.adapter, ref.caseId, ref.step, externalId, status],
    );
  }

  async failed(ref: { adapter: string; caseId: string; step: string }, error: string): Promise<void> {
    await this.db.query(`UPDATE adapter_calls SET last_error = $4, updated_at = now() WHERE adapter = $1 AND case_id = $2 AND step = $3`, [
      ref.adapter,
      ref.caseId,
      ref.step,
      error.slice(0, 200),
    ]);
  }

  async statusChanged(adapter: string, externalId: string, status: string): Promise<void> {
    await this.db.query(`UPDATE adapter_calls SET status = $3, updated_at = now() WHERE adapter = $1 AND external_id = $2`, [adapter, externalId, status]);
  }

  async findRoute(q: { adapter: string; externalId?: string; caseId?: string; step?: string }): Promise<CallbackRoute | undefined> {
    type Row = { workflow_id: string; case_id: string; step: string; operation: AdapterCallOperation };
    const toRoute = (row: Row | undefined): CallbackRoute | undefined =>
      row && { workflowId: row.workflow_id, caseId: row.case_id, step: row.step, operation: row.operation };
    if (q.externalId) {
      const r = await this.db.query<Row>(
        `SELECT workflow_id, case_id, step, operation FROM adapter_calls
          WHERE adapter = $1 AND external_id = $2 ORDER BY updated_at DESC LIMIT 1`,
        [q.adapter, q.externalId],
      );
      if (r.rows[0]) return toRoute(r.rows[0]);
    }
    if (q.caseId && q.step) {
      const r = await this.db.query<Row>(`SELECT workflow_id, case_id, step, operation FROM adapter_calls WHERE adapter = $1 AND case_id = $2 AND step = $3`, [
        q.adapter,
        q.caseId,
        q.step,
      ]);
      return toRoute(r.rows[0]);
    }
    return undefined;
  }
}

// --- callback_receipts: replay protection across API replicas ------------------------------------

export interface CallbackReceipt {
  adapter: string;
  callbackId: string;
  event: string;
  /** Hex SHA-512 of the X-Signature header value. */
  signatureDigest: string;
  signedAt: Date;
}

export interface ReplayStore {
  /** True the first time this (adapter, callbackId) is seen; false for a replay. Atomic across replicas. */
  remember(receipt: CallbackReceipt): Promise<boolean>;
  /** The callback was delivered to this workflow (audit). */
  delivered(adapter: string, callbackId: string, workflowId: string): Promise<void>;
  /** Routing failed: forget the id so the sender's retry is accepted. */
  forget(adapter: string, callbackId: string): Promise<void>;
}

export class PgReplayStore implements ReplayStore {
  constructor(private readonly db: Queryable) {}

  async remember(r: CallbackReceipt): Promise<boolean> {
    const res = await this.db.query(
      `INSERT INTO callback_receipts (adapter, callback_id, event, signature_digest, signed_at)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (adapter, callback_id) DO NOTHING`,
      [r.adapter, r.callbackId, r.event, r.signatureDigest, r.signedAt],
    );
    return res.rowCount === 1;
  }

  async delivered(adapter: string, callbackId: string, workflowId: string): Promise<void> {
    await this.db.query(`UPDATE callback_receipts SET workflow_id = $3 WHERE adapter = $1 AND callback_id = $2`, [adapter, callbackId, workflowId]);
  }

  async forget(adapter: string, callbackId: string): Promise<void> {
    await this.db.query(`DELETE FROM callback_receipts WHERE adapter = $1 AND callback_id = $2 AND workflow_id IS NULL`, [adapter, callbackId]);
  }

  /** Housekeeping: drop receipts received before `before`; returns how many. */
  async purge(before: Date): Promise<number> {
    const r = await this.db.query(`DELETE FROM callback_receipts WHERE received_at < $1`, [before]);
    return r.rowCount ?? 0;
  }
}
