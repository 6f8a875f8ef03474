import { randomUUID } from 'node:crypto';
import { activityInfo } from '@temporalio/activity';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type {
  CancelTaskInput,
  CompleteTaskRecordInput,
  CompleteTaskRecordResult,
  CreateTaskInput,
  CreateTaskResult,
  EscalateTaskInput,
} from '../../activities';
import { fourEyesWorkflow, openHumanTasksQuery, parallelTasksWorkflow, singleHumanTaskWorkflow } from '../../test/fixtures/human-task.workflows';
import { completeTaskUpdate } from './case.contract';
import type { Actor, CompleteTaskInput } from './case.contract';
import { eventually } from '../../test/support/eventually';
import { startTimeSkippingWorker } from '../../test/support/time-skipping';
import type { TimeSkippingWorker } from '../../test/support/time-skipping';

// The human-task building block on Temporal's time-skipping test server, with fake activities that
// record their calls: deadlines and escalation take days of workflow time and seconds of wall time.

interface Calls {
  createTask: CreateTaskInput[];
  completeTaskRecord: CompleteTaskRecordInput[];
  escalateTask: EscalateTaskInput[];
  cancelTask: CancelTaskInput[];
}
const calls = new Map<string, Calls>();
function callsOf(workflowId: string): Calls {
  let c = calls.get(workflowId);
  if (!c) calls.set(workflowId, (c = { createTask: [], completeTaskRecord: [], escalateTask: [], cancelTask: [] }));
  return c;
}
const wf = () => activityInfo().workflowExecution?.workflowId ?? 'none';

const fakeActivities = {
  async createTask(input: CreateTaskInput): Promise<CreateTaskResult> {
    callsOf(wf()).createTask.push(input);
    return { taskId: input.taskId, created: true, status: 'open' };
  },
  async completeTaskRecord(input: CompleteTaskRecordInput): Promise<CompleteTaskRecordResult> {
    callsOf(wf()).completeTaskRecord.push(input);
    return { status: 'completed', changed: true, completion: { outcome: input.outcome, data: input.data, completedBy: input.completedBy, completedAt: new Date().toISOString() } };
  },
  async escalateTask(input: EscalateTaskInput): Promise<{ escalated: boolean; status: 'open' }> {
    callsOf(wf()).escalateTask.push(input);
    return { escalated: true, status: 'open' };
  },
  async cancelTask(input: CancelTaskInput): Promise<{ cancelled: string[] }> {
    callsOf(wf()).cancelTask.push(input);
    return { cancelled: input.taskIds ?? [] };
  },
};

const alice: Actor = { sub: 'cw-alice', roles: ['caseworker'] };
const bob: Actor = { sub: 'cw-bob', roles: ['caseworker'] };

let tsw: TimeSkippingWorker;
let env: TestWorkflowEnvironment;
let taskQueue: string;

beforeAll(async () => {
  tsw = await startTimeSkippingWorker({ prefix: 'human-task', workflowsPath: require.resolve('../../test/fixtures/human-task.workflows'), activities: fakeActivities });
  ({ env, taskQueue } = tsw);
});

afterAll(async () => {
  await tsw?.stop();
});


const createdTask = (workflowId: string, key: string) =>
  eventually(() => callsOf(workflowId).createTask.find((t) => t.key === key), `task ${key} of ${workflowId} to be created`);

function complete(handle: WorkflowHandle, input: CompleteTaskInput) {
  return handle.executeUpdate(completeTaskUpdate, { args: [input] });
}

/** The rejection of an Update, as the API sees it: WorkflowUpdateFailedError caused by an ApplicationFailure. */
async function rejection(p: Promise<unknown>): Promise<{ type: string | undefined | null; message: string; details: unknown }> {
  const err = await p.then(
    () => {
      throw new Error('expected the Update to be rejected');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  const f = cause as ApplicationFailure;
  return { type: f.type, message: f.message, details: f.details?.[0] };
}

describe('humanTask on the time-skipping server', () => {
  it('escalates exactly once when overdue, keeps waiting, and returns the completion to the workflow', async () => {
    const workflowId = `ht-escalate-${randomUUID()}`;
    const caseId = randomUUID();
    const handle = await env.client.workflow.start(singleHumanTaskWorkflow, {
      taskQueue,
      workflowId,
      args: [{ group: 'wohngeld-1', dueIn: 'P3D', escalateTo: 'wohngeld-leitung', caseRef: { caseId, caseNumber: 'WG-2026-000001' } }],
    });
    const task = await createdTask(workflowId, 'review');
    const startedAt = await env.currentTimeMs();
    expect(task).toMatchObject({ group: 'wohngeld-1', type: 'test.review', outcomes: ['approve', 'reject'], escalateTo: 'wohngeld-leitung', caseId, caseNumber: 'WG-2026-000001' });
    const dueIn = Date.parse(task.dueAt) - startedAt;
    expect(Math.abs(dueIn - 3 * 86_400_000)).toBeLessThan(60_000);

    await env.sleep('2 days');
    await new Promise((r) => setTimeout(r, 300));
    expect(callsOf(workflowId).escalateTask).toHaveLength(0); // not yet due

    await env.sleep('25 hours');
    await eventually(() => callsOf(workflowId).escalateTask.length > 0, 'the escalation');
    expect(callsOf(workflowId).escalateTask).toEqual([{ taskId: task.taskId, escalateTo: 'wohngeld-leitung' }]);

    await env.sleep('10 days'); // still open: no second escalation
    await new Promise((r) => setTimeout(r, 300));
    expect(callsOf(workflowId).escalateTask).toHaveLength(1);
    expect(await handle.query(openHumanTasksQuery)).toEqual([{ taskId: task.taskId, key: 'review' }]);

    const answer = await complete(handle, { taskId: task.taskId, outcome: 'approve', data: { note: 'Unterlagen vollständig', amount: 120 }, by: alice });
    expect(answer).toEqual({ taskId: task.taskId, outcome: 'approve' });
    expect(callsOf(workflowId).completeTaskRecord).toEqual([{ taskId: task.taskId, outcome: 'approve', data: { note: 'Unterlagen vollständig', amount: 120 }, completedBy: 'cw-alice' }]);

    const result = await handle.result();
    expect(result).toMatchObject({ taskId: task.taskId, key: 'review', outcome: 'approve', data: { note: 'Unterlagen vollständig', amount: 120 }, completedBy: 'cw-alice' });
    expect(callsOf(workflowId).escalateTask).toHaveLength(1);
  });

  it('does not escalate a task completed in time', async () => {
    const workflowId = `ht-intime-${randomUUID()}`;
    const handle = await env.client.workflow.start(singleHumanTaskWorkflow, { taskQueue, workflowId, args: [{ group: 'g', dueIn: 'P3D', escalateTo: 'lead' }] });
    const task = await createdTask(workflowId, 'review');
    await env.sleep('2 days');
    await complete(handle, { taskId: task.taskId, outcome: 'reject', data: { note: 'fehlt' }, by: bob });
    expect((await handle.result()).outcome).toBe('reject');
    await env.sleep('5 days');
    expect(callsOf(workflowId).escalateTask).toHaveLength(0);
  });

  it('rejects bad form data, an unknown outcome and an unknown task in the validator, without recording anything', async () => {
    const workflowId = `ht-validate-${randomUUID()}`;
    const handle = await env.client.workflow.start(singleHumanTaskWorkflow, { taskQueue, workflowId, args: [{ group: 'g', dueIn: 'P3D' }] });
    const task = await createdTask(workflowId, 'review');

    const badData = await rejection(complete(handle, { taskId: task.taskId, outcome: 'approve', data: { note: 'x', amount: -1, extra: true }, by: alice }));
    expect(badData.type).toBe('INVALID');
    expect(badData.details).toEqual({
      reason: 'form_invalid',
      errors: [
        { path: '/data/note', message: 'String is too short (1 < 3).' },
        { path: '/data/amount', message: 'Number is less than 0.' },
        { path: '/data/extra', message: 'is not an allowed field' },
      ],
    });
    expect(badData.message).toMatch(/\/data\/note/);

    const missing = await rejection(complete(handle, { taskId: task.taskId, outcome: 'approve', data: {}, by: alice }));
    expect(missing.details).toEqual({ reason: 'form_invalid', errors: [{ path: '/data/note', message: 'is required' }] });

    const outcome = await rejection(complete(handle, { taskId: task.taskId, outcome: 'maybe', data: { note: 'gut so' }, by: alice }));
    expect(outcome).toMatchObject({ type: 'INVALID', details: { reason: 'outcome_not_allowed' } });
    expect(outcome.message).toMatch(/approve, reject/);

    const unknown = await rejection(complete(handle, { taskId: randomUUID(), outcome: 'approve', data: { note: 'gut so' }, by: alice }));
    expect(unknown).toMatchObject({ type: 'NOT_FOUND', details: { reason: 'unknown_task' } });

    const citizen = await rejection(complete(handle, { taskId: task.taskId, outcome: 'approve', data: { note: 'gut so' }, by: { sub: 'citizen-1', roles: ['citizen'] } }));
    expect(citizen).toMatchObject({ type: 'FORBIDDEN' });

    expect(callsOf(workflowId).completeTaskRecord).toHaveLength(0);
    // rejected Updates leave no trace in the history
    const history = await handle.fetchHistory();
    expect((history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(0);

    await complete(handle, { taskId: task.taskId, outcome: 'approve', data: { note: 'gut so' }, by: alice });
    expect((await handle.result()).data).toEqual({ note: 'gut so' });
  });

  it('an outcome can require fields the form schema leaves optional: 422 at /data/<field>, shown in the task form', async () => {
    const workflowId = `ht-required-${randomUUID()}`;
    const handle = await env.client.workflow.start(singleHumanTaskWorkflow, { taskQueue, workflowId, args: [{ group: 'g', dueIn: 'P3D', requiredByOutcome: { reject: ['amount'] } }] });
    const task = await createdTask(workflowId, 'review');
    expect(task.formSchema).toMatchObject({ 'x-requiredByOutcome': { reject: ['amount'] } });

    const missing = await rejection(complete(handle, { taskId: task.taskId, outcome: 'reject', data: { note: 'zu hoch' }, by: alice }));
    expect(missing).toMatchObject({ type: 'INVALID', details: { reason: 'form_invalid', errors: [{ path: '/data/amount', message: 'required when the outcome is "reject"' }] } });
    expect(callsOf(workflowId).completeTaskRecord).toHaveLength(0);

    // other outcomes are not affected; the required field satisfies the rule
    await complete(handle, { taskId: task.taskId, outcome: 'reject', data: { note: 'zu hoch', amount: 0 }, by: alice });
    expect(await handle.result()).toMatchObject({ outcome: 'reject', data: { note: 'zu hoch', amount: 0 } });
  });

  it('four eyes: the confirmation cannot be completed by the first completer, but by another caseworker; a completed task is closed', async () => {
    const workflowId = `ht-foureyes-${randomUUID()}`;
    const handle = await env.client.workflow.start(fourEyesWorkflow, { taskQueue, workflowId, args: [{ group: 'wohngeld-1' }] });
    const first = await createdTask(workflowId, 'review');
    expect(first.fourEyesExclude).toBeNull();
    await complete(handle, { taskId: first.taskId, outcome: 'override', data: { note: 'Härtefall' }, by: alice });

    const second = await createdTask(workflowId, 'review-confirmation');
    expect(second.fourEyesExclude).toBe('cw-alice');

    const closed = await rejection(complete(handle, { taskId: first.taskId, outcome: 'approve', data: { note: 'doch nicht' }, by: bob }));
    expect(closed).toMatchObject({ type: 'CONFLICT', details: { reason: 'task_closed' } });

    const sameEyes = await rejection(complete(handle, { taskId: second.taskId, outcome: 'confirm', data: {}, by: alice }));
    expect(sameEyes).toMatchObject({ type: 'INVALID', details: { reason: 'four_eyes' } });

    await complete(handle, { taskId: second.taskId, outcome: 'confirm', data: { note: 'einverstanden' }, by: bob });
    const result = await handle.result();
    expect(result).toMatchObject({
      outcome: 'confirm',
      completedBy: 'cw-bob',
      first: { outcome: 'override', completedBy: 'cw-alice', data: { note: 'Härtefall' } },
      confirmation: { outcome: 'confirm', completedBy: 'cw-bob' },
    });

    // deterministic: the recorded history (with rejected and accepted Updates) replays without a mismatch
    await Worker.runReplayHistory({ workflowsPath: require.resolve('../../test/fixtures/human-task.workflows') }, await handle.fetchHistory(), workflowId);
  });

  it('four eyes: no confirmation task when the first outcome does not need one', async () => {
    const workflowId = `ht-foureyes-plain-${randomUUID()}`;
    const handle = await env.client.workflow.start(fourEyesWorkflow, { taskQueue, workflowId, args: [{ group: 'wohngeld-1' }] });
    const first = await createdTask(workflowId, 'review');
    await complete(handle, { taskId: first.taskId, outcome: 'approve', data: { note: 'passt' }, by: alice });
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'approve', completedBy: 'cw-alice', first: { outcome: 'approve' } });
    expect(result.confirmation).toBeUndefined();
    expect(callsOf(workflowId).createTask).toHaveLength(1);
  });

  it('serves several open tasks with one Update handler, dispatching by task id', async () => {
    const workflowId = `ht-parallel-${randomUUID()}`;
    const handle = await env.client.workflow.start(parallelTasksWorkflow, { taskQueue, workflowId, args: [{ groups: ['g-a', 'g-b'] }] });
    const a = await createdTask(workflowId, 'part-a');
    const b = await createdTask(workflowId, 'part-b');
    expect(a.taskId).not.toBe(b.taskId);
    await complete(handle, { taskId: b.taskId, outcome: 'done', data: {}, by: bob });
    expect(await handle.query(openHumanTasksQuery)).toEqual([{ taskId: a.taskId, key: 'part-a' }]);
    await complete(handle, { taskId: a.taskId, outcome: 'done', data: {}, by: alice });
    const [ra, rb] = await handle.result();
    expect(ra).toMatchObject({ key: 'part-a', completedBy: 'cw-alice' });
    expect(rb).toMatchObject({ key: 'part-b', completedBy: 'cw-bob' });
  });

  it('cancels the task row when the workflow is cancelled', async () => {
    const workflowId = `ht-cancel-${randomUUID()}`;
    const handle = await env.client.workflow.start(singleHumanTaskWorkflow, { taskQueue, workflowId, args: [{ group: 'g', dueIn: 'P3D' }] });
    const task = await createdTask(workflowId, 'review');
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    expect(callsOf(workflowId).cancelTask).toEqual([{ taskIds: [task.taskId], reason: 'process cancelled' }]);
  });
});
