import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { endOfBerlinDay, formatBerlinDate } from '../../libs/domain/src/berlin-time';
import {
  cancelFixtureSignal,
  cancellableDocumentRequestFixture,
  documentRequestFixture,
  parallelRequestsFixture,
  trustLevelFixture,
} from '../../test/fixtures/citizen-requests.workflows';
import { documentUploadedSignal, identityUpgradedSignal } from './case.contract';
import { eventually } from '../../test/support/eventually';
import { fakeCaseActivities, useTimeSkippingWorker } from '../../test/support/time-skipping';

// The document-request and identity building blocks on Temporal's time-skipping test server, with
// fake activities that record their calls: a 14-day deadline and a 7-day reminder take seconds.
const DAY = 24 * 3600_000;

const { activities: fakeActivities, callsOf } = fakeCaseActivities();

let env: TestWorkflowEnvironment;
let taskQueue: string;
useTimeSkippingWorker({ prefix: 'citizen-requests', workflowsPath: require.resolve('../../test/fixtures/citizen-requests.workflows'), activities: fakeActivities }, (w) => ({ env, taskQueue } = w));

const event = (workflowId: string, eventKey: string) => callsOf(workflowId).events.find((e) => e.eventKey === eventKey);
const waitForEvent = (workflowId: string, eventKey: string) => eventually(() => event(workflowId, eventKey), `event ${eventKey} of ${workflowId}`);

async function isRunning(handle: WorkflowHandle): Promise<boolean> {
  return (await handle.describe()).status.name === 'RUNNING';
}

/** Lets the worker process what is pending (wall clock; no workflow time passes). */
const settle = () => new Promise((r) => setTimeout(r, 500));

describe('requestDocuments on the time-skipping server', () => {
  it('asks by letter with a Berlin date, reminds once after 7 days, and continues when the upload arrives', async () => {
    const workflowId = `docs-${randomUUID()}`;
    const caseId = randomUUID();
    const startedAt = await env.currentTimeMs();
    const handle = await env.client.workflow.start(documentRequestFixture, {
      taskQueue,
      workflowId,
      args: [{ caseId, items: [{ kind: 'vehicle-registration', text: 'Zulassungsbescheinigung Teil I (Fahrzeugschein)' }] }],
    });

    const asked = await waitForEvent(workflowId, 'request-proof');
    const opened = callsOf(workflowId).openRequests[0]!;
    expect(opened).toMatchObject({ caseId, key: 'proof', items: [{ kind: 'vehicle-registration', text: 'Zulassungsbescheinigung Teil I (Fahrzeugschein)' }] });
    // P14D, ending with that day in Berlin
    const dueBy = new Date(opened.dueBy!);
    expect(dueBy.toISOString()).toBe(endOfBerlinDay(new Date(startedAt + 14 * DAY)).toISOString());
    expect(asked).toMatchObject({ caseId, status: 'ACTION_REQUIRED', audience: 'citizen', notify: true });
    expect(asked.text).toContain('– Zulassungsbescheinigung Teil I (Fahrzeugschein)');
    expect(asked.text).toContain(`bis zum ${formatBerlinDate(dueBy)}`);
    expect(asked.textEn).toContain('Please upload it');

    await env.sleep('6 days');
    await settle();
    expect(event(workflowId, 'request-proof-reminder')).toBeUndefined();
    await env.sleep('1 day');
    const reminder = await waitForEvent(workflowId, 'request-proof-reminder');
    expect(reminder).toMatchObject({ audience: 'citizen', notify: true });
    expect(reminder.status).toBeUndefined(); // stays ACTION_REQUIRED
    expect(reminder.text).toContain('Erinnerung');
    expect(reminder.text).toContain(`bis zum ${formatBerlinDate(dueBy)}`);
    expect(await isRunning(handle)).toBe(true);

    const requestId = callsOf(workflowId).ids.get('proof/vehicle-registration')!;
    const documentId = randomUUID();
    await handle.signal(documentUploadedSignal, { requestId, documentId });
    await handle.signal(documentUploadedSignal, { requestId, documentId }); // a retried upload signals again
    await handle.signal(documentUploadedSignal, { requestId: randomUUID(), documentId: randomUUID() }); // not ours: ignored

    const result = await handle.result();
    expect(result).toEqual({ outcome: 'fulfilled', documents: [{ requestId, documentId }], requests: [{ requestId, kind: 'vehicle-registration', status: 'fulfilled' }], dueBy: dueBy.toISOString(), reminded: true });
    const c = callsOf(workflowId);
    expect(c.closeRequests).toEqual([{ caseId, requestIds: [requestId], status: 'fulfilled' }]);
    expect(event(workflowId, 'request-proof-answered')).toMatchObject({ status: 'PROCESSING', audience: 'citizen' });
    expect(event(workflowId, 'request-proof-answered')?.notify).toBeFalsy();
    expect(c.events.filter((e) => e.notify).map((e) => e.eventKey)).toEqual(['request-proof', 'request-proof-reminder']); // two mails
  });

  it('returns deadline_passed at the deadline and expires what is still missing', async () => {
    const workflowId = `docs-${randomUUID()}`;
    const caseId = randomUUID();
    const handle = await env.client.workflow.start(documentRequestFixture, {
      taskQueue,
      workflowId,
      args: [
        {
          caseId,
          items: [
            { kind: 'vehicle-registration', text: 'Zulassungsbescheinigung Teil I' },
            { kind: 'vehicle-use-permission', text: 'Nachweis der dauerhaften Nutzung' },
          ],
        },
      ],
    });
    await waitForEvent(workflowId, 'request-proof');
    const ids = callsOf(workflowId).ids;
    const registration = ids.get('proof/vehicle-registration')!;
    const permission = ids.get('proof/vehicle-use-permission')!;
    await env.sleep('3 days');
    const documentId = randomUUID();
    await handle.signal(documentUploadedSignal, { requestId: registration, documentId });
    // the fulfilled request leaves the citizen's open requests at once
    await eventually(() => callsOf(workflowId).closeRequests.find((c) => c.status === 'fulfilled'), 'the first request to be fulfilled');

    const result = await handle.result(); // time skips to the deadline
    expect(result.outcome).toBe('deadline_passed');
    expect(result.reminded).toBe(true);
    expect(result.documents).toEqual([{ requestId: registration, documentId }]);
    expect(result.requests).toEqual([
      { requestId: registration, kind: 'vehicle-registration', status: 'fulfilled' },
      { requestId: permission, kind: 'vehicle-use-permission', status: 'expired' },
    ]);
    const c = callsOf(workflowId);
    expect(c.closeRequests).toEqual([
      { caseId, requestIds: [registration], status: 'fulfilled' },
      { caseId, requestIds: [permission], status: 'expired' },
    ]);
    // the reminder names only what is still missing
    const reminder = event(workflowId, 'request-proof-reminder')!;
    expect(reminder.text).toContain('Nachweis der dauerhaften Nutzung');
    expect(reminder.text).not.toContain('Zulassungsbescheinigung');
    expect(event(workflowId, 'request-proof-expired')).toMatchObject({ audience: 'internal' });
    expect(event(workflowId, 'request-proof-answered')).toBeUndefined(); // no PROCESSING: the process decides
    expect(c.events.filter((e) => e.eventKey === 'request-proof-reminder')).toHaveLength(1);
  });

  it('marks the open requests cancelled when its scope is cancelled (withdrawal)', async () => {
    const workflowId = `docs-${randomUUID()}`;
    const caseId = randomUUID();
    const handle = await env.client.workflow.start(cancellableDocumentRequestFixture, {
      taskQueue,
      workflowId,
      args: [{ caseId, items: [{ kind: 'vehicle-registration', text: 'Zulassungsbescheinigung Teil I' }] }],
    });
    await waitForEvent(workflowId, 'request-proof');
    await handle.signal(cancelFixtureSignal);
    expect(await handle.result()).toBe('cancelled');
    expect(callsOf(workflowId).closeRequests).toEqual([{ caseId, requestIds: [callsOf(workflowId).ids.get('proof/vehicle-registration')], status: 'cancelled' }]);
  });
});

describe('ensureTrustLevel on the time-skipping server', () => {
  it('returns at once when the login is good enough', async () => {
    const workflowId = `idv-${randomUUID()}`;
    const result = await env.client.workflow.execute(trustLevelFixture, { taskQueue, workflowId, args: [{ caseId: randomUUID(), have: 'hoch', need: 'substantiell' }] });
    expect(result).toEqual({ outcome: 'met', level: 'hoch' });
    expect(callsOf(workflowId).openRequests).toEqual([]);
    expect(callsOf(workflowId).events).toEqual([]);
  });

  it('asks for eID identification, waits, ignores a lower level and other people, and continues at substantiell', async () => {
    const workflowId = `idv-${randomUUID()}`;
    const caseId = randomUUID();
    const handle = await env.client.workflow.start(trustLevelFixture, {
      taskQueue,
      workflowId,
      args: [{ caseId, have: 'basis', need: 'substantiell', ownerSub: 'citizen-1' }],
    });
    const asked = await waitForEvent(workflowId, 'request-identification');
    expect(asked).toMatchObject({ caseId, status: 'ACTION_REQUIRED', audience: 'citizen', notify: true });
    expect(asked.text).toMatch(/^Bitte identifizieren Sie sich mit der eID-Funktion/);
    expect(asked.text).toContain('„substantiell“');
    expect(callsOf(workflowId).openRequests[0]).toMatchObject({ caseId, key: 'identification', dueBy: null, items: [{ kind: 'identification', details: { trustLevel: 'substantiell' } }] });

    await env.sleep('30 days'); // no deadline: the case keeps waiting
    await handle.signal(identityUpgradedSignal, { trustLevel: 'basis', by: { sub: 'citizen-1', roles: ['citizen'] } });
    await handle.signal(identityUpgradedSignal, { trustLevel: 'hoch', by: { sub: 'someone-else', roles: ['citizen'] } });
    await settle();
    expect(await isRunning(handle)).toBe(true);
    expect(callsOf(workflowId).closeRequests).toEqual([]);

    await handle.signal(identityUpgradedSignal, { trustLevel: 'substantiell', by: { sub: 'citizen-1', roles: ['citizen'] } });
    expect(await handle.result()).toEqual({ outcome: 'upgraded', level: 'substantiell' });
    const requestId = callsOf(workflowId).ids.get('identification/identification');
    expect(callsOf(workflowId).closeRequests).toEqual([{ caseId, requestIds: [requestId], status: 'fulfilled' }]);
    expect(event(workflowId, 'request-identification-answered')).toMatchObject({ status: 'PROCESSING', audience: 'citizen' });
  });

  it('expires the identification request at its deadline', async () => {
    const workflowId = `idv-${randomUUID()}`;
    const caseId = randomUUID();
    const result = await env.client.workflow.execute(trustLevelFixture, { taskQueue, workflowId, args: [{ caseId, have: 'basis', need: 'hoch', deadline: 'P30D' }] });
    expect(result).toEqual({ outcome: 'deadline_passed', level: 'basis' });
    expect(callsOf(workflowId).closeRequests).toEqual([{ caseId, requestIds: [callsOf(workflowId).ids.get('identification/identification')], status: 'expired' }]);
    expect(event(workflowId, 'request-identification')?.text).toContain('bis zum');
  });

  it('with identification and documents asked at once, PROCESSING comes only when both are answered', async () => {
    const workflowId = `both-${randomUUID()}`;
    const caseId = randomUUID();
    const handle = await env.client.workflow.start(parallelRequestsFixture, { taskQueue, workflowId, args: [{ caseId, ownerSub: 'citizen-2' }] });
    await waitForEvent(workflowId, 'request-proof');
    await waitForEvent(workflowId, 'request-identification');
    await handle.signal(documentUploadedSignal, { requestId: callsOf(workflowId).ids.get('proof/proof-of-income')!, documentId: randomUUID() });
    const docsAnswered = await waitForEvent(workflowId, 'request-proof-answered');
    expect(docsAnswered.status).toBeUndefined(); // still waiting for the identification
    await handle.signal(identityUpgradedSignal, { trustLevel: 'hoch', by: { sub: 'citizen-2', roles: ['citizen'] } });
    const [identity, docs] = await handle.result();
    expect(identity).toEqual({ outcome: 'upgraded', level: 'hoch' });
    expect(docs.outcome).toBe('fulfilled');
    expect(event(workflowId, 'request-identification-answered')?.status).toBe('PROCESSING');
  });
});
