import type { Pool } from 'pg';
import { AUDIENCES, CASE_EVENT_KEYS, FINAL_STATUSES, STATUS_TEXT_DE, isExternalStatus } from '../../../domain/src/cases';
import type { Audience, CaseDecision, ExternalStatus } from '../../../domain/src/cases';
import { DomainError } from '../../../domain/src/errors';
import { writeAudit } from './audit';
import { isUuid, withTransaction } from './tx';

export interface RecordEventInput {
  caseId: string;
  /** Idempotency: one timeline entry per (case, eventKey), however often this is called. */
  eventKey: string;
  /** The status the case moves to; omit for an entry that changes no status. */
  status?: ExternalStatus | null;
  audience: Audience;
  /** The timeline text (German; for `citizen` entries written for the citizen). */
  text: string;
  /** Who caused it, for the audit trail: a sub, or `system` / `workflow:<id>`. */
  actor: string;
  /**
   * CASE_RETENTION (ISO 8601): when the entry moves the case to a final status, its personal data
   * is kept this long from now (cases.retention_until), then erased by the retention sweep. A move
   * back to an open status clears it. Omitted: retention_until is left as it is.
   */
  retention?: string;
}

export interface RecordEventResult {
  eventId: string;
  /** False when the event existed already: nothing was written this time. */
  recorded: boolean;
  at: Date;
  status: ExternalStatus | null;
  audience: Audience;
}

interface EventRow {
  id: string;
  at: Date;
  status: ExternalStatus | null;
  audience: Audience;
}

function invalid(path: string, message: string): DomainError {
  return new DomainError('INVALID', `Invalid case event: ${path.slice(1)} ${message}.`, { errors: [{ path, message }] });
}

function notFound(): DomainError {
  return new DomainError('NOT_FOUND', 'The case does not exist.', { reason: 'case_not_found' });
}

/**
 * Appends a timeline entry, idempotent by (caseId, eventKey). When the entry carries a status it
 * also moves the case: cases.status, status_text (the entry's text if it is meant for the citizen,
 * else the default text of the status — internal wording never reaches the citizen's list) and
 * updated_at. A citizen entry without a status bumps updated_at (the case moves up the citizen's
 * list); an internal one does not. Every new entry writes an audit row.
 */
export async function recordEvent(pool: Pool, input: RecordEventInput): Promise<RecordEventResult> {
  if (!isUuid(input.caseId)) throw invalid('/caseId', 'must be a UUID');
  if (!input.eventKey || input.eventKey.length > 200) throw invalid('/eventKey', 'must have 1 to 200 characters');
  if (!(AUDIENCES as readonly string[]).includes(input.audience)) throw invalid('/audience', 'must be citizen or internal');
  if (input.status !== undefined && input.status !== null && !isExternalStatus(input.status)) throw invalid('/status', 'is not an external status');
  if (!input.text.trim()) throw invalid('/text', 'must not be empty');
  const status = input.status ?? null;

  return withTransaction(pool, async (c) => {
    // Lock the case: events of one case are applied one after another, so status and timeline agree.
    const current = await c.query<{ status: ExternalStatus }>('SELECT status FROM cases WHERE id = $1 FOR UPDATE', [input.caseId]);
    const before = current.rows[0];
    if (!before) throw notFound();

    const inserted = await c.query<EventRow>(
      `INSERT INTO case_events (case_id, event_key, status, audience, text) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (case_id, event_key) DO NOTHING
       RETURNING id, at, status, audience`,
      [input.caseId, input.eventKey, status, input.audience, input.text],
    );
    const row = inserted.rows[0];
    if (!row) {
      const existing = await c.query<EventRow>('SELECT id, at, status, audience FROM case_events WHERE case_id = $1 AND event_key = $2', [input.caseId, input.eventKey]);
      const e = existing.rows[0]!;
      return { eventId: String(e.id), recorded: false, at: e.at, status: e.status, audience: e.audience };
    }

    if (status) {
      const statusText = input.audience === 'citizen' ? input.text : STATUS_TEXT_DE[status];
      await c.query('UPDATE cases SET status = $2, status_text = $3, updated_at = $4 WHERE id = $1', [input.caseId, status, statusText, row.at]);
      if (input.retention !== undefined) {
        // PostgreSQL reads ISO 8601 durations (P6Y, P1Y6M) as intervals.
        const final = (FINAL_STATUSES as readonly string[]).includes(status);
        await c.query('UPDATE cases SET retention_until = CASE WHEN $2::boolean THEN $3::timestamptz + $4::interval END WHERE id = $1', [input.caseId, final, row.at, input.retention]);
      }
      await writeAudit(c, {
        actor: input.actor,
        action: 'case.status_changed',
        caseId: input.caseId,
        before: { status: before.status },
        after: { status, eventKey: input.eventKey, audience: input.audience },
      });
    } else {
      if (input.audience === 'citizen') await c.query('UPDATE cases SET updated_at = $2 WHERE id = $1', [input.caseId, row.at]);
      await writeAudit(c, { actor: input.actor, action: 'case.event_recorded', caseId: input.caseId, after: { eventKey: input.eventKey, audience: input.audience } });
    }
    return { eventId: String(row.id), recorded: true, at: row.at, status: row.status, audience: row.audience };
  });
}

/**
 * Records the withdrawal (status WITHDRAWN, citizen entry) under the fixed event key
 * CASE_EVENT_KEYS.withdrawn, so the API and the workflow recording it both leave one entry.
 */
export function markWithdrawn(pool: Pool, caseId: string, actor: string, retention?: string): Promise<RecordEventResult> {
  return recordEvent(pool, { caseId, eventKey: CASE_EVENT_KEYS.withdrawn, status: 'WITHDRAWN', audience: 'citizen', text: STATUS_TEXT_DE.WITHDRAWN, actor, ...(retention && { retention }) });
}

export interface SetDecisionInput {
  caseId: string;
  decision: CaseDecision;
  actor: string;
}

/**
 * Stores the decision shown to the citizen. Idempotent: the same decision again changes nothing and
 * writes no audit row; a different one replaces it (e.g. after an objection) with before/after audited.
 */
export async function setDecision(pool: Pool, input: SetDecisionInput): Promise<{ changed: boolean }> {
  if (!isUuid(input.caseId)) throw invalid('/caseId', 'must be a UUID');
  if (typeof input.decision?.outcome !== 'string' || !input.decision.outcome) throw invalid('/decision/outcome', 'is required');
  if (typeof input.decision.decidedAt !== 'string' || Number.isNaN(Date.parse(input.decision.decidedAt))) throw invalid('/decision/decidedAt', 'must be an ISO 8601 time');
  return withTransaction(pool, async (c) => {
    const current = await c.query<{ decision: CaseDecision | null; same: boolean }>(
      'SELECT decision, decision IS NOT DISTINCT FROM $2::jsonb AS same FROM cases WHERE id = $1 FOR UPDATE',
      [input.caseId, JSON.stringify(input.decision)],
    );
    const row = current.rows[0];
    if (!row) throw notFound();
    if (row.same) return { changed: false };
    await c.query('UPDATE cases SET decision = $2, updated_at = now() WHERE id = $1', [input.caseId, JSON.stringify(input.decision)]);
    await writeAudit(c, { actor: input.actor, action: 'case.decided', caseId: input.caseId, before: row.decision ? { decision: row.decision } : null, after: { decision: input.decision } });
    return { changed: true };
  });
}
