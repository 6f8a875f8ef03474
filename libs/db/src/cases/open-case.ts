import type { Pool } from 'pg';
import { CASE_EVENT_KEYS, STATUS_TEXT_DE, formatCaseNumber, isCaseType } from '../../../domain/src/cases';
import type { CaseType, ExternalStatus } from '../../../domain/src/cases';
import { DomainError } from '../../../domain/src/errors';
import { writeAudit } from './audit';
import { PG_UNIQUE_VIOLATION, isUuid, pgConstraint, pgErrorCode, withTransaction } from './tx';
import { CASE_COLUMNS, toCaseRecord } from './types';
import type { CaseRecord, CaseRow } from './types';

export interface OpenCaseInput {
  /** Chosen by the API (deriveCaseId), so a retried submission names the same case. */
  caseId: string;
  type: CaseType;
  /** The applicant's pseudonymous sub: who may read the case. */
  ownerSub: string;
  /** Where status mails go; personal data, erased after retention. */
  ownerEmail?: string | null;
  workflowId: string;
  /** Who opened it for the audit trail; defaults to the owner. */
  actor?: string;
  dueBy?: Date | null;
}

export interface OpenCaseResult {
  case: CaseRecord;
  /** False when the case existed already (a retried call): nothing was written, no number allocated. */
  created: boolean;
}

/** The case exists already, inserted by a concurrent call with the same id; its transaction rolled back. */
class AlreadyOpened extends Error {}

async function findCase(pool: Pick<Pool, 'query'>, caseId: string): Promise<CaseRecord | undefined> {
  const r = await pool.query<CaseRow>(`SELECT ${CASE_COLUMNS} FROM cases WHERE id = $1`, [caseId]);
  return r.rows[0] ? toCaseRecord(r.rows[0]) : undefined;
}

function sameCase(existing: CaseRecord, input: OpenCaseInput): OpenCaseResult {
  if (existing.type !== input.type || existing.ownerSub !== input.ownerSub || existing.workflowId !== input.workflowId) {
    throw new DomainError('CONFLICT', 'This case id is already taken by another case.', { reason: 'case_id_taken' });
  }
  return { case: existing, created: false };
}

/**
 * Opens a case: allocates the next case number of its type and year (Europe/Berlin), inserts the
 * case with status SUBMITTED, its first timeline entry and an audit row — all in one transaction.
 *
 * Idempotent by caseId: a retried call returns the existing case and allocates nothing. Gap-free:
 * the counter row is updated inside the transaction that inserts the case, so concurrent openings
 * of one type queue on that row lock, and a transaction that rolls back (including the loser of a
 * race on the same caseId) gives its number back.
 */
export async function openCase(pool: Pool, input: OpenCaseInput): Promise<OpenCaseResult> {
  if (!isUuid(input.caseId)) throw new DomainError('INVALID', 'The case id must be a UUID.', { errors: [{ path: '/caseId', message: 'must be a UUID' }] });
  if (!isCaseType(input.type)) throw new DomainError('INVALID', 'Unknown case type.', { errors: [{ path: '/type', message: 'unknown case type' }] });
  if (!input.ownerSub) throw new DomainError('INVALID', 'The case needs an owner.', { errors: [{ path: '/ownerSub', message: 'required' }] });
  if (!input.workflowId) throw new DomainError('INVALID', 'The case needs a workflow id.', { errors: [{ path: '/workflowId', message: 'required' }] });

  const existing = await findCase(pool, input.caseId);
  if (existing) return sameCase(existing, input);

  const status: ExternalStatus = 'SUBMITTED';
  try {
    return await withTransaction(pool, async (c) => {
      const year = (await c.query<{ year: number }>(`SELECT extract(year FROM now() AT TIME ZONE 'Europe/Berlin')::int AS year`)).rows[0]!.year;
      const counter = await c.query<{ next: string }>(
        `INSERT INTO case_number_counters AS k (type, year, next) VALUES ($1, $2, 1)
         ON CONFLICT (type, year) DO UPDATE SET next = k.next + 1
         RETURNING next`,
        [input.type, year],
      );
      const caseNumber = formatCaseNumber(input.type, year, Number(counter.rows[0]!.next));
      const inserted = await c.query<CaseRow>(
        `INSERT INTO cases (id, case_number, type, owner_sub, owner_email, workflow_id, status, status_text, due_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (id) DO NOTHING
         RETURNING ${CASE_COLUMNS}`,
        [input.caseId, caseNumber, input.type, input.ownerSub, input.ownerEmail ?? null, input.workflowId, status, STATUS_TEXT_DE[status], input.dueBy ?? null],
      );
      const row = inserted.rows[0];
      if (!row) throw new AlreadyOpened(); // rolls back the counter: the number is not lost
      await c.query(`INSERT INTO case_events (case_id, event_key, at, status, audience, text) VALUES ($1, $2, $3, $4, 'citizen', $5)`, [
        input.caseId,
        CASE_EVENT_KEYS.submitted,
        row.submitted_at,
        status,
        STATUS_TEXT_DE[status],
      ]);
      await writeAudit(c, {
        actor: input.actor ?? input.ownerSub,
        action: 'case.opened',
        caseId: input.caseId,
        after: { caseNumber, type: input.type, status, workflowId: input.workflowId },
      });
      return { case: toCaseRecord(row), created: true };
    });
  } catch (e) {
    if (e instanceof AlreadyOpened) {
      const now = await findCase(pool, input.caseId);
      if (now) return sameCase(now, input);
    }
    if (pgErrorCode(e) === PG_UNIQUE_VIOLATION && pgConstraint(e) === 'cases_workflow_id_key') {
      throw new DomainError('CONFLICT', 'This workflow already has a case.', { reason: 'workflow_has_case' });
    }
    throw e;
  }
}
