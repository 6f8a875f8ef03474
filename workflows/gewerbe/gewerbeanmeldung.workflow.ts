/**
 * Gewerbeanmeldung (GewO § 14, GewAnzV Anlage 1):
 *
 *   submit (update-with-start: case number at once) → RECEIVED, mailed
 *   → ensureTrustLevel('substantiell')                     (ACTION_REQUIRED until eID identification)
 *   → fee through the payment adapter (`epayment`)         (ACTION_REQUIRED; the citizen gets the
 *        provider's page from POST /cases/{id}/payment = feePaymentUpdate; the provider's callback
 *        says paid; unpaid after GEWERBE_PAYMENT_DEADLINE → closed with a notice)
 *   → the Anzeige is complete: the § 15 receipt clock starts (escalation task before it runs out)
 *   → assessment (activity): regulated trade? which § 14 recipients?
 *   → regulated: humanTask in group `gewerbe` — approve / request permit proof (requestDocuments,
 *        then the task again) / reject (fee refunded, see below)
 *   → registration in the Gewerberegister (fvSubmit); failing for good → fee refunded (saga
 *        compensation), citizen told why, case closed
 *   → Empfangsbescheinigung: PDF in the case file and mailed (issueLetter) → COMPLETED
 *   → one delivery per § 14 recipient, in parallel, each with its own long retry policy, each in the
 *        internal timeline when delivered, an operator task when it fails for good.
 *
 * Withdrawal is possible until the registration starts; a paid fee is then refunded.
 *
 * Money is never kept for a service not given (patch `gewerbe-stray-payments`, fee-attempts.ts):
 * a "paid" for any payment attempt is the fee while the fee is open; every other "paid" — a second
 * payment, or one after the case ended (withdrawal, unpaid close, rejection) — is refunded (step
 * `fee-refund:<attempt>`) and the citizen told. After the case ends with an attempt still open the
 * workflow keeps listening for GEWERBE_PAYMENT_LINK_LIFETIME, then asks the provider once about
 * each such attempt (a lost callback) before it completes.
 */
import { ApplicationFailure, CancellationScope, condition, isCancellation, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { GewerbeActivities } from '../../activities/gewerbe';
import { berlinIsoDate, formatBerlinDate, formatBerlinDateTime } from '../../libs/domain/src/berlin-time';
import { addDuration } from '../../libs/domain/src/duration';
import { gewerbeReceiptFileName, gewerbeReceiptLetter } from '../../libs/domain/src/gewerbe-receipt';
import { caseLifecycle } from '../shared/case-lifecycle';
import { caseStageQuery } from '../shared/case.contract';
import { requestDocuments } from '../shared/document-request';
import type { RequestedDocument } from '../shared/document-request';
import { fachverfahrenCallbacks } from '../shared/fachverfahren';
import { CALLBACK_EVENTS, FACHVERFAHREN_ACTIVITY_OPTIONS, fachverfahrenFailure } from '../shared/fachverfahren.contract';
import type { FachverfahrenFailure } from '../shared/fachverfahren.contract';
import { FEE_PAYMENT_REJECTIONS, feePaymentUpdate } from '../shared/fee-payment.contract';
import type { FeePayment } from '../shared/fee-payment.contract';
import { humanTask } from '../shared/human-task';
import { ensureTrustLevel } from '../shared/identity';
import {
  GEWERBEANMELDUNG_CASE_TYPE,
  GEWERBE_ADAPTERS,
  GEWERBE_AUTHORITY,
  GEWERBE_DEFAULT_PROOF,
  GEWERBE_DEFAULT_REJECTION,
  GEWERBE_DELIVERY_FAILURE_FORM,
  GEWERBE_ESCALATION_GROUP,
  GEWERBE_FEE_STEP,
  GEWERBE_GROUP,
  GEWERBE_PATCHES,
  GEWERBE_RECEIPT_OVERDUE_FORM,
  GEWERBE_REFUND_STEP,
  GEWERBE_REGISTRATION,
  GEWERBE_REVIEW_FORM,
  GEWERBE_REVIEW_OUTCOMES,
  GEWERBE_TRUST_LEVEL,
  SUPPORTED_GEWERBE_FORMS,
  strayRefundStep,
} from './gewerbeanmeldung.contract';
import { feeAttempts } from './fee-attempts';
import type { FeeAttempt } from './fee-attempts';
import type { GewerbeAssessment, GewerbeanmeldungInput, GewerbeanmeldungResult, GewerbeanmeldungStage, RecipientDeliveryOutcome } from './gewerbeanmeldung.contract';

type Acts = Activities & GewerbeActivities;

const { openCase, recordCaseEvent, setCaseDecision, issueLetter, assessGewerbeanmeldung, markRecipientDeliveryFailed } = proxyActivities<Acts>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: ['GEWERBE_FORM_UNSUPPORTED'] },
});
const { fvSubmit, paymentStart, paymentStatus, paymentRefund } = proxyActivities<Acts>(FACHVERFAHREN_ACTIVITY_OPTIONS);
/**
 * § 14 deliveries: each on its own, long and with backoff (10 s doubling up to 2 h, 25 attempts ≈
 * a day and a half), so a recipient's outage is ridden out without anyone's attention; a remote's
 * Retry-After shortens the wait (activities/fachverfahren). After that an operator task.
 */
const { deliverRecipientMessage } = proxyActivities<Acts>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '2 hours', maximumAttempts: 25, nonRetryableErrorTypes: ['GEWERBE_MESSAGE_INVALID'] },
});

function conflict(message: string, reason: string): never {
  throw ApplicationFailure.create({ type: 'CONFLICT', message, nonRetryable: true, details: [{ reason }] });
}

/** "15.00" → "15,00 €". */
const euros = (amount: string) => `${amount.replace('.', ',')} €`;

/** What the citizen is told when the Gewerberegister refuses for good. */
function registrationFailureText(f: FachverfahrenFailure): string {
  if (f.kind === 'technical') return 'Das Gewerberegister war über längere Zeit nicht erreichbar, sodass wir Ihr Gewerbe nicht eintragen konnten.';
  if (f.code === 'INVALID_WZ_CODE') return 'Das Gewerberegister hat die Eintragung abgelehnt, weil der angegebene Wirtschaftszweig (WZ-2008-Schlüssel) ungültig ist.';
  return `Das Gewerberegister hat die Eintragung abgelehnt (Grund: ${f.code}).`;
}

function failureType(e: unknown): string {
  for (let c: unknown = e, i = 0; c && i < 8; c = (c as { cause?: unknown }).cause, i++) {
    if (c instanceof ApplicationFailure && c.type) return c.type;
  }
  return e instanceof Error ? e.name : 'ERROR';
}

export async function gewerbeanmeldung(input: GewerbeanmeldungInput): Promise<GewerbeanmeldungResult> {
  if (!SUPPORTED_GEWERBE_FORMS.includes(input.form)) {
    throw ApplicationFailure.create({
      type: 'GEWERBE_FORM_UNSUPPORTED',
      message: `Only the Gewerbeanmeldung (GewAnzV Anlage 1) is supported so far, not "${String(input.form)}"; Ummeldung and Abmeldung follow.`,
      nonRetryable: true,
    });
  }
  // First thing: the payment provider's callback may arrive at any time after paymentStart.
  const callbacks = fachverfahrenCallbacks();
  // Before any other command, so a case keeps the code path it started with (replay of older ones).
  const guardsStrayPayments = patched(GEWERBE_PATCHES.strayPayments);
  const fee = feeAttempts(callbacks, GEWERBE_ADAPTERS.payment);
  const { caseId, settings, request } = input;
  const business = request.business as { name: string; activity: string };

  let stage: GewerbeanmeldungStage = 'opening';
  /** The fee the citizen can pay right now (feePaymentUpdate answers it). */
  let openFee: FeePayment | undefined = undefined;
  let paidFee: { paymentId: string; amount: string } | undefined = undefined;
  let refunded = false;
  let receiptIssued = false;
  /** No fee is collected any more (taken, or the case ended without it): any other "paid" goes back. */
  let feeSettled = false;
  /** The case has its outcome; the workflow only still listens for stray payments. */
  let caseClosed = false;
  let strayRefundsRunning = 0;

  const life = caseLifecycle({
    caseId,
    ownerSub: input.ownerSub,
    recordCaseEvent,
    texts: {
      alreadyWithdrawn: 'Die Anzeige ist bereits zurückgenommen.',
      alreadyDecided: 'Das Verfahren ist bereits abgeschlossen.',
      notReady: 'Ihre Anzeige wird gerade angelegt. Bitte versuchen Sie es gleich noch einmal.',
    },
    withdrawDescription: 'The citizen withdraws the Anzeige (possible until the registration starts; a paid fee is refunded).',
    onWithdraw: () => {
      stage = 'withdrawn';
      openFee = undefined; // no payment link for a withdrawn case
    },
  });
  setHandler(caseStageQuery, () => stage);
  setHandler(feePaymentUpdate, () => openFee!, {
    validator: ({ by }) => {
      if (by?.sub !== input.ownerSub) throw ApplicationFailure.create({ type: 'NOT_FOUND', message: 'There is no such case, or it is not yours.', nonRetryable: true });
      if (paidFee) conflict('Die Gebühr ist bereits bezahlt.', FEE_PAYMENT_REJECTIONS.alreadyPaid);
      if (!openFee) conflict('Für diesen Antrag ist derzeit keine Gebühr zu bezahlen.', FEE_PAYMENT_REJECTIONS.noOpenFee);
    },
    description: 'The open fee’s payment at the provider (POST /api/v1/cases/{caseId}/payment); the same payment on every call.',
  });
  const opened = await openCase({ caseId, type: GEWERBEANMELDUNG_CASE_TYPE, ownerSub: input.ownerSub, ownerEmail: (request.owner as { email?: string }).email ?? null, workflowId: workflowInfo().workflowId });
  const caseNumber = opened.caseNumber;
  life.opened({ caseId, caseNumber, status: opened.status });
  const caseRef = { caseId, caseNumber };

  /**
   * Refunds one payment at the provider (idempotent by `step`); an operator refunds by hand if the
   * provider refuses for good. `suffix` keeps the timeline and task keys of each payment apart.
   */
  async function refundPayment(p: { paymentId: string; amount: string; step: string; reason: string; suffix: string }): Promise<void> {
    try {
      await paymentRefund({ adapter: GEWERBE_ADAPTERS.payment, caseId, step: p.step, paymentId: p.paymentId, reason: p.reason });
      await recordCaseEvent({ caseId, eventKey: `fee-refunded${p.suffix}`, audience: 'internal', text: `Gebühr ${euros(p.amount)} erstattet (Zahlung ${p.paymentId}): ${p.reason}` });
    } catch (e) {
      const failure = fachverfahrenFailure(e);
      if (!failure) throw e;
      await recordCaseEvent({ caseId, eventKey: `fee-refund-failed${p.suffix}`, audience: 'internal', text: `Erstattung der Gebühr fehlgeschlagen (${failure.kind === 'business' ? failure.code : 'Zahlungsanbieter nicht erreichbar'}).` });
      await humanTask({
        key: `fee-refund-manual${p.suffix}`,
        type: 'gewerbe.refund-failed',
        group: GEWERBE_GROUP,
        title: `Gebühr ${euros(p.amount)} von Hand erstatten (Zahlung ${p.paymentId})`,
        formSchema: GEWERBE_DELIVERY_FAILURE_FORM,
        outcomes: ['refunded'],
        dueIn: 'P3D',
        escalateTo: GEWERBE_ESCALATION_GROUP,
        caseRef,
        caseData: { paymentId: p.paymentId, amount: p.amount, reason: p.reason, failure },
      });
    }
  }

  /** Refunds the paid fee (saga compensation). */
  async function refundFee(reason: string): Promise<boolean> {
    if (!paidFee || refunded) return refunded;
    const fee = paidFee;
    await refundPayment({ paymentId: fee.paymentId, amount: fee.amount, step: GEWERBE_REFUND_STEP, reason, suffix: '' });
    refunded = true;
    return refunded;
  }

  /**
   * A "paid" for an attempt that is not the fee: a second payment, or one after the case ended.
   * Refunded at once, and the citizen told (the money left their account). Not cancellable: a
   * refund once begun is finished, whatever else happens to the case.
   */
  async function refundStray(attempt: FeeAttempt): Promise<void> {
    fee.claim(attempt.step);
    strayRefundsRunning++;
    try {
      await CancellationScope.nonCancellable(async () => {
        const afterEnd = caseClosed || life.withdrawn || !paidFee;
        await refundPayment({
          paymentId: attempt.paymentId,
          amount: settings.feeEur,
          step: strayRefundStep(attempt.step),
          reason: afterEnd ? 'Zahlung nach Abschluss des Verfahrens' : 'Gebühr bereits bezahlt (weitere Zahlung)',
          suffix: `-${attempt.step}`,
        });
        await recordCaseEvent({
          caseId,
          eventKey: `stray-payment-refunded-${attempt.step}`,
          audience: 'citizen',
          text:
            `Bei uns ist eine Zahlung von ${euros(settings.feeEur)} zu Ihrer Gewerbeanmeldung ${caseNumber} eingegangen (Zahlung ${attempt.paymentId}), ` +
            (afterEnd ? 'nachdem das Verfahren bereits beendet war. ' : 'obwohl die Gebühr bereits bezahlt war. ') +
            'Wir erstatten Ihnen diesen Betrag; Sie müssen nichts weiter tun.',
          textEn: `A payment of EUR ${settings.feeEur} for your trade registration ${caseNumber} reached us that is not needed; we refund it, you need not do anything.`,
          notify: true,
        });
      });
    } finally {
      strayRefundsRunning--;
    }
  }

  // The stray-payment guard: outside the main scope, so a withdrawal does not stop it.
  const guardScope = new CancellationScope();
  const guarding = guardsStrayPayments
    ? guardScope
        .run(async () => {
          for (;;) {
            await condition(() => feeSettled && fee.nextPaidUnhandled() !== undefined);
            await refundStray(fee.nextPaidUnhandled()!);
          }
        })
        .catch((e: unknown) => {
          if (!isCancellation(e)) throw e;
        })
    : Promise.resolve();

  /**
   * The case has its outcome. An attempt still open may yet be paid at the provider until its link
   * expires: listen that long (every attempt was started before now, so that bounds them all),
   * refund what arrives, then ask the provider once about each attempt still open in case a
   * callback was lost. Then the guard stops and the workflow may complete.
   */
  async function settleFeeAttempts(): Promise<void> {
    feeSettled = true;
    caseClosed = true;
    life.decided(); // set after the registration's: its text gives way to "abgeschlossen"
    openFee = undefined;
    if (fee.unsettled().length > 0) {
      await condition(() => fee.unsettled().length === 0, Math.max(addDuration(new Date(), settings.paymentLinkLifetime).getTime() - Date.now(), 1));
      for (const attempt of fee.unsettled()) {
        const state = await paymentStatus({ adapter: GEWERBE_ADAPTERS.payment, paymentId: attempt.paymentId });
        if (state.status === 'paid' && !fee.isHandled(attempt.step)) await refundStray(attempt);
      }
    }
    await condition(() => strayRefundsRunning === 0);
    guardScope.cancel();
    await guarding;
  }

  /**
   * The fee: a payment at the provider (step `fee`; after an aborted payment a new one, `fee-2` …),
   * offered to the citizen through feePaymentUpdate, until the provider says paid or the deadline
   * passes. At the deadline the provider is asked once more, in case its callback was lost.
   */
  async function collectFee(): Promise<{ paymentId: string; amount: string } | undefined> {
    const dueAt = addDuration(new Date(), settings.paymentDeadline);
    for (let attempt = 1; ; attempt++) {
      const step = attempt === 1 ? GEWERBE_FEE_STEP : `${GEWERBE_FEE_STEP}-${attempt}`;
      const started = await paymentStart({
        adapter: GEWERBE_ADAPTERS.payment,
        caseId,
        step,
        amount: settings.feeEur,
        purpose: `Gewerbeanmeldung ${caseNumber}`,
        returnUrl: settings.paymentReturnUrl,
      });
      const current: FeeAttempt = { step, paymentId: started.paymentId };
      fee.add(current);
      openFee = { paymentId: started.paymentId, redirectUrl: started.redirectUrl, amount: settings.feeEur, currency: 'EUR', status: started.status };
      if (attempt === 1) {
        await recordCaseEvent({
          caseId,
          eventKey: 'fee-requested',
          status: 'ACTION_REQUIRED',
          audience: 'citizen',
          text:
            `Bitte bezahlen Sie die Gebühr für die Gewerbeanmeldung von ${euros(settings.feeEur)} bis zum ${formatBerlinDateTime(dueAt)} online. ` +
            'Den Link zur Bezahlseite erhalten Sie in Ihrer Online-Akte („Gebühr bezahlen“). Ohne Zahlung wird die Anzeige nicht bearbeitet.',
          textEn: `Please pay the fee for your trade registration of EUR ${settings.feeEur} online by the date given above. Without payment the registration is not processed.`,
          notify: true,
        });
      }
      const left = Math.max(dueAt.getTime() - Date.now(), 1);
      // Any attempt's "paid" is the fee (fee-attempts.ts); before the patch only the current one's.
      let cb: { paidAttempt?: FeeAttempt } | undefined;
      if (guardsStrayPayments) {
        const got = await fee.waitForPaidOrFailed(step, left);
        cb = got && { paidAttempt: got.paid ? got.attempt : undefined };
      } else {
        const got = await callbacks.waitFor({ adapter: GEWERBE_ADAPTERS.payment, step, events: [CALLBACK_EVENTS.paymentPaid, CALLBACK_EVENTS.paymentFailed] }, left);
        cb = got && { paidAttempt: got.event === CALLBACK_EVENTS.paymentPaid ? current : undefined };
      }
      let paidAttempt = cb?.paidAttempt;
      if (!cb && (await paymentStatus({ adapter: GEWERBE_ADAPTERS.payment, paymentId: started.paymentId })).status === 'paid') paidAttempt = current;
      if (paidAttempt) {
        fee.claim(paidAttempt.step);
        feeSettled = true;
        openFee = undefined;
        paidFee = { paymentId: paidAttempt.paymentId, amount: settings.feeEur };
        if (paidAttempt.step !== step) {
          await recordCaseEvent({
            caseId,
            eventKey: `fee-paid-${paidAttempt.step}`,
            audience: 'internal',
            text: `Zahlung ${paidAttempt.paymentId} eines früheren Versuchs ist eingegangen und als Gebühr angenommen; wird die offene Zahlung ${started.paymentId} noch bezahlt, wird sie erstattet.`,
          });
        }
        return paidFee;
      }
      if (!cb) {
        openFee = undefined;
        return undefined;
      }
      // The citizen aborted (or the provider declined): a fresh payment, same deadline.
      await recordCaseEvent({ caseId, eventKey: `fee-failed-${attempt}`, audience: 'internal', text: `Zahlung ${started.paymentId} nicht abgeschlossen; neue Zahlung angeboten.` });
    }
  }

  async function closeUnpaid(): Promise<GewerbeanmeldungResult> {
    const text =
      `Die Gebühr von ${euros(settings.feeEur)} für Ihre Gewerbeanmeldung ist nicht fristgerecht eingegangen. ` +
      'Ihre Anzeige wird daher nicht bearbeitet und das Verfahren ist beendet; Ihr Gewerbe ist nicht angemeldet. Sie können es jederzeit erneut anmelden.';
    await setCaseDecision({ caseId, decision: { outcome: 'closed_unpaid', decidedAt: new Date().toISOString(), summary: text } });
    await recordCaseEvent({ caseId, eventKey: 'closed-unpaid', status: 'COMPLETED', audience: 'citizen', text, textEn: 'The fee for your trade registration was not paid in time; the registration is not processed and the case is closed.', notify: true });
    stage = 'unpaid';
    return { caseId, caseNumber, outcome: 'unpaid' };
  }

  /** Ends the case without registration (rejection, or the register refused): fee refunded, citizen told why. */
  async function closeWithoutRegistration(outcome: 'rejected' | 'registration_failed', why: string): Promise<GewerbeanmeldungResult> {
    const refundedNow = await refundFee(outcome === 'rejected' ? 'Gewerbeanmeldung abgelehnt' : 'Eintragung im Gewerberegister fehlgeschlagen');
    const text =
      (outcome === 'rejected' ? `Ihre Gewerbeanmeldung wurde abgelehnt. Begründung: ${why}` : `Ihr Gewerbe konnte nicht eingetragen werden. ${why}`) +
      (refundedNow ? ` Die Gebühr von ${euros(settings.feeEur)} erstatten wir Ihnen.` : '');
    await setCaseDecision({ caseId, decision: { outcome, decidedAt: new Date().toISOString(), summary: text, refunded: refundedNow } });
    await recordCaseEvent({
      caseId,
      eventKey: 'decision',
      status: 'COMPLETED',
      audience: 'citizen',
      text,
      textEn: outcome === 'rejected' ? 'Your trade registration has been refused (reason in German above); the fee is refunded.' : 'Your trade could not be registered (reason in German above); the fee is refunded.',
      notify: true,
    });
    stage = outcome;
    return { caseId, caseNumber, outcome, refunded: refundedNow };
  }

  /** Regulated trades: the caseworker approves, asks for permit proof (then decides again) or rejects. */
  async function review(assessment: GewerbeAssessment): Promise<{ approved: true } | { approved: false; reason: string }> {
    const documents: RequestedDocument[] = [];
    for (let round = 1; ; round++) {
      const r = await humanTask({
        key: round === 1 ? 'review' : `review-${round}`,
        type: 'gewerbe.review',
        group: GEWERBE_GROUP,
        title: `Gewerbeanmeldung prüfen: ${assessment.grounds.map((g) => g.legalBasis).join(', ') || 'erlaubnispflichtige Tätigkeit'}`,
        formSchema: GEWERBE_REVIEW_FORM,
        outcomes: GEWERBE_REVIEW_OUTCOMES,
        // a rejection must state its reasons (§ 39 Abs. 1 VwVfG): the form refuses one without
        requiredByOutcome: { reject: ['reason'] },
        dueIn: 'P1D',
        escalateTo: GEWERBE_ESCALATION_GROUP,
        caseRef,
        caseData: { request, grounds: assessment.grounds, trustLevel: input.trustLevel, documents },
      });
      if (r.outcome === 'approve') {
        await recordCaseEvent({ caseId, eventKey: `review-${round}-approved`, audience: 'internal', text: 'Erlaubnis bzw. Zuverlässigkeit geprüft: Anmeldung freigegeben.' });
        return { approved: true };
      }
      if (r.outcome === 'reject') return { approved: false, reason: typeof r.data.reason === 'string' && r.data.reason.trim() ? r.data.reason.trim() : GEWERBE_DEFAULT_REJECTION };
      const proof = await requestDocuments({
        caseId,
        key: `permit-proof-${round}`,
        items: [{ kind: 'permit-proof', text: typeof r.data.documents === 'string' && r.data.documents.trim() ? r.data.documents.trim() : GEWERBE_DEFAULT_PROOF }],
        deadline: 'P14D',
        remindAfter: 'P7D',
        consequence: 'Liegen die Nachweise bis dahin nicht vor, entscheiden wir nach Aktenlage; ohne Erlaubnis kann das Gewerbe nicht angemeldet werden.',
      });
      documents.push(...proof.documents);
    }
  }

  /**
   * § 15 Abs. 1 GewO: the receipt within three days of the complete Anzeige. If it is still not
   * issued at the escalation point (a regulated case waiting for the caseworker, a slow register),
   * a task in group `gewerbe` says so, due when the three days end (then escalated further).
   * Cancelled — the task with it — as soon as the receipt is out or the case ends otherwise.
   */
  function watchReceiptDeadline(completeAt: Date): { stop(): Promise<void> } {
    const dueAt = addDuration(completeAt, settings.receiptDeadline);
    const escalateAt = addDuration(completeAt, settings.receiptEscalation);
    const scope = new CancellationScope();
    const watching = scope
      .run(async () => {
        if (await condition(() => receiptIssued, Math.max(escalateAt.getTime() - Date.now(), 1))) return;
        await recordCaseEvent({ caseId, eventKey: 'receipt-deadline-near', audience: 'internal', text: `Empfangsbescheinigung (§ 15 Abs. 1 GewO) noch nicht erteilt; Frist endet am ${formatBerlinDateTime(dueAt)}.` });
        await humanTask({
          key: 'receipt-deadline',
          type: 'gewerbe.receipt-deadline',
          group: GEWERBE_GROUP,
          // the case number, not the business name (often the owner's own name): titles are listed in inboxes
          title: `Empfangsbescheinigung fällig bis ${formatBerlinDate(dueAt)} (§ 15 Abs. 1 GewO) — Anmeldung ${caseNumber} abschließen`,
          formSchema: GEWERBE_RECEIPT_OVERDUE_FORM,
          outcomes: ['acknowledge'],
          dueIn: Math.max(dueAt.getTime() - Date.now(), 1),
          escalateTo: GEWERBE_ESCALATION_GROUP,
          caseRef,
          caseData: { stage, receiptDueAt: dueAt.toISOString(), anzeigeCompleteAt: completeAt.toISOString() },
        });
      })
      .catch((e: unknown) => {
        if (!isCancellation(e)) throw e;
      });
    return {
      async stop() {
        scope.cancel();
        await watching;
      },
    };
  }

  async function register(assessment: GewerbeAssessment): Promise<{ registerNumber: string; registeredAt: string } | { failure: FachverfahrenFailure }> {
    try {
      const r = await fvSubmit({
        adapter: GEWERBE_ADAPTERS.register,
        caseId,
        step: GEWERBE_REGISTRATION.step,
        kind: GEWERBE_REGISTRATION.kind,
        payload: { form: input.form, caseNumber, owner: request.owner, business: request.business, reason: request.reason, regulatedGrounds: assessment.grounds.map((g) => g.code) },
      });
      return { registerNumber: r.externalId, registeredAt: new Date().toISOString() };
    } catch (e) {
      const failure = fachverfahrenFailure(e);
      if (!failure) throw e;
      return { failure };
    }
  }

  /** One § 14 recipient: delivered (internal timeline), or after exhausted retries an operator task. */
  async function deliver(recipient: GewerbeAssessment['recipients'][number], meta: { registeredAt: string; createdAt: string }): Promise<RecipientDeliveryOutcome> {
    for (let round = 1; ; round++) {
      try {
        const d = await deliverRecipientMessage({ caseId, caseNumber, form: input.form, recipient, request, registeredAt: meta.registeredAt, createdAt: meta.createdAt, authorityKey: GEWERBE_AUTHORITY.authorityKey });
        await recordCaseEvent({
          caseId,
          eventKey: `delivery-${recipient.id}`,
          audience: 'internal',
          text: `Datenübermittlung an ${recipient.name} (${recipient.legalBasis}, ${recipient.messageType}) zugestellt: Nachricht ${d.messageId}, ${d.attempts} Versuch(e), SHA-256 ${d.xmlSha256}.`,
        });
        return { recipient: recipient.id, status: 'delivered', messageId: d.messageId };
      } catch (e) {
        if (isCancellation(e)) throw e;
        const type = failureType(e);
        await markRecipientDeliveryFailed({ caseId, form: input.form, recipient: recipient.id, error: type });
        await recordCaseEvent({ caseId, eventKey: `delivery-${recipient.id}-failed-${round}`, audience: 'internal', text: `Datenübermittlung an ${recipient.name} endgültig fehlgeschlagen (${type}).` });
        const task = await humanTask({
          key: `delivery-failed-${recipient.id}-${round}`,
          type: 'gewerbe.delivery-failed',
          group: GEWERBE_GROUP,
          title: `Datenübermittlung an ${recipient.name} fehlgeschlagen — erneut senden oder anderweitig erledigt`,
          formSchema: GEWERBE_DELIVERY_FAILURE_FORM,
          outcomes: ['retry', 'handled_manually'],
          dueIn: 'P2D',
          escalateTo: GEWERBE_ESCALATION_GROUP,
          caseRef,
          caseData: { recipient, failure: type },
        });
        if (task.outcome === 'handled_manually') {
          await recordCaseEvent({ caseId, eventKey: `delivery-${recipient.id}-manual`, audience: 'internal', text: `Datenübermittlung an ${recipient.name} anderweitig erledigt.` });
          return { recipient: recipient.id, status: 'handled_manually' };
        }
      }
    }
  }

  async function process(): Promise<GewerbeanmeldungResult> {
    await recordCaseEvent({
      caseId,
      eventKey: 'received',
      status: 'RECEIVED',
      audience: 'citizen',
      text: `Ihre Gewerbeanmeldung für „${business.name}“ ist eingegangen (Aktenzeichen ${caseNumber}).`,
      textEn: `Your trade registration has been received (reference ${caseNumber}).`,
      notify: true,
    });

    stage = 'identification';
    await ensureTrustLevel({ caseId, have: input.trustLevel, need: GEWERBE_TRUST_LEVEL, ownerSub: input.ownerSub });

    stage = 'payment';
    const paid = await collectFee();
    if (!paid) return closeUnpaid();
    // The Anzeige is complete (identified, paid): the three days of § 15 Abs. 1 GewO run from here.
    const completeAt = new Date();
    await recordCaseEvent({
      caseId,
      eventKey: 'fee-paid',
      status: 'PROCESSING',
      audience: 'citizen',
      text: `Vielen Dank, die Gebühr von ${euros(paid.amount)} ist eingegangen. Wir bearbeiten Ihre Gewerbeanmeldung jetzt.`,
      textEn: 'Thank you, the fee has been received. We are now processing your trade registration.',
    });
    const watch = watchReceiptDeadline(completeAt);
    try {
      const assessment = await assessGewerbeanmeldung({ form: input.form, request });
      if (assessment.regulated) {
        stage = 'review';
        const decision = await review(assessment);
        // A rejection refunds the fee: the fee pays for the registration, which does not happen.
        if (!decision.approved) return await closeWithoutRegistration('rejected', decision.reason);
      }

      stage = 'registration';
      // from here on a withdrawal is refused
      life.decided('Ihr Gewerbe wird bereits eingetragen; die Anzeige kann nicht mehr zurückgenommen werden. Melden Sie es gegebenenfalls ab.');
      const reg = await register(assessment);
      if ('failure' in reg) {
        await recordCaseEvent({ caseId, eventKey: 'registration-failed', audience: 'internal', text: `Gewerberegister: Eintragung fehlgeschlagen (${reg.failure.kind === 'business' ? reg.failure.code : 'technisch'}).` });
        return await closeWithoutRegistration('registration_failed', registrationFailureText(reg.failure));
      }

      stage = 'receipt';
      const letter = gewerbeReceiptLetter(request, {
        caseNumber,
        registerNumber: reg.registerNumber,
        receivedAt: completeAt.toISOString(),
        date: berlinIsoDate(new Date()),
        feePaid: paid.amount,
        regulatedGrounds: assessment.regulated ? assessment.grounds.map((g) => ({ title: g.title, legalBasis: g.legalBasis })) : [],
        office: { name: GEWERBE_AUTHORITY.name, addressLines: [...GEWERBE_AUTHORITY.addressLines] },
      });
      const issued = await issueLetter({
        caseId,
        key: 'empfangsbescheinigung',
        fileName: gewerbeReceiptFileName(caseNumber),
        letter,
        mail: {
          subject: `Empfangsbescheinigung zu Ihrer Gewerbeanmeldung ${caseNumber}`,
          text: `Ihr Gewerbe „${business.name}“ ist angemeldet und im Gewerberegister unter der Nummer ${reg.registerNumber} eingetragen. Anbei erhalten Sie die Empfangsbescheinigung nach § 15 Abs. 1 GewO.`,
        },
      });
      receiptIssued = true;
      await watch.stop();
      await setCaseDecision({
        caseId,
        decision: { outcome: 'registered', decidedAt: reg.registeredAt, summary: `Gewerbe angemeldet (Gewerberegister-Nr. ${reg.registerNumber}).`, registerNumber: reg.registerNumber, noticeDocumentId: issued.documentId },
      });
      // Not mailed: the receipt's mail (issueLetter) is the citizen's message.
      await recordCaseEvent({
        caseId,
        eventKey: 'decision',
        status: 'COMPLETED',
        audience: 'citizen',
        text: `Ihr Gewerbe „${business.name}“ ist angemeldet (Gewerberegister-Nr. ${reg.registerNumber}). Die Empfangsbescheinigung liegt in Ihrer Online-Akte.`,
      });

      // § 14 Abs. 8 GewO: every recipient at once and in parallel, each retried on its own, so one
      // that fails does not hold up the others. The statistics office goes out at once as well: the
      // law allows until the first working day of the following month, at once is within that.
      stage = 'deliveries';
      const meta = { registeredAt: reg.registeredAt, createdAt: new Date().toISOString() };
      const deliveries = await Promise.all(assessment.recipients.map((r) => deliver(r, meta)));
      stage = 'registered';
      return { caseId, caseNumber, outcome: 'registered', registerNumber: reg.registerNumber, receiptDocumentId: issued.documentId, deliveries };
    } finally {
      await watch.stop();
    }
  }

  return life.run(process, {
    beforeEnd: async () => {
      if (guardsStrayPayments) await settleFeeAttempts();
    },
    // Compensation: a paid fee goes back (the registration will not happen).
    withdrawn: async () => {
      const back = await CancellationScope.nonCancellable(() => refundFee('Gewerbeanmeldung zurückgenommen'));
      if (guardsStrayPayments) await CancellationScope.nonCancellable(settleFeeAttempts);
      return { caseId, caseNumber, outcome: 'withdrawn', refunded: back };
    },
  });
}
