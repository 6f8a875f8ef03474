/**
 * What workflows, activities and the API share about Fachverfahren calls: the callback signal,
 * the failure types of activities/fachverfahren, and the retry policy for adapter calls.
 * Workflow-safe: no I/O, only @temporalio/workflow.
 */
import { ApplicationFailure, defineSignal } from '@temporalio/workflow';
import type { ActivityOptions } from '@temporalio/workflow';

/**
 * An inbound callback of a Fachverfahren or the payment provider, verified (HMAC, time window, not
 * a replay) and routed to this workflow by `POST /api/v1/integrations/{adapter}/callbacks`.
 * The same callbackId may arrive twice in rare failure cases: use fachverfahrenCallbacks()
 * (workflows/shared/fachverfahren.ts), which drops duplicates.
 */
export interface FachverfahrenCallback {
  callbackId: string;
  /** Adapter name from the registry, e.g. `epayment`. */
  adapter: string;
  /** See CALLBACK_EVENTS; adapters may send others. */
  event: string;
  /** The call this answers (from the activity's record when the sender named only externalId). */
  caseId: string;
  step: string;
  /** The remote's id: externalId of a submission, paymentId of a payment. */
  externalId?: string;
  occurredAt?: string;
  /** Event details, e.g. `{amount, paidAt}` for payment.paid, `{result}` for submission.completed. */
  data?: Record<string, unknown>;
  /** When amtsweg accepted it (ISO 8601). */
  receivedAt: string;
}

export const fachverfahrenCallbackSignal = defineSignal<[FachverfahrenCallback]>('fachverfahrenCallback');

/** Events the sandbox sends; real adapters document theirs. */
export const CALLBACK_EVENTS = {
  submissionCompleted: 'submission.completed',
  submissionRejected: 'submission.rejected',
  paymentPaid: 'payment.paid',
  paymentFailed: 'payment.failed',
  paymentRefunded: 'payment.refunded',
} as const;

/** Same values as libs/fachverfahren/src/errors.ts (workflows may import libs/domain only; a test keeps them equal). */
export const FV_FAILURE_PREFIX = 'FV_';
export const FV_TECHNICAL_FAILURE_TYPE = 'AdapterTechnicalError';

/**
 * Activity options for fvSubmit / paymentStart / … : retries with backoff for about two hours
 * (5 s doubling up to 30 min, 12 attempts); business rejections are non-retryable anyway. After
 * the last attempt the workflow gets a failure of type AdapterTechnicalError — show it in the case
 * and open an operator task (fachverfahrenFailure tells the two apart).
 */
export const FACHVERFAHREN_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes', maximumAttempts: 12 },
};

export type FachverfahrenFailure = { kind: 'business'; code: string; type: string; message: string } | { kind: 'technical'; message: string };

/**
 * What an adapter activity's failure means: a business rejection (with the Fachverfahren's code,
 * e.g. INVALID_IBAN) or technical retries exhausted. Undefined for anything else (cancellation,
 * a bug): rethrow those.
 */
export function fachverfahrenFailure(err: unknown): FachverfahrenFailure | undefined {
  let e: unknown = err;
  for (let depth = 0; e && depth < 8; depth++) {
    if (e instanceof ApplicationFailure && typeof e.type === 'string') {
      if (e.type === FV_TECHNICAL_FAILURE_TYPE) return { kind: 'technical', message: e.message };
      if (e.type.startsWith(FV_FAILURE_PREFIX)) return { kind: 'business', code: e.type.slice(FV_FAILURE_PREFIX.length), type: e.type, message: e.message };
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
