import { Body, Controller, Headers, HttpCode, Inject, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Response } from 'express';
import { Pool } from 'pg';
import type { Principal } from '../../../../libs/auth/src/principal';
import { findCaseForOwner } from '../../../../libs/db/src/cases';
import { DomainError } from '../../../../libs/domain/src/errors';
import {
  BEWOHNERPARKEN_TASK_QUEUE,
  BEWOHNERPARKEN_TRUST_LEVEL,
  BEWOHNERPARKEN_WORKFLOW_TYPE,
  caseWorkflowId,
} from '../../../../workflows/bewohnerparken/bewohnerparken.contract';
import type { BewohnerparkenInput } from '../../../../workflows/bewohnerparken/bewohnerparken.contract';
import { submissionReceiptUpdate } from '../../../../workflows/shared/case.contract';
import { CurrentPrincipal, Roles } from '../auth/decorators';
import { caseIdForSubmission } from '../cases/case-id';
import { ApiProblemResponses } from '../docs/problem-responses';
import { ApiZodBody, ApiZodResponse } from '../docs/zod-openapi';
import { IdempotencyKeyHeader } from '../idempotency/idempotent-upload.decorator';
import { TemporalClientHolder } from '../infrastructure/temporal-client.holder';
import { PG_POOL } from '../tokens';
import { ZodValidationPipe } from '../validation/zod-validation.pipe';
import { bewohnerparkenBodySchema, submissionResponseSchema } from './bewohnerparken.schemas';
import type { BewohnerparkenBody, SubmissionResponse } from './bewohnerparken.schemas';

const API_BASE = '/api/v1';

/**
 * Applications (citizen). Submitting starts the case's workflow and asks it for the case number in
 * one call (update-with-start), so the citizen gets `201 {caseId, caseNumber, status}` at once.
 */
@ApiTags('applications')
@Controller('applications')
export class BewohnerparkenController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly temporal: TemporalClientHolder,
  ) {}

  @Post('bewohnerparken')
  @Roles('citizen')
  @HttpCode(201)
  @IdempotencyKeyHeader()
  @ApiOperation({
    summary: 'Apply for a residents’ parking permit (Bewohnerparkausweis)',
    description:
      `Opens a case (case number BP-YYYY-NNNNNN) and starts the process. It needs the level of assurance \`${BEWOHNERPARKEN_TRUST_LEVEL}\`: ` +
      'a lower login is accepted and the case then asks for eID identification (POST /api/v1/cases/{caseId}/identity). ' +
      'The vehicle registration (Zulassungsbescheinigung Teil I) is requested as an upload to the case. ' +
      'With an Idempotency-Key a retried submission returns the same case, never a second one.',
  })
  @ApiZodBody(bewohnerparkenBodySchema)
  @ApiZodResponse(201, submissionResponseSchema, 'Case opened (Location: the case)')
  @ApiProblemResponses(409, 503)
  async submit(
    @CurrentPrincipal() p: Principal,
    @Body(new ZodValidationPipe(bewohnerparkenBodySchema)) body: BewohnerparkenBody,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SubmissionResponse> {
    const caseId = caseIdForSubmission(p.sub, idempotencyKey);
    const input: BewohnerparkenInput = { caseId, ownerSub: p.sub, applicant: body.applicant, vehicle: body.vehicle, zone: body.zone, trustLevel: p.trustLevel };
    const client = this.temporal.get();
    const start = new WithStartWorkflowOperation(BEWOHNERPARKEN_WORKFLOW_TYPE, {
      workflowId: caseWorkflowId(caseId),
      taskQueue: BEWOHNERPARKEN_TASK_QUEUE,
      args: [input],
      // a retry of the same submission while the process runs: the running one answers
      workflowIdConflictPolicy: 'USE_EXISTING',
      // ... and after it has ended: never a second process for the same case
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    let receipt: SubmissionResponse;
    try {
      receipt = await client.workflow.executeUpdateWithStart(submissionReceiptUpdate, { startWorkflowOperation: start });
    } catch (e) {
      if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
      // The process of this submission has ended already: the case file has the answer.
      const existing = await findCaseForOwner(this.pool, caseId, p.sub);
      if (!existing) throw new DomainError('CONFLICT', 'This submission cannot be repeated; use a new Idempotency-Key.', { reason: 'submission_closed' });
      receipt = { caseId: existing.caseId, caseNumber: existing.caseNumber, status: existing.status };
    }
    res.setHeader('Location', `${API_BASE}/cases/${receipt.caseId}`);
    return { caseId: receipt.caseId, caseNumber: receipt.caseNumber, status: receipt.status };
  }
}
