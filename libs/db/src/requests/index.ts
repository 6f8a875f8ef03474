// Requests to the citizen (Nachforderung, identification): the rows behind GET /cases/{id}
// `openRequests`, written by activities/requests for the building blocks
// workflows/shared/document-request.ts and workflows/shared/identity.ts.
// Tables: migrations/1764360000000_case_file.sql + 1764375000000_case_requests_lifecycle.sql.
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { DomainError } from '../../../domain/src/errors';
import { writeAudit } from '../cases/audit';
import { isUuid, withTransaction } from '../cases/tx';

export const REQUEST_STATUSES = ['open', 'fulfilled', 'expired', 'cancelled'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
export type ClosedRequestStatus = Exclude<RequestStatus, 'open'>;

/** `request_key` and `kind`: short, stable names chosen by the process. */
const NAME = /^[a-z0-9][a-z0-9._:-]{0,99}$/i;

export interface RequestRecord {
  requestId: string;
  caseId: string;
  key: string | null;
  kind: string;
  text: string;
  dueBy: Date | null;
  status: RequestStatus;
  details: Record<string, unknown> | null;
  createdAt: Date;
  updatedAt: Date;
}

interface RequestRow {
  id: string;
  case_id: string;
  request_key: string | null;
  kind: string;
  text: string;
  due_by: Date | null;
  status: RequestStatus;
  details: Record<string, unknown> | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, case_id, request_key, kind, text, due_by, status, details, created_at, updated_at';

function toRecord(r: RequestRow): RequestRecord {
  return {
    requestId: r.id,
    caseId: r.case_id,
    key: r.request_key,
    kind: r.kind,
    text: r.text,
    dueBy: r.due_by,
    status: r.status,
    details: r.details,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function invalid(path: string, message: string): DomainError {
  return new DomainError('INVALID', `Invalid request: ${path.slice(1)} ${message}.`, { errors: [{ path, message }] });
}

export interface OpenRequestsInput {
  caseId: string;
  /** The process's name for this round of requests; with `kind` it identifies a request. */
  key: string;
  items: ReadonlyArray<{ kind: string; text: string; details?: Record<string, unknown> | null }>;
  dueBy: Date | null;
  /** For the audit trail: `workflow:<id>` or `system`. */
  actor: string;
}

export interface OpenRequestsResult {
  /** One per item, in the order of the items; rows that existed already are returned as they are. */
  requests: RequestRecord[];
  /** How many rows this call inserted (0 on a retry). */
  created: number;
}

/**
 * Opens one request per item, idempotent by (caseId, key, kind): a retried call inserts nothing and
 * returns the existing rows — whatever their status by now (an upload may have fulfilled one).
 */
export async function openRequests(pool: Pool, input: OpenRequestsInput): Promise<OpenRequestsResult> {
  if (!isUuid(input.caseId)) throw invalid('/caseId', 'must be a UUID');
  if (!NAME.test(input.key)) throw invalid('/key', `must match ${NAME}`);
  if (input.items.length === 0) throw invalid('/items', 'must not be empty');
  const kinds = new Set<string>();
  input.items.forEach((item, i) => {
    if (!NAME.test(item.kind)) throw invalid(`/items/${i}/kind`, `must match ${NAME}`);
    if (kinds.has(item.kind)) throw invalid(`/items/${i}/kind`, 'is given twice');
    kinds.add(item.kind);
    if (!item.text.trim() || item.text.length > 2000) throw invalid(`/items/${i}/text`, 'must have 1 to 2000 characters');
  });

  return withTransaction(pool, async (c) => {
    const found = await c.query('SELECT 1 FROM cases WHERE id = $1 FOR KEY SHARE', [input.caseId]);
    if (found.rowCount === 0) throw new DomainError('NOT_FOUND', 'The case does not exist.', { reason: 'case_not_found' });
    const requests: RequestRecord[] = [];
    let created = 0;
    for (const item of input.items) {
      const inserted = await c.query<RequestRow>(
        `INSERT INTO case_requests (id, case_id, request_key, kind, text, due_by, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (case_id, request_key, kind) WHERE request_key IS NOT NULL DO NOTHING
         RETURNING ${COLUMNS}`,
        [randomUUID(), input.caseId, input.key, item.kind, item.text, input.dueBy, item.details ? JSON.stringify(item.details) : null],
      );
      let row = inserted.rows[0];
      if (row) {
        created++;
        await writeAudit(c, {
          actor: input.actor,
          action: 'request.opened',
          caseId: input.caseId,
          after: { requestId: row.id, key: input.key, kind: item.kind, dueBy: input.dueBy?.toISOString() ?? null },
        });
      } else {
        row = (await c.query<RequestRow>(`SELECT ${COLUMNS} FROM case_requests WHERE case_id = $1 AND request_key = $2 AND kind = $3`, [input.caseId, input.key, item.kind])).rows[0]!;
      }
      requests.push(toRecord(row));
    }
    return { requests, created };
  });
}

export interface CloseRequestsInput {
  caseId: string;
  requestIds: readonly string[];
  status: ClosedRequestStatus;
  actor: string;
}

/**
 * Closes the named requests of the case that are still open (fulfilled, expired or cancelled);
 * requests closed already keep their status. Idempotent. Returns the ids this call closed.
 */
export async function closeRequests(pool: Pool, input: CloseRequestsInput): Promise<{ closed: string[] }> {
  if (!isUuid(input.caseId)) throw invalid('/caseId', 'must be a UUID');
  if (!(['fulfilled', 'expired', 'cancelled'] as const).includes(input.status)) throw invalid('/status', 'must be fulfilled, expired or cancelled');
  const ids = input.requestIds.filter(isUuid);
  if (ids.length !== input.requestIds.length) throw invalid('/requestIds', 'must be UUIDs');
  if (ids.length === 0) return { closed: [] };
  return withTransaction(pool, async (c) => {
    const r = await c.query<{ id: string }>(
      `UPDATE case_requests SET status = $3, updated_at = now()
        WHERE case_id = $1 AND id = ANY($2::uuid[]) AND status = 'open'
        RETURNING id`,
      [input.caseId, ids, input.status],
    );
    const closed = r.rows.map((row) => row.id);
    for (const id of closed) {
      await writeAudit(c, { actor: input.actor, action: `request.${input.status}`, caseId: input.caseId, before: { requestId: id, status: 'open' }, after: { requestId: id, status: input.status } });
    }
    return { closed };
  });
}

/** The case's open requests of one kind, oldest first (e.g. the pending identification request). */
export async function findOpenRequestsOfKind(pool: Pick<Pool, 'query'>, caseId: string, kind: string): Promise<RequestRecord[]> {
  if (!isUuid(caseId)) return [];
  const r = await pool.query<RequestRow>(`SELECT ${COLUMNS} FROM case_requests WHERE case_id = $1 AND kind = $2 AND status = 'open' ORDER BY created_at, id`, [caseId, kind]);
  return r.rows.map(toRecord);
}

/** Every request of the case (any status), oldest first. */
export async function listRequests(pool: Pick<Pool, 'query'>, caseId: string): Promise<RequestRecord[]> {
  if (!isUuid(caseId)) return [];
  const r = await pool.query<RequestRow>(`SELECT ${COLUMNS} FROM case_requests WHERE case_id = $1 ORDER BY created_at, id`, [caseId]);
  return r.rows.map(toRecord);
}
