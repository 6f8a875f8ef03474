import { SetMetadata, applyDecorators, createParamDecorator } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension } from '@nestjs/swagger';
import type { Principal, Role } from '../../../../libs/auth/src/principal';
import { ApiProblemResponses } from '../docs/problem-responses';

export const IS_PUBLIC_KEY = 'amtsweg:public';
export const ROLES_KEY = 'amtsweg:roles';

/**
 * Every endpoint states who may call it — exactly one of these on the handler or its controller.
 * An endpoint with neither is refused by the guard and stops the app at boot (default deny).
 */

/** Anyone, without a token (rate-limited per client IP). */
export const Public = (): MethodDecorator & ClassDecorator => applyDecorators(SetMetadata(IS_PUBLIC_KEY, true), ApiExtension('x-amtsweg-access', { public: true }));

/** A valid token with at least one of these roles; 401 without a valid token, 403 without the role. */
export const Roles = (...roles: [Role, ...Role[]]): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(ROLES_KEY, roles), ApiBearerAuth('bearer'), ApiExtension('x-amtsweg-access', { roles }), ApiProblemResponses(401, 403));

/** Any valid token, whatever its roles (e.g. "who am I"). */
export const Authenticated = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(ROLES_KEY, []), ApiBearerAuth('bearer'), ApiExtension('x-amtsweg-access', { authenticated: true }), ApiProblemResponses(401));

export interface RequestWithPrincipal {
  principal?: Principal;
}

/** The verified caller of a @Roles/@Authenticated endpoint. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<RequestWithPrincipal>().principal;
  // Only reachable on a public endpoint, where asking for the principal is a programming error.
  if (!principal) throw new Error('@CurrentPrincipal() used on an endpoint without @Roles/@Authenticated');
  return principal;
});
