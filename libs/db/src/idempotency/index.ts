import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';

/**
 * Idempotency-Key storage (table idempotency_keys, migrations/…_init.sql plus claim_id from
 * …_case_file.sql). The HTTP side — scoping, hashing, what is stored — is
 * apps/api/src/idempotency/idempotency.interceptor.ts.
 */

export interface IdempotencyRequest {
  /** Who and where: e.g. `sub:<sha256> POST /api/v1/cases/<id>/withdraw`. Never a raw sub or IP. */
  principal: string;
  key: string;
  method: string;
  path: string;
  /** SHA-256 (hex) of the canonical request (query, body, uploaded file digest). */
  requestHash: string;
}

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  /** The JSON body exactly as first sent (key order kept), or null for an empty body. */
  body: unknown;
}

export type ClaimResult =
  /** This request owns the key: run it, then completeIdempotencyKey or releaseIdempotencyKey. */
  | { kind: 'claimed'; claimId: string }
  /** The first request finished: answer with its response. */
  | { kind: 'replay'; response: StoredResponse }
  /** The key was used for a different request (other body, method or path). */
  | { kind: 'mismatch' }
  /** The first request is still running. */
  | { kind: 'in-flight'; retryAfterSeconds: number };

export interface ClaimOptions {
  /** Keys expire this long after their first use (default 24 h); an expired key starts afresh. */
  ttlSeconds: number;
  /**
   * An in-flight claim older than this is considered abandoned (its process died) and may be taken
   * over by a retry of the same request. Longer than any request may run.
   */
  inFlightLeaseSeconds: number;
}

interface KeyRow {
  method: string;
  path: string;
  request_hash: string;
  response_status: number | null;
  response_headers: Record<string, string> | null;
  body_text: string | null;
  wait_seconds: number | null;
}

/** Claims the key for this request, or tells what the first request with this key did or does. */
export async function claimIdempotencyKey(pool: Pick<Pool, 'query'>, req: IdempotencyRequest, opts: ClaimOptions): Promise<ClaimResult> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const claimId = randomUUID();
    const claimed = await pool.query<{ claim_id: string }>(
      `INSERT INTO idempotency_keys AS k (principal, key, method, path, request_hash, claim_id)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (principal, key) DO UPDATE
          SET method = EXCLUDED.method, path = EXCLUDED.path, request_hash = EXCLUDED.request_hash, claim_id = EXCLUDED.claim_id,
              response_status = NULL, response_headers = NULL, response_body = NULL, created_at = now(), completed_at = NULL
        WHERE k.created_at < now() - make_interval(secs => $7)
           OR (k.completed_at IS NULL AND k.created_at < now() - make_interval(secs => $8)
               AND k.request_hash = EXCLUDED.request_hash AND k.method = EXCLUDED.method AND k.path = EXCLUDED.path)
       RETURNING claim_id`,
      [req.principal, req.key, req.method, req.path, req.requestHash, claimId, opts.ttlSeconds, opts.inFlightLeaseSeconds],
    );
    if (claimed.rows[0]?.claim_id === claimId) return { kind: 'claimed', claimId };

    const existing = await pool.query<KeyRow>(
      `SELECT method, path, request_hash, response_status, response_headers, response_body #>> '{}' AS body_text,
              greatest(1, ceil(extract(epoch FROM (created_at + make_interval(secs => $3) - now()))))::int AS wait_seconds
         FROM idempotency_keys WHERE principal = $1 AND key = $2`,
      [req.principal, req.key, opts.inFlightLeaseSeconds],
    );
    const row = existing.rows[0];
    if (!row) continue; // released between the two statements: try to claim again
    if (row.request_hash !== req.requestHash || row.method !== req.method || row.path !== req.path) return { kind: 'mismatch' };
    if (row.response_status === null) return { kind: 'in-flight', retryAfterSeconds: Math.min(row.wait_seconds ?? 1, 5) };
    return {
      kind: 'replay',
      response: { status: row.response_status, headers: row.response_headers ?? {}, body: row.body_text === null ? null : (JSON.parse(row.body_text) as unknown) },
    };
  }
  return { kind: 'in-flight', retryAfterSeconds: 1 };
}

/**
 * Stores the response of the claiming request. The body is kept as a JSON *string* inside the
 * jsonb column, so a replay sends the same bytes (jsonb would reorder object keys).
 * Returns false when the claim was lost (taken over after the lease), in which case nothing is stored.
 */
export async function completeIdempotencyKey(pool: Pick<Pool, 'query'>, req: Pick<IdempotencyRequest, 'principal' | 'key'>, claimId: string, response: StoredResponse): Promise<boolean> {
  const r = await pool.query(
    `UPDATE idempotency_keys
        SET response_status = $4, response_headers = $5, response_body = CASE WHEN $6::text IS NULL THEN NULL ELSE to_jsonb($6::text) END, completed_at = now()
      WHERE principal = $1 AND key = $2 AND claim_id = $3 AND completed_at IS NULL`,
    [req.principal, req.key, claimId, response.status, JSON.stringify(response.headers), response.body === null || response.body === undefined ? null : JSON.stringify(response.body)],
  );
  return (r.rowCount ?? 0) > 0;
}

/** Gives the key up (the request failed in a way a retry may fix): the next request runs afresh. */
export async function releaseIdempotencyKey(pool: Pick<Pool, 'query'>, req: Pick<IdempotencyRequest, 'principal' | 'key'>, claimId: string): Promise<void> {
  await pool.query('DELETE FROM idempotency_keys WHERE principal = $1 AND key = $2 AND claim_id = $3 AND completed_at IS NULL', [req.principal, req.key, claimId]);
}

/** Deletes expired keys, at most `batch` per call; returns how many went. */
export async function sweepIdempotencyKeys(pool: Pick<Pool, 'query'>, ttlSeconds: number, batch = 5000): Promise<number> {
  const r = await pool.query(
    `DELETE FROM idempotency_keys WHERE ctid = ANY (ARRAY(
       SELECT ctid FROM idempotency_keys WHERE created_at < now() - make_interval(secs => $1) LIMIT $2))`,
    [ttlSeconds, batch],
  );
  return r.rowCount ?? 0;
}
