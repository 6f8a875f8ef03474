import type { DomainErrorCode } from '../../../../libs/domain/src/errors';

/** The one place where domain error codes become HTTP statuses (DESIGN.md: mapped at the edge). */
export const DOMAIN_ERROR_STATUS: Record<DomainErrorCode, number> = {
  INVALID: 422,
  NOT_FOUND: 404,
  CONFLICT: 409,
  FORBIDDEN: 403,
  UNAUTHENTICATED: 401,
  GONE: 410,
  PRECONDITION_FAILED: 412,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
};
