import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FvSubmitInput, IssueLetterInput, IssueLetterResult } from '../../activities';
import { calculateWohngeld, parseEstimateRequest, startOfBerlinDay } from '../../libs/domain/src/wohngeld';
import type { WohngeldEstimateRequest } from '../../libs/domain/src/wohngeld';
import { caseStageQuery, completeTaskUpdate, documentUploadedSignal, identityUpgradedSignal, submissionReceiptUpdate, withdrawUpdate } from '../shared/case.contract';
import type { Actor } from '../shared/case.contract';
import { WOHNGELD_DEFAULT_SETTINGS, WOHNGELD_REVIEW_FORM, caseWorkflowId, wohngeldChangeReportUpdate } from './wohngeld.contract';
import type { WohngeldInput, WohngeldSettings } from './wohngeld.contract';
import { wohngeldApplication } from './wohngeld.workflow';
import { eventually } from '../../test/support/eventually';
import { fakeCaseActivities, replayFailures, replayRecordedHistories, updateRejection, useTimeSkippingWorker } from '../../test/support/time-skipping';

// The Wohngeld application process on the time-skipping test server with fake activities: proofs
// with reminder and deadline, the § 66 SGB I task, four eyes, the notice, the payment instruction,
// the approval period with its re-application reminder, withdrawal and change reports. The same
// process against real Temporal, PostgreSQL, SMTP and the sandbox:
// apps/api/src/applications/wohngeld.int.spec.ts.

const fake = fakeCaseActivities({ caseNumberPrefix: 'WG' }, () => ({ letters: [] as IssueLetterInput[], fvSubmit: [] as FvSubmitInput[] }));
const { callsOf } = fake;
const mine = () => callsOf(fake.currentWorkflowId());
const fakeActivities = {
  ...fake.activities,
  async issueLetter(input: IssueLetterInput): Promise<IssueLetterResult> {
    mine().letters.push(input);
    return { documentId: `doc-${input.key}`, sha256: 'f'.repeat(64), size: 1000, created: true, ...(input.mail && { mail: { status: 'sent' as const, messageId: `<${input.key}@test>` } }) };
  },
  async fvSubmit(input: FvSubmitInput): Promise<{ externalId: string; status: 'accepted' }> {
    mine().fvSubmit.push(input);
    return { externalId: `ZA-2026-${input.step.toUpperCase()}`, status: 'accepted' };
  },
};

const owner: Actor = { sub: 'citizen-owner', roles: ['citizen'] };
const cw1: Actor = { sub: 'cw-wohngeld-1', roles: ['caseworker'] };
const cw2: Actor = { sub: 'cw-wohngeld-2', roles: ['caseworker'] };

let env: TestWorkflowEnvironment;
let taskQueue: string;
useTimeSkippingWorker({ prefix: 'wohngeld', workflowsPath: require.resolve('./wohngeld.workflow'), activities: fakeActivities }, (w) => ({ env, taskQueue } = w));

function household(raw: unknown): WohngeldEstimateRequest {
  const parsed = parseEstimateRequest(raw);
  if (!parsed.success) throw new Error(JSON.stringify(parsed.errors));
  return parsed.data;
}

/** Two people in Berlin, 570 € rent, one pension: rent contract and one income proof are needed. */
const HOUSEHOLD = household({ municipality: 'Berlin', householdMembers: 2, housing: { kind: 'miete', monthly: 570 }, incomes: [{ member: 1, kind: 'pension', monthlyGross: 880, healthCare: true }] });
const CALCULATED = calculateWohngeld(HOUSEHOLD);

function input(overrides: Partial<WohngeldInput> = {}, settings: Partial<WohngeldSettings> = {}): WohngeldInput {
  return {
    caseId: randomUUID(),
    ownerSub: owner.sub,
    applicant: {
      givenName: 'Erika',
      familyName: 'Mustermann',
      birthDate: '1961-04-02',
      email: 'erika@example.org',
      address: { street: 'Lychener Straße 12', postalCode: '10437', city: 'Berlin' },
      iban: 'DE89370400440532013000',
    },
    household: HOUSEHOLD,
    trustLevel: 'substantiell',
    settings: { ...WOHNGELD_DEFAULT_SETTINGS, ...settings },
    ...overrides,
  };
}

/** Every workflow this file ran, replayed at the end against the current code. */
const ran: string[] = [];

async function submit(i: WohngeldInput) {
  const workflowId = caseWorkflowId(i.caseId);
  ran.push(workflowId);
  const handle = await env.client.workflow.start(wohngeldApplication, { taskQueue, workflowId, args: [i] });
  const receipt = await handle.executeUpdate(submissionReceiptUpdate);
  return { handle, workflowId, receipt };
}

const event = (workflowId: string, key: string) => callsOf(workflowId).events.find((e) => e.eventKey === key);
const waitForEvent = (workflowId: string, key: string) => eventually(() => event(workflowId, key), `event ${key}`);
const waitForTask = (workflowId: string, key: string) => eventually(() => callsOf(workflowId).createTask.find((t) => t.key === key), `task ${key}`);
const requestId = (workflowId: string, round: string, kind: string) => callsOf(workflowId).ids.get(`${round}/${kind}`)!;

async function uploadAll(handle: Awaited<ReturnType<typeof submit>>['handle'], workflowId: string, round = 'proofs') {
  await eventually(() => callsOf(workflowId).openRequests.find((r) => r.key === round), `request round ${round}`);
  const opened = callsOf(workflowId).openRequests.find((r) => r.key === round)!;
  for (const item of opened.items) await handle.signal(documentUploadedSignal, { requestId: requestId(workflowId, round, item.kind), documentId: randomUUID() });
}

async function complete(handle: Awaited<ReturnType<typeof submit>>['handle'], taskId: string, outcome: string, data: Record<string, unknown>, by: Actor) {
  return handle.executeUpdate(completeTaskUpdate, { args: [{ taskId, outcome, data, by }] });
}

/** Letter blocks as one text, for assertions. */
const letterText = (l: IssueLetterInput) => l.letter.blocks.map((b) => (b.kind === 'table' ? b.rows.map((r) => r.join(': ')).join('\n') : b.text)).join('\n');
const DAY = 86_400_000;

// Tests that await a result (time skips to the end of the approval period) come before the ones
// that terminate their workflows: skipping time past terminated workflows has been seen to hang.
describe('Wohngeld application (time-skipping, fake activities)', () => {
  it('identification → missing proofs → reminder → upload → review → notice → payment → re-application reminder after 10 months → closed', async () => {
    expect(CALCULATED.eligible).toBe(true);
    const i = input({ trustLevel: 'basis' }, { fourEyesAboveEur: 5000 });
    const { handle, workflowId, receipt } = await submit(i);
    expect(receipt).toEqual({ caseId: i.caseId, caseNumber: expect.stringMatching(/^WG-2026-\d{6}$/), status: 'SUBMITTED' });

    await waitForEvent(workflowId, 'request-identification');
    expect(await handle.query(caseStageQuery)).toBe('identification');
    await handle.signal(identityUpgradedSignal, { trustLevel: 'substantiell', by: owner });

    // the completeness check asks for the rent contract and the income proof
    const asked = await waitForEvent(workflowId, 'request-proofs');
    expect(callsOf(workflowId).openRequests.find((r) => r.key === 'proofs')?.items.map((x) => x.kind)).toEqual(['rent-contract', 'income-member-1']);
    expect(asked).toMatchObject({ status: 'ACTION_REQUIRED', audience: 'citizen', notify: true });
    expect(asked.text).toMatch(/Mietvertrag oder Mietbescheinigung/);
    expect(asked.text).toMatch(/bis zum \d{1,2}\. \S+ \d{4}/);
    expect(asked.text).toContain('§ 66 Abs. 1 SGB I');

    // one comes at once, the other only after the reminder
    await handle.signal(documentUploadedSignal, { requestId: requestId(workflowId, 'proofs', 'rent-contract'), documentId: randomUUID() });
    await env.sleep('8 days');
    const reminder = await waitForEvent(workflowId, 'request-proofs-reminder');
    expect(reminder.text).toContain('Einkommensnachweise');
    expect(reminder.text).not.toContain('Mietvertrag');
    expect(callsOf(workflowId).createTask).toEqual([]); // the case waits for the proofs
    await handle.signal(documentUploadedSignal, { requestId: requestId(workflowId, 'proofs', 'income-member-1'), documentId: randomUUID() });

    const review = await waitForTask(workflowId, 'review');
    expect(review).toMatchObject({
      type: 'wohngeld.review',
      group: 'wohngeld',
      escalateTo: 'wohngeld-leitung',
      outcomes: ['approve', 'change', 'reject'],
      formSchema: WOHNGELD_REVIEW_FORM,
      caseNumber: receipt.caseNumber,
      caseData: { proofsComplete: true, calculation: { monthlyAmount: CALCULATED.monthlyAmount, eligible: true }, household: HOUSEHOLD },
    });
    expect(event(workflowId, 'calculation')).toMatchObject({ audience: 'internal' });
    await complete(handle, review.taskId, 'approve', { note: 'Nachweise plausibel' }, cw1);

    // the notice: a letter with the figures, mailed; then the payment instruction
    await waitForEvent(workflowId, 'payment');
    const c = callsOf(workflowId);
    expect(c.letters).toHaveLength(1);
    const notice = c.letters[0]!;
    expect(notice).toMatchObject({ caseId: i.caseId, key: 'notice', fileName: `Wohngeldbescheid-${receipt.caseNumber}.pdf`, mail: { subject: `Ihr Wohngeldbescheid – Aktenzeichen ${receipt.caseNumber}` } });
    expect(notice.letter).toMatchObject({ title: 'Bescheid über Wohngeld', reference: receipt.caseNumber, recipient: { name: 'Erika Mustermann' } });
    const t = letterText(notice);
    expect(t).toContain('Rechtsbehelfsbelehrung');
    expect(t).toContain('Bewilligungszeitraum (§ 25 WoGG)');
    expect(c.decisions[0]?.decision).toMatchObject({ outcome: 'approved', monthlyAmount: CALCULATED.monthlyAmount, noticeDocumentId: 'doc-notice', approvalFrom: expect.stringMatching(/^\d{4}-\d{2}-01$/) });
    expect(c.fvSubmit).toEqual([
      {
        adapter: 'wohngeld',
        caseId: i.caseId,
        step: 'payment-instruction',
        kind: 'wohngeld-payment-instruction',
        payload: expect.objectContaining({ iban: 'DE89370400440532013000', monthlyAmount: CALCULATED.monthlyAmount, approvalFrom: c.decisions[0]!.decision.approvalFrom, approvalTo: c.decisions[0]!.decision.approvalTo }),
      },
    ]);
    // the payment event is recorded when its activity starts; the stage follows once it has completed
    await eventually(async () => (await handle.query(caseStageQuery)) === 'approval-period', 'the approval period');
    expect(await updateRejection(handle.executeUpdate(withdrawUpdate, { args: [{ by: owner }] }))).toMatchObject({ type: 'CONFLICT', reason: 'already_decided' });

    // ten months after the period's start (two before its end): the reminder, mailed — not a day earlier
    const [y, m] = String(c.decisions[0]!.decision.approvalFrom).split('-').map(Number) as [number, number];
    const reminderAt = startOfBerlinDay(y, m + 10, 1).getTime();
    await env.sleep(reminderAt - (await env.currentTimeMs()) - DAY);
    await new Promise((r) => setTimeout(r, 500));
    expect(event(workflowId, 'reapply-reminder')).toBeUndefined();
    await env.sleep(2 * DAY);
    const reapply = await waitForEvent(workflowId, 'reapply-reminder');
    expect(reapply).toMatchObject({ audience: 'citizen', notify: true });
    expect(reapply.text).toMatch(/^Ihr Wohngeld ist bis zum \d{1,2}\. \S+ \d{4} bewilligt\. Damit es ohne Unterbrechung weitergezahlt wird, stellen Sie bitte jetzt einen Weiterleistungsantrag/);
    expect(await handle.query(caseStageQuery)).toBe('approval-period');

    // at the end of the approval period the case closes
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'approved', monthlyAmount: CALCULATED.monthlyAmount, noticeDocumentIds: ['doc-notice'] });
    expect(c.events.filter((e) => e.status).map((e) => `${e.eventKey}:${e.status}`)).toEqual([
      'received:RECEIVED',
      'request-identification:ACTION_REQUIRED',
      'request-identification-answered:PROCESSING',
      'request-proofs:ACTION_REQUIRED',
      'request-proofs-answered:PROCESSING',
      'review:PROCESSING',
      'decision:PROCESSING',
      'payment:PROCESSING',
      'closed:COMPLETED',
    ]);
    expect(c.events.filter((e) => e.notify).map((e) => e.eventKey)).toEqual(['received', 'request-identification', 'request-proofs', 'request-proofs-reminder', 'payment', 'reapply-reminder', 'closed']);
    expect(await handle.query(caseStageQuery)).toBe('closed');
  });

  it('change report: refused before the decision and for others; up to 15 % nothing changes; more → new notice and payment instruction', async () => {
    const i = input();
    const { handle, workflowId } = await submit(i);
    await uploadAll(handle, workflowId);
    const review = await waitForTask(workflowId, 'review');
    const report = (monthlyGross: number, by: Actor = owner) => handle.executeUpdate(wohngeldChangeReportUpdate, { args: [{ incomes: [{ member: 1, kind: 'pension', monthlyGross, taxes: false, healthCare: true, pensionInsurance: false }], by }] });
    expect(await updateRejection(report(1000))).toMatchObject({ type: 'CONFLICT', reason: 'not_in_approval_period' });
    await complete(handle, review.taskId, 'approve', {}, cw1);
    await waitForEvent(workflowId, 'payment');

    expect(await updateRejection(report(1000, { sub: 'someone-else', roles: ['citizen'] }))).toMatchObject({ type: 'NOT_FOUND' });
    const invalid = await updateRejection(handle.executeUpdate(wohngeldChangeReportUpdate, { args: [{ incomes: [{ member: 3, kind: 'pension', monthlyGross: 100, taxes: false, healthCare: false, pensionInsurance: false }], by: owner }] }));
    expect(invalid).toMatchObject({ type: 'INVALID', reason: 'invalid_change_report', details: { errors: [{ path: '/incomes/0/member' }] } });

    // +10 %: the notice stands
    const small = await report(968);
    expect(small).toMatchObject({ outcome: 'unchanged', monthlyAmount: CALCULATED.monthlyAmount, previousMonthlyAmount: CALCULATED.monthlyAmount, previousMonthlyIncome: CALCULATED.monthlyIncome });
    expect(small.incomeChangePercent).toBeGreaterThan(9);
    expect(small.incomeChangePercent).toBeLessThanOrEqual(15);
    expect(event(workflowId, 'change-report-1')).toMatchObject({ audience: 'citizen', notify: true });
    expect(event(workflowId, 'change-report-1')?.text).toContain('Eine Erhöhung um nicht mehr als 15 % ändert Ihr Wohngeld nicht');

    // +25 %: recalculated, a change notice of its own, a new payment instruction
    const big = await report(1100);
    const recalculated = calculateWohngeld({ ...HOUSEHOLD, incomes: [{ member: 1, kind: 'pension', monthlyGross: 1100, taxes: false, healthCare: true, pensionInsurance: false }] });
    expect(big).toMatchObject({ outcome: 'recalculated', monthlyAmount: recalculated.monthlyAmount, previousMonthlyAmount: CALCULATED.monthlyAmount, reportedMonthlyIncome: recalculated.monthlyIncome, noticeDocumentId: 'doc-change-notice-2', effectiveFrom: expect.stringMatching(/^\d{4}-\d{2}-01$/) });
    expect(big.incomeChangePercent).toBeGreaterThan(15);
    expect(recalculated.monthlyAmount).toBeLessThan(CALCULATED.monthlyAmount);
    const c = callsOf(workflowId);
    expect(c.letters.map((l) => l.key)).toEqual(['notice', 'change-notice-2']);
    expect(c.letters[1]!.letter.title).toBe('Änderungsbescheid über Wohngeld');
    expect(c.fvSubmit.map((f) => f.step)).toEqual(['payment-instruction', 'payment-instruction-change-2']);
    expect(c.fvSubmit[1]!.payload).toMatchObject({ monthlyAmount: recalculated.monthlyAmount, approvalFrom: big.effectiveFrom });
    expect(c.decisions.at(-1)?.decision).toMatchObject({ outcome: 'approved', monthlyAmount: recalculated.monthlyAmount, noticeDocumentId: 'doc-change-notice-2' });

    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'approved', monthlyAmount: recalculated.monthlyAmount, noticeDocumentIds: ['doc-notice', 'doc-change-notice-2'] });
    // after the period no more reports
    expect(event(workflowId, 'closed')).toMatchObject({ status: 'COMPLETED' });
  });

  it('deadline passed → § 66 SGB I "deny": Versagungsbescheid, COMPLETED, no payment', async () => {
    const { handle, workflowId } = await submit(input());
    await waitForEvent(workflowId, 'request-proofs');
    await env.sleep('15 days');
    const task = await waitForTask(workflowId, 'cooperation-1');
    await complete(handle, task.taskId, 'deny', {}, cw1);
    expect(await handle.result()).toMatchObject({ outcome: 'denied', noticeDocumentIds: ['doc-notice'] });
    const c = callsOf(workflowId);
    expect(c.letters[0]?.letter.title).toBe('Bescheid über die Versagung von Wohngeld');
    expect(letterText(c.letters[0]!)).toContain('Mietvertrag oder Mietbescheinigung');
    expect(c.decisions[0]?.decision).toMatchObject({ outcome: 'denied', noticeDocumentId: 'doc-notice' });
    expect(event(workflowId, 'decision')).toMatchObject({ status: 'COMPLETED', audience: 'citizen' });
    expect(event(workflowId, 'decision')?.text).toMatch(/bis zum \d{1,2}\. \S+ \d{4} nicht vor\. Deshalb haben wir das Wohngeld wegen fehlender Mitwirkung versagt \(§ 66 SGB I\)/);
    expect(c.fvSubmit).toEqual([]);
  });

  it('deadline passed → § 66 SGB I task; "extend" asks again for what is missing only', async () => {
    const { handle, workflowId } = await submit(input());
    await waitForEvent(workflowId, 'request-proofs');
    await handle.signal(documentUploadedSignal, { requestId: requestId(workflowId, 'proofs', 'rent-contract'), documentId: randomUUID() });
    await env.sleep('15 days');
    const task = await waitForTask(workflowId, 'cooperation-1');
    expect(task).toMatchObject({ type: 'wohngeld.cooperation', group: 'wohngeld', outcomes: ['deny', 'extend', 'decide'] });
    expect((task.caseData as { missing: string[] }).missing).toEqual([expect.stringMatching(/^Einkommensnachweise von Ihnen/)]);
    expect(await handle.query(caseStageQuery)).toBe('cooperation');
    expect(event(workflowId, 'request-proofs-expired')).toMatchObject({ audience: 'internal' });

    await complete(handle, task.taskId, 'extend', { note: 'Frist einmal verlängert' }, cw1);
    await waitForEvent(workflowId, 'request-proofs-2');
    expect(callsOf(workflowId).openRequests.find((r) => r.key === 'proofs-2')?.items.map((x) => x.kind)).toEqual(['income-member-1']);
    await uploadAll(handle, workflowId, 'proofs-2');
    const review = await waitForTask(workflowId, 'review');
    expect(review.caseData).toMatchObject({ proofsComplete: true });
    expect((review.caseData as { documents: unknown[] }).documents).toHaveLength(2);
    await handle.terminate('test done');
  });

  it('four eyes: a change by hand needs a second caseworker, who may not be the first; "return" asks again', async () => {
    const { handle, workflowId } = await submit(input());
    await uploadAll(handle, workflowId);
    const review = await waitForTask(workflowId, 'review');

    // a change without its reason is refused at once (requiredByOutcome), nothing happens
    const noReason = await updateRejection(complete(handle, review.taskId, 'change', { monthlyAmount: 150 }, cw1));
    expect(noReason).toMatchObject({ type: 'INVALID', reason: 'form_invalid', details: { errors: [{ path: '/data/reason', message: 'required when the outcome is "change"' }] } });
    await complete(handle, review.taskId, 'change', { monthlyAmount: 150, reason: 'Die Miete ist laut Mietbescheinigung niedriger.' }, cw1);

    const confirm = await waitForTask(workflowId, 'review-confirmation');
    expect(confirm).toMatchObject({ type: 'wohngeld.review-confirmation', outcomes: ['confirm', 'return'], fourEyesExclude: cw1.sub, caseData: { firstDecision: { outcome: 'change', data: { monthlyAmount: 150 } } } });
    expect(await updateRejection(complete(handle, confirm.taskId, 'confirm', {}, cw1))).toMatchObject({ type: 'INVALID', reason: 'four_eyes' });
    await complete(handle, confirm.taskId, 'return', { note: 'Mietbescheinigung fehlt in der Akte' }, cw2);

    // a second round; this time confirmed
    const review2 = await waitForTask(workflowId, 'review-2');
    await complete(handle, review2.taskId, 'change', { monthlyAmount: 150, reason: 'Die Miete ist laut Mietbescheinigung niedriger.' }, cw1);
    const confirm2 = await waitForTask(workflowId, 'review-2-confirmation');
    await complete(handle, confirm2.taskId, 'confirm', {}, cw2);

    await waitForEvent(workflowId, 'payment');
    const c = callsOf(workflowId);
    expect(event(workflowId, 'review-returned')?.text).toContain('Mietbescheinigung fehlt');
    expect(c.decisions[0]?.decision).toMatchObject({ outcome: 'approved', monthlyAmount: 150 });
    expect(letterText(c.letters[0]!)).toContain(`Abweichend von der rechnerischen Ermittlung`);
    expect(letterText(c.letters[0]!)).toContain('Begründung: Die Miete ist laut Mietbescheinigung niedriger.');
    expect(c.fvSubmit[0]?.payload).toMatchObject({ monthlyAmount: 150 });
    await handle.terminate('test done');
  });

  it('four eyes above the configured amount; an approval below it needs none; "change" without an amount is refused (422), the same task stays open', async () => {
    // above: the calculated amount exceeds the limit
    const above = await submit(input({}, { fourEyesAboveEur: CALCULATED.monthlyAmount - 1 }));
    await uploadAll(above.handle, above.workflowId);
    const r1 = await waitForTask(above.workflowId, 'review');
    await complete(above.handle, r1.taskId, 'approve', {}, cw1);
    const confirm = await waitForTask(above.workflowId, 'review-confirmation');
    await complete(above.handle, confirm.taskId, 'confirm', {}, cw2);
    await waitForEvent(above.workflowId, 'payment');
    await above.handle.terminate('test done');

    // at the limit: no second caseworker; a change without an amount is refused by the task's
    // validator (requiredByOutcome) and the caseworker decides on the same task
    const at = await submit(input({}, { fourEyesAboveEur: CALCULATED.monthlyAmount }));
    await uploadAll(at.handle, at.workflowId);
    const r2 = await waitForTask(at.workflowId, 'review');
    expect(r2.formSchema).toMatchObject({ 'x-requiredByOutcome': { change: ['monthlyAmount', 'reason'], reject: ['reason'] } });
    const noAmount = await updateRejection(complete(at.handle, r2.taskId, 'change', { reason: 'ohne Betrag' }, cw1));
    expect(noAmount).toMatchObject({ type: 'INVALID', reason: 'form_invalid', details: { errors: [{ path: '/data/monthlyAmount', message: 'required when the outcome is "change"' }] } });
    await complete(at.handle, r2.taskId, 'approve', {}, cw1);
    await waitForEvent(at.workflowId, 'payment');
    expect(callsOf(at.workflowId).createTask.map((t) => t.key)).toEqual(['review']);
    expect(event(at.workflowId, 'review-incomplete')).toBeUndefined();
    await at.handle.terminate('test done');
  });

  it('reject with a reason: Ablehnungsbescheid, COMPLETED', async () => {
    const { handle, workflowId } = await submit(input());
    await uploadAll(handle, workflowId);
    const review = await waitForTask(workflowId, 'review');
    // a rejection states its reasons (§ 35 SGB X): none, or a blank one, is refused at /data/reason
    for (const data of [{}, { reason: '   ' }, { note: 'nur intern' }]) {
      expect(await updateRejection(complete(handle, review.taskId, 'reject', data, cw1))).toMatchObject({ type: 'INVALID', reason: 'form_invalid', details: { errors: [{ path: '/data/reason' }] } });
    }
    await complete(handle, review.taskId, 'reject', { reason: 'Der Antragsteller wohnt nicht in Berlin.' }, cw1);
    expect(await handle.result()).toMatchObject({ outcome: 'rejected' });
    const c = callsOf(workflowId);
    expect(c.letters[0]?.letter.title).toBe('Bescheid über die Ablehnung von Wohngeld');
    expect(letterText(c.letters[0]!)).toContain('Der Antragsteller wohnt nicht in Berlin.');
    expect(event(workflowId, 'decision')).toMatchObject({ status: 'COMPLETED' });
    expect(c.fvSubmit).toEqual([]);
  });

  it('withdrawal before the decision cancels the open requests and tasks and records WITHDRAWN', async () => {
    const i = input();
    const { handle, workflowId } = await submit(i);
    await waitForEvent(workflowId, 'request-proofs');
    expect(await updateRejection(handle.executeUpdate(withdrawUpdate, { args: [{ by: { sub: 'someone-else', roles: ['citizen'] } }] }))).toMatchObject({ type: 'NOT_FOUND' });
    expect(await handle.executeUpdate(withdrawUpdate, { args: [{ by: owner }] })).toEqual({ status: 'WITHDRAWN' });
    expect(await handle.result()).toMatchObject({ outcome: 'withdrawn', noticeDocumentIds: [] });
    const c = callsOf(workflowId);
    expect(c.closeRequests).toEqual([{ caseId: i.caseId, requestIds: [requestId(workflowId, 'proofs', 'rent-contract'), requestId(workflowId, 'proofs', 'income-member-1')], status: 'cancelled' }]);
    expect(event(workflowId, 'withdrawn')).toMatchObject({ status: 'WITHDRAWN', audience: 'citizen', notify: true });
    expect(c.letters).toEqual([]);

    // with the review task open
    const second = await submit(input());
    await uploadAll(second.handle, second.workflowId);
    const task = await waitForTask(second.workflowId, 'review');
    await second.handle.executeUpdate(withdrawUpdate, { args: [{ by: owner }] });
    expect(await second.handle.result()).toMatchObject({ outcome: 'withdrawn' });
    expect(callsOf(second.workflowId).cancelTask.flatMap((x) => x.taskIds ?? [])).toEqual([task.taskId]);
  });

  it('replays the histories recorded before workflows/shared/case-lifecycle.ts (running cases keep their path)', async () => {
    const { files, failures } = await replayRecordedHistories(require.resolve('./wohngeld.workflow'), join(__dirname, 'histories'), 'before-case-lifecycle.');
    expect(files).toHaveLength(4);
    expect(failures).toEqual([]);
  });

  it('replays the histories recorded before requiredByOutcome (an accepted incomplete decision keeps its new review round)', async () => {
    const { files, failures } = await replayRecordedHistories(require.resolve('./wohngeld.workflow'), join(__dirname, 'histories'), 'before-required-by-outcome.');
    expect(files).toHaveLength(3);
    expect(failures).toEqual([]);
  });

  it('replays every recorded history of this file without nondeterminism', async () => {
    const { replayed, failures } = await replayFailures(env, require.resolve('./wohngeld.workflow'), ran);
    expect(failures).toEqual([]);
    expect(replayed).toBe(ran.length);
  });
});
