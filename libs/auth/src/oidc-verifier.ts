import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';
import type { JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { principalFromClaims } from './claims';
import { AuthUnavailableError } from './errors';
import type { Principal } from './principal';
import type { TokenVerifier } from './token-verifier';
import { toAuthenticationError } from './token-verifier';

export interface OidcVerifierOptions {
  /** The `iss` every token must carry; also where discovery looks unless jwksUrl is given. */
  issuer: string;
  audience: string | string[];
  /** Skips discovery when set. */
  jwksUrl?: string;
  /** Allowed JWS algorithms, e.g. ['RS256', 'ES256']; never HS* or none (see loadConfig). */
  algorithms: string[];
  clockToleranceSeconds?: number;
  /** Timeout of the discovery and JWKS requests. */
  httpTimeoutMs?: number;
  /** After a failed discovery, requests within this window fail fast instead of asking again. */
  discoveryRetryMs?: number;
}

const discoverySchema = z.object({ issuer: z.string().min(1), jwks_uri: z.url() });

/** Fetches `${issuer}/.well-known/openid-configuration` and returns its jwks_uri (OIDC Discovery 1.0 §4). */
export async function discoverJwksUri(issuer: string, timeoutMs = 5000): Promise<URL> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let body: unknown;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    body = await res.json();
  } catch (err) {
    throw new AuthUnavailableError(`OIDC discovery at ${url} failed: ${(err as Error).message}`, { cause: err });
  }
  const doc = discoverySchema.safeParse(body);
  if (!doc.success) throw new AuthUnavailableError(`OIDC discovery document at ${url} has no valid issuer/jwks_uri`);
  // The spec requires the document's issuer to be identical to the one it was fetched for.
  if (doc.data.issuer !== issuer) {
    throw new AuthUnavailableError(`OIDC discovery document at ${url} names issuer ${doc.data.issuer}, expected ${issuer}`);
  }
  return new URL(doc.data.jwks_uri);
}

/**
 * Verifies access tokens of an OIDC provider: signature against the provider's JWKS (found by
 * discovery and cached, keys refetched by jose on an unknown `kid`), issuer, audience, algorithm
 * allow-list, exp/nbf with a small clock tolerance, then the claims of API.md.
 * Token problems → AuthenticationError (401); an unreachable provider → AuthUnavailableError (503).
 */
export function createOidcVerifier(opts: OidcVerifierOptions): TokenVerifier {
  const httpTimeoutMs = opts.httpTimeoutMs ?? 5000;
  const retryMs = opts.discoveryRetryMs ?? 5000;
  let jwks: JWTVerifyGetKey | undefined;
  let pending: Promise<JWTVerifyGetKey> | undefined;
  let lastFailure: { at: number; error: AuthUnavailableError } | undefined;

  async function keySet(): Promise<JWTVerifyGetKey> {
    if (jwks) return jwks;
    if (lastFailure && Date.now() - lastFailure.at < retryMs) throw lastFailure.error;
    pending ??= (async () => {
      const url = opts.jwksUrl ? new URL(opts.jwksUrl) : await discoverJwksUri(opts.issuer, httpTimeoutMs);
      const remote = createRemoteJWKSet(url, { timeoutDuration: httpTimeoutMs });
      // Key lookup failures that are the provider's (unreachable, timeout, not a JWKS) are outages,
      // not bad tokens; a token whose key is simply not in the set stays a 401.
      const getKey: JWTVerifyGetKey = async (header, token) => {
        try {
          return await remote(header, token);
        } catch (err) {
          if (err instanceof joseErrors.JWKSNoMatchingKey || err instanceof joseErrors.JWKSMultipleMatchingKeys) throw err;
          throw new AuthUnavailableError(`JWKS at ${url.href} unavailable: ${(err as Error).message}`, { cause: err });
        }
      };
      return getKey;
    })()
      .then((k) => {
        jwks = k;
        lastFailure = undefined;
        return k;
      })
      .catch((err: unknown) => {
        const error = err instanceof AuthUnavailableError ? err : new AuthUnavailableError(String(err), { cause: err });
        lastFailure = { at: Date.now(), error };
        throw error;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  }

  return {
    async verify(token: string): Promise<Principal> {
      const getKey = await keySet();
      try {
        const { payload } = await jwtVerify(token, getKey, {
          issuer: opts.issuer,
          audience: opts.audience,
          algorithms: opts.algorithms,
          requiredClaims: ['sub', 'exp'],
          clockTolerance: opts.clockToleranceSeconds ?? 30,
        });
        return principalFromClaims(payload);
      } catch (err) {
        throw toAuthenticationError(err);
      }
    },
  };
}
