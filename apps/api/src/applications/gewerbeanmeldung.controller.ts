import { Body, Controller, Headers, HttpCode, Inject, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Pool } from 'pg';
import type { Principal } from '../../../../libs/auth/src/principal';
import type { AppConfig } from '../../../../libs/config/src/config';
import { gewerbeanmeldungSchema, parseGewerbeanmeldung } from '../../../../libs/domain/src/gewerbe';
import { GEWERBEANMELDUNG_WORKFLOW_TYPE, GEWERBE_TASK_QUEUE, GEWERBE_TRUST_LEVEL } from '../../../../workflows/gewerbe/gewerbeanmeldung.contract';
import type { GewerbeanmeldungInput } from '../../../../workflows/gewerbe/gewerbeanmeldung.contract';
import { CurrentPrincipal, Roles } from '../auth/decorators';
import { ApiProblemResponses } from '../docs/problem-responses';
import { ApiZodBody, ApiZodResponse } from '../docs/zod-openapi';
import { IdempotencyKeyHeader } from '../idempotency/idempotent-upload.decorator';
import { TemporalClientHolder } from '../infrastructure/temporal-client.holder';
import { ApiProblem, problemType } from '../problem/problem';
import { APP_CONFIG, PG_POOL } from '../tokens';
import { submissionResponseSchema } from './application.schemas';
import type { SubmissionResponse } from './application.schemas';
import { submitApplication } from './submit-application';

const API_BASE = '/api/v1';

/**
 * POST /api/v1/applications/gewerbeanmeldung: the Gewerbeanmeldung (GewAnzV Anlage 1) starts its
 * process (workflows/gewerbe) with update-with-start and answers with the case number at once. The
 * body is validated by the domain's parseGewerbeanmeldung (per-field 422s, including the rules that
 * need today's date); the fee and deadlines come from configuration (GEWERBE_*).
 */
@ApiTags('applications')
@Controller('applications')
export class GewerbeanmeldungController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly temporal: TemporalClientHolder,
  ) {}

  @Post('gewerbeanmeldung')
  @Roles('citizen')
  @HttpCode(201)
  @IdempotencyKeyHeader()
  @ApiOperation({
    summary: 'Register a trade (Gewerbeanmeldung, GewAnzV Anlage 1)',
    description:
      `Opens a case (case number GA-YYYY-NNNNNN) and starts the process. It needs the level of assurance \`${GEWERBE_TRUST_LEVEL}\` ` +
      '(a lower login is accepted and the case asks for eID identification). Then the online fee is due: ' +
      'POST /api/v1/cases/{caseId}/payment gives the payment page. Trades that need a permit or a reliability check are reviewed by a caseworker; ' +
      'the registration is confirmed with an Empfangsbescheinigung (PDF in the case file, mailed) and passed on to the § 14 GewO recipients. ' +
      'With an Idempotency-Key a retried submission returns the same case, never a second one.',
  })
  @ApiZodBody(gewerbeanmeldungSchema)
  @ApiZodResponse(201, submissionResponseSchema, 'Case opened (Location: the case)')
  @ApiProblemResponses(409, 503)
  async submit(
    @CurrentPrincipal() p: Principal,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SubmissionResponse> {
    if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new ApiProblem(400, 'This request needs a JSON object body (Content-Type: application/json).', {
        type: problemType('malformed-request'),
        errors: [{ path: '', message: 'missing or not a JSON object' }],
      });
    }
    const request = parseGewerbeanmeldung(body); // DomainError INVALID → 422 with errors per field
    return submitApplication({ client: this.temporal.get(), pool: this.pool }, res, {
      ownerSub: p.sub,
      idempotencyKey,
      workflowType: GEWERBEANMELDUNG_WORKFLOW_TYPE,
      taskQueue: GEWERBE_TASK_QUEUE,
      input: (caseId): GewerbeanmeldungInput => ({
        caseId,
        ownerSub: p.sub,
        trustLevel: p.trustLevel,
        // this endpoint is the Anmeldung; Ummeldung / Abmeldung get their own (docs/gewerbeanmeldung.md)
        form: 'anmeldung',
        request,
        settings: {
          feeEur: this.config.GEWERBE_FEE_EUR,
          paymentDeadline: this.config.GEWERBE_PAYMENT_DEADLINE,
          paymentLinkLifetime: this.config.GEWERBE_PAYMENT_LINK_LIFETIME,
          receiptDeadline: this.config.GEWERBE_RECEIPT_DEADLINE,
          receiptEscalation: this.config.GEWERBE_RECEIPT_ESCALATION,
          paymentReturnUrl: `${this.config.PUBLIC_BASE_URL.replace(/\/+$/, '')}${API_BASE}/cases/${caseId}`,
        },
      }),
    });
  }
}
