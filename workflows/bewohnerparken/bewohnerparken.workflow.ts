/**
 * Bewohnerparkausweis — the reference process that composes every platform building block:
 *
 *   submit (update-with-start: case number at once) → RECEIVED, mailed
 *   → ensureTrustLevel('substantiell')            (ACTION_REQUIRED until the citizen identifies with eID)
 *   → requestDocuments(vehicle registration …)    (ACTION_REQUIRED, reminder after 7 days, deadline 14 days)
 *   → humanTask for group `parken` (approve / reject with reason)
 *   → approve: permit issued in the permit register (fvSubmit, idempotent by case + step)
 *              → decision stored, COMPLETED, mailed
 *     reject:  decision with the reason, COMPLETED, mailed
 *
 * Withdrawal (withdrawUpdate) is possible until the caseworker has decided: it cancels the main
 * scope — open tasks and requests are marked cancelled by their building blocks — and records
 * WITHDRAWN. See bewohnerparken.contract.ts for the choices (level of assurance, documents, fee).
 */
import { proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { berlinIsoDate, formatBerlinDate } from '../../libs/domain/src/berlin-time';
import { addDuration } from '../../libs/domain/src/duration';
import { caseStageQuery } from '../shared/case.contract';
import { caseLifecycle } from '../shared/case-lifecycle';
import { requestDocuments } from '../shared/document-request';
import type { DocumentRequestItem } from '../shared/document-request';
import { FACHVERFAHREN_ACTIVITY_OPTIONS, fachverfahrenFailure } from '../shared/fachverfahren.contract';
import { humanTask } from '../shared/human-task';
import { ensureTrustLevel } from '../shared/identity';
import {
  BEWOHNERPARKEN_CASE_TYPE,
  BEWOHNERPARKEN_DEFAULT_REJECTION,
  BEWOHNERPARKEN_DOCUMENTS,
  BEWOHNERPARKEN_ESCALATION_GROUP,
  BEWOHNERPARKEN_FACHVERFAHREN,
  BEWOHNERPARKEN_GROUP,
  BEWOHNERPARKEN_PERMIT_FAILURE_FORM,
  BEWOHNERPARKEN_REVIEW_FORM,
  BEWOHNERPARKEN_TIMING,
  BEWOHNERPARKEN_TRUST_LEVEL,
} from './bewohnerparken.contract';
import type { BewohnerparkenInput, BewohnerparkenResult, BewohnerparkenStage } from './bewohnerparken.contract';

const { openCase, recordCaseEvent, setCaseDecision } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
const { fvSubmit } = proxyActivities<Activities>(FACHVERFAHREN_ACTIVITY_OPTIONS);

const DAY_MS = 24 * 3600_000;

export async function bewohnerparkenWorkflow(input: BewohnerparkenInput): Promise<BewohnerparkenResult> {
  const { caseId, zone } = input;
  let stage: BewohnerparkenStage = 'opening';
  // Handlers first: the submission's update arrives with the start (update-with-start).
  const life = caseLifecycle({ caseId, ownerSub: input.ownerSub, recordCaseEvent, onWithdraw: () => (stage = 'withdrawn') });
  setHandler(caseStageQuery, () => stage);

  const opened = await openCase({ caseId, type: BEWOHNERPARKEN_CASE_TYPE, ownerSub: input.ownerSub, ownerEmail: input.applicant.email, workflowId: workflowInfo().workflowId });
  const caseNumber = opened.caseNumber;
  life.opened({ caseId, caseNumber, status: opened.status });
  const caseRef = { caseId, caseNumber };

  /** The process up to the decision and beyond; cancelled (before the decision) by a withdrawal. */
  async function process(): Promise<BewohnerparkenResult> {
    await recordCaseEvent({
      caseId,
      eventKey: 'received',
      status: 'RECEIVED',
      audience: 'citizen',
      text: `Ihr Antrag auf einen Bewohnerparkausweis für die ${zone} ist eingegangen (Aktenzeichen ${caseNumber}). Wir prüfen ihn jetzt.`,
      textEn: `Your application for a residents' parking permit for ${zone} has been received (reference ${caseNumber}). We are now checking it.`,
      notify: true,
    });

    stage = 'identification';
    const identity = await ensureTrustLevel({ caseId, have: input.trustLevel, need: BEWOHNERPARKEN_TRUST_LEVEL, ownerSub: input.ownerSub });

    stage = 'documents';
    const items: DocumentRequestItem[] = [BEWOHNERPARKEN_DOCUMENTS.vehicleRegistration, ...(input.vehicle.registeredToApplicant ? [] : [BEWOHNERPARKEN_DOCUMENTS.usePermission])];
    const proof = await requestDocuments({
      caseId,
      key: 'vehicle-documents',
      items,
      deadline: BEWOHNERPARKEN_TIMING.documentDeadline,
      remindAfter: BEWOHNERPARKEN_TIMING.documentReminder,
      consequence: 'Liegen die Unterlagen bis dahin nicht vor, entscheiden wir nach Aktenlage; ohne Nachweis kann der Ausweis in der Regel nicht erteilt werden.',
    });

    stage = 'review';
    const review = await humanTask({
      key: 'review',
      type: 'bewohnerparken.review',
      group: BEWOHNERPARKEN_GROUP,
      title: `Bewohnerparkausweis ${zone} prüfen`,
      formSchema: BEWOHNERPARKEN_REVIEW_FORM,
      outcomes: ['approve', 'reject'],
      dueIn: BEWOHNERPARKEN_TIMING.reviewDueIn,
      escalateTo: BEWOHNERPARKEN_ESCALATION_GROUP,
      caseRef,
      caseData: {
        applicant: input.applicant,
        vehicle: input.vehicle,
        zone,
        trustLevel: identity.level,
        documentsComplete: proof.outcome === 'fulfilled',
        documentDeadline: proof.dueBy,
        documents: proof.documents,
      },
    });
    life.decided(); // from here on a withdrawal is refused

    if (review.outcome === 'reject') {
      return reject(review.completedAt, typeof review.data.reason === 'string' ? review.data.reason : undefined);
    }

    stage = 'issuing';
    const decidedAt = new Date(review.completedAt);
    const validFrom = berlinIsoDate(decidedAt);
    const validUntil =
      typeof review.data.validUntil === 'string' && review.data.validUntil > validFrom
        ? review.data.validUntil
        : berlinIsoDate(new Date(addDuration(decidedAt, BEWOHNERPARKEN_TIMING.permitValidity).getTime() - DAY_MS));

    const issued = await issuePermit({
      zone,
      licensePlate: input.vehicle.licensePlate,
      validFrom,
      validUntil,
      holder: { givenName: input.applicant.givenName, familyName: input.applicant.familyName, address: input.applicant.address },
    });
    if (issued.rejected) return reject(issued.rejected.at, issued.rejected.reason);

    await setCaseDecision({
      caseId,
      decision: {
        outcome: 'approved',
        decidedAt: review.completedAt,
        summary: `Bewohnerparkausweis für die ${zone} erteilt.`,
        zone,
        permitNumber: issued.permitNumber,
        validFrom,
        validUntil,
      },
    });
    const from = formatBerlinDate(new Date(`${validFrom}T12:00:00Z`));
    const until = formatBerlinDate(new Date(`${validUntil}T12:00:00Z`));
    await recordCaseEvent({
      caseId,
      eventKey: 'decision',
      status: 'COMPLETED',
      audience: 'citizen',
      text:
        `Ihr Bewohnerparkausweis für die ${zone} ist erteilt (Ausweisnummer ${issued.permitNumber}, gültig vom ${from} bis ${until}). ` +
        'Wir senden Ihnen den Ausweis per Post zu; legen Sie ihn gut sichtbar hinter die Windschutzscheibe.',
      textEn: `Your residents' parking permit for ${zone} has been issued (permit number ${issued.permitNumber}, valid from ${validFrom} to ${validUntil}). We will send it to you by post.`,
      notify: true,
    });
    stage = 'approved';
    return { caseId, caseNumber, outcome: 'approved', permitNumber: issued.permitNumber, validFrom, validUntil };
  }

  async function reject(decidedAt: string, reason: string | undefined): Promise<BewohnerparkenResult> {
    const why = reason?.trim() || BEWOHNERPARKEN_DEFAULT_REJECTION;
    await setCaseDecision({ caseId, decision: { outcome: 'rejected', decidedAt, summary: why, zone } });
    await recordCaseEvent({
      caseId,
      eventKey: 'decision',
      status: 'COMPLETED',
      audience: 'citizen',
      text: `Ihr Antrag auf einen Bewohnerparkausweis für die ${zone} wurde abgelehnt. Begründung: ${why}`,
      textEn: `Your application for a residents' parking permit for ${zone} has been refused. Reason (German): ${why}`,
      notify: true,
    });
    stage = 'rejected';
    return { caseId, caseNumber, outcome: 'rejected' };
  }

  /**
   * Issues the permit in the register. Technical faults are retried by the activity's policy
   * (about two hours); when those are exhausted, or the register refuses (a business rejection),
   * a caseworker of the group decides: try again (a new step, so the register sees a new request)
   * or refuse the permit with a reason.
   */
  async function issuePermit(payload: Record<string, unknown>): Promise<{ permitNumber: string; rejected?: undefined } | { rejected: { at: string; reason?: string }; permitNumber?: undefined }> {
    for (let attempt = 1; ; attempt++) {
      const step = attempt === 1 ? BEWOHNERPARKEN_FACHVERFAHREN.step : `${BEWOHNERPARKEN_FACHVERFAHREN.step}-${attempt}`;
      try {
        const r = await fvSubmit({ adapter: BEWOHNERPARKEN_FACHVERFAHREN.adapter, caseId, step, kind: BEWOHNERPARKEN_FACHVERFAHREN.kind, payload });
        return { permitNumber: r.externalId };
      } catch (e) {
        const failure = fachverfahrenFailure(e);
        if (!failure) throw e;
        const what = failure.kind === 'business' ? `abgelehnt (${failure.code})` : 'nicht erreichbar';
        await recordCaseEvent({ caseId, eventKey: `permit-failure-${attempt}`, audience: 'internal', text: `Ausweisregister: Erteilung ${what}.` });
        const decision = await humanTask({
          key: `permit-failure-${attempt}`,
          type: 'bewohnerparken.permit-failure',
          group: BEWOHNERPARKEN_GROUP,
          title: `Ausweisregister: Erteilung ${what} — erneut versuchen oder ablehnen`,
          formSchema: BEWOHNERPARKEN_PERMIT_FAILURE_FORM,
          outcomes: ['retry', 'reject'],
          dueIn: 'P1D',
          escalateTo: BEWOHNERPARKEN_ESCALATION_GROUP,
          caseRef,
          caseData: { failure, payload },
        });
        if (decision.outcome === 'reject') return { rejected: { at: decision.completedAt, reason: typeof decision.data.reason === 'string' ? decision.data.reason : undefined } };
      }
    }
  }

  return life.run(process, { withdrawn: () => ({ caseId, caseNumber, outcome: 'withdrawn' }) });
}
