import { Inject, Module } from '@nestjs/common';
import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { AppConfig } from '../../../../libs/config/src/config';
import { sweepIdempotencyKeys } from '../../../../libs/db/src/idempotency';
import { APP_CONFIG, PG_POOL, ROOT_LOGGER } from '../tokens';
import { DeferredIdempotencyInterceptor, IdempotencyInterceptor } from './idempotency.interceptor';

const SWEEP_EVERY_MS = 10 * 60_000;

/**
 * Idempotency-Key on every POST/PATCH (see IdempotencyInterceptor for the choices), plus a sweep
 * of expired keys every 10 minutes (each API replica sweeps; the DELETE is cheap and batched).
 */
@Module({
  providers: [{ provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor }, DeferredIdempotencyInterceptor],
  exports: [DeferredIdempotencyInterceptor],
})
export class IdempotencyModule implements OnModuleInit, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => {
      sweepIdempotencyKeys(this.pool, this.config.IDEMPOTENCY_KEY_TTL_HOURS * 3600).then(
        (n) => n > 0 && this.logger.debug({ deleted: n }, 'expired idempotency keys swept'),
        (e: unknown) => this.logger.warn({ reason: String(e) }, 'idempotency key sweep failed'),
      );
    }, SWEEP_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
