import { Controller, Get, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import type { RawBodyRequest } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { AppConfig } from '../../../../libs/config/src/config';
import { CallbackRejectedError, receiveCallback } from '../../../../libs/fachverfahren/src/inbound';
import type { InboundDeps } from '../../../../libs/fachverfahren/src/inbound';
import type { AdapterRegistry } from '../../../../libs/fachverfahren/src/registry';
import { PgAdapterCallStore, PgReplayStore } from '../../../../libs/fachverfahren/src/stores';
import { fachverfahrenCallbackSignal } from '../../../../workflows/shared/fachverfahren.contract';
import type { FachverfahrenCallback } from '../../../../workflows/shared/fachverfahren.contract';
import { Public, Roles } from '../auth/decorators';
import { ApiProblemResponses } from '../docs/problem-responses';
import { ApiZodResponse } from '../docs/zod-openapi';
import { TemporalClientHolder } from '../infrastructure/temporal-client.holder';
import { ApiProblem, problemType } from '../problem/problem';
import { NoRateLimit } from '../rate-limit/no-rate-limit.decorator';
import { APP_CONFIG, PG_POOL } from '../tokens';
import { ADAPTER_REGISTRY } from './integrations.tokens';

const adapterListSchema = z.array(
  z.object({
    name: z.string(),
    kind: z.enum(['submission', 'payment']),
    healthy: z.boolean(),
    lastError: z.string().optional().describe('The most recent failure (probe or call), without personal data'),
  }),
);

const acceptedSchema = z.object({ status: z.literal('accepted'), callbackId: z.string(), event: z.string() });

/** Maps a rejected callback to its problem document (the sender is a machine: say exactly why). */
export function problemForRejection(e: CallbackRejectedError): ApiProblem {
  const r = e.rejection;
  switch (r.kind) {
    case 'unknown_adapter':
      return new ApiProblem(404, e.message, { reason: 'unknown_adapter' });
    case 'unauthenticated':
      return new ApiProblem(401, e.message, {
        type: problemType('invalid-signature'),
        reason: r.reason,
        headers: { 'WWW-Authenticate': 'HMAC-SHA512 realm="amtsweg-callbacks", headers="x-timestamp x-signature"' },
      });
    case 'unsupported_media_type':
      return new ApiProblem(415, e.message);
    case 'malformed':
      return new ApiProblem(422, e.message, { errors: r.issues });
    case 'unroutable':
      return new ApiProblem(404, e.message, { reason: 'unknown_reference' });
  }
}

/**
 * The integrators' endpoints (API.md, "Integrators"): adapter health, and inbound callbacks from
 * Fachverfahren and the payment provider, verified by HMAC and routed to the waiting workflow.
 */
@ApiTags('integrations')
@Controller('integrations')
export class IntegrationsController {
  private readonly inbound: InboundDeps;

  constructor(
    @Inject(ADAPTER_REGISTRY) private readonly registry: AdapterRegistry,
    @Inject(PG_POOL) pool: Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    temporal: TemporalClientHolder,
  ) {
    this.inbound = {
      secretsOf: (name) => this.registry.secretsOf(name),
      replay: new PgReplayStore(pool),
      routes: new PgAdapterCallStore(pool),
      deliver: async (workflowId, callback) => {
        const signal: FachverfahrenCallback = callback;
        await temporal.get().workflow.getHandle(workflowId).signal(fachverfahrenCallbackSignal, signal);
      },
    };
  }

  @Get('adapters')
  @Roles('integrator', 'admin')
  @ApiOperation({ summary: 'Configured Fachverfahren adapters and their health', description: 'Each adapter is probed (bounded by HEALTH_CHECK_TIMEOUT_MS).' })
  @ApiZodResponse(200, adapterListSchema)
  async adapters(): Promise<z.infer<typeof adapterListSchema>> {
    return this.registry.list(this.config.HEALTH_CHECK_TIMEOUT_MS);
  }

  /**
   * Public by design — the HMAC signature is the authentication — and exempt from the per-IP limit,
   * because a provider sends bursts from few addresses; a bad signature costs one HMAC.
   */
  @Post(':adapter/callbacks')
  @Public()
  @NoRateLimit()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Inbound callback from a Fachverfahren or payment provider',
    description:
      'Body: {callbackId, event, externalId? | caseId + step, occurredAt?, data?} as JSON. Signed: X-Timestamp (unix seconds, at most 5 minutes old or ahead) and ' +
      'X-Signature: sha512=<hex HMAC-SHA-512 of X-Timestamp + "." + the raw body> with the adapter’s secret. A callbackId is accepted once (replays: 401).',
  })
  @ApiParam({ name: 'adapter', description: 'Adapter name from GET /api/v1/integrations/adapters' })
  @ApiHeader({ name: 'X-Timestamp', required: true, description: 'Unix time in seconds' })
  @ApiHeader({ name: 'X-Signature', required: true, description: 'sha512=<hex HMAC-SHA-512>' })
  @ApiZodResponse(202, acceptedSchema, 'Verified and delivered to the waiting process')
  @ApiProblemResponses(401, 404, 415, 422, 503)
  @ApiResponse({ status: 400, description: 'Body is not JSON' })
  async callback(@Param('adapter') adapter: string, @Req() req: RawBodyRequest<Request>): Promise<z.infer<typeof acceptedSchema>> {
    try {
      const r = await receiveCallback(this.inbound, { adapter, rawBody: req.rawBody, headers: req.headers });
      return { status: 'accepted', callbackId: r.callbackId, event: r.event };
    } catch (e) {
      if (e instanceof CallbackRejectedError) throw problemForRejection(e);
      throw e;
    }
  }
}
