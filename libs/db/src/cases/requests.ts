import type { Pool } from 'pg';
import { isUuid } from './tx';

export interface CaseRequestRecord {
  requestId: string;
  caseId: string;
  kind: string;
  text: string;
  dueBy: Date | null;
  // 'cancelled' comes from migrations/…_case_requests_lifecycle.sql
  status: 'open' | 'fulfilled' | 'expired' | 'cancelled';
}

/** A request of this case (any status), or undefined when the case has no such request. */
export async function getCaseRequest(pool: Pick<Pool, 'query'>, caseId: string, requestId: string): Promise<CaseRequestRecord | undefined> {
  if (!isUuid(caseId) || !isUuid(requestId)) return undefined;
  const r = await pool.query<{ id: string; case_id: string; kind: string; text: string; due_by: Date | null; status: CaseRequestRecord['status'] }>(
    'SELECT id, case_id, kind, text, due_by, status FROM case_requests WHERE id = $1 AND case_id = $2',
    [requestId, caseId],
  );
  const row = r.rows[0];
  return row ? { requestId: row.id, caseId: row.case_id, kind: row.kind, text: row.text, dueBy: row.due_by, status: row.status } : undefined;
}
