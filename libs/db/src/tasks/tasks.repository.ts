import type { Pool, PoolClient } from 'pg';
import type { FormSchema } from '../../../domain/src/tasks/form-schema';
import type { TaskScope, TaskStatus } from '../../../domain/src/tasks/task-status';
import { writeTaskAudit } from './audit';
import type { TaskAuditAction } from './audit';
import { withTransaction } from '../tx';

/**
 * SQL of the human tasks (table `tasks`, migrations/1764370000000_human_tasks.sql). The workflow's
 * activities create, complete, escalate and cancel; the inbox API lists, claims, unclaims and defers.
 * Every state change writes an audit entry in the same transaction (see audit.ts).
 */
export type Queryable = Pick<Pool | PoolClient, 'query'>;

export interface TaskRow {
  id: string;
  case_id: string | null;
  case_number: string | null;
  workflow_id: string;
  task_key: string;
  type: string;
  title: string;
  group_name: string;
  assignee: string | null;
  status: TaskStatus;
  form_schema: FormSchema;
  outcomes: string[];
  case_data: Record<string, unknown>;
  due_at: Date;
  follow_up_at: Date | null;
  escalated_at: Date | null;
  escalate_to: string | null;
  four_eyes_exclude: string | null;
  completed_by: string | null;
  completed_at: Date | null;
  outcome: string | null;
  result: Record<string, unknown> | null;
  cancelled_at: Date | null;
  created_at: Date;
  updated_at: Date;
  version: number;
}

/** The row before a change, as `to_jsonb` gives it (dates are strings there). */
type BeforeJson = Pick<TaskRow, 'status' | 'assignee'> & { follow_up_at: string | null; escalated_at: string | null };

/** What the audit trail keeps of a task's state: ids, statuses, dates — no case or form data. */
function auditState(r: BeforeJson | TaskRow): Record<string, unknown> {
  const date = (d: Date | string | null) => (d instanceof Date ? d.toISOString() : d);
  return { status: r.status, assignee: r.assignee, ...(r.follow_up_at && { followUpAt: date(r.follow_up_at) }), ...(r.escalated_at && { escalated: true }) };
}

/** A change of one task row plus its audit entry, atomically. Returns the row after the change, or undefined when `sql` matched nothing. */
async function changeTask(
  pool: Pool,
  action: TaskAuditAction,
  actor: string | ((row: TaskRow) => string),
  sql: string,
  params: unknown[],
  extra: (after: TaskRow, before: BeforeJson | undefined) => Record<string, unknown> = () => ({}),
): Promise<TaskRow | undefined> {
  return withTransaction(pool, async (client) => {
    const r = await client.query<TaskRow & { before: BeforeJson | null }>(sql, params);
    const row = r.rows[0];
    if (!row) return undefined;
    const { before, ...after } = row;
    await writeTaskAudit(client, {
      action,
      actor: typeof actor === 'string' ? actor : actor(after),
      taskId: after.id,
      caseId: after.case_id,
      before: before ? auditState(before) : null,
      after: { ...auditState(after), ...extra(after, before ?? undefined) },
    });
    return after;
  });
}

const processActor = (row: Pick<TaskRow, 'workflow_id'>) => `workflow:${row.workflow_id}`;

// --- the workflow's side (activities/tasks) -----------------------------------------------------

export interface NewTask {
  id: string;
  workflowId: string;
  key: string;
  caseId?: string | null;
  caseNumber?: string | null;
  type: string;
  title: string;
  group: string;
  formSchema: FormSchema;
  outcomes: readonly string[];
  caseData?: Record<string, unknown>;
  dueAt: Date | string;
  escalateTo?: string | null;
  fourEyesExclude?: string | null;
}

/**
 * Creates the task once per (workflow, key): a retried activity, or a workflow replaying into a new
 * attempt, finds the existing row and gets it back with `created: false` (whatever its state).
 */
export async function insertTask(pool: Pool, t: NewTask): Promise<{ row: TaskRow; created: boolean }> {
  return withTransaction(pool, async (client) => {
    const inserted = await client.query<TaskRow>(
      `INSERT INTO tasks (id, workflow_id, task_key, case_id, case_number, type, title, group_name, form_schema, outcomes,
                          case_data, due_at, escalate_to, four_eyes_exclude)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (workflow_id, task_key) DO NOTHING
       RETURNING *`,
      [
        t.id,
        t.workflowId,
        t.key,
        t.caseId ?? null,
        t.caseNumber ?? null,
        t.type,
        t.title,
        t.group,
        JSON.stringify(t.formSchema),
        [...t.outcomes],
        JSON.stringify(t.caseData ?? {}),
        t.dueAt,
        t.escalateTo ?? null,
        t.fourEyesExclude ?? null,
      ],
    );
    const row = inserted.rows[0];
    if (row) {
      await writeTaskAudit(client, {
        action: 'task.created',
        actor: processActor(row),
        taskId: row.id,
        caseId: row.case_id,
        after: { ...auditState(row), type: row.type, group: row.group_name, dueAt: row.due_at.toISOString(), ...(row.four_eyes_exclude && { fourEyes: true }) },
      });
      return { row, created: true };
    }
    const existing = await client.query<TaskRow>('SELECT * FROM tasks WHERE workflow_id = $1 AND task_key = $2', [t.workflowId, t.key]);
    if (!existing.rows[0]) throw new Error('task insert conflicted but the existing row is not visible');
    return { row: existing.rows[0], created: false };
  });
}

export async function findTask(db: Queryable, id: string): Promise<TaskRow | undefined> {
  const r = await db.query<TaskRow>('SELECT * FROM tasks WHERE id = $1', [id]);
  return r.rows[0];
}

/**
 * Records the completion the workflow accepted. Idempotent: a task completed already is returned
 * unchanged with `changed: false`; so is a cancelled one (the workflow decides what that means).
 */
export async function markTaskCompleted(
  pool: Pool,
  c: { taskId: string; completedBy: string; outcome: string; result: Record<string, unknown> },
): Promise<{ row: TaskRow; changed: boolean } | undefined> {
  const after = await changeTask(
    pool,
    'task.completed',
    c.completedBy,
    `WITH before AS (SELECT * FROM tasks WHERE id = $1 FOR UPDATE)
     UPDATE tasks t SET status = 'completed', completed_by = $2, completed_at = now(), outcome = $3, result = $4,
                        follow_up_at = NULL, updated_at = now(), version = t.version + 1
     FROM before b WHERE t.id = b.id AND b.status IN ('open', 'claimed')
     RETURNING t.*, to_jsonb(b) AS before`,
    [c.taskId, c.completedBy, c.outcome, JSON.stringify(c.result)],
    () => ({ outcome: c.outcome }),
  );
  if (after) return { row: after, changed: true };
  const row = await findTask(pool, c.taskId);
  return row ? { row, changed: false } : undefined;
}

/** Marks an open task overdue-escalated once (escalated_at) and records the escalation group. */
export async function markTaskEscalated(pool: Pool, e: { taskId: string; escalateTo?: string | null }): Promise<{ row: TaskRow; changed: boolean } | undefined> {
  const after = await changeTask(
    pool,
    'task.escalated',
    processActor,
    `WITH before AS (SELECT * FROM tasks WHERE id = $1 FOR UPDATE)
     UPDATE tasks t SET escalated_at = now(), escalate_to = COALESCE($2, t.escalate_to), updated_at = now(), version = t.version + 1
     FROM before b WHERE t.id = b.id AND b.status IN ('open', 'claimed') AND b.escalated_at IS NULL
     RETURNING t.*, to_jsonb(b) AS before`,
    [e.taskId, e.escalateTo ?? null],
    (after) => ({ escalateTo: after.escalate_to, dueAt: after.due_at.toISOString() }),
  );
  if (after) return { row: after, changed: true };
  const row = await findTask(pool, e.taskId);
  return row ? { row, changed: false } : undefined;
}

/** Cancels the open tasks named, or all open tasks of a workflow (a withdrawn case). Returns the ids cancelled now. */
export async function markTasksCancelled(pool: Pool, c: { taskIds?: readonly string[]; workflowId?: string; reason?: string }): Promise<string[]> {
  if (!c.taskIds?.length && !c.workflowId) return [];
  return withTransaction(pool, async (client) => {
    const r = await client.query<TaskRow>(
      `UPDATE tasks SET status = 'cancelled', cancelled_at = now(), follow_up_at = NULL, updated_at = now(), version = version + 1
       WHERE (id = ANY($1::uuid[]) OR workflow_id = $2) AND status IN ('open', 'claimed')
       RETURNING *`,
      [c.taskIds ?? [], c.workflowId ?? null],
    );
    for (const row of r.rows) {
      await writeTaskAudit(client, {
        action: 'task.cancelled',
        actor: processActor(row),
        taskId: row.id,
        caseId: row.case_id,
        after: { ...auditState(row), reason: c.reason ?? 'cancelled' },
      });
    }
    return r.rows.map((row) => row.id);
  });
}

// --- the inbox's side (apps/api/src/tasks) ------------------------------------------------------

/** Who looks: a caseworker sees the tasks of their groups (and tasks escalated to one of them); an admin all. */
export interface TaskViewer {
  sub: string;
  groups: readonly string[];
  allGroups: boolean;
}

/** SQL condition "the viewer may see this task", with its parameter appended to `params`. */
function visibleTo(viewer: TaskViewer, params: unknown[], alias = 'tasks'): string {
  if (viewer.allGroups) return 'TRUE';
  params.push([...viewer.groups]);
  const p = `$${params.length}::text[]`;
  return `(${alias}.group_name = ANY(${p}) OR (${alias}.escalate_to = ANY(${p}) AND ${alias}.escalated_at IS NOT NULL))`;
}

export interface TaskListQuery {
  scope: TaskScope;
  caseId?: string;
  type?: string;
  /** Also list tasks whose follow-up date lies in the future (scopes group and unassigned). */
  includeDeferred?: boolean;
  after?: { dueAt: string; id: string };
  limit: number;
}

export type TaskListRow = Pick<
  TaskRow,
  'id' | 'case_id' | 'case_number' | 'type' | 'title' | 'group_name' | 'assignee' | 'status' | 'due_at' | 'follow_up_at' | 'escalated_at' | 'escalate_to' | 'created_at'
>;

/** One page of an inbox, by due date then id (keyset); `limit + 1` rows are read to know whether more follow. */
export async function listTasks(db: Queryable, viewer: TaskViewer, q: TaskListQuery): Promise<{ rows: TaskListRow[]; more: boolean }> {
  const params: unknown[] = [];
  const where: string[] = [visibleTo(viewer, params)];
  if (q.scope === 'mine') {
    params.push(viewer.sub);
    where.push(`assignee = $${params.length}`, `status = 'claimed'`);
  } else if (q.scope === 'unassigned') {
    params.push(viewer.sub);
    // the first completer of a four-eyes pair cannot take the confirmation, so it is not offered to them
    where.push(`status = 'open'`, `four_eyes_exclude IS DISTINCT FROM $${params.length}`);
  } else {
    where.push(`status IN ('open', 'claimed')`);
  }
  if (q.scope !== 'mine' && !q.includeDeferred) where.push('(follow_up_at IS NULL OR follow_up_at <= now())');
  if (q.caseId) {
    params.push(q.caseId);
    where.push(`case_id = $${params.length}::uuid`);
  }
  if (q.type) {
    params.push(q.type);
    where.push(`type = $${params.length}`);
  }
  if (q.after) {
    params.push(q.after.dueAt, q.after.id);
    where.push(`(due_at, id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(q.limit + 1);
  const r = await db.query<TaskListRow>(
    `SELECT id, case_id, case_number, type, title, group_name, assignee, status, due_at, follow_up_at, escalated_at, escalate_to, created_at
     FROM tasks WHERE ${where.join(' AND ')}
     ORDER BY due_at, id LIMIT $${params.length}`,
    params,
  );
  return { rows: r.rows.slice(0, q.limit), more: r.rows.length > q.limit };
}

/** The task if the viewer may see it; undefined otherwise (unknown or another group's: both 404). */
export async function findVisibleTask(db: Queryable, viewer: TaskViewer, id: string): Promise<TaskRow | undefined> {
  const params: unknown[] = [id];
  const r = await db.query<TaskRow>(`SELECT * FROM tasks WHERE id = $1::uuid AND ${visibleTo(viewer, params)}`, params);
  return r.rows[0];
}

export type ClaimOutcome =
  | { ok: true; row: TaskRow; changed: boolean }
  | { ok: false; reason: 'not_found' | 'claimed_by_other' | 'task_closed' | 'four_eyes' | 'not_claimed'; row?: TaskRow };

function refusal(row: TaskRow | undefined, viewer: TaskViewer): ClaimOutcome {
  if (!row) return { ok: false, reason: 'not_found' };
  if (row.status === 'completed' || row.status === 'cancelled') return { ok: false, reason: 'task_closed', row };
  if (row.status === 'claimed' && row.assignee !== viewer.sub) return { ok: false, reason: 'claimed_by_other', row };
  if (row.four_eyes_exclude === viewer.sub) return { ok: false, reason: 'four_eyes', row };
  return { ok: false, reason: 'not_claimed', row };
}

/**
 * Claims atomically: only an open task changes hands (a conditional UPDATE, so of two concurrent
 * claimers exactly one wins). Claiming a task one holds already is a no-op success.
 */
export async function claimTask(pool: Pool, viewer: TaskViewer, id: string): Promise<ClaimOutcome> {
  const params: unknown[] = [id, viewer.sub];
  const visible = visibleTo(viewer, params, 't');
  const row = await changeTask(
    pool,
    'task.claimed',
    viewer.sub,
    `WITH before AS (SELECT * FROM tasks WHERE id = $1::uuid FOR UPDATE)
     UPDATE tasks t SET status = 'claimed', assignee = $2, updated_at = now(), version = t.version + 1
     FROM before b
     WHERE t.id = b.id AND b.status = 'open' AND b.four_eyes_exclude IS DISTINCT FROM $2 AND ${visible}
     RETURNING t.*, to_jsonb(b) AS before`,
    params,
  );
  if (row) return { ok: true, row, changed: true };
  const current = await findVisibleTask(pool, viewer, id);
  if (current?.status === 'claimed' && current.assignee === viewer.sub) return { ok: true, row: current, changed: false };
  return refusal(current, viewer);
}

/** Gives a claimed task back to the group: only its holder, or anyone when `force` (admins). Unclaiming an open task is a no-op success. */
export async function unclaimTask(pool: Pool, viewer: TaskViewer, id: string, force: boolean): Promise<ClaimOutcome> {
  const params: unknown[] = [id, viewer.sub, force];
  const visible = visibleTo(viewer, params, 't');
  const row = await changeTask(
    pool,
    'task.unclaimed',
    viewer.sub,
    `WITH before AS (SELECT * FROM tasks WHERE id = $1::uuid FOR UPDATE)
     UPDATE tasks t SET status = 'open', assignee = NULL, updated_at = now(), version = t.version + 1
     FROM before b
     WHERE t.id = b.id AND b.status = 'claimed' AND (b.assignee = $2 OR $3::boolean) AND ${visible}
     RETURNING t.*, to_jsonb(b) AS before`,
    params,
    (_after, before) => ({ ...(before?.assignee !== viewer.sub && { forced: true }) }),
  );
  if (row) return { ok: true, row, changed: true };
  const current = await findVisibleTask(pool, viewer, id);
  if (current?.status === 'open') return { ok: true, row: current, changed: false };
  return refusal(current, viewer);
}

/**
 * Sets (or with `until` null clears) the follow-up date (Wiedervorlage). An open task may be
 * deferred by anyone who sees it, a claimed one only by its holder (or with `force`).
 */
export async function deferTask(pool: Pool, viewer: TaskViewer, id: string, until: Date | null, force: boolean): Promise<ClaimOutcome> {
  const params: unknown[] = [id, viewer.sub, force, until];
  const visible = visibleTo(viewer, params, 't');
  const row = await changeTask(
    pool,
    'task.deferred',
    viewer.sub,
    `WITH before AS (SELECT * FROM tasks WHERE id = $1::uuid FOR UPDATE)
     UPDATE tasks t SET follow_up_at = $4::timestamptz, updated_at = now(), version = t.version + 1
     FROM before b
     WHERE t.id = b.id AND (b.status = 'open' OR (b.status = 'claimed' AND (b.assignee = $2 OR $3::boolean))) AND ${visible}
     RETURNING t.*, to_jsonb(b) AS before`,
    params,
  );
  if (row) return { ok: true, row, changed: true };
  return refusal(await findVisibleTask(pool, viewer, id), viewer);
}
