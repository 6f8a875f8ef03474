/**
 * The two ways an adapter call fails. Every adapter maps whatever its remote does to exactly one
 * of them — the activities (activities/fachverfahren) turn them into Temporal semantics:
 *
 * - AdapterBusinessError: the Fachverfahren understood the request and said no (invalid IBAN,
 *   unknown reference, already registered). Retrying the same request gives the same answer, so
 *   it is NOT retried; the workflow gets `ApplicationFailure` type `FV_<code>` and decides.
 * - AdapterTechnicalError: we do not know what the remote thinks (timeout, connection refused,
 *   5xx, 429, an unreadable answer, our credentials refused). Retried with backoff by Temporal;
 *   idempotency keys make the retry safe.
 */

/** Codes are stable, machine-readable, UPPER_SNAKE_CASE (`INVALID_IBAN`, `NOT_FOUND`). */
export const BUSINESS_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/** Error messages end up in Temporal histories and logs: keep them short. */
const MAX_MESSAGE = 500;
const clip = (m: string): string => (m.length > MAX_MESSAGE ? `${m.slice(0, MAX_MESSAGE - 1)}…` : m);

/** Turns anything a remote sent into a valid business code (`HTTP_422` when it sent none). */
export function normaliseBusinessCode(code: unknown, fallback: string): string {
  if (typeof code !== 'string') return fallback;
  const c = code
    .trim()
    .toUpperCase()
    .replace(/[^A-Z0-9_]+/g, '_')
    .replace(/^[^A-Z]+/, '')
    .slice(0, 64)
    .replace(/_+$/, '');
  return BUSINESS_CODE.test(c) ? c : fallback;
}

export class AdapterBusinessError extends Error {
  override readonly name = 'AdapterBusinessError';
  readonly retryable = false;

  constructor(
    /** Stable code from the remote, e.g. `INVALID_IBAN`; see BUSINESS_CODE. */
    readonly code: string,
    message: string,
    /** Non-personal details the workflow may branch on (field names, the remote's reference). */
    readonly details?: Record<string, unknown>,
  ) {
    super(clip(message));
    if (!BUSINESS_CODE.test(code)) throw new TypeError(`AdapterBusinessError: code "${code}" is not UPPER_SNAKE_CASE`);
  }
}

export interface AdapterTechnicalErrorOptions {
  /** HTTP status of the remote's answer, when there was one. */
  status?: number;
  /** The remote asked us to come back after this long (429/503 Retry-After). */
  retryAfterMs?: number;
  /** `TIMEOUT`, `NETWORK`, `HTTP_5XX`, `AUTH`, `PROTOCOL` — for logs and the adapter's health. */
  reason?: 'TIMEOUT' | 'NETWORK' | 'HTTP_5XX' | 'RATE_LIMITED' | 'AUTH' | 'PROTOCOL';
  cause?: unknown;
}

export class AdapterTechnicalError extends Error {
  override readonly name = 'AdapterTechnicalError';
  readonly retryable = true;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly reason?: AdapterTechnicalErrorOptions['reason'];

  constructor(message: string, opts: AdapterTechnicalErrorOptions = {}) {
    super(clip(message), opts.cause === undefined ? undefined : { cause: opts.cause });
    if (opts.status !== undefined) this.status = opts.status;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
    if (opts.reason !== undefined) this.reason = opts.reason;
  }
}

export function isAdapterBusinessError(e: unknown): e is AdapterBusinessError {
  return e instanceof AdapterBusinessError;
}

export function isAdapterTechnicalError(e: unknown): e is AdapterTechnicalError {
  return e instanceof AdapterTechnicalError;
}

/** Activities report a business rejection as ApplicationFailure type `FV_<code>` (non-retryable). */
export const FV_FAILURE_PREFIX = 'FV_';
/** …and a technical fault under this type (the error class name; retried). */
export const FV_TECHNICAL_FAILURE_TYPE = 'AdapterTechnicalError';
