import type { Pool } from 'pg';
import type { CaseType, ExternalStatus } from '../../../domain/src/cases';
import { DomainError } from '../../../domain/src/errors';
import { decodeCursor, encodeCursor } from './cursor';
import { isUuid } from './tx';
import { CASE_COLUMNS, toCaseRecord } from './types';
import type { CaseDetail, CaseListItem, CaseRecord, CaseRow } from './types';

export const CASE_LIST_MAX_LIMIT = 100;
export const CASE_LIST_DEFAULT_LIMIT = 20;

export interface CasePage {
  items: CaseListItem[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

interface ListRow {
  id: string;
  case_number: string;
  type: CaseType;
  status: ExternalStatus;
  status_text: string;
  updated_at: Date;
  cursor_ts: string;
}

const LIST_COLUMNS = `id, case_number, type, status, status_text, updated_at,
  to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_ts`;

/**
 * One page of a citizen's cases, most recently changed first, keyset-paginated on
 * (updated_at, id) — served by cases_owner_list_idx, constant cost per page however deep.
 * A cursor that is not ours gives DomainError INVALID (reason `invalid_cursor`).
 */
export async function listCasesForOwner(pool: Pick<Pool, 'query'>, ownerSub: string, opts: { limit?: number; cursor?: string | null } = {}): Promise<CasePage> {
  const limit = Math.min(Math.max(Math.trunc(opts.limit ?? CASE_LIST_DEFAULT_LIMIT), 1), CASE_LIST_MAX_LIMIT);
  let rows: ListRow[];
  if (opts.cursor) {
    const after = decodeCursor(opts.cursor);
    if (!after) throw new DomainError('INVALID', 'The cursor is not valid; start again without one.', { reason: 'invalid_cursor', errors: [{ path: '/cursor', message: 'invalid cursor' }] });
    rows = (
      await pool.query<ListRow>({
        name: 'cases.list.after',
        text: `SELECT ${LIST_COLUMNS} FROM cases
                WHERE owner_sub = $1 AND (updated_at, id) < ($2::timestamptz, $3::uuid)
                ORDER BY updated_at DESC, id DESC LIMIT $4`,
        values: [ownerSub, after.updatedAt, after.id, limit + 1],
      })
    ).rows;
  } else {
    rows = (
      await pool.query<ListRow>({
        name: 'cases.list.first',
        text: `SELECT ${LIST_COLUMNS} FROM cases WHERE owner_sub = $1 ORDER BY updated_at DESC, id DESC LIMIT $2`,
        values: [ownerSub, limit + 1],
      })
    ).rows;
  }
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({ caseId: r.id, caseNumber: r.case_number, type: r.type, status: r.status, statusText: r.status_text, updatedAt: r.updated_at })),
    nextCursor: rows.length > limit && last ? encodeCursor({ updatedAt: last.cursor_ts, id: last.id }) : null,
  };
}

/** The case row (no timeline), or undefined. For access checks before writes (upload, withdraw). */
export async function findCase(pool: Pick<Pool, 'query'>, caseId: string): Promise<CaseRecord | undefined> {
  if (!isUuid(caseId)) return undefined;
  const r = await pool.query<CaseRow>({ name: 'cases.find', text: `SELECT ${CASE_COLUMNS} FROM cases WHERE id = $1`, values: [caseId] });
  return r.rows[0] ? toCaseRecord(r.rows[0]) : undefined;
}

/** The case if `ownerSub` owns it; undefined for someone else's case, an unknown or a malformed id. */
export async function findCaseForOwner(pool: Pick<Pool, 'query'>, caseId: string, ownerSub: string): Promise<CaseRecord | undefined> {
  const c = await findCase(pool, caseId);
  return c && c.ownerSub === ownerSub ? c : undefined;
}

interface DetailRow extends CaseRow {
  timeline: Array<{ at: string; status: ExternalStatus | null; text: string; audience: 'citizen' | 'internal' }>;
  open_requests: Array<{ requestId: string; kind: string; text: string; dueBy: string | null }>;
  documents: Array<{ documentId: string; requestId: string | null; name: string; mediaType: CaseDetail['documents'][number]['mediaType']; size: number; sha256: string; createdAt: string }>;
}

/*
 * Hot read queries are named (prepared once per connection): planning the detail query costs
 * PostgreSQL about three times as much as running it.
 *
 * One round trip: the case with its timeline, open requests and document metadata aggregated as
 * JSON by PostgreSQL (never the bytes). $2 = owner filter (NULL for staff), $3 = include internal.
 */
const DETAIL_SQL = `
SELECT ${CASE_COLUMNS},
  COALESCE((SELECT json_agg(json_build_object('at', e.at, 'status', e.status, 'text', e.text, 'audience', e.audience) ORDER BY e.at, e.id)
              FROM case_events e WHERE e.case_id = c.id AND ($3::boolean OR e.audience = 'citizen')), '[]'::json) AS timeline,
  COALESCE((SELECT json_agg(json_build_object('requestId', r.id, 'kind', r.kind, 'text', r.text, 'dueBy', r.due_by) ORDER BY r.due_by NULLS LAST, r.created_at, r.id)
              FROM case_requests r WHERE r.case_id = c.id AND r.status = 'open'), '[]'::json) AS open_requests,
  COALESCE((SELECT json_agg(json_build_object('documentId', d.id, 'requestId', d.request_id, 'name', d.name, 'mediaType', d.media_type,
                                              'size', d.size, 'sha256', d.sha256, 'createdAt', d.created_at) ORDER BY d.created_at, d.id)
              FROM case_documents d WHERE d.case_id = c.id), '[]'::json) AS documents
  FROM cases c
 WHERE c.id = $1 AND ($2::text IS NULL OR c.owner_sub = $2)`;

const date = (s: string): Date => new Date(s);

async function caseDetail(pool: Pick<Pool, 'query'>, caseId: string, ownerSub: string | null, includeInternal: boolean): Promise<CaseDetail | undefined> {
  if (!isUuid(caseId)) return undefined;
  const r = await pool.query<DetailRow>({ name: 'cases.detail', text: DETAIL_SQL, values: [caseId, ownerSub, includeInternal] });
  const row = r.rows[0];
  if (!row) return undefined;
  const base = toCaseRecord(row);
  return {
    caseId: base.caseId,
    caseNumber: base.caseNumber,
    type: base.type,
    status: base.status,
    statusText: base.statusText,
    submittedAt: base.submittedAt,
    updatedAt: base.updatedAt,
    dueBy: base.dueBy,
    decision: base.decision,
    timeline: row.timeline.map((e) => ({ at: date(e.at), status: e.status, text: e.text, audience: e.audience })),
    openRequests: row.open_requests.map((q) => ({ requestId: q.requestId, kind: q.kind, text: q.text, dueBy: q.dueBy ? date(q.dueBy) : null })),
    documents: row.documents.map((d) => ({ ...d, createdAt: date(d.createdAt) })),
  };
}

/** The citizen's view of their own case (citizen timeline entries only); undefined if not theirs. */
export function getCaseForOwner(pool: Pick<Pool, 'query'>, caseId: string, ownerSub: string): Promise<CaseDetail | undefined> {
  return caseDetail(pool, caseId, ownerSub, false);
}

/** Staff view of any case, including internal timeline entries. */
export function getCaseForStaff(pool: Pick<Pool, 'query'>, caseId: string): Promise<CaseDetail | undefined> {
  return caseDetail(pool, caseId, null, true);
}
