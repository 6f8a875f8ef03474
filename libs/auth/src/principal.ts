import type { Role, TrustLevel } from '../../domain/src/identity';

export { ROLES, TRUST_LEVELS, isRole, isTrustLevel, meetsTrustLevel } from '../../domain/src/identity';
export type { Role, TrustLevel } from '../../domain/src/identity';

/**
 * Who is calling, as established from a verified token. `sub` is the pseudonymous account id
 * (Service-Konto / BundID); it is personal data, so it is never logged and never used in workflow
 * ids or search attributes.
 */
export interface Principal {
  sub: string;
  roles: readonly Role[];
  /** eID level of assurance of this login; `basis` when the token does not say. */
  trustLevel: TrustLevel;
  /** Caseworkers: the office (Bürgeramt / Amt) they work for. */
  office?: string;
  /** Caseworkers: the task groups whose inbox they see. */
  groups: readonly string[];
  email?: string;
  name?: string;
}

export function hasAnyRole(principal: Principal, roles: readonly Role[]): boolean {
  return roles.some((r) => principal.roles.includes(r));
}
