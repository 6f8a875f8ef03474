/**
 * The messages every case workflow (Wohngeld, Gewerbeanmeldung, Bewohnerparken, …) understands,
 * whatever its process. The API talks to a case's workflow only through these, looking the
 * workflow id up in the `cases` table — it never needs to know which process runs the case.
 *
 * Workflow ids: `case-<caseId>`, caseId a UUID chosen by the API (derived from the caller and the
 * Idempotency-Key when one is sent, so a retried submission reaches the same workflow). No
 * personal data in ids or search attributes.
 */
import { defineSignal, defineUpdate, defineQuery } from '@temporalio/workflow';
import type { ExternalStatus } from '../../libs/domain/src/cases/case-status';
import type { TrustLevel } from '../../libs/domain/src/identity';

export function caseWorkflowId(caseId: string): string {
  return `case-${caseId}`;
}

/** Who acted, as the API saw it (pseudonymous `sub`, never a name). */
export interface Actor {
  sub: string;
  roles: string[];
}

// --- submission (update-with-start) ---------------------------------------------------------
/** The answer a citizen gets at once when submitting: the case number. */
export interface SubmissionReceipt {
  caseId: string;
  caseNumber: string;
  status: ExternalStatus;
}
/** Update sent together with the start (update-with-start); resolves once the case row exists. */
export const submissionReceiptUpdate = defineUpdate<SubmissionReceipt>('submissionReceipt');

// --- withdrawal ------------------------------------------------------------------------------
export const withdrawUpdate = defineUpdate<{ status: 'WITHDRAWN' }, [{ by: Actor }]>('withdraw');

// --- human tasks -----------------------------------------------------------------------------
export interface CompleteTaskInput {
  taskId: string;
  outcome: string;
  data: Record<string, unknown>;
  /** The caseworker completing it; the API has checked the claim in PostgreSQL already. */
  by: Actor;
}
export interface CompleteTaskResult {
  taskId: string;
  outcome: string;
}
/** Validated by the workflow: task open, outcome allowed, data matches formSchema, four eyes. */
export const completeTaskUpdate = defineUpdate<CompleteTaskResult, [CompleteTaskInput]>('completeTask');

// --- document requests (Nachforderung) -------------------------------------------------------
export interface DocumentUploaded {
  requestId: string;
  documentId: string;
}
export const documentUploadedSignal = defineSignal<[DocumentUploaded]>('documentUploaded');

// --- identity --------------------------------------------------------------------------------
/** The citizen re-authenticated (e.g. with the eID card) and reached this level of assurance. */
export const identityUpgradedSignal = defineSignal<[{ trustLevel: TrustLevel; by: Actor }]>('identityUpgraded');

// --- read model --------------------------------------------------------------------------------
/** For staff and tests only; the citizen view is read from PostgreSQL, never by querying workflows. */
export const caseStageQuery = defineQuery<string>('caseStage');
