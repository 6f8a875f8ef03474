import type { Role } from '../../../../libs/auth/src/principal';
import { IS_PUBLIC_KEY, ROLES_KEY } from './decorators';

export type AccessPolicy = { kind: 'public' } | { kind: 'roles'; roles: readonly Role[] } | { kind: 'undeclared' };

function declaredOn(target: object): AccessPolicy | undefined {
  if (Reflect.getMetadata(IS_PUBLIC_KEY, target) === true) return { kind: 'public' };
  const roles = Reflect.getMetadata(ROLES_KEY, target) as Role[] | undefined;
  if (Array.isArray(roles)) return { kind: 'roles', roles };
  return undefined;
}

/**
 * Who may call a route: the declaration on the handler, else the one on its controller, else
 * nobody (default deny). `roles: []` (from @Authenticated) means any valid token.
 */
export function accessPolicyOf(handler: object, controller: object): AccessPolicy {
  return declaredOn(handler) ?? declaredOn(controller) ?? { kind: 'undeclared' };
}
