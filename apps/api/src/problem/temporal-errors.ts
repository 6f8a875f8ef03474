import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, isGrpcServiceError } from '@temporalio/client';
import { DomainError, isDomainErrorCode } from '../../../../libs/domain/src/errors';
import type { DomainErrorDetails } from '../../../../libs/domain/src/errors';
import { ApiProblem, problemType } from './problem';

const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

function causes(err: unknown): unknown[] {
  const chain: unknown[] = [];
  let e: unknown = err;
  for (let depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    chain.push(e);
    e = (e as { cause?: unknown }).cause;
  }
  return chain;
}

function detailsOf(f: ApplicationFailure): DomainErrorDetails | undefined {
  const first = f.details?.[0];
  if (typeof first !== 'object' || first === null) return undefined;
  const d = first as { errors?: unknown; reason?: unknown };
  const out: DomainErrorDetails = {};
  if (Array.isArray(d.errors)) {
    out.errors = d.errors
      .filter((i): i is { path: unknown; message: unknown } => typeof i === 'object' && i !== null)
      .map((i) => ({ path: String(i.path ?? ''), message: String(i.message ?? '') }));
  }
  if (typeof d.reason === 'string') out.reason = d.reason;
  return out;
}

/**
 * Errors from @temporalio/client that carry meaning for the API caller:
 * - a workflow's business rejection (ApplicationFailure whose `type` is a DomainErrorCode, e.g. an
 *   Update validator saying INVALID, a booking saying CONFLICT) anywhere in the cause chain →
 *   the DomainError it stands for;
 * - an unknown workflow → 404;
 * - Temporal unreachable / deadline exceeded → 503 (try again), never a 500;
 * - an Update the workflow refused (its validator, or its handler with an ApplicationFailure)
 *   without a domain code → 422 with the workflow's message: validators reject input;
 * - an Update call that timed out before the workflow answered → 503.
 * Returns undefined for anything else.
 */
export function fromTemporalError(err: unknown): DomainError | ApiProblem | undefined {
  for (const e of causes(err)) {
    if (e instanceof ApplicationFailure && isDomainErrorCode(e.type)) {
      return new DomainError(e.type, e.message, detailsOf(e));
    }
    if (e instanceof WorkflowNotFoundError) {
      return new DomainError('NOT_FOUND', 'The requested process does not exist.');
    }
    if (isGrpcServiceError(e) && (e.code === GRPC_UNAVAILABLE || e.code === GRPC_DEADLINE_EXCEEDED)) {
      return new ApiProblem(503, 'The process engine is temporarily unavailable. Please try again shortly.', { headers: { 'Retry-After': '5' } });
    }
  }
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause;
    return new ApiProblem(422, cause instanceof ApplicationFailure && cause.message ? cause.message : 'The process refused the request.', {
      type: problemType('validation-failed'),
      ...(cause instanceof ApplicationFailure && detailsOf(cause)),
    });
  }
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return new ApiProblem(503, 'The process did not answer in time. Please try again shortly.', { headers: { 'Retry-After': '5' } });
  }
  return undefined;
}
