import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import type { Pool } from 'pg';
import type { Transporter } from 'nodemailer';
import { TemporalClientHolder } from '../infrastructure/temporal-client.holder';
import { HEALTH_CHECKS, MAIL_TRANSPORT, PG_POOL } from '../tokens';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import type { HealthChecks } from './health-checks';

/**
 * GET /health. The checks are a provider (HEALTH_CHECKS) built from the infrastructure; tests
 * replace any of them through createApp's `healthChecks` override.
 */
@Module({})
export class HealthModule {
  static forRoot(overrides: Partial<HealthChecks> = {}): DynamicModule {
    return {
      module: HealthModule,
      controllers: [HealthController],
      providers: [
        HealthService,
        {
          provide: HEALTH_CHECKS,
          inject: [PG_POOL, TemporalClientHolder, MAIL_TRANSPORT],
          useFactory: (pool: Pool, temporal: TemporalClientHolder, mail: Transporter): HealthChecks => ({
            database: async () => {
              await pool.query('select 1');
            },
            temporal: () => temporal.check(),
            mail: async () => {
              await mail.verify();
            },
            ...overrides,
          }),
        },
      ],
    };
  }
}
