import type { Principal } from '../../../../libs/auth/src/principal';
import { DomainError } from '../../../../libs/domain/src/errors';

/**
 * Who reads which case (issue 3 item 4, API.md "404 unknown or not yours"):
 * - citizen: their own cases only (owner_sub = token sub); anything else — someone else's case, an
 *   unknown or malformed id — is 404, never 403.
 * - admin: any case, with internal timeline entries (support, audits).
 * - caseworker: no case endpoint. Caseworkers see the case data they need through their tasks
 *   (GET /api/v1/tasks/{taskId}), scoped by task group; the case routes answer them 403 by role.
 * A principal with both roles reads as admin.
 */
export function readsAsStaff(p: Principal): boolean {
  return p.roles.includes('admin');
}

export function caseNotFound(): DomainError {
  return new DomainError('NOT_FOUND', 'There is no such case, or it is not yours.', { reason: 'case_not_found' });
}

export function documentNotFound(): DomainError {
  return new DomainError('NOT_FOUND', 'There is no such document in this case.', { reason: 'document_not_found' });
}
