/**
 * Wohngeld — the application process (issue #5, DESIGN.md "Wohngeld"):
 *
 *   submit (update-with-start: case number at once) → RECEIVED, mailed
 *   → ensureTrustLevel('substantiell')                 (ACTION_REQUIRED until the citizen identifies with eID)
 *   → completeness check (requiredWohngeldProofs) → requestDocuments (deadline P14D, reminder P7D)
 *       deadline passed → § 66 SGB I task: deny (Versagung) / extend (a new round) / decide on the facts
 *   → calculation (calculateWohngeld, WoGG 2025)
 *   → review task, group `wohngeld`: approve / change (amount + reason) / reject (reason);
 *     a second caseworker (four eyes) when changed by hand or above WOHNGELD_FOUR_EYES_ABOVE_EUR
 *   → notice (Bescheid) as PDF in the case file, mailed (issueLetter)
 *   → approved: payment instruction to the Wohngeld Fachverfahren (fvSubmit, step `payment-instruction`)
 *     → approval period (§ 25 WoGG: 12 months from the first of the month of application)
 *     → reminder to apply again two months before its end → COMPLETED at its end
 *     rejected / denied: COMPLETED at once
 *
 * Withdrawal (withdrawUpdate) until the caseworker has decided: cancels the main scope (open tasks
 * and requests are marked cancelled by their building blocks) and records WITHDRAWN. A change
 * report (wohngeldChangeReportUpdate) during the approval period recalculates when the income rose
 * by more than 15 % (§ 27 Abs. 2 Nr. 3 WoGG) and issues a change notice.
 *
 * The calculation runs in the workflow: it is pure decimal arithmetic over the law's tables
 * (libs/domain), deterministic on replay. A change of the tables for running cases needs patched().
 */
import { ApplicationFailure, condition, patched, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { berlinIsoDate, formatBerlinDate } from '../../libs/domain/src/berlin-time';
import { firstOfNextMonth, wohngeldApprovalPeriod, wohngeldIncomeChange } from '../../libs/domain/src/wohngeld/approval';
import type { WohngeldApprovalPeriod } from '../../libs/domain/src/wohngeld/approval';
import { dec } from '../../libs/domain/src/wohngeld/decimal';
import { calculateWohngeld } from '../../libs/domain/src/wohngeld/estimate';
import type { WohngeldEstimate } from '../../libs/domain/src/wohngeld/estimate';
import { formatDateDe, formatEuro, wohngeldNoticeLetter } from '../../libs/domain/src/wohngeld/notice';
import type { WohngeldNoticeFigures, WohngeldNoticeInput } from '../../libs/domain/src/wohngeld/notice';
import { requiredWohngeldProofs } from '../../libs/domain/src/wohngeld/proofs';
import type { WohngeldProof } from '../../libs/domain/src/wohngeld/proofs';
import { parseEstimateRequest } from '../../libs/domain/src/wohngeld/schema';
import type { WohngeldEstimateRequest } from '../../libs/domain/src/wohngeld/schema';
import { WOHNGELD_MINIMUM_AMOUNT } from '../../libs/domain/src/wohngeld/tables';
import { caseStageQuery } from '../shared/case.contract';
import { caseLifecycle } from '../shared/case-lifecycle';
import { requestDocuments } from '../shared/document-request';
import type { RequestedDocument } from '../shared/document-request';
import { FACHVERFAHREN_ACTIVITY_OPTIONS, fachverfahrenFailure } from '../shared/fachverfahren.contract';
import { humanTask, humanTaskWithFourEyes } from '../shared/human-task';
import type { HumanTaskResult } from '../shared/human-task';
import { ensureTrustLevel } from '../shared/identity';
import {
  WOHNGELD_CASE_TYPE,
  WOHNGELD_CONFIRMATION_FORM,
  WOHNGELD_CONFIRMATION_OUTCOMES,
  WOHNGELD_COOPERATION_FORM,
  WOHNGELD_COOPERATION_OUTCOMES,
  WOHNGELD_DEFAULT_REJECTION,
  WOHNGELD_ESCALATION_GROUP,
  WOHNGELD_FACHVERFAHREN,
  WOHNGELD_GROUP,
  WOHNGELD_OFFICE,
  WOHNGELD_PATCHES,
  WOHNGELD_PAYMENT_FAILURE_FORM,
  WOHNGELD_REASON_TEXT,
  WOHNGELD_REVIEW_FORM,
  WOHNGELD_REVIEW_OUTCOMES,
  WOHNGELD_REVIEW_REQUIRED_BY_OUTCOME,
  WOHNGELD_TRUST_LEVEL,
  wohngeldChangeReportUpdate,
} from './wohngeld.contract';
import type { WohngeldChangeReportInput, WohngeldChangeReportResult, WohngeldInput, WohngeldResult, WohngeldStage } from './wohngeld.contract';

const { openCase, recordCaseEvent, setCaseDecision, issueLetter } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
const { fvSubmit } = proxyActivities<Activities>(FACHVERFAHREN_ACTIVITY_OPTIONS);

function failure(type: 'CONFLICT' | 'NOT_FOUND' | 'INVALID', message: string, details?: Record<string, unknown>): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true, details: details ? [details] : undefined });
}

/** The figures the notice shows, from the calculation. */
function figuresOf(household: WohngeldEstimateRequest, est: WohngeldEstimate): WohngeldNoticeFigures {
  return {
    householdMembers: household.householdMembers,
    countedMembers: household.entitledMembers,
    monthlyIncome: est.monthlyIncome,
    housingKind: household.housing.kind,
    actualHousingCost: household.housing.monthly,
    consideredRent: est.consideredRent,
    mietstufeRoman: est.breakdown.mietstufeRoman,
    calculatedAmount: est.monthlyAmount,
  };
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

export async function wohngeldApplication(input: WohngeldInput): Promise<WohngeldResult> {
  const { caseId, settings, applicant } = input;
  let stage: WohngeldStage = 'opening';
  const noticeDocumentIds: string[] = [];

  /** What the current notice rests on; set once approved (the approval period runs). */
  let granted: { monthlyAmount: number; monthlyIncome: number; period: WohngeldApprovalPeriod } | undefined;
  let inApprovalPeriod = false;
  let changeReports = 0;
  let changeInProgress = false;
  /** The household the current notice rests on (a recalculated change report replaces the incomes). */
  let householdNow: WohngeldEstimateRequest = input.household;

  // Handlers first: the submission's update arrives with the start (update-with-start).
  const life = caseLifecycle({ caseId, ownerSub: input.ownerSub, recordCaseEvent, onWithdraw: () => (stage = 'withdrawn') });
  setHandler(caseStageQuery, () => stage);
  setHandler(wohngeldChangeReportUpdate, (report) => changeReport(report), {
    validator: (report) => {
      if (report?.by?.sub !== input.ownerSub) failure('NOT_FOUND', 'There is no such case, or it is not yours.');
      if (!inApprovalPeriod || !granted) {
        failure('CONFLICT', 'Änderungen können nur während eines laufenden Bewilligungszeitraums mitgeteilt werden.', { reason: 'not_in_approval_period' });
      }
      if (changeInProgress) failure('CONFLICT', 'Ihre vorige Mitteilung wird gerade bearbeitet. Bitte versuchen Sie es gleich noch einmal.', { reason: 'change_report_in_progress' });
      const parsed = parseEstimateRequest({ ...householdNow, incomes: report.incomes });
      if (!parsed.success) {
        failure('INVALID', 'Die Einkommensangaben sind nicht möglich; siehe errors.', { reason: 'invalid_change_report', errors: parsed.errors.map((e) => ({ path: e.pointer, message: e.message })) });
      }
    },
    description: 'The citizen reports changed incomes during the approval period (§ 27 WoGG).',
  });

  const opened = await openCase({ caseId, type: WOHNGELD_CASE_TYPE, ownerSub: input.ownerSub, ownerEmail: applicant.email, workflowId: workflowInfo().workflowId });
  const caseNumber = opened.caseNumber;
  const appliedAt = new Date(opened.submittedAt);
  const applicationDate = berlinIsoDate(appliedAt);
  life.opened({ caseId, caseNumber, status: opened.status });
  const caseRef = { caseId, caseNumber };

  const noticeBase = (): Pick<WohngeldNoticeInput, 'caseNumber' | 'date' | 'applicationDate' | 'office' | 'recipient' | 'ibanEnding'> => ({
    caseNumber,
    date: berlinIsoDate(new Date()),
    applicationDate,
    office: { name: WOHNGELD_OFFICE.name, addressLines: [...WOHNGELD_OFFICE.addressLines] },
    recipient: { givenName: applicant.givenName, familyName: applicant.familyName, address: applicant.address },
    ibanEnding: applicant.iban.slice(-4),
  });

  async function process(): Promise<WohngeldResult> {
    await recordCaseEvent({
      caseId,
      eventKey: 'received',
      status: 'RECEIVED',
      audience: 'citizen',
      text: `Ihr Antrag auf Wohngeld vom ${formatBerlinDate(appliedAt)} ist bei uns eingegangen (Aktenzeichen ${caseNumber}). Wir prüfen jetzt, ob alle Angaben und Nachweise vollständig sind, und melden uns, wenn wir etwas von Ihnen brauchen.`,
      textEn: `Your Wohngeld (housing benefit) application has been received (reference ${caseNumber}). We are checking whether all details and proofs are complete and will contact you if we need anything.`,
      notify: true,
    });

    stage = 'identification';
    await ensureTrustLevel({ caseId, have: input.trustLevel, need: WOHNGELD_TRUST_LEVEL, ownerSub: input.ownerSub });

    stage = 'proofs';
    const proofs = await collectProofs();
    if (proofs.denied) return proofs.denied;

    // --- the calculation (§ 19 WoGG) -----------------------------------------------------------
    const est = calculateWohngeld(input.household);
    await recordCaseEvent({
      caseId,
      eventKey: 'calculation',
      audience: 'internal',
      text:
        `Berechnung nach § 19 WoGG (${est.breakdown.lawVersion}): ${formatEuro(est.monthlyAmount)} monatlich` +
        `${est.reason ? ` (kein Anspruch: ${est.reason})` : ''}; Y = ${formatEuro(est.monthlyIncome)}, M = ${formatEuro(est.consideredRent)}, Mietstufe ${est.breakdown.mietstufeRoman}.`,
    });
    await recordCaseEvent({
      caseId,
      eventKey: 'review',
      status: 'PROCESSING',
      audience: 'citizen',
      text:
        (proofs.complete ? 'Ihre Unterlagen sind vollständig. ' : '') +
        'Wir haben Ihr Wohngeld berechnet; eine Sachbearbeiterin oder ein Sachbearbeiter prüft jetzt Ihren Antrag. ' +
        'Sie müssen nichts weiter tun. Den Bescheid erhalten Sie per E-Mail und in Ihrer Online-Akte.',
    });

    // --- review (four eyes when changed by hand or above the amount) ------------------------------
    stage = 'review';
    const decision = await review(est, proofs);
    life.decided(); // from here on a withdrawal is refused

    if (decision.outcome === 'reject') return reject(decision.completedAt, text(decision.data.reason) ?? WOHNGELD_DEFAULT_REJECTION, est);
    const changed = decision.outcome === 'change';
    const amount = changed ? (decision.data.monthlyAmount as number) : est.monthlyAmount;
    if (amount < WOHNGELD_MINIMUM_AMOUNT) {
      // approving a calculation that pays nothing, or a change to below 10 €, is a rejection (§ 21 Nr. 1 WoGG)
      const why = (changed ? text(decision.data.reason) : undefined) ?? (est.reason ? WOHNGELD_REASON_TEXT[est.reason] : undefined) ?? WOHNGELD_DEFAULT_REJECTION;
      return reject(decision.completedAt, why, est);
    }
    return approve(decision.completedAt, amount, est, changed ? text(decision.data.reason) : undefined);
  }

  /** The completeness check and the proof requests, with the § 66 SGB I task when the deadline passes. */
  async function collectProofs(): Promise<{ complete: boolean; documents: RequestedDocument[]; missing: WohngeldProof[]; denied?: WohngeldResult }> {
    const needed = requiredWohngeldProofs(input.household);
    const documents: RequestedDocument[] = [];
    let items: WohngeldProof[] = needed;
    for (let round = 1; ; round++) {
      const r = await requestDocuments({
        caseId,
        key: round === 1 ? 'proofs' : `proofs-${round}`,
        items,
        deadline: settings.proofDeadline,
        remindAfter: settings.proofReminder,
        consequence: 'Liegen die Nachweise bis dahin nicht vor, können wir das Wohngeld wegen fehlender Mitwirkung ganz versagen (§ 66 Abs. 1 SGB I).',
      });
      documents.push(...r.documents);
      if (r.outcome === 'fulfilled') return { complete: true, documents, missing: [] };
      const expired = new Set(r.requests.filter((q) => q.status === 'expired').map((q) => q.kind));
      items = items.filter((i) => expired.has(i.kind));

      stage = 'cooperation';
      const task = await humanTask({
        key: `cooperation-${round}`,
        type: 'wohngeld.cooperation',
        group: WOHNGELD_GROUP,
        title: `Wohngeld ${caseNumber}: Nachweise fehlen – Entscheidung nach § 66 SGB I`,
        formSchema: WOHNGELD_COOPERATION_FORM,
        outcomes: WOHNGELD_COOPERATION_OUTCOMES,
        dueIn: settings.reviewDueIn,
        escalateTo: WOHNGELD_ESCALATION_GROUP,
        caseRef,
        caseData: { deadline: r.dueBy, missing: items.map((i) => i.text), received: documents, applicant: { givenName: applicant.givenName, familyName: applicant.familyName }, household: input.household },
      });
      await recordCaseEvent({ caseId, eventKey: `cooperation-${round}`, audience: 'internal', text: `§ 66 SGB I: ${task.outcome} (${task.completedBy}).${text(task.data.note) ? ` Vermerk: ${text(task.data.note)}` : ''}` });
      if (task.outcome === 'deny') {
        life.decided();
        return { complete: false, documents, missing: items, denied: await deny(task.completedAt, items, r.dueBy, text(task.data.reason)) };
      }
      if (task.outcome === 'decide') return { complete: false, documents, missing: items };
      stage = 'proofs'; // extend: a new round for what is still missing
    }
  }

  async function review(est: WohngeldEstimate, proofs: { complete: boolean; documents: RequestedDocument[]; missing: WohngeldProof[] }): Promise<HumanTaskResult> {
    const above = (amount: number) => dec(amount).greaterThan(dec(settings.fourEyesAboveEur));
    // What each outcome needs is refused at completion (requiredByOutcome: 422 at /data/<field>, a
    // blank reason by the form's pattern), so a decision is always complete. A case that reached its
    // review before that may have accepted an incomplete one: it keeps asking again (replay).
    const checkedAtCompletion = patched(WOHNGELD_PATCHES.requiredByOutcome);
    const incomplete = (first: HumanTaskResult) =>
      !checkedAtCompletion &&
      ((first.outcome === 'change' && (typeof first.data.monthlyAmount !== 'number' || !text(first.data.reason))) || (first.outcome === 'reject' && !text(first.data.reason)));
    for (let round = 1; ; round++) {
      const key = round === 1 ? 'review' : `review-${round}`;
      const r = await humanTaskWithFourEyes(
        {
          key,
          type: 'wohngeld.review',
          group: WOHNGELD_GROUP,
          title: `Wohngeld ${caseNumber} prüfen und entscheiden`,
          formSchema: WOHNGELD_REVIEW_FORM,
          outcomes: WOHNGELD_REVIEW_OUTCOMES,
          requiredByOutcome: WOHNGELD_REVIEW_REQUIRED_BY_OUTCOME,
          dueIn: settings.reviewDueIn,
          escalateTo: WOHNGELD_ESCALATION_GROUP,
          caseRef,
          caseData: {
            applicant: { givenName: applicant.givenName, familyName: applicant.familyName, birthDate: applicant.birthDate, address: applicant.address },
            household: input.household,
            calculation: { monthlyAmount: est.monthlyAmount, eligible: est.eligible, reason: est.reason ?? null, monthlyIncome: est.monthlyIncome, consideredRent: est.consideredRent, breakdown: est.breakdown },
            proofsComplete: proofs.complete,
            missingProofs: proofs.missing.map((p) => p.text),
            documents: proofs.documents,
            fourEyesAboveEur: settings.fourEyesAboveEur,
          },
        },
        {
          confirmWhen: (first) => !incomplete(first) && (first.outcome === 'change' || (first.outcome === 'approve' && above(est.monthlyAmount))),
          confirmation: (first) => ({
            key: `${key}-confirmation`,
            type: 'wohngeld.review-confirmation',
            group: WOHNGELD_GROUP,
            title: `Wohngeld ${caseNumber}: Entscheidung bestätigen (Vier-Augen-Prinzip)`,
            formSchema: WOHNGELD_CONFIRMATION_FORM,
            outcomes: WOHNGELD_CONFIRMATION_OUTCOMES,
            dueIn: settings.reviewDueIn,
            escalateTo: WOHNGELD_ESCALATION_GROUP,
            caseRef,
            caseData: { firstDecision: { outcome: first.outcome, data: first.data, by: first.completedBy }, calculation: { monthlyAmount: est.monthlyAmount, monthlyIncome: est.monthlyIncome, consideredRent: est.consideredRent } },
          }),
        },
      );
      const first = r.first;
      if (incomplete(first)) {
        await recordCaseEvent({ caseId, eventKey: `${key}-incomplete`, audience: 'internal', text: `Entscheidung „${first.outcome}“ ohne ${first.outcome === 'change' ? 'Betrag und Begründung' : 'Begründung'}; neue Prüfung.` });
        continue;
      }
      if (r.confirmation?.outcome === 'return') {
        await recordCaseEvent({ caseId, eventKey: `${key}-returned`, audience: 'internal', text: `Vier-Augen-Prüfung: zurückgegeben von ${r.confirmation.completedBy}.${text(r.confirmation.data.note) ? ` Vermerk: ${text(r.confirmation.data.note)}` : ''}` });
        continue;
      }
      // a change to an amount above the limit after an approve below it cannot happen: change always has four eyes
      return { ...first, completedAt: r.completedAt };
    }
  }

  async function reject(decidedAt: string, reason: string, est: WohngeldEstimate | undefined): Promise<WohngeldResult> {
    stage = 'notice';
    const letter = wohngeldNoticeLetter({ ...noticeBase(), kind: 'rejection', reason, figures: est ? figuresOf(input.household, est) : undefined });
    const notice = await issueLetter({
      caseId,
      key: 'notice',
      fileName: `Wohngeldbescheid-${caseNumber}.pdf`,
      letter,
      mail: { subject: `Ihr Wohngeldbescheid – Aktenzeichen ${caseNumber}`, text: `Guten Tag ${applicant.givenName} ${applicant.familyName},\n\nüber Ihren Antrag auf Wohngeld vom ${formatBerlinDate(appliedAt)} haben wir entschieden: Wir müssen ihn leider ablehnen. Die Begründung und wie Sie Widerspruch einlegen können, lesen Sie im Bescheid.` },
    });
    noticeDocumentIds.push(notice.documentId);
    await setCaseDecision({ caseId, decision: { outcome: 'rejected', decidedAt, summary: reason, noticeDocumentId: notice.documentId } });
    await recordCaseEvent({
      caseId,
      eventKey: 'decision',
      status: 'COMPLETED',
      audience: 'citizen',
      text: `Wir haben über Ihren Antrag entschieden und müssen ihn leider ablehnen. Begründung: ${reason} Den Bescheid mit der Rechtsbehelfsbelehrung haben wir Ihnen per E-Mail geschickt; er liegt auch in Ihrer Online-Akte. Sie können innerhalb eines Monats Widerspruch einlegen.`,
      textEn: `Your Wohngeld application has been refused. The notice (in German) with the reasons and how to appeal within one month is in your online case file and was sent to you by e-mail.`,
    });
    stage = 'rejected';
    return { caseId, caseNumber, outcome: 'rejected', noticeDocumentIds };
  }

  async function deny(decidedAt: string, missing: WohngeldProof[], dueBy: string, extra: string | undefined): Promise<WohngeldResult> {
    stage = 'notice';
    const deadline = berlinIsoDate(new Date(dueBy));
    const letter = wohngeldNoticeLetter({ ...noticeBase(), kind: 'denial', missingProofs: missing.map((m) => m.text), proofDeadline: deadline, reason: extra });
    const notice = await issueLetter({
      caseId,
      key: 'notice',
      fileName: `Wohngeldbescheid-${caseNumber}.pdf`,
      letter,
      mail: { subject: `Ihr Wohngeldbescheid – Aktenzeichen ${caseNumber}`, text: `Guten Tag ${applicant.givenName} ${applicant.familyName},\n\nweil die angeforderten Nachweise bis zum ${formatDateDe(deadline)} nicht vorlagen, haben wir das Wohngeld nach § 66 SGB I versagt. Reichen Sie die Nachweise nach, prüfen wir Ihren Antrag erneut.` },
    });
    noticeDocumentIds.push(notice.documentId);
    await setCaseDecision({ caseId, decision: { outcome: 'denied', decidedAt, summary: 'Versagung wegen fehlender Mitwirkung (§ 66 SGB I).', noticeDocumentId: notice.documentId } });
    await recordCaseEvent({
      caseId,
      eventKey: 'decision',
      status: 'COMPLETED',
      audience: 'citizen',
      text:
        `Die angeforderten Nachweise (${missing.map((m) => m.text).join('; ')}) lagen bis zum ${formatDateDe(deadline)} nicht vor. Deshalb haben wir das Wohngeld wegen fehlender Mitwirkung versagt (§ 66 SGB I). ` +
        'Den Bescheid haben wir Ihnen per E-Mail geschickt; er liegt auch in Ihrer Online-Akte. Reichen Sie die Nachweise nach, können wir das Wohngeld nachträglich bewilligen (§ 67 SGB I).',
      textEn: 'Wohngeld has been denied because the requested proofs did not arrive in time (§ 66 SGB I). The notice (in German) is in your online case file and was sent to you by e-mail.',
    });
    stage = 'denied';
    return { caseId, caseNumber, outcome: 'denied', noticeDocumentIds };
  }

  async function approve(decidedAt: string, amount: number, est: WohngeldEstimate, changedReason: string | undefined): Promise<WohngeldResult> {
    stage = 'notice';
    const period = wohngeldApprovalPeriod(appliedAt, settings.approvalMonths, settings.reapplyLead);
    const from = formatDateDe(period.from);
    const to = formatDateDe(period.to);
    const letter = wohngeldNoticeLetter({
      ...noticeBase(),
      kind: 'approval',
      figures: figuresOf(input.household, est),
      monthlyAmount: amount,
      approvalFrom: period.from,
      approvalTo: period.to,
      changedByHandReason: changedReason,
    });
    const notice = await issueLetter({
      caseId,
      key: 'notice',
      fileName: `Wohngeldbescheid-${caseNumber}.pdf`,
      letter,
      mail: {
        subject: `Ihr Wohngeldbescheid – Aktenzeichen ${caseNumber}`,
        text: `Guten Tag ${applicant.givenName} ${applicant.familyName},\n\nIhr Wohngeld ist bewilligt: ${formatEuro(amount)} monatlich vom ${from} bis ${to}. Alle Einzelheiten stehen im beigefügten Bescheid.`,
      },
    });
    noticeDocumentIds.push(notice.documentId);
    await setCaseDecision({
      caseId,
      decision: { outcome: 'approved', decidedAt, summary: `Wohngeld bewilligt: ${formatEuro(amount)} monatlich vom ${from} bis ${to}.`, monthlyAmount: amount, approvalFrom: period.from, approvalTo: period.to, noticeDocumentId: notice.documentId },
    });
    await recordCaseEvent({
      caseId,
      eventKey: 'decision',
      status: 'PROCESSING',
      audience: 'citizen',
      text: `Ihr Wohngeld ist bewilligt: ${formatEuro(amount)} monatlich vom ${from} bis ${to}. Den Bescheid haben wir Ihnen per E-Mail geschickt; er liegt auch in Ihrer Online-Akte. Wir weisen die Zahlung jetzt an.`,
      textEn: `Your Wohngeld has been granted: ${amount} euros a month for the period given in the notice (in German), which is in your online case file. We are now arranging the payment.`,
    });

    stage = 'payment';
    await instructPayment(WOHNGELD_FACHVERFAHREN.step, { monthlyAmount: amount, approvalFrom: period.from, approvalTo: period.to });
    await recordCaseEvent({
      caseId,
      eventKey: 'payment',
      status: 'PROCESSING',
      audience: 'citizen',
      text:
        `Die Zahlung ist angewiesen: Sie erhalten ${formatEuro(amount)} monatlich im Voraus auf Ihr Konto mit der IBAN-Endung ${applicant.iban.slice(-4)}; Beträge für zurückliegende Monate kommen mit der ersten Zahlung. ` +
        `Bitte teilen Sie uns bis zum ${to} mit, wenn Ihr Einkommen um mehr als 15 % steigt (in Ihrer Online-Akte unter „Änderung mitteilen“).`,
      textEn: `The payment has been instructed: you will receive ${amount} euros a month in advance. Please tell us if your income rises by more than 15 % during the approval period.`,
      notify: true,
    });

    // --- the approval period --------------------------------------------------------------------------
    stage = 'approval-period';
    granted = { monthlyAmount: amount, monthlyIncome: est.monthlyIncome, period };
    inApprovalPeriod = true;
    const untilReminder = Date.parse(period.reapplyReminderAt) - Date.now();
    if (untilReminder > 0) await sleep(untilReminder);
    await recordCaseEvent({
      caseId,
      eventKey: 'reapply-reminder',
      audience: 'citizen',
      text:
        `Ihr Wohngeld ist bis zum ${to} bewilligt. Damit es ohne Unterbrechung weitergezahlt wird, stellen Sie bitte jetzt einen Weiterleistungsantrag – spätestens bis zum ${to}. ` +
        'Wohngeld wird nicht automatisch weitergezahlt. Den Antrag stellen Sie online wie beim ersten Mal.',
      textEn: `Your Wohngeld is granted until ${period.to}. To keep receiving it without a gap, please apply again now, at the latest by that date; it is not paid on automatically.`,
      notify: true,
    });
    const untilEnd = Date.parse(period.endsAt) - Date.now();
    if (untilEnd > 0) await sleep(untilEnd);
    await condition(() => !changeInProgress);
    inApprovalPeriod = false;
    await recordCaseEvent({
      caseId,
      eventKey: 'closed',
      status: 'COMPLETED',
      audience: 'citizen',
      text: `Ihr Bewilligungszeitraum ist am ${to} zu Ende gegangen; damit ist dieser Antrag abgeschlossen. Haben Sie einen Weiterleistungsantrag gestellt, bearbeiten wir ihn unter einem eigenen Aktenzeichen.`,
      textEn: `Your approval period ended on ${period.to}; this application is closed. A new application is handled under its own reference.`,
      notify: true,
    });
    stage = 'closed';
    return { caseId, caseNumber, outcome: 'approved', monthlyAmount: granted.monthlyAmount, approvalFrom: period.from, approvalTo: period.to, noticeDocumentIds };
  }

  /**
   * The payment instruction to the Wohngeld Fachverfahren, idempotent by case + step. Technical
   * faults are retried by the activity's policy (about two hours); when those are exhausted or the
   * Fachverfahren refuses, a caseworker decides: try again (a new step) or note that the payment
   * was instructed by hand.
   */
  async function instructPayment(step: string, amounts: { monthlyAmount: number; approvalFrom: string; approvalTo: string }): Promise<void> {
    const payload = { ...amounts, iban: applicant.iban, caseNumber, beneficiary: { givenName: applicant.givenName, familyName: applicant.familyName } };
    for (let attempt = 1; ; attempt++) {
      const s = attempt === 1 ? step : `${step}-${attempt}`;
      try {
        const r = await fvSubmit({ adapter: WOHNGELD_FACHVERFAHREN.adapter, caseId, step: s, kind: WOHNGELD_FACHVERFAHREN.kind, payload });
        await recordCaseEvent({ caseId, eventKey: `${s}-accepted`, audience: 'internal', text: `Zahlungsanordnung an das Fachverfahren Wohngeld angenommen (${r.externalId}, ${r.status}).` });
        return;
      } catch (e) {
        const f = fachverfahrenFailure(e);
        if (!f) throw e;
        const what = f.kind === 'business' ? `abgelehnt (${f.code})` : 'nicht erreichbar';
        await recordCaseEvent({ caseId, eventKey: `${s}-failure`, audience: 'internal', text: `Fachverfahren Wohngeld: Zahlungsanordnung ${what}.` });
        const task = await humanTask({
          key: `${s}-failure`,
          type: 'wohngeld.payment-failure',
          group: WOHNGELD_GROUP,
          title: `Wohngeld ${caseNumber}: Zahlungsanordnung ${what} – erneut senden oder manuell erledigt`,
          formSchema: WOHNGELD_PAYMENT_FAILURE_FORM,
          outcomes: ['retry', 'manual'],
          dueIn: 'P1D',
          escalateTo: WOHNGELD_ESCALATION_GROUP,
          caseRef,
          caseData: { failure: f, monthlyAmount: amounts.monthlyAmount, approvalFrom: amounts.approvalFrom, approvalTo: amounts.approvalTo },
        });
        if (task.outcome === 'manual') return;
      }
    }
  }

  /** § 27 WoGG: recalculates when the income rose by more than 15 %, else records that nothing changes. */
  async function changeReport(report: WohngeldChangeReportInput): Promise<WohngeldChangeReportResult> {
    changeInProgress = true;
    const n = ++changeReports;
    try {
      const now = new Date();
      const household = { ...householdNow, incomes: report.incomes };
      const parsed = parseEstimateRequest(household);
      if (!parsed.success) failure('INVALID', 'Die Einkommensangaben sind nicht möglich.', { reason: 'invalid_change_report' });
      const before = granted!;
      const est = calculateWohngeld(parsed.data);
      const change = wohngeldIncomeChange(before.monthlyIncome, est.monthlyIncome);
      const percent = Number.isFinite(change.changePercent) ? change.changePercent : null;
      const base = { previousMonthlyIncome: before.monthlyIncome, reportedMonthlyIncome: est.monthlyIncome, incomeChangePercent: percent, previousMonthlyAmount: before.monthlyAmount };
      const reported = formatBerlinDate(now);
      const effectiveFrom = firstOfNextMonth(now);

      if (!change.significant || effectiveFrom > before.period.to) {
        const how = percent === null ? '' : percent > 0 ? ` Ihr Einkommen ist um ${String(percent).replace('.', ',')} % gestiegen.` : percent < 0 ? ` Ihr Einkommen ist um ${String(-percent).replace('.', ',')} % gesunken.` : '';
        await recordCaseEvent({
          caseId,
          eventKey: `change-report-${n}`,
          audience: 'citizen',
          text:
            `Vielen Dank für Ihre Mitteilung vom ${reported}.${how} ` +
            (change.significant
              ? `Die Änderung wirkt erst nach dem Ende Ihres Bewilligungszeitraums am ${formatDateDe(before.period.to)}; Ihr Wohngeld von ${formatEuro(before.monthlyAmount)} monatlich bleibt bis dahin unverändert.`
              : `Eine Erhöhung um nicht mehr als 15 % ändert Ihr Wohngeld nicht (§ 27 Abs. 2 WoGG): Es bleibt bei ${formatEuro(before.monthlyAmount)} monatlich. Sie müssen nichts weiter tun.`) +
            (percent !== null && percent < 0 ? ' Ist Ihr Einkommen deutlich gesunken, können Sie einen neuen Antrag stellen; das Wohngeld kann dann höher ausfallen.' : ''),
          notify: true,
        });
        return { ...base, outcome: 'unchanged', monthlyAmount: before.monthlyAmount };
      }

      const amount = est.eligible ? est.monthlyAmount : 0;
      const letter = wohngeldNoticeLetter({
        ...noticeBase(),
        kind: 'change',
        figures: figuresOf(parsed.data, est),
        monthlyAmount: amount,
        previousMonthlyAmount: before.monthlyAmount,
        effectiveFrom,
        approvalTo: before.period.to,
        reportDate: berlinIsoDate(now),
      });
      const notice = await issueLetter({
        caseId,
        key: `change-notice-${n}`,
        fileName: `Wohngeld-Aenderungsbescheid-${caseNumber}-${n}.pdf`,
        letter,
        mail: {
          subject: `Ihr Wohngeld-Änderungsbescheid – Aktenzeichen ${caseNumber}`,
          text: `Guten Tag ${applicant.givenName} ${applicant.familyName},\n\nnach Ihrer Mitteilung vom ${reported} haben wir Ihr Wohngeld neu berechnet: ab dem ${formatDateDe(effectiveFrom)} ${formatEuro(amount)} monatlich (bisher ${formatEuro(before.monthlyAmount)}). Alle Einzelheiten stehen im beigefügten Änderungsbescheid.`,
        },
      });
      noticeDocumentIds.push(notice.documentId);
      householdNow = parsed.data;
      granted = { monthlyAmount: amount, monthlyIncome: est.monthlyIncome, period: before.period };
      await setCaseDecision({
        caseId,
        decision: {
          outcome: 'approved',
          decidedAt: now.toISOString(),
          summary: `Wohngeld ab ${formatDateDe(effectiveFrom)} neu festgesetzt: ${formatEuro(amount)} monatlich bis ${formatDateDe(before.period.to)}.`,
          monthlyAmount: amount,
          approvalFrom: before.period.from,
          approvalTo: before.period.to,
          changedFrom: effectiveFrom,
          noticeDocumentId: notice.documentId,
        },
      });
      if (amount > 0) {
        await instructPayment(`${WOHNGELD_FACHVERFAHREN.step}-change-${n}`, { monthlyAmount: amount, approvalFrom: effectiveFrom, approvalTo: before.period.to });
      } else {
        // the adapter knows no "stop" instruction: the caseworkers stop the payments in the Fachverfahren
        await humanTask({
          key: `payment-stop-${n}`,
          type: 'wohngeld.payment-stop',
          group: WOHNGELD_GROUP,
          title: `Wohngeld ${caseNumber}: Zahlung ab ${formatDateDe(effectiveFrom)} im Fachverfahren einstellen`,
          formSchema: WOHNGELD_PAYMENT_FAILURE_FORM,
          outcomes: ['done'],
          dueIn: 'P1D',
          escalateTo: WOHNGELD_ESCALATION_GROUP,
          caseRef,
          caseData: { effectiveFrom, noticeDocumentId: notice.documentId },
        });
      }
      await recordCaseEvent({
        caseId,
        eventKey: `change-report-${n}`,
        audience: 'citizen',
        text:
          `Vielen Dank für Ihre Mitteilung vom ${reported}. Ihr Einkommen ist um mehr als 15 % gestiegen, deshalb haben wir Ihr Wohngeld neu berechnet: ` +
          (amount > 0 ? `ab dem ${formatDateDe(effectiveFrom)} ${formatEuro(amount)} monatlich (bisher ${formatEuro(before.monthlyAmount)}).` : `ab dem ${formatDateDe(effectiveFrom)} steht Ihnen kein Wohngeld mehr zu.`) +
          ' Den Änderungsbescheid haben wir Ihnen per E-Mail geschickt; er liegt auch in Ihrer Online-Akte.',
      });
      return { ...base, outcome: 'recalculated', monthlyAmount: amount, effectiveFrom, noticeDocumentId: notice.documentId };
    } finally {
      changeInProgress = false;
    }
  }

  return life.run(process, { withdrawn: () => ({ caseId, caseNumber, outcome: 'withdrawn', noticeDocumentIds }) });
}
