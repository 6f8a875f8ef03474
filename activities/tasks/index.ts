import { ApplicationFailure, activityInfo, log } from '@temporalio/activity';
import { insertTask, markTaskCompleted, markTaskEscalated, markTasksCancelled } from '../../libs/db/src/tasks/tasks.repository';
import type { TaskRow } from '../../libs/db/src/tasks/tasks.repository';
import type { FormSchema } from '../../libs/domain/src/tasks/form-schema';
import type { TaskStatus } from '../../libs/domain/src/tasks/task-status';
import type { ActivityDeps } from '../deps';

/** What workflows/shared/human-task.ts asks createTask for (the id is chosen by the workflow, deterministically). */
export interface CreateTaskInput {
  taskId: string;
  key: string;
  caseId?: string | null;
  caseNumber?: string | null;
  type: string;
  title: string;
  group: string;
  formSchema: FormSchema;
  outcomes: readonly string[];
  caseData?: Record<string, unknown>;
  /** ISO 8601, computed from workflow time, so the inbox and the workflow's timer agree. */
  dueAt: string;
  escalateTo?: string | null;
  fourEyesExclude?: string | null;
}

export interface TaskCompletion {
  outcome: string;
  data: Record<string, unknown>;
  completedBy: string;
  completedAt: string;
}

export interface CreateTaskResult {
  /** The row's id: the one asked for, or that of the row an earlier attempt/run created for the key. */
  taskId: string;
  created: boolean;
  status: TaskStatus;
  /** Set when the row was completed already (a run continuing after a reset finds its answer). */
  completion?: TaskCompletion;
}

export interface CompleteTaskRecordInput {
  taskId: string;
  outcome: string;
  data: Record<string, unknown>;
  completedBy: string;
}

export interface CompleteTaskRecordResult {
  /** completed: recorded now or before; cancelled: the row was cancelled meanwhile (nothing recorded). */
  status: TaskStatus;
  changed: boolean;
  completion?: TaskCompletion;
}

export interface EscalateTaskInput {
  taskId: string;
  escalateTo?: string | null;
}

export interface CancelTaskInput {
  /** The tasks to cancel; or */
  taskIds?: string[];
  /** every open task of this workflow (a withdrawn case). */
  workflowId?: string;
  reason?: string;
}

/** Business failure types of this group (non-retryable). */
export const TASK_FAILURES = {
  notFound: 'TASK_NOT_FOUND',
} as const;

function completionOf(row: TaskRow): TaskCompletion | undefined {
  if (row.status !== 'completed' || !row.outcome || !row.completed_by || !row.completed_at) return undefined;
  return { outcome: row.outcome, data: row.result ?? {}, completedBy: row.completed_by, completedAt: row.completed_at.toISOString() };
}

/**
 * Human tasks (DESIGN.md "Shared building blocks"): the rows of the caseworkers' inbox, written on
 * behalf of workflows/shared/human-task.ts. Every activity is idempotent, so Temporal may retry any
 * of them. Logs ids only, never case data or form data.
 */
export function createTaskActivities(deps: ActivityDeps) {
  return {
    /** Creates the task once per (workflow id, key); a repeated call returns the existing row's state. */
    async createTask(input: CreateTaskInput): Promise<CreateTaskResult> {
      const workflowId = activityInfo().workflowExecution?.workflowId;
      if (!workflowId) throw ApplicationFailure.create({ type: 'INVALID', message: 'createTask runs only on behalf of a workflow', nonRetryable: true });
      const { row, created } = await insertTask(deps.pool, {
        id: input.taskId,
        workflowId,
        key: input.key,
        caseId: input.caseId ?? null,
        caseNumber: input.caseNumber ?? null,
        type: input.type,
        title: input.title,
        group: input.group,
        formSchema: input.formSchema,
        outcomes: input.outcomes,
        caseData: input.caseData ?? {},
        dueAt: input.dueAt,
        escalateTo: input.escalateTo ?? null,
        fourEyesExclude: input.fourEyesExclude ?? null,
      });
      log.info('task created', { taskId: row.id, key: input.key, created, status: row.status });
      const completion = completionOf(row);
      return { taskId: row.id, created, status: row.status, ...(completion && { completion }) };
    },

    /** Records the completion the workflow's Update accepted (completed_by, outcome, result). */
    async completeTaskRecord(input: CompleteTaskRecordInput): Promise<CompleteTaskRecordResult> {
      const r = await markTaskCompleted(deps.pool, { taskId: input.taskId, completedBy: input.completedBy, outcome: input.outcome, result: input.data });
      if (!r) throw ApplicationFailure.create({ type: TASK_FAILURES.notFound, message: `task ${input.taskId} does not exist`, nonRetryable: true });
      if (r.row.status === 'cancelled') log.warn('completion of a cancelled task not recorded', { taskId: input.taskId });
      const completion = completionOf(r.row);
      return { status: r.row.status, changed: r.changed, ...(completion && { completion }) };
    },

    /**
     * Overdue: stamps escalated_at once and hands the task to the escalation group as well (its
     * caseworkers see it in their inbox next to the original group). No mail is sent: group
     * mailboxes are not configured in amtsweg; the inbox is the channel.
     */
    async escalateTask(input: EscalateTaskInput): Promise<{ escalated: boolean; status: TaskStatus }> {
      const r = await markTaskEscalated(deps.pool, input);
      if (!r) throw ApplicationFailure.create({ type: TASK_FAILURES.notFound, message: `task ${input.taskId} does not exist`, nonRetryable: true });
      log.info('task escalated', { taskId: input.taskId, escalated: r.changed });
      return { escalated: r.changed, status: r.row.status };
    },

    /** Cancels open tasks (a withdrawn case, a cancelled workflow scope); idempotent. */
    async cancelTask(input: CancelTaskInput): Promise<{ cancelled: string[] }> {
      const cancelled = await markTasksCancelled(deps.pool, input);
      log.info('tasks cancelled', { count: cancelled.length });
      return { cancelled };
    },
  };
}
