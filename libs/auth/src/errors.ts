/**
 * Why a bearer token was not accepted. The API answers 401 with `WWW-Authenticate: Bearer
 * error="invalid_token"` for every reason alike (RFC 6750); `reason` and the message are for logs
 * and tests. The message never contains the token.
 */
export type AuthFailureReason = 'missing' | 'malformed' | 'signature' | 'expired' | 'not_yet_valid' | 'claims' | 'issuer' | 'audience' | 'algorithm' | 'unknown_key';

export class AuthenticationError extends Error {
  override readonly name = 'AuthenticationError';

  constructor(
    readonly reason: AuthFailureReason,
    message: string,
  ) {
    super(message);
  }
}

/** The identity provider could not be reached (discovery or JWKS); not the caller's fault: 503. */
export class AuthUnavailableError extends Error {
  override readonly name = 'AuthUnavailableError';
}
