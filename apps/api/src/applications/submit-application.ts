import type { Client } from '@temporalio/client';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Pool } from 'pg';
import { findCaseForOwner } from '../../../../libs/db/src/cases';
import { DomainError } from '../../../../libs/domain/src/errors';
import { caseWorkflowId, submissionReceiptUpdate } from '../../../../workflows/shared/case.contract';
import { caseIdForSubmission } from '../cases/case-id';
import type { SubmissionResponse } from './application.schemas';

const API_BASE = '/api/v1';

export interface ApplicationSubmission<I> {
  /** The citizen's `sub`: the case's owner. */
  ownerSub: string;
  idempotencyKey: string | undefined;
  workflowType: string;
  taskQueue: string;
  /** The workflow's input for the case id chosen here. */
  input: (caseId: string) => I;
}

/**
 * Submits an application — the same for every process, so written once (the controllers only
 * validate and build the input): starts the case's workflow and asks it for the case number in one
 * call (update-with-start), so the citizen gets `201 {caseId, caseNumber, status}` at once. With an
 * Idempotency-Key the case id is derived from it: a retry while the process runs gets the running
 * one's receipt; after it has ended the case file answers, and a key reused by someone else is a
 * 409 (problem+json through DomainError). Sets the Location header to the case.
 */
export async function submitApplication<I>(
  deps: { client: Client; pool: Pool },
  res: { setHeader(name: string, value: string): unknown },
  s: ApplicationSubmission<I>,
): Promise<SubmissionResponse> {
  const caseId = caseIdForSubmission(s.ownerSub, s.idempotencyKey);
  const start = new WithStartWorkflowOperation(s.workflowType, {
    workflowId: caseWorkflowId(caseId),
    taskQueue: s.taskQueue,
    args: [s.input(caseId)],
    // a retry of the same submission while the process runs: the running one answers
    workflowIdConflictPolicy: 'USE_EXISTING',
    // ... and after it has ended: never a second process for the same case
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  });
  let receipt: SubmissionResponse;
  try {
    receipt = await deps.client.workflow.executeUpdateWithStart(submissionReceiptUpdate, { startWorkflowOperation: start });
  } catch (e) {
    if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
    // The process of this submission has ended already: the case file has the answer.
    const existing = await findCaseForOwner(deps.pool, caseId, s.ownerSub);
    if (!existing) throw new DomainError('CONFLICT', 'This submission cannot be repeated; use a new Idempotency-Key.', { reason: 'submission_closed' });
    receipt = { caseId: existing.caseId, caseNumber: existing.caseNumber, status: existing.status };
  }
  res.setHeader('Location', `${API_BASE}/cases/${receipt.caseId}`);
  return { caseId: receipt.caseId, caseNumber: receipt.caseNumber, status: receipt.status };
}
