import type { Pool, PoolClient } from 'pg';

export interface AuditEntry {
  /** The acting sub, or `system` / `workflow:<id>` for the process itself. */
  actor: string;
  /** Dotted verb, e.g. `case.opened`, `case.status_changed`, `document.added`. */
  action: string;
  caseId?: string | null;
  /** Statuses, keys and ids only: never addresses, mail texts or document bytes. */
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

/** Appends one audit row (in the caller's transaction when given a client). */
export async function writeAudit(db: Pick<Pool | PoolClient, 'query'>, entry: AuditEntry): Promise<void> {
  await db.query('INSERT INTO audit_log (actor, action, case_id, before, after) VALUES ($1, $2, $3, $4, $5)', [
    entry.actor,
    entry.action,
    entry.caseId ?? null,
    entry.before === undefined || entry.before === null ? null : JSON.stringify(entry.before),
    entry.after === undefined || entry.after === null ? null : JSON.stringify(entry.after),
  ]);
}
