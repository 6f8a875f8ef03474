import { SignJWT, jwtVerify } from 'jose';
import type { CryptoKey } from 'jose';
import { z } from 'zod';
import { ROLES, TRUST_LEVELS } from '../../domain/src/identity';
import { claimsFromPrincipal, principalFromClaims } from './claims';
import type { Principal } from './principal';
import type { TokenVerifier } from './token-verifier';
import { toAuthenticationError } from './token-verifier';

/**
 * Development tokens (AUTH_MODE=dev only): HS256 with DEV_JWT_SECRET, a fixed issuer and audience
 * that no real identity provider uses, so a dev token is never accepted by an OIDC deployment.
 */
export const DEV_TOKEN_ISSUER = 'urn:amtsweg:dev-token-issuer';
export const DEV_TOKEN_AUDIENCE = 'urn:amtsweg:api';
const CLOCK_TOLERANCE_SECONDS = 5;

/** The body of POST /api/v1/dev/token (API.md "Identity"); unknown fields are refused, not ignored. */
export const devTokenRequestSchema = z.strictObject({
  sub: z.string().min(1).max(255),
  roles: z.array(z.enum(ROLES)).min(1).max(ROLES.length),
  trust_level: z.enum(TRUST_LEVELS).optional(),
  office: z.string().min(1).max(100).optional(),
  groups: z.array(z.string().min(1).max(100)).max(100).optional(),
  email: z.email().max(320).optional(),
  name: z.string().min(1).max(200).optional(),
  /** Lifetime in seconds; defaults to DEV_TOKEN_TTL_SECONDS. */
  expires_in: z.number().int().min(60).max(86400).optional(),
});
export type DevTokenRequest = z.infer<typeof devTokenRequestSchema>;

export const devTokenResponseSchema = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
});
export type DevTokenResponse = z.infer<typeof devTokenResponseSchema>;

function keyFrom(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

export function principalFromDevTokenRequest(r: DevTokenRequest): Principal {
  return {
    sub: r.sub,
    roles: [...new Set(r.roles)],
    trustLevel: r.trust_level ?? 'basis',
    groups: r.groups ?? [],
    ...(r.office !== undefined && { office: r.office }),
    ...(r.email !== undefined && { email: r.email }),
    ...(r.name !== undefined && { name: r.name }),
  };
}

export async function signDevToken(secret: string, principal: Principal, expiresInSeconds: number): Promise<DevTokenResponse> {
  const access_token = await new SignJWT(claimsFromPrincipal(principal))
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(principal.sub)
    .setIssuer(DEV_TOKEN_ISSUER)
    .setAudience(DEV_TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${expiresInSeconds}s`)
    .sign(keyFrom(secret));
  return { access_token, token_type: 'Bearer', expires_in: expiresInSeconds };
}

export function createDevTokenVerifier(secret: string): TokenVerifier {
  const secretBytes = keyFrom(secret);
  // Imported once: handed raw bytes, jose imports a WebCrypto key on every verification.
  let imported: Promise<CryptoKey> | undefined;
  const verificationKey = (): Promise<CryptoKey> =>
    (imported ??= crypto.subtle.importKey('raw', secretBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']).catch((e: unknown) => {
      imported = undefined;
      throw e;
    }));
  return {
    async verify(token: string): Promise<Principal> {
      try {
        const { payload } = await jwtVerify(token, await verificationKey(), {
          issuer: DEV_TOKEN_ISSUER,
          audience: DEV_TOKEN_AUDIENCE,
          algorithms: ['HS256'],
          requiredClaims: ['sub', 'exp'],
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
        });
        return principalFromClaims(payload);
      } catch (err) {
        throw toAuthenticationError(err);
      }
    },
  };
}
