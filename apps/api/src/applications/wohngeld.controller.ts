import { Body, Controller, Headers, HttpCode, Inject, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Pool } from 'pg';
import type { Principal } from '../../../../libs/auth/src/principal';
import type { AppConfig } from '../../../../libs/config/src/config';
import { WOHNGELD_TASK_QUEUE, WOHNGELD_TRUST_LEVEL, WOHNGELD_WORKFLOW_TYPE } from '../../../../workflows/wohngeld/wohngeld.contract';
import type { WohngeldInput, WohngeldSettings } from '../../../../workflows/wohngeld/wohngeld.contract';
import { CurrentPrincipal, Roles } from '../auth/decorators';
import { ApiProblemResponses } from '../docs/problem-responses';
import { ApiZodBody, ApiZodResponse } from '../docs/zod-openapi';
import { IdempotencyKeyHeader } from '../idempotency/idempotent-upload.decorator';
import { TemporalClientHolder } from '../infrastructure/temporal-client.holder';
import { APP_CONFIG, PG_POOL } from '../tokens';
import { ZodValidationPipe } from '../validation/zod-validation.pipe';
import { submissionResponseSchema } from './application.schemas';
import type { SubmissionResponse } from './application.schemas';
import { submitApplication } from './submit-application';
import { wohngeldApplicationBodyDocSchema, wohngeldApplicationBodySchema } from './wohngeld.schemas';
import type { WohngeldApplicationBody } from './wohngeld.schemas';

/** The case's settings from configuration (WOHNGELD_*): fixed at submission, the workflow cannot read env. */
export function wohngeldSettings(config: AppConfig): WohngeldSettings {
  return {
    proofDeadline: config.WOHNGELD_PROOF_DEADLINE,
    proofReminder: config.WOHNGELD_PROOF_REMINDER,
    fourEyesAboveEur: config.WOHNGELD_FOUR_EYES_ABOVE_EUR,
    approvalMonths: config.WOHNGELD_APPROVAL_MONTHS,
    reapplyLead: config.WOHNGELD_REAPPLY_LEAD,
    reviewDueIn: config.WOHNGELD_REVIEW_DUE_IN,
  };
}

/**
 * The Wohngeld application (citizen): starts the case's workflow and asks it for the case number
 * in one call (update-with-start), so the citizen gets `201 {caseId, caseNumber, status}` at once.
 */
@ApiTags('applications')
@Controller('applications')
export class WohngeldApplicationController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly temporal: TemporalClientHolder,
  ) {}

  @Post('wohngeld')
  @Roles('citizen')
  @HttpCode(201)
  @IdempotencyKeyHeader()
  @ApiOperation({
    summary: 'Apply for Wohngeld (housing benefit)',
    description:
      `Opens a case (case number WG-YYYY-NNNNNN) and starts the process. It needs the level of assurance \`${WOHNGELD_TRUST_LEVEL}\`: ` +
      'a lower login is accepted and the case then asks for eID identification (POST /api/v1/cases/{caseId}/identity). ' +
      '`household` is the Wohngeld estimate request; the proofs it calls for (rent contract, income per earning member, ' +
      'disability or single-parent proof where claimed) are requested as uploads to the case with a deadline. ' +
      'The IBAN is checked (mod 97). With an Idempotency-Key a retried submission returns the same case, never a second one.',
  })
  @ApiZodBody(wohngeldApplicationBodyDocSchema)
  @ApiZodResponse(201, submissionResponseSchema, 'Case opened (Location: the case)')
  @ApiProblemResponses(409, 503)
  async submit(
    @CurrentPrincipal() p: Principal,
    @Body(new ZodValidationPipe(wohngeldApplicationBodySchema)) body: WohngeldApplicationBody,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SubmissionResponse> {
    const settings = wohngeldSettings(this.config);
    return submitApplication({ client: this.temporal.get(), pool: this.pool }, res, {
      ownerSub: p.sub,
      idempotencyKey,
      workflowType: WOHNGELD_WORKFLOW_TYPE,
      taskQueue: WOHNGELD_TASK_QUEUE,
      input: (caseId): WohngeldInput => ({ caseId, ownerSub: p.sub, applicant: body.applicant, household: body.household, trustLevel: p.trustLevel, settings }),
    });
  }
}
