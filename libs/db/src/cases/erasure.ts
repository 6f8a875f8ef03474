import type { Pool } from 'pg';
import { FINAL_STATUSES } from '../../../domain/src/cases';
import { writeAudit } from './audit';
import { isUuid, withTransaction } from './tx';

/**
 * Erasure after the retention period (GDPR Art. 5(1)(e), storage limitation). What goes: the
 * owner's e-mail address and account id, every document (uploads and generated letters, bytes and
 * names), the case data and results in the caseworkers' tasks, the decision's details. What stays,
 * because the office must be able to say that a case existed and what happened to it: the case
 * number, type, statuses and timeline, and the audit trail (which never holds personal data, see
 * audit.ts). The Temporal side needs nothing: the workflow has ended long before (a case only
 * becomes due after it is final and nothing is open), its history is gone after the namespace's
 * retention period, and its payloads were encrypted throughout.
 */
export const ERASED_OWNER = 'erased';

/** Cases whose retention has run out and that have no open work, oldest first; eraseCase re-checks each under lock. */
export async function findCasesDueForErasure(pool: Pick<Pool, 'query'>, now: Date, limit: number): Promise<string[]> {
  const r = await pool.query<{ id: string }>(
    `SELECT id FROM cases
      WHERE retention_until IS NOT NULL AND erased_at IS NULL AND retention_until <= $1
        AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.case_id = cases.id AND t.status IN ('open', 'claimed'))
        AND NOT EXISTS (SELECT 1 FROM case_requests r WHERE r.case_id = cases.id AND r.status = 'open')
      ORDER BY retention_until, id
      LIMIT $2`,
    [now, limit],
  );
  return r.rows.map((row) => row.id);
}

export type EraseCaseResult =
  | { erased: true; documents: number; tasks: number }
  | { erased: false; reason: 'not_found' | 'already_erased' | 'not_due' | 'not_final' | 'work_open' };

/**
 * Erases one case's personal data, in one transaction, if it is (still) due: final status,
 * retention_until reached, no open task or request. Idempotent: a second call finds it erased.
 */
export async function eraseCase(pool: Pool, caseId: string, actor: string, now: Date): Promise<EraseCaseResult> {
  if (!isUuid(caseId)) return { erased: false, reason: 'not_found' };
  return withTransaction(pool, async (c) => {
    const found = await c.query<{ status: string; retention_until: Date | null; erased_at: Date | null }>(
      'SELECT status, retention_until, erased_at FROM cases WHERE id = $1 FOR UPDATE',
      [caseId],
    );
    const row = found.rows[0];
    if (!row) return { erased: false, reason: 'not_found' };
    if (row.erased_at) return { erased: false, reason: 'already_erased' };
    if (!(FINAL_STATUSES as readonly string[]).includes(row.status)) return { erased: false, reason: 'not_final' };
    if (!row.retention_until || row.retention_until > now) return { erased: false, reason: 'not_due' };
    // Belt and braces: a final case has no open work; if it has, a process still runs — keep it.
    const open = await c.query(
      `SELECT 1 FROM tasks WHERE case_id = $1 AND status IN ('open', 'claimed')
       UNION ALL SELECT 1 FROM case_requests WHERE case_id = $1 AND status = 'open' LIMIT 1`,
      [caseId],
    );
    if ((open.rowCount ?? 0) > 0) return { erased: false, reason: 'work_open' };

    const documents = await c.query('DELETE FROM case_documents WHERE case_id = $1', [caseId]);
    const tasks = await c.query(`UPDATE tasks SET case_data = '{}'::jsonb, result = NULL WHERE case_id = $1`, [caseId]);
    await c.query(
      `UPDATE cases
          SET owner_email = NULL,
              owner_sub = $2,
              decision = CASE WHEN decision IS NULL THEN NULL
                              ELSE jsonb_strip_nulls(jsonb_build_object('outcome', decision->'outcome', 'decidedAt', decision->'decidedAt')) END,
              erased_at = $3
        WHERE id = $1`,
      [caseId, ERASED_OWNER, now],
    );
    const counts = { documents: documents.rowCount ?? 0, tasks: tasks.rowCount ?? 0 };
    await writeAudit(c, { actor, action: 'case.erased', caseId, after: { ...counts, retentionUntil: row.retention_until.toISOString() } });
    return { erased: true, ...counts };
  });
}
