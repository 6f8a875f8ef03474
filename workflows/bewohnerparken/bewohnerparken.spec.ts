import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FvSubmitInput } from '../../activities';
import { caseStageQuery, completeTaskUpdate, documentUploadedSignal, identityUpgradedSignal, submissionReceiptUpdate, withdrawUpdate } from '../shared/case.contract';
import type { Actor } from '../shared/case.contract';
import { BEWOHNERPARKEN_DEFAULT_REJECTION, BEWOHNERPARKEN_REVIEW_FORM, caseWorkflowId } from './bewohnerparken.contract';
import type { BewohnerparkenInput } from './bewohnerparken.contract';
import { bewohnerparkenWorkflow } from './bewohnerparken.workflow';
import { eventually } from '../../test/support/eventually';
import { fakeCaseActivities, replayFailures, replayRecordedHistories, updateRejection, useTimeSkippingWorker } from '../../test/support/time-skipping';

// The Bewohnerparkausweis process on the time-skipping test server with fake activities: the
// order of the building blocks, withdrawal, and the path through a refusing permit register.
// The same process against real Temporal, PostgreSQL, SMTP and the sandbox:
// apps/api/src/applications/bewohnerparken.int.spec.ts.

/** Workflow ids whose permit register refuses. */
const registerRefuses = new Set<string>();

const fake = fakeCaseActivities({ caseNumberPrefix: 'BP' }, () => ({ fvSubmit: [] as FvSubmitInput[] }));
const { callsOf } = fake;
const fakeActivities = {
  ...fake.activities,
  async fvSubmit(input: FvSubmitInput): Promise<{ externalId: string; status: 'completed' }> {
    const workflowId = fake.currentWorkflowId();
    callsOf(workflowId).fvSubmit.push(input);
    if (registerRefuses.has(workflowId)) {
      throw ApplicationFailure.create({ type: 'FV_INVALID_LICENSE_PLATE', message: 'The registration number is not valid.', nonRetryable: true, details: [{ adapter: input.adapter, code: 'INVALID_LICENSE_PLATE' }] });
    }
    return { externalId: 'BPA-2026-0A1B', status: 'completed' };
  },
};

const owner: Actor = { sub: 'citizen-owner', roles: ['citizen'] };
const caseworker: Actor = { sub: 'cw-parken', roles: ['caseworker'] };

let env: TestWorkflowEnvironment;
let taskQueue: string;
useTimeSkippingWorker({ prefix: 'bewohnerparken', workflowsPath: require.resolve('./bewohnerparken.workflow'), activities: fakeActivities }, (w) => ({ env, taskQueue } = w));

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

    expect(await updateRejection(handle.executeUpdate(withdrawUpdate, { args: [{ by: { sub: 'someone-else', roles: ['citizen'] } }] }))).toMatchObject({ type: 'NOT_FOUND' });
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
    expect(await updateRejection(handle.executeUpdate(withdrawUpdate, { args: [{ by: owner }] }))).toMatchObject({ type: 'CONFLICT', reason: 'already_decided' });

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

  it('replays the histories recorded before workflows/shared/case-lifecycle.ts (running cases keep their path)', async () => {
    const { files, failures } = await replayRecordedHistories(require.resolve('./bewohnerparken.workflow'), join(__dirname, 'histories'), 'before-case-lifecycle.');
    expect(files).toHaveLength(4);
    expect(failures).toEqual([]);
  });

  it('replays every recorded history of this file without nondeterminism', async () => {
    const { replayed, failures } = await replayFailures(env, require.resolve('./bewohnerparken.workflow'), ran);
    expect(failures).toEqual([]);
    expect(replayed).toBe(ran.length);
  });
});
