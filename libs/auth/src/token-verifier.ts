import { errors as joseErrors } from 'jose';
import type { Principal } from './principal';
import { AuthenticationError } from './errors';
import type { AuthFailureReason } from './errors';

/** Turns a bearer token into a Principal, or throws AuthenticationError / AuthUnavailableError. */
export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

/**
 * Maps a jose verification error to an AuthenticationError with a reason for logs. Anything that is
 * not a jose error is passed through unchanged (it is not the caller's fault, and must not become a
 * 401 that hides an outage).
 */
export function toAuthenticationError(err: unknown): unknown {
  if (err instanceof AuthenticationError || !(err instanceof joseErrors.JOSEError)) return err;
  let reason: AuthFailureReason = 'malformed';
  switch (err.code) {
    case joseErrors.JWTExpired.code:
      reason = 'expired';
      break;
    case joseErrors.JWTClaimValidationFailed.code: {
      const claim = (err as joseErrors.JWTClaimValidationFailed).claim;
      reason = claim === 'iss' ? 'issuer' : claim === 'aud' ? 'audience' : claim === 'nbf' ? 'not_yet_valid' : 'claims';
      break;
    }
    case joseErrors.JOSEAlgNotAllowed.code:
      reason = 'algorithm';
      break;
    case joseErrors.JWSSignatureVerificationFailed.code:
      reason = 'signature';
      break;
    case joseErrors.JWKSNoMatchingKey.code:
    case joseErrors.JWKSMultipleMatchingKeys.code:
      reason = 'unknown_key';
      break;
  }
  return new AuthenticationError(reason, `token rejected (${reason}): ${err.message}`);
}
