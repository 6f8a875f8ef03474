import { Inject, Injectable } from '@nestjs/common';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Pool } from 'pg';
import type { Principal } from '../../../../libs/auth/src/principal';
import { claimTask, deferTask, findVisibleTask, listTasks, unclaimTask } from '../../../../libs/db/src/tasks/tasks.repository';
import type { ClaimOutcome, TaskListRow, TaskRow, TaskViewer } from '../../../../libs/db/src/tasks/tasks.repository';
import { DomainError } from '../../../../libs/domain/src/errors';
import { TASK_REJECTIONS } from '../../../../libs/domain/src/tasks/task-status';
import { completeTaskUpdate } from '../../../../workflows/shared/case.contract';
import { TemporalClientHolder } from '../infrastructure/temporal-client.holder';
import { PG_POOL } from '../tokens';
import { encodeCursor, isUuid } from './tasks.schemas';
import type { CompleteTaskBody, TaskDetail, TaskListItem, TaskListQueryInput, TaskListResponse } from './tasks.schemas';

/** How long POST /complete waits for the workflow to accept and record a completion. */
const COMPLETE_DEADLINE_MS = 30_000;

export function viewerOf(p: Principal): TaskViewer {
  return { sub: p.sub, groups: p.groups, allGroups: p.roles.includes('admin') };
}

function notFound(): DomainError {
  return new DomainError('NOT_FOUND', 'The task does not exist.');
}

function refused(outcome: Exclude<ClaimOutcome, { ok: true }>): DomainError {
  switch (outcome.reason) {
    case 'not_found':
      return notFound();
    case 'claimed_by_other':
      return new DomainError('CONFLICT', 'Another caseworker holds this task.', { reason: TASK_REJECTIONS.claimedByOther });
    case 'task_closed':
      return new DomainError('CONFLICT', `This task is ${outcome.row?.status ?? 'closed'} already.`, { reason: TASK_REJECTIONS.taskClosed });
    case 'four_eyes':
      return new DomainError('CONFLICT', 'Four-eyes principle: you completed the first review of this case; a different caseworker must take this task.', {
        reason: TASK_REJECTIONS.fourEyes,
      });
    case 'not_claimed':
      return new DomainError('CONFLICT', 'Claim the task before you complete it.', { reason: TASK_REJECTIONS.notClaimed });
  }
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

function listItem(r: TaskListRow): TaskListItem {
  return {
    taskId: r.id,
    caseId: r.case_id,
    caseNumber: r.case_number,
    type: r.type,
    title: r.title,
    group: r.group_name,
    assignee: r.assignee,
    status: r.status,
    dueAt: r.due_at.toISOString(),
    followUpAt: iso(r.follow_up_at),
    escalated: r.escalated_at !== null,
    escalatedTo: r.escalated_at !== null ? r.escalate_to : null,
  };
}

function detail(r: TaskRow, viewer: TaskViewer): TaskDetail {
  return {
    ...listItem(r),
    formSchema: r.form_schema,
    outcomes: r.outcomes,
    caseData: r.case_data,
    fourEyesExcluded: r.four_eyes_exclude !== null && r.four_eyes_exclude === viewer.sub,
    createdAt: r.created_at.toISOString(),
    completedBy: r.completed_by,
    completedAt: iso(r.completed_at),
    outcome: r.outcome,
    result: r.result,
  };
}

/**
 * The caseworkers' inbox (API.md "Human tasks"). Reads and claims are SQL on `tasks`; completion is
 * an Update of the task's workflow, whose validator has the last word. A caseworker sees only tasks
 * of their `groups` (or escalated to them); everything else is 404, also by id.
 */
@Injectable()
export class TasksService {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly temporal: TemporalClientHolder,
  ) {}

  async list(p: Principal, q: TaskListQueryInput): Promise<TaskListResponse> {
    const viewer = viewerOf(p);
    if (!viewer.allGroups && viewer.groups.length === 0) return { items: [], nextCursor: null };
    const { rows, more } = await listTasks(this.pool, viewer, {
      scope: q.scope,
      ...(q.caseId && { caseId: q.caseId }),
      ...(q.type && { type: q.type }),
      includeDeferred: q.includeDeferred ?? false,
      ...(q.cursor && { after: q.cursor }),
      limit: q.limit,
    });
    const last = rows[rows.length - 1];
    return { items: rows.map(listItem), nextCursor: more && last ? encodeCursor({ dueAt: last.due_at.toISOString(), id: last.id }) : null };
  }

  private async visible(p: Principal, taskId: string): Promise<TaskRow> {
    if (!isUuid(taskId)) throw notFound();
    const row = await findVisibleTask(this.pool, viewerOf(p), taskId);
    if (!row) throw notFound();
    return row;
  }

  /** The case a task of the caller's groups belongs to (404 for other groups' tasks and tasks without a case). */
  async caseOfVisibleTask(p: Principal, taskId: string): Promise<{ caseId: string; taskId: string }> {
    const row = await this.visible(p, taskId);
    if (!row.case_id) throw notFound();
    return { caseId: row.case_id, taskId: row.id };
  }

  async get(p: Principal, taskId: string): Promise<TaskDetail> {
    return detail(await this.visible(p, taskId), viewerOf(p));
  }

  async claim(p: Principal, taskId: string): Promise<TaskDetail> {
    if (!isUuid(taskId)) throw notFound();
    const r = await claimTask(this.pool, viewerOf(p), taskId);
    if (!r.ok) throw refused(r);
    return detail(r.row, viewerOf(p));
  }

  /** Only the holder gives a task back; an admin may take it from anyone. */
  async unclaim(p: Principal, taskId: string): Promise<TaskDetail> {
    if (!isUuid(taskId)) throw notFound();
    const r = await unclaimTask(this.pool, viewerOf(p), taskId, p.roles.includes('admin'));
    if (!r.ok) throw refused(r);
    return detail(r.row, viewerOf(p));
  }

  async defer(p: Principal, taskId: string, until: string | null): Promise<TaskDetail> {
    if (!isUuid(taskId)) throw notFound();
    const r = await deferTask(this.pool, viewerOf(p), taskId, until === null ? null : new Date(until), p.roles.includes('admin'));
    if (!r.ok) throw refused(r);
    return detail(r.row, viewerOf(p));
  }

  /**
   * The caller must hold the claim (409 otherwise); then the task's workflow decides through its
   * Update validator (outcome, form data, four eyes → 422) and records the completion before it
   * answers.
   */
  async complete(p: Principal, taskId: string, body: CompleteTaskBody): Promise<{ taskId: string; outcome: string; status: 'completed' }> {
    const row = await this.visible(p, taskId);
    if (row.status === 'completed' || row.status === 'cancelled') throw refused({ ok: false, reason: 'task_closed', row });
    if (row.status !== 'claimed') throw refused({ ok: false, reason: 'not_claimed', row });
    if (row.assignee !== p.sub) throw refused({ ok: false, reason: 'claimed_by_other', row });

    const client = this.temporal.get();
    try {
      const result = await client.withDeadline(Date.now() + COMPLETE_DEADLINE_MS, () =>
        client.workflow.getHandle(row.workflow_id).executeUpdate(completeTaskUpdate, {
          args: [{ taskId: row.id, outcome: body.outcome, data: body.data, by: { sub: p.sub, roles: [...p.roles] } }],
        }),
      );
      return { taskId: result.taskId, outcome: result.outcome, status: 'completed' };
    } catch (e) {
      // the process has ended (or never existed): nothing can complete this task any more
      if (e instanceof WorkflowNotFoundError) throw new DomainError('CONFLICT', 'The process of this task has ended.', { reason: TASK_REJECTIONS.taskClosed });
      throw e;
    }
  }
}
