import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { AppConfig } from '../../../../libs/config/src/config';
import { createTokenVerifier } from '../../../../libs/auth/src/create-token-verifier';
import type { TokenVerifier } from '../../../../libs/auth/src/token-verifier';
import { TOKEN_VERIFIER } from '../tokens';
import { AccessPolicyCheck } from './access-policy.check';
import { AuthGuard } from './auth.guard';
import { DevTokenController } from './dev-token.controller';
import { MeController } from './me.controller';

/**
 * Token verification for the configured AUTH_MODE, the access-policy boot check, /api/v1/me and —
 * in dev mode only — /api/v1/dev/token. The AuthGuard itself is registered globally in AppModule
 * (before the rate limiter, so authenticated limits can key on the caller).
 */
@Module({})
export class AuthModule {
  static forRoot(config: AppConfig, verifier?: TokenVerifier): DynamicModule {
    return {
      module: AuthModule,
      imports: [DiscoveryModule],
      controllers: [MeController, ...(config.AUTH_MODE === 'dev' ? [DevTokenController] : [])],
      providers: [{ provide: TOKEN_VERIFIER, useValue: verifier ?? createTokenVerifier(config) }, AccessPolicyCheck, AuthGuard],
      exports: [TOKEN_VERIFIER, AuthGuard],
    };
  }
}
