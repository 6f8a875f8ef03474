import { Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { WorkflowNotFoundError } from '@temporalio/common';
import { Pool } from 'pg';
import { z } from 'zod';
import type { Principal } from '../../../../libs/auth/src/principal';
import { findCaseForOwner } from '../../../../libs/db/src/cases';
import { findOpenRequestsOfKind } from '../../../../libs/db/src/requests';
import { FINAL_STATUSES } from '../../../../libs/domain/src/cases';
import { DomainError } from '../../../../libs/domain/src/errors';
import { TRUST_LEVELS, isTrustLevel, meetsTrustLevel } from '../../../../libs/domain/src/identity';
import type { TrustLevel } from '../../../../libs/domain/src/identity';
import { identityUpgradedSignal } from '../../../../workflows/shared/case.contract';
import { IDENTIFICATION_REQUEST_KIND } from '../../../../workflows/shared/identity.contract';
import { CurrentPrincipal, Roles } from '../auth/decorators';
import { ApiProblemResponses } from '../docs/problem-responses';
import { ApiZodResponse } from '../docs/zod-openapi';
import { IdempotencyKeyHeader } from '../idempotency/idempotent-upload.decorator';
import { TemporalClientHolder } from '../infrastructure/temporal-client.holder';
import { PG_POOL } from '../tokens';
import { caseNotFound } from './case-access';

export const identityConfirmationResponseSchema = z.object({
  status: z.literal('accepted'),
  trustLevel: z.enum(TRUST_LEVELS).describe('The level of assurance of the token the citizen called with'),
  requestId: z.uuid().describe('The identification request this answers'),
});
export type IdentityConfirmationResponse = z.infer<typeof identityConfirmationResponseSchema>;

/**
 * The citizen confirms a stronger identification for their case (issue 3 item 4: a process that
 * needs a higher level of assurance than the login it was submitted with asks for it instead of
 * failing — workflows/shared/identity.ts). The citizen signs in again with the eID function and
 * calls this with the new token; the token's `trust_level` is what counts, nothing in the body.
 */
@ApiTags('cases')
@Controller('cases/:caseId/identity')
export class CaseIdentityController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly temporal: TemporalClientHolder,
  ) {}

  @Post()
  @Roles('citizen')
  @HttpCode(202)
  @IdempotencyKeyHeader()
  @ApiOperation({
    summary: 'Confirm a stronger identification for my case',
    description:
      'Call with a token from a login at the level the case asks for (its open request of kind `identification`). ' +
      '202: the process was told and continues. 404: not your case. 409: the case asks for no identification (or is closed). ' +
      '422: the token’s trust_level is still too low — sign in again with the eID function.',
  })
  @ApiParam({ name: 'caseId', format: 'uuid' })
  @ApiZodResponse(202, identityConfirmationResponseSchema, 'The process was told')
  @ApiProblemResponses(404, 409, 422, 503)
  async confirm(@CurrentPrincipal() p: Principal, @Param('caseId') caseId: string): Promise<IdentityConfirmationResponse> {
    const c = await findCaseForOwner(this.pool, caseId, p.sub);
    if (!c) throw caseNotFound();
    if (FINAL_STATUSES.includes(c.status)) throw new DomainError('CONFLICT', 'This case is closed.', { reason: 'case_closed' });
    const [pending] = await findOpenRequestsOfKind(this.pool, c.caseId, IDENTIFICATION_REQUEST_KIND);
    if (!pending) throw new DomainError('CONFLICT', 'This case does not ask for an identification.', { reason: 'no_identification_pending' });
    const asked = pending.details?.trustLevel;
    const need: TrustLevel = isTrustLevel(asked) ? asked : 'hoch'; // unreadable: ask for the most, never the least
    if (!meetsTrustLevel(p.trustLevel, need)) {
      throw new DomainError('INVALID', `Your login has the level of assurance "${p.trustLevel}"; this case needs "${need}". Sign in again with the eID function and repeat.`, {
        reason: 'trust_level_too_low',
        errors: [{ path: '/trust_level', message: `the token's trust_level must be at least ${need}` }],
      });
    }
    try {
      await this.temporal
        .get()
        .workflow.getHandle(c.workflowId)
        .signal(identityUpgradedSignal, { trustLevel: p.trustLevel, by: { sub: p.sub, roles: [...p.roles] } });
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) throw new DomainError('CONFLICT', 'This case is closed; its process no longer waits.', { reason: 'case_closed' });
      throw e;
    }
    return { status: 'accepted', trustLevel: p.trustLevel, requestId: pending.requestId };
  }
}
