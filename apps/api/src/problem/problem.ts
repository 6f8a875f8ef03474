import { STATUS_CODES } from 'node:http';
import type { FieldIssue } from '../../../../libs/domain/src/errors';

/** An RFC 9457 problem document as amtsweg sends it (Content-Type application/problem+json). */
export interface ProblemDocument {
  /** A stable URN per kind of problem, e.g. urn:amtsweg:problem:validation-failed. */
  type: string;
  title: string;
  status: number;
  detail: string;
  /** The request path (never the query string: it may carry link tokens). */
  instance?: string;
  /** Field problems for 400/422: `path` is a JSON pointer into the body or query ("" = the whole). */
  errors?: FieldIssue[];
  /** The X-Request-Id of this request, to quote when reporting a problem. */
  requestId?: string;
  /** For domain errors: the domain code (CONFLICT, …) and an optional finer reason. */
  code?: string;
  reason?: string;
}

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

export function problemType(slug: string): string {
  return `urn:amtsweg:problem:${slug}`;
}

/** Slug and title of the problem type used for a bare HTTP status. */
const STATUS_SLUGS: Record<number, string> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  409: 'conflict',
  410: 'gone',
  412: 'precondition-failed',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  422: 'validation-failed',
  429: 'rate-limited',
  500: 'internal-error',
  503: 'service-unavailable',
};

export function slugForStatus(status: number): string {
  return STATUS_SLUGS[status] ?? (STATUS_CODES[status] ?? `http-${status}`).toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

export function titleForStatus(status: number): string {
  return status === 422 ? 'Unprocessable Content' : (STATUS_CODES[status] ?? 'Error');
}

export interface ApiProblemOptions {
  type?: string;
  title?: string;
  errors?: FieldIssue[];
  /** Response headers that belong to the problem (WWW-Authenticate, Retry-After). */
  headers?: Record<string, string>;
  code?: string;
  reason?: string;
  cause?: unknown;
}

/**
 * An error that already knows its HTTP problem document. Thrown by the API's own edge code (pipes,
 * guards); domain code throws DomainError instead and the filter maps it.
 */
export class ApiProblem extends Error {
  override readonly name = 'ApiProblem';
  readonly type: string;
  readonly title: string;
  readonly errors?: FieldIssue[];
  readonly headers: Record<string, string>;
  readonly code?: string;
  readonly reason?: string;

  constructor(
    readonly status: number,
    readonly detail: string,
    opts: ApiProblemOptions = {},
  ) {
    super(detail, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.type = opts.type ?? problemType(slugForStatus(status));
    this.title = opts.title ?? titleForStatus(status);
    this.headers = opts.headers ?? {};
    if (opts.errors) this.errors = opts.errors;
    if (opts.code) this.code = opts.code;
    if (opts.reason) this.reason = opts.reason;
  }
}
