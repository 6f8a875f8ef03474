import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { WorkflowNotFoundError } from '@temporalio/common';
import { Pool } from 'pg';
import type { Principal } from '../../../../libs/auth/src/principal';
import type { AppConfig } from '../../../../libs/config/src/config';
import { findCaseForOwner, getCaseForOwner, getCaseForStaff, listCasesForOwner, markWithdrawn } from '../../../../libs/db/src/cases';
import { DomainError } from '../../../../libs/domain/src/errors';
import { withdrawUpdate } from '../../../../workflows/shared/case.contract';
import { CurrentPrincipal, Roles } from '../auth/decorators';
import { ApiProblemResponses } from '../docs/problem-responses';
import { ApiZodQuery, ApiZodResponse } from '../docs/zod-openapi';
import { IdempotencyKeyHeader } from '../idempotency/idempotent-upload.decorator';
import { TemporalClientHolder } from '../infrastructure/temporal-client.holder';
import { APP_CONFIG, PG_POOL } from '../tokens';
import { ZodValidationPipe } from '../validation/zod-validation.pipe';
import { caseNotFound, readsAsStaff } from './case-access';
import { toDetailResponse, toListResponse } from './case-views';
import { caseDetailResponseSchema, caseListQuerySchema, caseListResponseSchema, withdrawResponseSchema } from './cases.schemas';
import type { CaseDetailResponse, CaseListQuery, CaseListResponse, WithdrawResponse } from './cases.schemas';

function causeChain(e: unknown): unknown[] {
  const out: unknown[] = [];
  for (let c: unknown = e, i = 0; c && i < 8; c = (c as { cause?: unknown }).cause, i++) out.push(c);
  return out;
}

/** The case file as citizens (and admins) read it — always from PostgreSQL, never by querying workflows. */
@ApiTags('cases')
@Controller('cases')
export class CasesController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly temporal: TemporalClientHolder,
  ) {}

  @Get()
  @Roles('citizen')
  @ApiOperation({ summary: 'My cases', description: 'The caller’s own cases, most recently changed first, paginated by an opaque cursor.' })
  @ApiZodQuery(caseListQuerySchema)
  @ApiZodResponse(200, caseListResponseSchema)
  async list(@CurrentPrincipal() p: Principal, @Query(new ZodValidationPipe(caseListQuerySchema)) q: CaseListQuery): Promise<CaseListResponse> {
    return toListResponse(await listCasesForOwner(this.pool, p.sub, { limit: q.limit, cursor: q.cursor }));
  }

  @Get(':caseId')
  @Roles('citizen', 'admin')
  @ApiOperation({
    summary: 'One case with timeline, open requests, documents and decision',
    description:
      'Citizens: their own cases only (404 otherwise, also for malformed ids); the timeline shows the entries meant for the citizen. ' +
      'Admins: any case, including internal entries (with `audience`). Caseworkers read case data through their tasks.',
  })
  @ApiParam({ name: 'caseId', format: 'uuid' })
  @ApiZodResponse(200, caseDetailResponseSchema)
  @ApiProblemResponses(404)
  async detail(@CurrentPrincipal() p: Principal, @Param('caseId') caseId: string): Promise<CaseDetailResponse> {
    const staff = readsAsStaff(p);
    const detail = staff ? await getCaseForStaff(this.pool, caseId) : await getCaseForOwner(this.pool, caseId, p.sub);
    if (!detail) throw caseNotFound();
    return toDetailResponse(detail, staff);
  }

  @Post(':caseId/withdraw')
  @Roles('citizen')
  @HttpCode(200)
  @IdempotencyKeyHeader()
  @ApiOperation({
    summary: 'Withdraw my application',
    description: 'Asks the case’s process to withdraw (a workflow Update); possible until the decision. Withdrawing a withdrawn case again answers 200.',
  })
  @ApiParam({ name: 'caseId', format: 'uuid' })
  @ApiZodResponse(200, withdrawResponseSchema)
  @ApiProblemResponses(404, 409, 503)
  async withdraw(@CurrentPrincipal() p: Principal, @Param('caseId') caseId: string): Promise<WithdrawResponse> {
    const c = await findCaseForOwner(this.pool, caseId, p.sub);
    if (!c) throw caseNotFound();
    if (c.status === 'WITHDRAWN') return { status: 'WITHDRAWN' };
    if (c.status === 'COMPLETED') throw new DomainError('CONFLICT', 'This case is completed and can no longer be withdrawn.', { reason: 'case_closed' });
    try {
      await this.temporal
        .get()
        .workflow.getHandle(c.workflowId)
        .executeUpdate(withdrawUpdate, { args: [{ by: { sub: p.sub, roles: [...p.roles] } }] });
    } catch (e) {
      // The process has ended (decided and closed): nothing left to withdraw.
      if (causeChain(e).some((x) => x instanceof WorkflowNotFoundError)) {
        throw new DomainError('CONFLICT', 'This case is closed and can no longer be withdrawn.', { reason: 'case_closed' });
      }
      throw e; // CONFLICT from the workflow's validator (e.g. already decided) → 409 at the edge
    }
    // The workflow accepted: make the case file say so now (idempotent with the workflow's own entry).
    await markWithdrawn(this.pool, c.caseId, p.sub, this.config.CASE_RETENTION);
    return { status: 'WITHDRAWN' };
  }
}
