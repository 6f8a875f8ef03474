import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { activityInfo } from '@temporalio/activity';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type {
  CancelTaskInput,
  CloseCaseRequestsInput,
  CompleteTaskRecordInput,
  CompleteTaskRecordResult,
  CreateTaskInput,
  CreateTaskResult,
  EscalateTaskInput,
  OpenCaseActivityInput,
  OpenCaseActivityResult,
  OpenCaseRequestsInput,
  OpenCaseRequestsResult,
  RecordCaseEventInput,
  RecordCaseEventResult,
  SetCaseDecisionInput,
} from '../../activities';
import { uniqueTaskQueue } from './temporal';

export interface TimeSkippingWorker {
  env: TestWorkflowEnvironment;
  worker: Worker;
  taskQueue: string;
  /** Shuts the worker down, waits for it to drain, tears the test server down. */
  stop(): Promise<void>;
}

/**
 * The time-skipping test server (Java, started through the wrapper test/global-setup.ts ensures)
 * with one worker running the given workflows and injected activities on a unique task queue —
 * the setup every workflow unit test shares, so 14-day deadlines take seconds.
 */
export async function startTimeSkippingWorker(opts: { prefix: string; workflowsPath: string; activities: object }): Promise<TimeSkippingWorker> {
  const wrapper = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (!wrapper) throw new Error('TEMPORAL_TEST_SERVER_PATH is not set (test/global-setup.ts ensures the test server)');
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: wrapper } } });
  const taskQueue = uniqueTaskQueue(opts.prefix);
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath: opts.workflowsPath, activities: opts.activities });
  const running = worker.run();
  return {
    env,
    worker,
    taskQueue,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await env.teardown();
    },
  };
}

/**
 * startTimeSkippingWorker for the whole test file: started in beforeAll (handing it to `started`,
 * e.g. `(w) => ({ env, taskQueue } = w)`), stopped in afterAll.
 */
export function useTimeSkippingWorker(opts: { prefix: string; workflowsPath: string; activities: object }, started: (w: TimeSkippingWorker) => void): void {
  let tsw: TimeSkippingWorker | undefined;
  beforeAll(async () => {
    tsw = await startTimeSkippingWorker(opts);
    started(tsw);
  });
  afterAll(async () => {
    await tsw?.stop();
  });
}

/**
 * The case activities every process test fakes (open the case, timeline, decision, requests,
 * tasks), recording their calls per workflow id. Written once so the process specs agree on what
 * the real activities answer: openCaseRequests is idempotent like the real one, times are the test
 * server's clock (time is skipped across a file's tests). `extra` adds a spec's own call lists.
 */
export interface CaseCalls {
  openCase: OpenCaseActivityInput[];
  events: RecordCaseEventInput[];
  decisions: SetCaseDecisionInput[];
  openRequests: OpenCaseRequestsInput[];
  closeRequests: CloseCaseRequestsInput[];
  createTask: CreateTaskInput[];
  completeTaskRecord: CompleteTaskRecordInput[];
  escalateTask: EscalateTaskInput[];
  cancelTask: CancelTaskInput[];
  /** (request key/kind) → requestId. */
  ids: Map<string, string>;
}

export function fakeCaseActivities<X extends object = object>(opts: { caseNumberPrefix?: string } = {}, extra: () => X = () => ({}) as X) {
  const calls = new Map<string, CaseCalls & X>();
  /** The calls of one workflow (the one running the current activity: `callsOf(currentWorkflowId())`). */
  function callsOf(workflowId: string): CaseCalls & X {
    let c = calls.get(workflowId);
    if (!c) {
      c = { openCase: [], events: [], decisions: [], openRequests: [], closeRequests: [], createTask: [], completeTaskRecord: [], escalateTask: [], cancelTask: [], ids: new Map(), ...extra() };
      calls.set(workflowId, c);
    }
    return c;
  }
  const currentWorkflowId = () => activityInfo().workflowExecution?.workflowId ?? 'none';
  const mine = () => callsOf(currentWorkflowId());
  /** The test server's clock, not the wall clock. */
  const serverNow = () => new Date(activityInfo().currentAttemptScheduledTimestampMs).toISOString();
  let caseSeq = 0;

  const activities = {
    async openCase(input: OpenCaseActivityInput): Promise<OpenCaseActivityResult> {
      mine().openCase.push(input);
      return { caseId: input.caseId, caseNumber: `${opts.caseNumberPrefix ?? 'XX'}-2026-${String(++caseSeq).padStart(6, '0')}`, status: 'SUBMITTED', submittedAt: serverNow(), created: true };
    },
    async recordCaseEvent(input: RecordCaseEventInput): Promise<RecordCaseEventResult> {
      mine().events.push(input);
      return { recorded: true, ...(input.notify && { mail: { status: 'sent' as const } }) };
    },
    async setCaseDecision(input: SetCaseDecisionInput): Promise<{ changed: boolean }> {
      mine().decisions.push(input);
      return { changed: true };
    },
    async openCaseRequests(input: OpenCaseRequestsInput): Promise<OpenCaseRequestsResult> {
      const c = mine();
      c.openRequests.push(input);
      return {
        requests: input.items.map((i) => {
          const k = `${input.key}/${i.kind}`;
          if (!c.ids.has(k)) c.ids.set(k, randomUUID());
          return { requestId: c.ids.get(k)!, kind: i.kind, text: i.text, dueBy: input.dueBy, status: 'open' as const };
        }),
      };
    },
    async closeCaseRequests(input: CloseCaseRequestsInput): Promise<{ closed: string[] }> {
      mine().closeRequests.push(input);
      return { closed: input.requestIds };
    },
    async createTask(input: CreateTaskInput): Promise<CreateTaskResult> {
      mine().createTask.push(input);
      return { taskId: input.taskId, created: true, status: 'open' };
    },
    async completeTaskRecord(input: CompleteTaskRecordInput): Promise<CompleteTaskRecordResult> {
      mine().completeTaskRecord.push(input);
      return { status: 'completed', changed: true, completion: { outcome: input.outcome, data: input.data, completedBy: input.completedBy, completedAt: serverNow() } };
    },
    async escalateTask(input: EscalateTaskInput): Promise<{ escalated: boolean; status: 'open' }> {
      mine().escalateTask.push(input);
      return { escalated: true, status: 'open' };
    },
    async cancelTask(input: CancelTaskInput): Promise<{ cancelled: string[] }> {
      mine().cancelTask.push(input);
      return { cancelled: input.taskIds ?? [] };
    },
  };
  return { activities, callsOf, currentWorkflowId, serverNow };
}

/** The rejection of an Update, as the API sees it: WorkflowUpdateFailedError caused by an ApplicationFailure. */
export async function updateRejection(p: Promise<unknown>): Promise<{ type: string | undefined | null; message: string; reason: unknown; details: unknown }> {
  const err = await p.then(
    () => {
      throw new Error('expected the Update to be rejected');
    },
    (e: unknown) => e,
  );
  if (!(err instanceof WorkflowUpdateFailedError)) throw err;
  if (!(err.cause instanceof ApplicationFailure)) throw new Error(`expected an ApplicationFailure, got ${String(err.cause)}`);
  const f = err.cause;
  return { type: f.type, message: f.message, reason: (f.details?.[0] as { reason?: unknown } | undefined)?.reason, details: f.details?.[0] };
}

/**
 * Replays the histories of the given workflows against the current code of `workflowsPath`; the
 * workflow ids whose replay failed, with the error (none: deterministic).
 */
export async function replayFailures(env: TestWorkflowEnvironment, workflowsPath: string, workflowIds: string[]): Promise<{ replayed: number; failures: { workflowId: string; error: unknown }[] }> {
  const histories = workflowIds.map((workflowId) => ({ workflowId, history: env.client.workflow.getHandle(workflowId).fetchHistory() }));
  const results = Worker.runReplayHistories({ workflowsPath }, (async function* () {
    for (const h of histories) yield { workflowId: h.workflowId, history: await h.history };
  })());
  let replayed = 0;
  const failures: { workflowId: string; error: unknown }[] = [];
  for await (const r of results) {
    replayed++;
    if (r.error) failures.push({ workflowId: r.workflowId, error: r.error });
  }
  return { replayed, failures };
}

/**
 * Replays the recorded histories in `dir` whose file names start with `prefix` (binary
 * temporal.api.history.v1.History, e.g. recorded before a refactoring) against the current code:
 * running cases must keep their path. The files replayed and the ones that failed, with the error.
 */
export async function replayRecordedHistories(workflowsPath: string, dir: string, prefix: string): Promise<{ files: string[]; failures: { file: string; error: unknown }[] }> {
  const files = readdirSync(dir).filter((f) => f.startsWith(prefix) && f.endsWith('.bin'));
  const histories = files.map((f) => ({ workflowId: f, history: temporal.api.history.v1.History.decode(readFileSync(join(dir, f))) }));
  const failures: { file: string; error: unknown }[] = [];
  for await (const r of Worker.runReplayHistories({ workflowsPath }, histories)) if (r.error) failures.push({ file: r.workflowId, error: r.error });
  return { files, failures };
}
