import type { AppConfig } from '../../config/src/config';
import { createDevTokenVerifier } from './dev-tokens';
import { createOidcVerifier } from './oidc-verifier';
import { cachingTokenVerifier } from './token-cache';
import type { TokenVerifier } from './token-verifier';

type VerifierConfig = Pick<AppConfig, 'AUTH_MODE' | 'DEV_JWT_SECRET' | 'OIDC_ISSUER' | 'OIDC_AUDIENCE' | 'OIDC_JWKS_URL' | 'OIDC_ALGORITHMS' | 'OIDC_CLOCK_TOLERANCE_SECONDS'>;

/**
 * The verifier for the configured AUTH_MODE — dev HS256 tokens, or the OIDC provider's tokens —
 * behind a cache of verified tokens (token-cache.ts: at most 60 s and never past `exp`, failures
 * never cached), since a client sends the same token with every request.
 */
export function createTokenVerifier(config: VerifierConfig): TokenVerifier {
  return cachingTokenVerifier(createUncachedTokenVerifier(config));
}

/** The verifier for the configured AUTH_MODE without the cache. */
export function createUncachedTokenVerifier(config: VerifierConfig): TokenVerifier {
  if (config.AUTH_MODE === 'dev') return createDevTokenVerifier(config.DEV_JWT_SECRET);
  if (!config.OIDC_ISSUER || !config.OIDC_AUDIENCE) throw new Error('AUTH_MODE=oidc needs OIDC_ISSUER and OIDC_AUDIENCE');
  return createOidcVerifier({
    issuer: config.OIDC_ISSUER,
    audience: config.OIDC_AUDIENCE.split(',').map((a) => a.trim()).filter(Boolean),
    ...(config.OIDC_JWKS_URL !== undefined && { jwksUrl: config.OIDC_JWKS_URL }),
    algorithms: config.OIDC_ALGORITHMS.split(',').map((a) => a.trim()).filter(Boolean),
    clockToleranceSeconds: config.OIDC_CLOCK_TOLERANCE_SECONDS,
  });
}
