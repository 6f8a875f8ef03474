import { Module, RequestMethod } from '@nestjs/common';
import type { DynamicModule, ModuleMetadata } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import type { AppConfig } from '../../../libs/config/src/config';
import type { TokenVerifier } from '../../../libs/auth/src/token-verifier';
import { ApplicationsModule } from './applications/applications.module';
import { AlarmsModule } from './alarms/alarms.module';
import { AppointmentsModule } from './appointments/appointments.module';
import { AuthGuard } from './auth/auth.guard';
import { AuthModule } from './auth/auth.module';
import { CasesModule } from './cases/cases.module';
import { CoreModule } from './core.module';
import { CodecModule } from './codec/codec.module';
import { HealthModule } from './health/health.module';
import { IdempotencyModule } from './idempotency/idempotency.module';
import type { HealthChecks } from './health/health-checks';
import { InfrastructureModule } from './infrastructure/infrastructure.module';
import { IntegrationsModule } from './integrations/integrations.module';
import type { InfrastructureOverrides } from './infrastructure/infrastructure.module';
import { MetricsModule } from './metrics/metrics.module';
import { RateLimitGuard } from './rate-limit/rate-limit.guard';
import { rateLimitModule } from './rate-limit/rate-limit.module';
import { TasksModule } from './tasks/tasks.module';
import { WohngeldModule } from './wohngeld/wohngeld.module';

export interface AppOverrides extends InfrastructureOverrides {
  /** Replaces the verifier chosen by AUTH_MODE. */
  tokenVerifier?: TokenVerifier;
  /** Replaces individual /health checks. */
  healthChecks?: Partial<HealthChecks>;
  /** Extra modules (feature modules in later issues; test-only controllers in tests). */
  imports?: NonNullable<ModuleMetadata['imports']>;
  logger?: Logger;
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, logger: Logger, overrides: AppOverrides = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, logger),
        // pino-http itself runs as the first Express middleware (see createApp); nestjs-pino only
        // binds its request logger so Nest's Logger calls inside a request carry the request id.
        LoggerModule.forRoot({ pinoHttp: { logger }, useExisting: true, forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }] }),
        rateLimitModule(config),
        InfrastructureModule.forRoot(config, overrides),
        AuthModule.forRoot(config, overrides.tokenVerifier),
        HealthModule.forRoot(overrides.healthChecks),
        CodecModule.forRoot(config),
        MetricsModule,
        IntegrationsModule.forRoot(config),
        IdempotencyModule,
        CasesModule,
        TasksModule,
        AppointmentsModule,
        AlarmsModule,
        ApplicationsModule,
        WohngeldModule,
        ...(overrides.imports ?? []),
      ],
      providers: [
        // Order matters: authentication first, so the authenticated rate limit keys on the caller.
        { provide: APP_GUARD, useExisting: AuthGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
      ],
    };
  }
}
