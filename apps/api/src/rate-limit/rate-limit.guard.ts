import { Injectable } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { ThrottlerLimitDetail } from '@nestjs/throttler';
import { ApiProblem } from '../problem/problem';

/** @nestjs/throttler's guard, answering with problem+json 429 and a plain Retry-After (seconds). */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const seconds = Math.max(1, Math.ceil(detail.timeToBlockExpire));
    throw new ApiProblem(429, `Too many requests. Please wait ${seconds} seconds before trying again.`, { headers: { 'Retry-After': String(seconds) } });
  }
}
