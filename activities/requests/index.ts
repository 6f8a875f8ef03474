import { ApplicationFailure, activityInfo, log } from '@temporalio/activity';
import { closeRequests, openRequests } from '../../libs/db/src/requests';
import type { ClosedRequestStatus, RequestStatus } from '../../libs/db/src/requests';
import { DomainError } from '../../libs/domain/src/errors';
import type { ActivityDeps } from '../deps';

/**
 * Requests to the citizen (Nachforderung of documents, stronger identification): the rows behind
 * GET /cases/{id} `openRequests`, for workflows/shared/document-request.ts and
 * workflows/shared/identity.ts. The citizen-facing timeline entry and the mail go through
 * recordCaseEvent (activities/cases), which is idempotent by event key on its own.
 */
export interface OpenCaseRequestsInput {
  caseId: string;
  /** The process's stable name for this round of requests, e.g. `vehicle-documents`. */
  key: string;
  items: Array<{ kind: string; text: string; details?: Record<string, unknown> }>;
  /** ISO 8601, or null for a request without a deadline. */
  dueBy: string | null;
}

export interface CaseRequestView {
  requestId: string;
  kind: string;
  text: string;
  /** ISO 8601 or null. */
  dueBy: string | null;
  status: RequestStatus;
}

export interface OpenCaseRequestsResult {
  /** In the order of the items. On a retry the existing rows, with their current status. */
  requests: CaseRequestView[];
}

export interface CloseCaseRequestsInput {
  caseId: string;
  requestIds: string[];
  status: ClosedRequestStatus;
}

function asFailure(e: unknown): unknown {
  if (e instanceof DomainError) return ApplicationFailure.create({ type: e.code, message: e.message, nonRetryable: true });
  return e; // technical: retried
}

function actor(): string {
  try {
    const id = activityInfo().workflowExecution?.workflowId;
    return id ? `workflow:${id}` : 'system';
  } catch {
    return 'system';
  }
}

export function createRequestActivities(deps: ActivityDeps) {
  return {
    /** Opens one request per item, idempotent by (caseId, key, kind). */
    async openCaseRequests(input: OpenCaseRequestsInput): Promise<OpenCaseRequestsResult> {
      try {
        const r = await openRequests(deps.pool, { caseId: input.caseId, key: input.key, items: input.items, dueBy: input.dueBy ? new Date(input.dueBy) : null, actor: actor() });
        log.info('case requests opened', { caseId: input.caseId, key: input.key, created: r.created });
        return {
          requests: r.requests.map((q) => ({ requestId: q.requestId, kind: q.kind, text: q.text, dueBy: q.dueBy ? q.dueBy.toISOString() : null, status: q.status })),
        };
      } catch (e) {
        throw asFailure(e);
      }
    },

    /** Closes those of the requests that are still open (fulfilled / expired / cancelled); idempotent. */
    async closeCaseRequests(input: CloseCaseRequestsInput): Promise<{ closed: string[] }> {
      try {
        const r = await closeRequests(deps.pool, { ...input, actor: actor() });
        log.info('case requests closed', { caseId: input.caseId, status: input.status, closed: r.closed.length });
        return r;
      } catch (e) {
        throw asFailure(e);
      }
    },
  };
}

export type RequestActivities = ReturnType<typeof createRequestActivities>;
