import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import type { AppConfig } from '../../../../libs/config/src/config';
import { createAdapterRegistry } from '../../../../libs/fachverfahren/src/registry';
import type { AdapterRegistry } from '../../../../libs/fachverfahren/src/registry';
import { IntegrationsController } from './integrations.controller';
import { ADAPTER_REGISTRY } from './integrations.tokens';

/**
 * GET /api/v1/integrations/adapters and POST /api/v1/integrations/{adapter}/callbacks. The registry
 * is built from FACHVERFAHREN_ADAPTERS at boot (a bad entry stops the API with a clear message).
 */
@Module({})
export class IntegrationsModule {
  static forRoot(config: AppConfig, registry?: AdapterRegistry): DynamicModule {
    return {
      module: IntegrationsModule,
      controllers: [IntegrationsController],
      providers: [{ provide: ADAPTER_REGISTRY, useFactory: (): AdapterRegistry => registry ?? createAdapterRegistry(config) }],
      exports: [ADAPTER_REGISTRY],
    };
  }
}
