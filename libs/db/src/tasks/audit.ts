import type { PoolClient } from 'pg';

/**
 * The audit trail of task state changes, in the case file's `audit_log` (migrations/…_case_file.sql:
 * actor, action, case_id, before, after), written in the same transaction as the change.
 *
 * `case_id` is linked only when the case row exists (audit_log references cases; a task may belong
 * to no case, or to one whose row another activity has not written yet) — the task id is always in
 * before/after. Only ids, statuses, outcomes and dates go into before/after: never case data or
 * form data.
 */
export type TaskAuditAction = 'task.created' | 'task.claimed' | 'task.unclaimed' | 'task.deferred' | 'task.completed' | 'task.escalated' | 'task.cancelled';

export interface TaskAuditEntry {
  action: TaskAuditAction;
  /** The acting caseworker's sub, or `workflow:<id>` for the process itself. */
  actor: string;
  taskId: string;
  caseId: string | null;
  before?: Record<string, unknown> | null;
  after: Record<string, unknown>;
}

export async function writeTaskAudit(client: Pick<PoolClient, 'query'>, e: TaskAuditEntry): Promise<void> {
  await client.query(
    `INSERT INTO audit_log (actor, action, case_id, before, after)
     VALUES ($1, $2, (SELECT id FROM cases WHERE id = $3::uuid), $4, $5)`,
    [e.actor, e.action, e.caseId, e.before ? JSON.stringify({ taskId: e.taskId, ...e.before }) : null, JSON.stringify({ taskId: e.taskId, ...e.after })],
  );
}
