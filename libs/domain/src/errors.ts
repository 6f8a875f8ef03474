/**
 * Domain errors: what went wrong in business terms, never how it maps to a transport. The HTTP API
 * maps each code to a status at its edge (apps/api/src/problem/domain-error-status.ts); workflows
 * reject with `ApplicationFailure.create({ type: <DomainErrorCode>, nonRetryable: true, message,
 * details: [DomainErrorDetails] })` and the API maps that the same way.
 *
 * The message is shown to the API client as the problem's `detail`: write it for the citizen or
 * caseworker, and never put personal data or internals in it. Pure TypeScript, safe in workflows.
 */
export const DOMAIN_ERROR_CODES = [
  /** Well-formed input that breaks a rule (a date in the past, an unknown service id). */
  'INVALID',
  /** The thing does not exist, or the caller may not know that it exists. */
  'NOT_FOUND',
  /** The thing is in a state that does not allow this (slot taken, task claimed by someone else). */
  'CONFLICT',
  /** The caller is known but not allowed to do this. */
  'FORBIDDEN',
  /** The caller could not be identified. */
  'UNAUTHENTICATED',
  /** The thing existed but is over for good (an expired hold, a lapsed offer). */
  'GONE',
  /** A precondition the caller sent does not hold (an outdated version). */
  'PRECONDITION_FAILED',
  /** Too many attempts; try again later. */
  'RATE_LIMITED',
  /** A dependency is down; the same request may succeed later. */
  'UNAVAILABLE',
] as const;

export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

/** One problem with one input field; `path` is a JSON pointer into the input ("/applicant/email"). */
export interface FieldIssue {
  path: string;
  message: string;
}

export interface DomainErrorDetails {
  /** Field-level problems, for INVALID. */
  errors?: FieldIssue[];
  /** A stable, more specific machine-readable reason, e.g. "slot_taken", "hold_expired". */
  reason?: string;
}

export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: DomainErrorDetails,
  ) {
    super(message);
  }
}

export function isDomainErrorCode(value: unknown): value is DomainErrorCode {
  return typeof value === 'string' && (DOMAIN_ERROR_CODES as readonly string[]).includes(value);
}
