import { Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { WorkflowNotFoundError } from '@temporalio/common';
import Decimal from 'decimal.js';
import { Pool } from 'pg';
import { z } from 'zod';
import type { Principal } from '../../../../libs/auth/src/principal';
import { findCaseForOwner } from '../../../../libs/db/src/cases';
import { FINAL_STATUSES } from '../../../../libs/domain/src/cases';
import type { CaseType } from '../../../../libs/domain/src/cases';
import { DomainError } from '../../../../libs/domain/src/errors';
import { feePaymentUpdate } from '../../../../workflows/shared/fee-payment.contract';
import { CurrentPrincipal, Roles } from '../auth/decorators';
import { ApiProblemResponses } from '../docs/problem-responses';
import { ApiZodResponse } from '../docs/zod-openapi';
import { IdempotencyKeyHeader } from '../idempotency/idempotent-upload.decorator';
import { TemporalClientHolder } from '../infrastructure/temporal-client.holder';
import { PG_POOL } from '../tokens';
import { caseNotFound } from './case-access';

export const casePaymentResponseSchema = z.object({
  paymentId: z.string().describe('The payment provider’s id of the payment'),
  redirectUrl: z.url().describe('The provider’s payment page: send the citizen’s browser there'),
  amount: z.number().describe('Euros, two decimals'),
  currency: z.literal('EUR'),
  status: z.enum(['created', 'paid', 'failed', 'expired', 'refunded']).describe('`created` until the provider reports the payment'),
});
export type CasePaymentResponse = z.infer<typeof casePaymentResponseSchema>;

/** Processes whose workflows answer feePaymentUpdate (workflows/shared/fee-payment.contract.ts). */
const FEE_CASE_TYPES: readonly CaseType[] = ['gewerbeanmeldung'];

function causeChain(e: unknown): unknown[] {
  const out: unknown[] = [];
  for (let c: unknown = e, i = 0; c && i < 8; c = (c as { cause?: unknown }).cause, i++) out.push(c);
  return out;
}

/**
 * The citizen pays the open fee of their case (API.md: `POST /api/v1/cases/{caseId}/payment`). The
 * answer comes from the case's workflow (an Update), so it is the process's truth: the payment it
 * started at the provider, the same one on every call. Paying happens at `redirectUrl`; the
 * provider's signed callback (POST /api/v1/integrations/epayment/callbacks) tells the process.
 */
@ApiTags('cases')
@Controller('cases/:caseId/payment')
export class CasePaymentController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly temporal: TemporalClientHolder,
  ) {}

  @Post()
  @Roles('citizen')
  @HttpCode(200)
  @IdempotencyKeyHeader()
  @ApiOperation({
    summary: 'Pay the open fee of my case',
    description:
      'Returns the payment of the case’s open fee at the payment provider — the same payment on every call — with the page to send the citizen to. ' +
      'No body is needed. 404: not your case. 409: no fee is open (not yet asked for, already paid, or the case is closed).',
  })
  @ApiParam({ name: 'caseId', format: 'uuid' })
  @ApiZodResponse(200, casePaymentResponseSchema)
  @ApiProblemResponses(404, 409, 503)
  async pay(@CurrentPrincipal() p: Principal, @Param('caseId') caseId: string): Promise<CasePaymentResponse> {
    const c = await findCaseForOwner(this.pool, caseId, p.sub);
    if (!c) throw caseNotFound();
    if (!FEE_CASE_TYPES.includes(c.type as CaseType)) throw new DomainError('CONFLICT', 'This case has no fee to pay.', { reason: 'no_open_fee' });
    if (FINAL_STATUSES.includes(c.status)) throw new DomainError('CONFLICT', 'This case is closed; there is no fee to pay.', { reason: 'case_closed' });
    try {
      const fee = await this.temporal
        .get()
        .workflow.getHandle(c.workflowId)
        .executeUpdate(feePaymentUpdate, { args: [{ by: { sub: p.sub, roles: [...p.roles] } }] });
      return { paymentId: fee.paymentId, redirectUrl: fee.redirectUrl, amount: new Decimal(fee.amount).toDecimalPlaces(2).toNumber(), currency: fee.currency, status: fee.status };
    } catch (e) {
      if (causeChain(e).some((x) => x instanceof WorkflowNotFoundError)) throw new DomainError('CONFLICT', 'This case is closed; there is no fee to pay.', { reason: 'case_closed' });
      throw e; // CONFLICT / NOT_FOUND from the workflow's validator → 409 / 404 at the edge
    }
  }
}
