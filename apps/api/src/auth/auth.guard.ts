import { Inject, Injectable } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Logger } from 'pino';
import { AuthenticationError, AuthUnavailableError } from '../../../../libs/auth/src/errors';
import { hasAnyRole } from '../../../../libs/auth/src/principal';
import type { TokenVerifier } from '../../../../libs/auth/src/token-verifier';
import { ApiProblem, problemType } from '../problem/problem';
import { ROOT_LOGGER, TOKEN_VERIFIER } from '../tokens';
import { accessPolicyOf } from './access-policy';
import type { RequestWithPrincipal } from './decorators';

const REALM = 'Bearer realm="amtsweg"';

/** Reads `Authorization: Bearer <token>`; anything else counts as no token. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(header ?? '');
  return m?.[1];
}

/**
 * The global guard: every route must be @Public, @Roles(...) or @Authenticated (default deny).
 * For the latter two it verifies the bearer token (401 with WWW-Authenticate when missing or
 * invalid, 503 when the identity provider cannot be reached), attaches the Principal to the request
 * and checks the roles (403).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = accessPolicyOf(context.getHandler(), context.getClass());
    if (policy.kind === 'public') return true;

    const req = context.switchToHttp().getRequest<Request & RequestWithPrincipal & { log?: Logger }>();
    const log = req.log ?? this.logger;
    if (policy.kind === 'undeclared') {
      // Unreachable in a booted app (AccessPolicyCheck refuses to start), kept as the last line of defence.
      log.error({ handler: `${context.getClass().name}.${context.getHandler().name}` }, 'endpoint declares no access policy; refused');
      throw new ApiProblem(403, 'This endpoint is not open to any caller.');
    }

    const token = bearerToken(req.headers.authorization);
    if (!token) {
      throw new ApiProblem(401, 'This endpoint needs a bearer token (Authorization: Bearer <JWT>).', { headers: { 'WWW-Authenticate': REALM } });
    }
    try {
      req.principal = await this.verifier.verify(token);
    } catch (err) {
      if (err instanceof AuthenticationError) {
        log.info({ reason: err.reason }, 'bearer token rejected');
        const detail = err.reason === 'expired' ? 'The access token has expired.' : 'The access token is invalid.';
        throw new ApiProblem(401, detail, {
          type: problemType('invalid-token'),
          headers: { 'WWW-Authenticate': `${REALM}, error="invalid_token", error_description="${detail.replace(/"/g, '')}"` },
        });
      }
      if (err instanceof AuthUnavailableError) {
        log.error({ err }, 'identity provider unavailable');
        throw new ApiProblem(503, 'Sign-in cannot be checked right now. Please try again shortly.', { headers: { 'Retry-After': '10' } });
      }
      throw err;
    }

    if (policy.roles.length > 0 && !hasAnyRole(req.principal, policy.roles)) {
      throw new ApiProblem(403, 'Your account is not allowed to do this.');
    }
    return true;
  }
}
