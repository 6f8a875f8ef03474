import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { PaymentRefundInput } from '../../activities';
import { caseLifecycleFixture, decideFixtureSignal, finishFixtureSignal } from '../../test/fixtures/case-lifecycle.workflows';
import type { CaseLifecycleFixtureInput } from '../../test/fixtures/case-lifecycle.workflows';
import { eventually } from '../../test/support/eventually';
import { fakeCaseActivities, replayFailures, updateRejection, useTimeSkippingWorker } from '../../test/support/time-skipping';
import { caseStageQuery, caseWorkflowId, submissionReceiptUpdate, withdrawUpdate } from './case.contract';
import type { Actor } from './case.contract';
import { APPLICATION_WITHDRAWAL_TEXTS } from './case-lifecycle';

// The case-lifecycle building block (submission receipt, withdrawal, the end of the run) on the
// time-skipping test server, through a fixture process with fake activities. The processes that use
// it test it once more in their own terms (workflows/bewohnerparken, workflows/wohngeld).

/** Case ids whose openCase / paymentRefund wait until the test releases them. */
const held = new Map<string, () => void>();
const hold = (key: string) => new Promise<void>((resolve) => held.set(key, resolve));
const release = (key: string) => eventually(() => held.get(key), `${key} to be held`).then((r) => r());

const fake = fakeCaseActivities({ caseNumberPrefix: 'FX' }, () => ({ refunds: [] as PaymentRefundInput[] }));
const fakeActivities = {
  ...fake.activities,
  async openCase(input: Parameters<typeof fake.activities.openCase>[0]) {
    if (input.caseId.startsWith('slow-')) await hold(`open:${input.caseId}`);
    return fake.activities.openCase(input);
  },
  async paymentRefund(input: PaymentRefundInput) {
    fake.callsOf(fake.currentWorkflowId()).refunds.push(input);
    await hold(`refund:${input.caseId}`);
    return { refundId: 're_1', paymentId: input.paymentId, status: 'refunded' as const, amount: input.amount };
  },
};

const owner: Actor = { sub: 'citizen-owner', roles: ['citizen'] };
const stranger: Actor = { sub: 'citizen-someone-else', roles: ['citizen'] };

let env: TestWorkflowEnvironment;
let taskQueue: string;
useTimeSkippingWorker({ prefix: 'case-lifecycle', workflowsPath: require.resolve('../../test/fixtures/case-lifecycle.workflows'), activities: fakeActivities }, (w) => ({ env, taskQueue } = w));
const ran: string[] = [];

async function start(overrides: Partial<CaseLifecycleFixtureInput> = {}) {
  const i: CaseLifecycleFixtureInput = { caseId: randomUUID(), ownerSub: owner.sub, ...overrides };
  const workflowId = caseWorkflowId(i.caseId);
  ran.push(workflowId);
  const handle = await env.client.workflow.start(caseLifecycleFixture, { taskQueue, workflowId, args: [i] });
  return { handle, workflowId, caseId: i.caseId };
}

const withdraw = (handle: Awaited<ReturnType<typeof start>>['handle'], by: Actor = owner) => handle.executeUpdate(withdrawUpdate, { args: [{ by }] });
const events = (workflowId: string) => fake.callsOf(workflowId).events;

describe('caseLifecycle on the time-skipping server', () => {
  it('answers the submission with the case number once the case is open; a withdrawal before that is "not ready"', async () => {
    const anzeige = { alreadyWithdrawn: 'Die Anzeige ist bereits zurückgenommen.', alreadyDecided: 'Über die Anzeige ist entschieden.', notReady: 'Ihre Anzeige wird gerade angelegt.' };
    const { handle, caseId } = await start({ caseId: `slow-${randomUUID()}`, texts: anzeige });
    const receipt = handle.executeUpdate(submissionReceiptUpdate);
    await eventually(() => held.get(`open:${caseId}`), 'openCase to be called');

    // the owner, before the case exists: retry later (the process's own wording)
    expect(await updateRejection(withdraw(handle))).toMatchObject({ type: 'CONFLICT', reason: 'not_ready', message: anzeige.notReady });
    // anyone else: there is no such case (checked first, so it says nothing about the case)
    expect(await updateRejection(withdraw(handle, stranger))).toMatchObject({ type: 'NOT_FOUND', reason: undefined });

    await release(`open:${caseId}`);
    expect(await receipt).toEqual({ caseId, caseNumber: expect.stringMatching(/^FX-2026-\d{6}$/), status: 'SUBMITTED' });
    // a second submission's update (a retried POST) gets the same receipt
    expect(await handle.executeUpdate(submissionReceiptUpdate)).toEqual(await receipt);
    expect(await handle.query(caseStageQuery)).toBe('review');
    await handle.signal(decideFixtureSignal, {});
    expect(await updateRejection(withdraw(handle))).toMatchObject({ type: 'CONFLICT', reason: 'already_decided', message: anzeige.alreadyDecided });
    await handle.signal(finishFixtureSignal);
    expect(await handle.result()).toMatchObject({ outcome: 'finished' });
  });

  it('a withdrawal cancels the main scope, records WITHDRAWN and runs the process’s withdrawal work to its end', async () => {
    const { handle, workflowId, caseId } = await start({ paidFee: { paymentId: 'pay_1', amount: '15.00' } });
    await handle.executeUpdate(submissionReceiptUpdate);
    expect(await updateRejection(withdraw(handle, stranger))).toMatchObject({ type: 'NOT_FOUND' });

    expect(await withdraw(handle)).toEqual({ status: 'WITHDRAWN' });
    expect(events(workflowId)).toEqual([{ caseId, eventKey: 'withdrawn', status: 'WITHDRAWN', audience: 'citizen', text: expect.any(String), notify: true }]);
    expect(await handle.query(caseStageQuery)).toBe('withdrawn'); // onWithdraw ran in the handler

    // the refund (non-cancellable) is still running: a second withdrawal is refused as such
    await eventually(() => fake.callsOf(workflowId).refunds.length === 1, 'the refund to start');
    expect(await updateRejection(withdraw(handle))).toEqual({
      type: 'CONFLICT',
      message: APPLICATION_WITHDRAWAL_TEXTS.alreadyWithdrawn,
      reason: 'already_withdrawn',
      details: { reason: 'already_withdrawn' },
    });
    await release(`refund:${caseId}`);

    expect(await handle.result()).toEqual({ caseNumber: expect.stringMatching(/^FX-/), outcome: 'withdrawn', refunded: true, stageAtEnd: 'withdrawn' });
    expect(fake.callsOf(workflowId).refunds).toEqual([{ adapter: 'epayment', caseId, step: 'fee-refund', paymentId: 'pay_1', amount: '15.00', reason: 'withdrawn' }]);
    // beforeEnd is for a process that ended normally only
    expect(events(workflowId).map((e) => e.eventKey)).toEqual(['withdrawn']);
  });

  it('after decided() a withdrawal is refused with the default text or the one given; a normal end runs beforeEnd', async () => {
    const plain = await start();
    await plain.handle.executeUpdate(submissionReceiptUpdate);
    await plain.handle.signal(decideFixtureSignal, {});
    expect(await updateRejection(withdraw(plain.handle))).toMatchObject({ type: 'CONFLICT', reason: 'already_decided', message: APPLICATION_WITHDRAWAL_TEXTS.alreadyDecided });
    await plain.handle.signal(finishFixtureSignal);
    expect(await plain.handle.result()).toEqual({ caseNumber: expect.stringMatching(/^FX-/), outcome: 'finished', stageAtEnd: 'decided' });
    expect(events(plain.workflowId).map((e) => e.eventKey)).toEqual(['before-end']);

    const custom = await start();
    await custom.handle.executeUpdate(submissionReceiptUpdate);
    await custom.handle.signal(decideFixtureSignal, { message: 'Ihr Gewerbe wird bereits eingetragen.' });
    expect(await updateRejection(withdraw(custom.handle))).toMatchObject({ type: 'CONFLICT', reason: 'already_decided', message: 'Ihr Gewerbe wird bereits eingetragen.' });
    await custom.handle.signal(finishFixtureSignal);
    expect(await custom.handle.result()).toMatchObject({ outcome: 'finished' });
  });

  it('replays every recorded history of this file without nondeterminism', async () => {
    const { replayed, failures } = await replayFailures(env, require.resolve('../../test/fixtures/case-lifecycle.workflows'), ran);
    expect(failures).toEqual([]);
    expect(replayed).toBe(ran.length);
  });
});
