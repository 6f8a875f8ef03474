import { Body, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { WorkflowNotFoundError } from '@temporalio/common';
import { Pool } from 'pg';
import type { Principal } from '../../../../libs/auth/src/principal';
import { findCaseForOwner } from '../../../../libs/db/src/cases';
import { FINAL_STATUSES } from '../../../../libs/domain/src/cases';
import { DomainError } from '../../../../libs/domain/src/errors';
import { WOHNGELD_CASE_TYPE, wohngeldChangeReportUpdate } from '../../../../workflows/wohngeld/wohngeld.contract';
import { CurrentPrincipal, Roles } from '../auth/decorators';
import { caseNotFound } from '../cases/case-access';
import { ApiProblemResponses } from '../docs/problem-responses';
import { ApiZodBody, ApiZodResponse } from '../docs/zod-openapi';
import { IdempotencyKeyHeader } from '../idempotency/idempotent-upload.decorator';
import { TemporalClientHolder } from '../infrastructure/temporal-client.holder';
import { PG_POOL } from '../tokens';
import { ZodValidationPipe } from '../validation/zod-validation.pipe';
import { wohngeldChangeReportBodySchema, wohngeldChangeReportResponseSchema } from './wohngeld.schemas';
import type { WohngeldChangeReportBody, WohngeldChangeReportResponse } from './wohngeld.schemas';

function causeChain(e: unknown): unknown[] {
  const out: unknown[] = [];
  for (let c: unknown = e, i = 0; c && i < 8; c = (c as { cause?: unknown }).cause, i++) out.push(c);
  return out;
}

const notInPeriod = () => new DomainError('CONFLICT', 'Changes can be reported only during a running approval period.', { reason: 'not_in_approval_period' });

/**
 * The change report of a granted Wohngeld (§ 27 WoGG): the citizen tells the office the household's
 * incomes now. The case's process compares them with the ones the notice rests on and, when the
 * income rose by more than 15 %, recalculates and issues a change notice (Änderungsbescheid).
 */
@ApiTags('cases')
@Controller('cases/:caseId/wohngeld')
export class WohngeldChangeReportController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly temporal: TemporalClientHolder,
  ) {}

  @Post('change-report')
  @Roles('citizen')
  @HttpCode(200)
  @IdempotencyKeyHeader()
  @ApiOperation({
    summary: 'Report changed incomes during the Wohngeld approval period',
    description:
      'Own Wohngeld cases only (404 otherwise). 409 outside a running approval period (before the decision, after it ended, rejected or withdrawn). ' +
      '422 when the incomes do not fit the household. 200: `recalculated` (income up by more than 15 %: a change notice is in the case file and mailed) or `unchanged`.',
  })
  @ApiParam({ name: 'caseId', format: 'uuid' })
  @ApiZodBody(wohngeldChangeReportBodySchema)
  @ApiZodResponse(200, wohngeldChangeReportResponseSchema)
  @ApiProblemResponses(404, 409, 422, 503)
  async report(
    @CurrentPrincipal() p: Principal,
    @Param('caseId') caseId: string,
    @Body(new ZodValidationPipe(wohngeldChangeReportBodySchema)) body: WohngeldChangeReportBody,
  ): Promise<WohngeldChangeReportResponse> {
    const c = await findCaseForOwner(this.pool, caseId, p.sub);
    if (!c) throw caseNotFound();
    if (c.type !== WOHNGELD_CASE_TYPE) throw new DomainError('CONFLICT', 'This case is not a Wohngeld case.', { reason: 'not_wohngeld' });
    if (FINAL_STATUSES.includes(c.status)) throw notInPeriod();
    const incomes = body.incomes.map((i) => ({ ...i, taxes: i.taxes ?? false, healthCare: i.healthCare ?? false, pensionInsurance: i.pensionInsurance ?? false }));
    try {
      return await this.temporal
        .get()
        .workflow.getHandle(c.workflowId)
        .executeUpdate(wohngeldChangeReportUpdate, { args: [{ incomes, by: { sub: p.sub, roles: [...p.roles] } }] });
    } catch (e) {
      if (causeChain(e).some((x) => x instanceof WorkflowNotFoundError)) throw notInPeriod();
      throw e; // CONFLICT / INVALID from the workflow's validator → 409 / 422 at the edge
    }
  }
}
