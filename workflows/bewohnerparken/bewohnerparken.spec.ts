import { randomUUID } from 'node:crypto';
import { activityInfo } from '@temporalio/activity';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type {
  CancelTaskInput,
  CloseCaseRequestsInput,
  CompleteTaskRecordInput,
  CompleteTaskRecordResult,
  CreateTaskInput,
  CreateTaskResult,
  FvSubmitInput,
  OpenCaseActivityInput,
  OpenCaseActivityResult,
  OpenCaseRequestsInput,
  OpenCaseRequestsResult,
  RecordCaseEventInput,
  RecordCaseEventResult,
  SetCaseDecisionInput,
} from '../../activities';
import { caseStageQuery, completeTaskUpdate, documentUploadedSignal, identityUpgradedSignal, submissionReceiptUpdate, withdrawUpdate } from '../shared/case.contract';
import type { Actor } from '../shared/case.contract';
import { BEWOHNERPARKEN_DEFAULT_REJECTION, BEWOHNERPARKEN_REVIEW_FORM, caseWorkflowId } from './bewohnerparken.contract';
import type { BewohnerparkenInput } from './bewohnerparken.contract';
import { bewohnerparkenWorkflow } from './bewohnerparken.workflow';
import { eventually } from '../../test/support/eventually';
import { startTimeSkippingWorker } from '../../test/support/time-skipping';
import type { TimeSkippingWorker } from '../../test/support/time-skipping';

// The Bewohnerparkausweis process on the time-skipping test server with fake activities: the
// order of the building blocks, withdrawal, and the path through a refusing permit register.
// The same process against real Temporal, PostgreSQL, SMTP and the sandbox:
// apps/api/src/applications/bewohnerparken.int.spec.ts.

interface Calls {
  openCase: OpenCaseActivityInput[];
  events: RecordCaseEventInput[];
  openRequests: OpenCaseRequestsInput[];
  closeRequests: CloseCaseRequestsInput[];
  createTask: CreateTaskInput[];
  cancelTask: CancelTaskInput[];
  decisions: SetCaseDecisionInput[];
  fvSubmit: FvSubmitInput[];
  ids: Map<string, string>;
}
const calls = new Map<string, Calls>();
function callsOf(workflowId: string): Calls {
  let c = calls.get(workflowId);
  if (!c) calls.set(workflowId, (c = { openCase: [], events: [], openRequests: [], closeRequests: [], createTask: [], cancelTask: [], decisions: [], fvSubmit: [], ids: new Map() }));
  return c;
}
const wf = () => activityInfo().workflowExecution?.workflowId ?? 'none';
/** Workflow ids whose permit register refuses. */
const registerRefuses = new Set<string>();
let caseSeq = 0;

const fakeActivities = {
  async openCase(input: OpenCaseActivityInput): Promise<OpenCaseActivityResult> {
    callsOf(wf()).openCase.push(input);
    return { caseId: input.caseId, caseNumber: `BP-2026-${String(++caseSeq).padStart(6, '0')}`, status: 'SUBMITTED', submittedAt: new Date().toISOString(), created: true };
  },
  async recordCaseEvent(input: RecordCaseEventInput): Promise<RecordCaseEventResult> {
    callsOf(wf()).events.push(input);
    return { recorded: true };
  },
  async setCaseDecision(input: SetCaseDecisionInput): Promise<{ changed: boolean }> {
    callsOf(wf()).decisions.push(input);
    return { changed: true };
  },
  async openCaseRequests(input: OpenCaseRequestsInput): Promise<OpenCaseRequestsResult> {
    const c = callsOf(wf());
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
    callsOf(wf()).closeRequests.push(input);
    return { closed: input.requestIds };
  },
  async createTask(input: CreateTaskInput): Promise<CreateTaskResult> {
    callsOf(wf()).createTask.push(input);
    return { taskId: input.taskId, created: true, status: 'open' };
  },
  async completeTaskRecord(input: CompleteTaskRecordInput): Promise<CompleteTaskRecordResult> {
    return { status: 'completed', changed: true, completion: { outcome: input.outcome, data: input.data, completedBy: input.completedBy, completedAt: new Date().toISOString() } };
  },
  async escalateTask(): Promise<{ escalated: boolean; status: 'open' }> {
    return { escalated: true, status: 'open' };
  },
  async cancelTask(input: CancelTaskInput): Promise<{ cancelled: string[] }> {
    callsOf(wf()).cancelTask.push(input);
    return { cancelled: input.taskIds ?? [] };
  },
  async fvSubmit(input: FvSubmitInput): Promise<{ externalId: string; status: 'completed' }> {
    callsOf(wf()).fvSubmit.push(input);
    if (registerRefuses.has(wf())) {
      throw ApplicationFailure.create({ type: 'FV_INVALID_LICENSE_PLATE', message: 'The registration number is not valid.', nonRetryable: true, details: [{ adapter: input.adapter, code: 'INVALID_LICENSE_PLATE' }] });
    }
    return { externalId: 'BPA-2026-0A1B', status: 'completed' };
  },
};

const owner: Actor = { sub: 'citizen-owner', roles: ['citizen'] };
const caseworker: Actor = { sub: 'cw-parken', roles: ['caseworker'] };

let tsw: TimeSkippingWorker;
let env: TestWorkflowEnvironment;
let taskQueue: string;

beforeAll(async () => {
  tsw = await startTimeSkippingWorker({ prefix: 'bewohnerparken', workflowsPath: require.resolve('./bewohnerparken.workflow'), activities: fakeActivities });
  ({ env, taskQueue } = tsw);
});

afterAll(async () => {
  await tsw?.stop();
});


function input(overrides: Partial<BewohnerparkenInput> = {}): BewohnerparkenInput {
  return {
    caseId: randomUUID(),
    ownerSub: owner.sub,
    applicant: { givenName: 'Erika', familyName: 'Mustermann', email: 'erika@example.org', address: { street: 'Lychener Straße 12', postalCode: '10437', city: 'Berlin' } },
    vehicle: { licensePlate: 'B-EM 1961', registeredToApplicant: true },
    zone: 'Zone 31',
    trustLevel: 'substantiell',
    ...overrides,
  };
}

/** Every workflow this file ran, replayed at the end against the current code. */
const ran: string[] = [];

async function submit(i: BewohnerparkenInput) {
  const workflowId = caseWorkflowId(i.caseId);
  ran.push(workflowId);
  const handle = await env.client.workflow.start(bewohnerparkenWorkflow, { taskQueue, workflowId, args: [i] });
  const receipt = await handle.executeUpdate(submissionReceiptUpdate);
  return { handle, workflowId, receipt };
}

const event = (workflowId: string, key: string) => callsOf(workflowId).events.find((e) => e.eventKey === key);
const waitForEvent = (workflowId: string, key: string) => eventually(() => event(workflowId, key), `event ${key}`);
const waitForTask = (workflowId: string, key: string) => eventually(() => callsOf(workflowId).createTask.find((t) => t.key === key), `task ${key}`);

async function rejection(p: Promise<unknown>): Promise<{ type: string | undefined | null; reason: unknown }> {
  const err = await p.then(
    () => {
      throw new Error('expected the Update to be rejected');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const f = (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
  return { type: f.type, reason: (f.details?.[0] as { reason?: unknown } | undefined)?.reason };
}

describe('Bewohnerparkausweis process (time-skipping, fake activities)', () => {
  it('identification, documents, review, permit: composes the building blocks in order', async () => {
    const i = input({ trustLevel: 'basis', vehicle: { licensePlate: 'B-EM 1961', registeredToApplicant: false } });
    const { handle, workflowId, receipt } = await submit(i);
    expect(receipt).toEqual({ caseId: i.caseId, caseNumber: expect.stringMatching(/^BP-2026-\d{6}$/), status: 'SUBMITTED' });
    expect(callsOf(workflowId).openCase[0]).toEqual({ caseId: i.caseId, type: 'bewohnerparken', ownerSub: owner.sub, ownerEmail: 'erika@example.org', workflowId });

    // basis is not enough: the case asks for eID identification and waits
    await waitForEvent(workflowId, 'request-identification');
    expect(await handle.query(caseStageQuery)).toBe('identification');
    await env.sleep('10 days');
    await handle.signal(identityUpgradedSignal, { trustLevel: 'substantiell', by: owner });

    // the vehicle registration and, as the car is not the applicant's, proof of use
    const asked = await waitForEvent(workflowId, 'request-vehicle-documents');
    expect(asked.text).toContain('Zulassungsbescheinigung Teil I');
    expect(asked.text).toContain('dauerhaft nutzen');
    const ids = callsOf(workflowId).ids;
    await handle.signal(documentUploadedSignal, { requestId: ids.get('vehicle-documents/vehicle-registration')!, documentId: randomUUID() });
    await handle.signal(documentUploadedSignal, { requestId: ids.get('vehicle-documents/vehicle-use-permission')!, documentId: randomUUID() });

    const task = await waitForTask(workflowId, 'review');
    expect(task).toMatchObject({
      type: 'bewohnerparken.review',
      group: 'parken',
      escalateTo: 'parken-leitung',
      outcomes: ['approve', 'reject'],
      formSchema: BEWOHNERPARKEN_REVIEW_FORM,
      caseId: i.caseId,
      caseNumber: receipt.caseNumber,
      caseData: { zone: 'Zone 31', trustLevel: 'substantiell', documentsComplete: true, applicant: i.applicant, vehicle: i.vehicle },
    });
    expect((task.caseData as { documents: unknown[] }).documents).toHaveLength(2);

    await handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.taskId, outcome: 'approve', data: { note: 'Meldeadresse geprüft' }, by: caseworker }] });
    const result = await handle.result();
    expect(result).toMatchObject({ caseId: i.caseId, caseNumber: receipt.caseNumber, outcome: 'approved', permitNumber: 'BPA-2026-0A1B' });
    // valid for two years (to the day before)
    const from = new Date(`${result.validFrom}T00:00:00Z`);
    const until = new Date(`${result.validUntil}T00:00:00Z`);
    expect(until.getUTCFullYear() - from.getUTCFullYear()).toBe(2);
    expect(until.getTime() + 86_400_000).toBe(Date.UTC(from.getUTCFullYear() + 2, from.getUTCMonth(), from.getUTCDate()));

    const c = callsOf(workflowId);
    expect(c.fvSubmit).toEqual([
      {
        adapter: 'parkausweis',
        caseId: i.caseId,
        step: 'permit',
        kind: 'bewohnerparkausweis',
        payload: { zone: 'Zone 31', licensePlate: 'B-EM 1961', validFrom: result.validFrom, validUntil: result.validUntil, holder: { givenName: 'Erika', familyName: 'Mustermann', address: i.applicant.address } },
      },
    ]);
    expect(c.decisions[0]?.decision).toMatchObject({ outcome: 'approved', zone: 'Zone 31', permitNumber: 'BPA-2026-0A1B' });
    expect(event(workflowId, 'decision')).toMatchObject({ status: 'COMPLETED', audience: 'citizen', notify: true });
    expect(event(workflowId, 'decision')?.text).toContain('BPA-2026-0A1B');
    // the citizen's status path and mails
    expect(c.events.filter((e) => e.status).map((e) => `${e.eventKey}:${e.status}`)).toEqual([
      'received:RECEIVED',
      'request-identification:ACTION_REQUIRED',
      'request-identification-answered:PROCESSING',
      'request-vehicle-documents:ACTION_REQUIRED',
      'request-vehicle-documents-answered:PROCESSING',
      'decision:COMPLETED',
    ]);
    expect(c.events.filter((e) => e.notify).map((e) => e.eventKey)).toEqual(['received', 'request-identification', 'request-vehicle-documents', 'decision']);
    expect(await handle.query(caseStageQuery)).toBe('approved');
  });

  it('withdrawal before the decision cancels the open requests and records WITHDRAWN', async () => {
    const i = input();
    const { handle, workflowId } = await submit(i);
    await waitForEvent(workflowId, 'request-vehicle-documents');
    expect(event(workflowId, 'request-identification')).toBeUndefined(); // substantiell login: nothing to ask

    expect(await rejection(handle.executeUpdate(withdrawUpdate, { args: [{ by: { sub: 'someone-else', roles: ['citizen'] } }] }))).toMatchObject({ type: 'NOT_FOUND' });
    expect(await handle.executeUpdate(withdrawUpdate, { args: [{ by: owner }] })).toEqual({ status: 'WITHDRAWN' });
    expect(await handle.result()).toMatchObject({ outcome: 'withdrawn' });

    const c = callsOf(workflowId);
    expect(c.closeRequests).toEqual([{ caseId: i.caseId, requestIds: [c.ids.get('vehicle-documents/vehicle-registration')], status: 'cancelled' }]);
    expect(event(workflowId, 'withdrawn')).toMatchObject({ status: 'WITHDRAWN', audience: 'citizen', notify: true });
    expect(c.createTask).toEqual([]);
    expect(c.decisions).toEqual([]);
  });

  it('withdrawal while the review task is open cancels the task', async () => {
    const i = input();
    const { handle, workflowId } = await submit(i);
    await waitForEvent(workflowId, 'request-vehicle-documents');
    await handle.signal(documentUploadedSignal, { requestId: callsOf(workflowId).ids.get('vehicle-documents/vehicle-registration')!, documentId: randomUUID() });
    const task = await waitForTask(workflowId, 'review');
    await handle.executeUpdate(withdrawUpdate, { args: [{ by: owner }] });
    expect(await handle.result()).toMatchObject({ outcome: 'withdrawn' });
    expect(callsOf(workflowId).cancelTask.flatMap((t) => t.taskIds ?? [])).toEqual([task.taskId]);
  });

  it('after the decision a withdrawal is refused; a refusing register goes to a caseworker, who may refuse the permit', async () => {
    const i = input();
    const { handle, workflowId } = await submit(i);
    registerRefuses.add(workflowId);
    await waitForEvent(workflowId, 'request-vehicle-documents');
    await handle.signal(documentUploadedSignal, { requestId: callsOf(workflowId).ids.get('vehicle-documents/vehicle-registration')!, documentId: randomUUID() });
    const review = await waitForTask(workflowId, 'review');
    await handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: review.taskId, outcome: 'approve', data: {}, by: caseworker }] });

    const failure = await waitForTask(workflowId, 'permit-failure-1');
    expect(failure).toMatchObject({ group: 'parken', outcomes: ['retry', 'reject'], caseData: { failure: { kind: 'business', code: 'INVALID_LICENSE_PLATE' } } });
    expect(event(workflowId, 'permit-failure-1')).toMatchObject({ audience: 'internal' });
    expect(await rejection(handle.executeUpdate(withdrawUpdate, { args: [{ by: owner }] }))).toEqual({ type: 'CONFLICT', reason: 'already_decided' });

    // retry: a new step, so the register sees a new request
    await handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: failure.taskId, outcome: 'retry', data: {}, by: caseworker }] });
    const second = await waitForTask(workflowId, 'permit-failure-2');
    expect(callsOf(workflowId).fvSubmit.map((f) => f.step)).toEqual(['permit', 'permit-2']);
    await handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: second.taskId, outcome: 'reject', data: { reason: 'Das Kennzeichen ist nicht zugelassen.' }, by: caseworker }] });

    expect(await handle.result()).toMatchObject({ outcome: 'rejected' });
    expect(callsOf(workflowId).decisions[0]?.decision).toMatchObject({ outcome: 'rejected', summary: 'Das Kennzeichen ist nicht zugelassen.' });
    expect(event(workflowId, 'decision')?.text).toBe('Ihr Antrag auf einen Bewohnerparkausweis für die Zone 31 wurde abgelehnt. Begründung: Das Kennzeichen ist nicht zugelassen.');
  });

  it('a rejection without a reason tells the citizen the generic one', async () => {
    const i = input();
    const { handle, workflowId } = await submit(i);
    await waitForEvent(workflowId, 'request-vehicle-documents');
    await handle.signal(documentUploadedSignal, { requestId: callsOf(workflowId).ids.get('vehicle-documents/vehicle-registration')!, documentId: randomUUID() });
    const review = await waitForTask(workflowId, 'review');
    await handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: review.taskId, outcome: 'reject', data: {}, by: caseworker }] });
    expect(await handle.result()).toMatchObject({ outcome: 'rejected' });
    expect(callsOf(workflowId).decisions[0]?.decision.summary).toBe(BEWOHNERPARKEN_DEFAULT_REJECTION);
    expect(callsOf(workflowId).fvSubmit).toEqual([]);
  });

  it('missing documents: the review task still comes after the deadline, marked incomplete', async () => {
    const i = input();
    const { handle, workflowId } = await submit(i);
    await waitForEvent(workflowId, 'request-vehicle-documents');
    await env.sleep('15 days');
    const review = await waitForTask(workflowId, 'review');
    expect(review.caseData).toMatchObject({ documentsComplete: false, documents: [] });
    expect(event(workflowId, 'request-vehicle-documents-reminder')).toMatchObject({ notify: true });
    await handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: review.taskId, outcome: 'reject', data: { reason: 'Die Zulassungsbescheinigung wurde nicht eingereicht.' }, by: caseworker }] });
    expect(await handle.result()).toMatchObject({ outcome: 'rejected' });
  });

  it('replays every recorded history of this file without nondeterminism', async () => {
    const histories = ran.map((workflowId) => ({ workflowId, history: env.client.workflow.getHandle(workflowId).fetchHistory() }));
    const results = Worker.runReplayHistories({ workflowsPath: require.resolve('./bewohnerparken.workflow') }, (async function* () {
      for (const h of histories) yield { workflowId: h.workflowId, history: await h.history };
    })());
    let replayed = 0;
    for await (const r of results) {
      expect({ workflowId: r.workflowId, error: r.error }).toEqual({ workflowId: r.workflowId, error: undefined });
      replayed++;
    }
    expect(replayed).toBe(ran.length);
  });
});
