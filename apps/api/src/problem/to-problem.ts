import { HttpException } from '@nestjs/common';
import { DomainError } from '../../../../libs/domain/src/errors';
import { DOMAIN_ERROR_STATUS } from './domain-error-status';
import { fromBodyParserError } from './body-parser-errors';
import { ApiProblem, problemType, slugForStatus, titleForStatus } from './problem';
import type { ProblemDocument } from './problem';
import { fromTemporalError } from './temporal-errors';

export interface ProblemResponse {
  problem: ProblemDocument;
  headers: Record<string, string>;
  /** True for failures that are ours (5xx from unexpected errors): log with stack. */
  unexpected: boolean;
}

const GENERIC_500 = 'An unexpected error occurred. Please quote the request id if you report it.';

function fromApiProblem(p: ApiProblem): ProblemResponse {
  return {
    problem: {
      type: p.type,
      title: p.title,
      status: p.status,
      detail: p.detail,
      ...(p.errors && { errors: p.errors }),
      ...(p.code && { code: p.code }),
      ...(p.reason && { reason: p.reason }),
    },
    headers: p.headers,
    unexpected: p.status >= 500 && p.status !== 503,
  };
}

function fromDomainError(e: DomainError): ProblemResponse {
  const status = DOMAIN_ERROR_STATUS[e.code];
  return fromApiProblem(
    new ApiProblem(status, e.message, {
      type: problemType(e.code === 'INVALID' ? 'validation-failed' : e.code.toLowerCase().replace(/_/g, '-')),
      code: e.code,
      ...(e.details?.errors && { errors: e.details.errors }),
      ...(e.details?.reason && { reason: e.details.reason }),
      ...(status === 429 && { headers: { 'Retry-After': '60' } }),
      ...(status === 503 && { headers: { 'Retry-After': '5' } }),
    }),
  );
}

function detailOfHttpException(e: HttpException): string {
  const body = e.getResponse();
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return e.message;
}

/**
 * Maps anything thrown while handling a request to an RFC 9457 problem. Known kinds keep their
 * meaning (ApiProblem, DomainError, NestJS HttpException, body-parser errors, Temporal business
 * rejections); everything else is a 500 whose detail reveals nothing about the cause.
 */
export function toProblem(err: unknown): ProblemResponse {
  const e = fromBodyParserError(err);
  if (e instanceof ApiProblem) return fromApiProblem(e);
  if (e instanceof DomainError) return fromDomainError(e);

  const temporal = fromTemporalError(e);
  if (temporal instanceof DomainError) return fromDomainError(temporal);
  if (temporal instanceof ApiProblem) return fromApiProblem(temporal);

  if (e instanceof HttpException) {
    const status = e.getStatus();
    if (status >= 500) {
      return { problem: { type: problemType(slugForStatus(status)), title: titleForStatus(status), status, detail: GENERIC_500 }, headers: {}, unexpected: true };
    }
    const headers: Record<string, string> = {};
    const retryAfter = (e as { retryAfterSeconds?: unknown }).retryAfterSeconds;
    if (typeof retryAfter === 'number') headers['Retry-After'] = String(Math.max(1, Math.ceil(retryAfter)));
    return {
      problem: { type: problemType(slugForStatus(status)), title: titleForStatus(status), status, detail: detailOfHttpException(e) },
      headers,
      unexpected: false,
    };
  }

  return { problem: { type: problemType('internal-error'), title: titleForStatus(500), status: 500, detail: GENERIC_500 }, headers: {}, unexpected: true };
}
