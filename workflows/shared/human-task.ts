/**
 * Human tasks — the building block a process uses to ask a caseworker (DESIGN.md "Shared building
 * blocks"):
 *
 *   const review = await humanTask({
 *     key: 'review', type: 'wohngeld.review', group: 'wohngeld-team-1', title: 'Antrag prüfen',
 *     formSchema: { type: 'object', required: ['note'], properties: { note: { type: 'string' } } },
 *     outcomes: ['approve', 'reject'], dueIn: 'P3D', escalateTo: 'wohngeld-leitung',
 *     caseRef: { caseId, caseNumber }, caseData: { ... what the caseworker needs ... },
 *   });
 *   // review.outcome, review.data (valid against formSchema), review.completedBy
 *
 * How it works:
 * - The task row is created by the `createTask` activity, idempotent by (workflow id, key); the
 *   caseworkers' inbox (apps/api/src/tasks) reads that table, and claims it there.
 * - Completion arrives as the `completeTaskUpdate` Update (workflows/shared/case.contract.ts), sent
 *   by the API for the caseworker holding the claim. ONE handler per workflow serves all tasks,
 *   dispatching by taskId through an in-workflow registry, so several tasks may be open at once.
 *   Its validator rejects — before anything is written to history — an unknown task (NOT_FOUND), a
 *   task no longer open (CONFLICT), a completer without the caseworker or admin role (FORBIDDEN),
 *   an outcome not offered, data that do not match the form schema or a completer excluded by four
 *   eyes (all INVALID: HTTP 422), each with a `reason` of TASK_REJECTIONS. The handler records the completion in PostgreSQL (`completeTaskRecord`) before
 *   it answers, so a 200 from the API means the inbox shows the task completed.
 * - Waiting is `condition()` on the registry with the `dueIn` timeout. When the task is overdue,
 *   `escalateTask` runs once (stamps escalated_at and adds the `escalateTo` group to the groups that
 *   see the task; no mail is sent) and the wait goes on without a deadline.
 * - Cancelling the enclosing CancellationScope (or calling cancelOpenHumanTasks, e.g. when the
 *   case is withdrawn) marks the rows cancelled.
 * - Four eyes: humanTaskWithFourEyes, or `fourEyesExcludeFrom: firstResult` on the second task.
 *
 * Deterministic: task ids come from uuid4() (seeded by Temporal), time from the workflow clock,
 * and the form schema is interpreted (not compiled) by @cfworker/json-schema.
 */
import { ApplicationFailure, CancellationScope, condition, isCancellation, proxyActivities, setHandler, uuid4 } from '@temporalio/workflow';
import type { Activities, TaskCompletion } from '../../activities';
import { addDuration } from '../../libs/domain/src/duration';
import type { DomainErrorCode, FieldIssue } from '../../libs/domain/src/errors';
import { formValidator } from '../../libs/domain/src/tasks/form-schema';
import type { FormSchema } from '../../libs/domain/src/tasks/form-schema';
import { TASK_KEY_PATTERN, TASK_REJECTIONS } from '../../libs/domain/src/tasks/task-status';
import type { TaskRejection } from '../../libs/domain/src/tasks/task-status';
import { completeTaskUpdate } from './case.contract';
import type { CompleteTaskInput, CompleteTaskResult } from './case.contract';

const { createTask, completeTaskRecord, escalateTask, cancelTask } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  // database writes: keep trying through an outage, a task must never be lost
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: ['TASK_NOT_FOUND'] },
});

export interface HumanTaskOptions {
  /** Unique within the workflow and stable across replays and retries ("review", "review-2"). */
  key: string;
  /** What kind of task, for the inbox filter (`wohngeld.review`). */
  type: string;
  /** The caseworker group whose inbox shows the task. */
  group: string;
  title: string;
  /** JSON Schema (2020-12) of the completion data. */
  formSchema: FormSchema;
  /** The outcomes a caseworker may choose ("approve", "reject"). */
  outcomes: readonly string[];
  /**
   * Data fields an outcome requires on top of the form schema (`{ change: ['amount', 'reason'],
   * reject: ['reason'] }`): JSON Schema cannot see the outcome, which is not part of the data. The
   * validator answers a missing one with 422 at `/data/<field>`, and the inbox shows the rule as
   * `x-requiredByOutcome` in the form schema.
   */
  requiredByOutcome?: Readonly<Record<string, readonly string[]>>;
  /** ISO 8601 duration from now until the task is due (`P3D`), or milliseconds. */
  dueIn: string | number;
  /** Group that also gets the task once it is overdue. */
  escalateTo?: string;
  /** What the caseworker needs to decide; may hold personal data (shown only to the task's groups). */
  caseData?: Record<string, unknown>;
  /** The case, for the inbox (list, filter by case). */
  caseRef?: { caseId: string; caseNumber?: string };
  /** Four eyes: this task may not be completed by the completer of that earlier task (or by this subject). */
  fourEyesExcludeFrom?: Pick<HumanTaskResult, 'completedBy'> | string;
}

export interface HumanTaskResult {
  taskId: string;
  key: string;
  outcome: string;
  /** Valid against the task's form schema. */
  data: Record<string, unknown>;
  /** The `sub` of the caseworker who completed it. */
  completedBy: string;
  completedAt: string;
}

/** The failure type humanTask throws when its task was cancelled by cancelOpenHumanTasks. */
export const HUMAN_TASK_CANCELLED = 'HUMAN_TASK_CANCELLED';

export function isHumanTaskCancelled(err: unknown): boolean {
  return err instanceof ApplicationFailure && err.type === HUMAN_TASK_CANCELLED;
}

type TaskState = {
  taskId: string;
  key: string;
  outcomes: readonly string[];
  requiredByOutcome: Readonly<Record<string, readonly string[]>>;
  check: (data: unknown) => FieldIssue[];
  excluded: string | undefined;
  status: 'open' | 'completing' | 'completed' | 'cancelled';
  result?: HumanTaskResult;
};

// Module state is per workflow execution in Temporal's sandbox.
const tasks = new Map<string, TaskState>();
const keys = new Set<string>();
let handlerInstalled = false;

function reject(code: DomainErrorCode, reason: TaskRejection, message: string, errors?: FieldIssue[]): never {
  throw ApplicationFailure.create({ type: code, message, nonRetryable: true, details: [{ reason, ...(errors && { errors }) }] });
}

/** The Update validator: synchronous, no side effects (Temporal rejects the Update without a trace in history). */
function validateCompletion(input: CompleteTaskInput): void {
  const task = typeof input?.taskId === 'string' ? tasks.get(input.taskId) : undefined;
  if (!task) reject('NOT_FOUND', TASK_REJECTIONS.unknownTask, 'This task is not known to the process.');
  if (task.status !== 'open') reject('CONFLICT', TASK_REJECTIONS.taskClosed, task.status === 'cancelled' ? 'This task was cancelled.' : 'This task has been completed already.');
  if (typeof input.by?.sub !== 'string' || input.by.sub === '') reject('INVALID', TASK_REJECTIONS.formInvalid, 'The completing caseworker is missing.');
  if (!input.by.roles?.some((r) => r === 'caseworker' || r === 'admin')) reject('FORBIDDEN', TASK_REJECTIONS.notCaseworker, 'Only caseworkers complete tasks.');
  if (task.excluded !== undefined && input.by.sub === task.excluded) {
    reject('INVALID', TASK_REJECTIONS.fourEyes, 'Four-eyes principle: this task must be completed by a different caseworker than the first one.');
  }
  if (typeof input.outcome !== 'string' || !task.outcomes.includes(input.outcome)) {
    reject('INVALID', TASK_REJECTIONS.outcomeNotAllowed, `The outcome is not one of: ${task.outcomes.join(', ')}.`, [
      { path: '/outcome', message: `must be one of: ${task.outcomes.join(', ')}` },
    ]);
  }
  const data = (typeof input.data === 'object' && input.data !== null ? input.data : {}) as Record<string, unknown>;
  const missing = (task.requiredByOutcome[input.outcome] ?? []).filter((k) => data[k] === undefined || data[k] === null || data[k] === '');
  if (missing.length > 0) {
    const errors = missing.map((k) => ({ path: `/data/${k}`, message: `required when the outcome is "${input.outcome}"` }));
    reject('INVALID', TASK_REJECTIONS.formInvalid, `For the outcome "${input.outcome}" the form needs: ${missing.join(', ')}.`, errors);
  }
  const dataIssues = task.check(input.data);
  if (dataIssues.length > 0) {
    // paths point into the request body of POST /tasks/{id}/complete, i.e. under /data
    const errors = dataIssues.map((i) => ({ path: `/data${i.path}`, message: i.message }));
    reject('INVALID', TASK_REJECTIONS.formInvalid, `The form data are not valid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, errors);
  }
}

async function completeHandler(input: CompleteTaskInput): Promise<CompleteTaskResult> {
  const task = tasks.get(input.taskId);
  if (!task) throw ApplicationFailure.create({ type: 'NOT_FOUND', message: 'This task is not known to the process.', nonRetryable: true });
  task.status = 'completing'; // a concurrent second Update now fails validation
  try {
    const recorded = await completeTaskRecord({ taskId: task.taskId, outcome: input.outcome, data: input.data, completedBy: input.by.sub });
    if (recorded.status === 'cancelled') {
      // cancelled in PostgreSQL behind the process's back (an operator): the process treats it as such
      task.status = 'cancelled';
      throw ApplicationFailure.create({ type: 'CONFLICT', message: 'This task was cancelled.', nonRetryable: true, details: [{ reason: TASK_REJECTIONS.taskClosed }] });
    }
    const c: TaskCompletion = recorded.completion ?? { outcome: input.outcome, data: input.data, completedBy: input.by.sub, completedAt: new Date().toISOString() };
    task.result = { taskId: task.taskId, key: task.key, outcome: c.outcome, data: c.data, completedBy: c.completedBy, completedAt: c.completedAt };
    task.status = 'completed';
    return { taskId: task.taskId, outcome: c.outcome };
  } catch (e) {
    if (task.status === 'completing') task.status = 'open';
    throw e;
  }
}

function ensureHandler(): void {
  if (handlerInstalled) return;
  setHandler(completeTaskUpdate, completeHandler, { validator: validateCompletion, description: 'Completes a human task of this process (see workflows/shared/human-task.ts).' });
  handlerInstalled = true;
}

function checkOptions(o: HumanTaskOptions): void {
  if (!TASK_KEY_PATTERN.test(o.key)) throw new Error(`humanTask: key ${JSON.stringify(o.key)} must match ${TASK_KEY_PATTERN}`);
  if (keys.has(o.key)) throw new Error(`humanTask: key ${JSON.stringify(o.key)} is used twice in this workflow`);
  if (o.outcomes.length === 0 || new Set(o.outcomes).size !== o.outcomes.length) throw new Error('humanTask: outcomes must be a non-empty list without duplicates');
  if (!o.group || !o.type || !o.title) throw new Error('humanTask: group, type and title are required');
  for (const outcome of Object.keys(o.requiredByOutcome ?? {})) {
    if (!o.outcomes.includes(outcome)) throw new Error(`humanTask: requiredByOutcome names "${outcome}", which is not an outcome`);
  }
}

/**
 * Asks a caseworker of `group` and resolves with their validated answer. See the module comment.
 * Throws (ApplicationFailure type HUMAN_TASK_CANCELLED) when cancelOpenHumanTasks cancels the task,
 * and CancelledFailure when the enclosing scope is cancelled.
 */
export async function humanTask(options: HumanTaskOptions): Promise<HumanTaskResult> {
  checkOptions(options);
  keys.add(options.key);
  ensureHandler();

  const excluded = typeof options.fourEyesExcludeFrom === 'string' ? options.fourEyesExcludeFrom : options.fourEyesExcludeFrom?.completedBy;
  const now = new Date();
  const dueAt = addDuration(now, options.dueIn);
  // Registered before the row exists: a caseworker may claim and complete it the moment the
  // activity has inserted it, before its result is back here.
  const requiredByOutcome = options.requiredByOutcome ?? {};
  const task: TaskState = { taskId: uuid4(), key: options.key, outcomes: [...options.outcomes], requiredByOutcome, check: formValidator(options.formSchema), excluded, status: 'open' };
  tasks.set(task.taskId, task);

  const created = await CancellationScope.nonCancellable(() =>
    createTask({
      taskId: task.taskId,
      key: options.key,
      caseId: options.caseRef?.caseId ?? null,
      caseNumber: options.caseRef?.caseNumber ?? null,
      type: options.type,
      title: options.title,
      group: options.group,
      formSchema: options.requiredByOutcome ? { ...options.formSchema, 'x-requiredByOutcome': requiredByOutcome } : options.formSchema,
      outcomes: task.outcomes,
      caseData: options.caseData ?? {},
      dueAt: dueAt.toISOString(),
      escalateTo: options.escalateTo ?? null,
      fourEyesExclude: excluded ?? null,
    }),
  );
  if (created.taskId !== task.taskId) {
    // An earlier run of this workflow id created the row for this key (continue-as-new, reset).
    tasks.delete(task.taskId);
    task.taskId = created.taskId;
    tasks.set(task.taskId, task);
  }
  if (created.completion && task.status === 'open') {
    const c = created.completion;
    task.result = { taskId: task.taskId, key: task.key, ...c };
    task.status = 'completed';
  } else if (created.status === 'cancelled' && task.status === 'open') {
    task.status = 'cancelled';
  }

  const settled = () => task.status === 'completed' || task.status === 'cancelled';
  try {
    const timeout = dueAt.getTime() - Date.now();
    const inTime = timeout > 0 ? await condition(settled, timeout) : settled();
    if (!inTime) {
      await escalateTask({ taskId: task.taskId, escalateTo: options.escalateTo ?? null });
      await condition(settled);
    }
  } catch (e) {
    if (isCancellation(e) && task.status === 'open') {
      task.status = 'cancelled';
      await CancellationScope.nonCancellable(() => cancelTask({ taskIds: [task.taskId], reason: 'process cancelled' }));
    }
    throw e;
  }
  if (task.status === 'cancelled' || !task.result) {
    throw ApplicationFailure.create({ type: HUMAN_TASK_CANCELLED, message: `task ${task.key} was cancelled`, nonRetryable: true });
  }
  return task.result;
}

/**
 * Cancels every task of this workflow that nobody is completing right now (e.g. the citizen
 * withdrew the case); their humanTask calls throw HUMAN_TASK_CANCELLED. Returns how many.
 */
export async function cancelOpenHumanTasks(reason = 'case withdrawn'): Promise<number> {
  const open = [...tasks.values()].filter((t) => t.status === 'open');
  for (const t of open) t.status = 'cancelled';
  if (open.length > 0) await CancellationScope.nonCancellable(() => cancelTask({ taskIds: open.map((t) => t.taskId), reason }));
  return open.length;
}

/** The tasks this workflow waits for right now (for queries and tests). */
export function openHumanTasks(): { taskId: string; key: string }[] {
  return [...tasks.values()].filter((t) => t.status === 'open' || t.status === 'completing').map((t) => ({ taskId: t.taskId, key: t.key }));
}

export interface FourEyesOptions {
  /** The first task's outcomes that need a second caseworker's confirmation (or a predicate). */
  confirmWhen: readonly string[] | ((first: HumanTaskResult) => boolean);
  /** The confirmation task, built from the first result; it excludes the first completer. */
  confirmation: (first: HumanTaskResult) => Omit<HumanTaskOptions, 'fourEyesExcludeFrom'>;
}

export interface FourEyesResult extends HumanTaskResult {
  first: HumanTaskResult;
  /** Present when the first outcome needed confirmation; its outcome is the result's outcome. */
  confirmation?: HumanTaskResult;
}

/**
 * Four eyes: asks `first`; when its outcome needs confirmation, asks a second task that the first
 * completer cannot complete (the Update validator enforces it; the inbox does not offer it to them).
 * The overall outcome, data and completer are the confirmation's when there is one.
 */
export async function humanTaskWithFourEyes(first: HumanTaskOptions, fourEyes: FourEyesOptions): Promise<FourEyesResult> {
  const r1 = await humanTask(first);
  const needs = typeof fourEyes.confirmWhen === 'function' ? fourEyes.confirmWhen(r1) : fourEyes.confirmWhen.includes(r1.outcome);
  if (!needs) return { ...r1, first: r1 };
  const r2 = await humanTask({ ...fourEyes.confirmation(r1), fourEyesExcludeFrom: r1 });
  return { ...r2, first: r1, confirmation: r2 };
}
