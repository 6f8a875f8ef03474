import { Body, Controller, Headers, HttpCode, Inject, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Pool } from 'pg';
import type { Principal } from '../../../../libs/auth/src/principal';
import { BEWOHNERPARKEN_TASK_QUEUE, BEWOHNERPARKEN_TRUST_LEVEL, BEWOHNERPARKEN_WORKFLOW_TYPE } from '../../../../workflows/bewohnerparken/bewohnerparken.contract';
import type { BewohnerparkenInput } from '../../../../workflows/bewohnerparken/bewohnerparken.contract';
import { CurrentPrincipal, Roles } from '../auth/decorators';
import { ApiProblemResponses } from '../docs/problem-responses';
import { ApiZodBody, ApiZodResponse } from '../docs/zod-openapi';
import { IdempotencyKeyHeader } from '../idempotency/idempotent-upload.decorator';
import { TemporalClientHolder } from '../infrastructure/temporal-client.holder';
import { PG_POOL } from '../tokens';
import { ZodValidationPipe } from '../validation/zod-validation.pipe';
import { submissionResponseSchema } from './application.schemas';
import type { SubmissionResponse } from './application.schemas';
import { bewohnerparkenBodySchema } from './bewohnerparken.schemas';
import type { BewohnerparkenBody } from './bewohnerparken.schemas';
import { submitApplication } from './submit-application';

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
    return submitApplication({ client: this.temporal.get(), pool: this.pool }, res, {
      ownerSub: p.sub,
      idempotencyKey,
      workflowType: BEWOHNERPARKEN_WORKFLOW_TYPE,
      taskQueue: BEWOHNERPARKEN_TASK_QUEUE,
      input: (caseId): BewohnerparkenInput => ({ caseId, ownerSub: p.sub, applicant: body.applicant, vehicle: body.vehicle, zone: body.zone, trustLevel: p.trustLevel }),
    });
  }
}
