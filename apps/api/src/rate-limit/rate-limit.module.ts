import { createHash } from 'node:crypto';
import type { DynamicModule, ExecutionContext } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import type { AppConfig } from '../../../../libs/config/src/config';
import { accessPolicyOf } from '../auth/access-policy';
import type { RequestWithPrincipal } from '../auth/decorators';
import { THROTTLER_AUTHENTICATED, THROTTLER_PUBLIC } from './throttler-names';

const isPublic = (ctx: ExecutionContext): boolean => accessPolicyOf(ctx.getHandler(), ctx.getClass()).kind === 'public';

/**
 * Two limits, per endpoint and per minute:
 * - public endpoints: RATE_LIMIT_PUBLIC_PER_MINUTE per client IP (req.ip, which honours
 *   TRUST_PROXY);
 * - authenticated endpoints: RATE_LIMIT_AUTHENTICATED_PER_MINUTE per caller (token subject).
 * Counters live in memory, so with N API instances behind a load balancer the effective limit is
 * up to N times higher; a shared store (@nestjs/throttler's storage option) fixes that when needed.
 */
export function rateLimitModule(config: AppConfig): DynamicModule {
  return ThrottlerModule.forRoot({
    throttlers: [
      { name: THROTTLER_PUBLIC, ttl: 60_000, limit: config.RATE_LIMIT_PUBLIC_PER_MINUTE, skipIf: (ctx) => !isPublic(ctx) },
      {
        name: THROTTLER_AUTHENTICATED,
        ttl: 60_000,
        limit: config.RATE_LIMIT_AUTHENTICATED_PER_MINUTE,
        skipIf: isPublic,
        getTracker: (req) => {
          const sub = (req as RequestWithPrincipal).principal?.sub;
          return sub ? `sub:${createHash('sha256').update(sub).digest('hex')}` : `ip:${String((req as { ip?: string }).ip)}`;
        },
      },
    ],
  });
}
