import { activityInfo, ApplicationFailure, log } from '@temporalio/activity';
import type {
  CancelResult,
  PaymentStart,
  PaymentState,
  RefundResult,
  SubmissionReceipt,
  SubmissionState,
} from '../../libs/fachverfahren/src/adapter';
import { AdapterBusinessError, AdapterTechnicalError, FV_FAILURE_PREFIX, FV_TECHNICAL_FAILURE_TYPE } from '../../libs/fachverfahren/src/errors';
import { idempotencyKey } from '../../libs/fachverfahren/src/idempotency';
import { AdapterKindError, UnknownAdapterError } from '../../libs/fachverfahren/src/registry';
import type { AdapterRegistry } from '../../libs/fachverfahren/src/registry';
import type { AdapterCallOperation, AdapterCallStore } from '../../libs/fachverfahren/src/stores';

export type { CancelResult, PaymentStart, PaymentState, RefundResult, SubmissionReceipt, SubmissionState };

/**
 * Failure types the workflows see (ApplicationFailure.type, stable):
 * - `FV_<CODE>`: the Fachverfahren said no (AdapterBusinessError code, e.g. FV_INVALID_IBAN,
 *   FV_NOT_FOUND, FV_NOT_CANCELLABLE); non-retryable. `details[0]` = {adapter, code, details?}.
 * - `FV_UNKNOWN_ADAPTER`, `FV_WRONG_ADAPTER_KIND`, `FV_INVALID_REQUEST`: the workflow asked for
 *   something impossible (a programming or configuration error); non-retryable.
 * - `AdapterTechnicalError`: timeout, network, 5xx — retried by Temporal with the activity's retry
 *   policy (and the remote's Retry-After when it sent one). When the retries are exhausted the
 *   workflow gets this type and puts the case in front of an operator.
 */
export const FV_FAILURES = {
  prefix: FV_FAILURE_PREFIX,
  technical: FV_TECHNICAL_FAILURE_TYPE,
  unknownAdapter: 'FV_UNKNOWN_ADAPTER',
  wrongKind: 'FV_WRONG_ADAPTER_KIND',
  invalidRequest: 'FV_INVALID_REQUEST',
} as const;

export interface FachverfahrenActivityDeps {
  registry: AdapterRegistry;
  /** Records each call with its workflow id, so inbound callbacks find the waiting workflow. */
  calls: AdapterCallStore;
}

export interface FvSubmitInput {
  adapter: string;
  caseId: string;
  /** Unique per call within the case, e.g. `payment-instruction`, `gewo14-delivery:ihk`. */
  step: string;
  kind: string;
  payload: unknown;
}

export interface FvStatusInput {
  adapter: string;
  externalId: string;
}

export interface FvCancelInput {
  adapter: string;
  caseId: string;
  /** The step of the submission being cancelled. */
  step: string;
  externalId: string;
  reason?: string;
}

export interface PaymentStartInput {
  adapter: string;
  caseId: string;
  step: string;
  /** Euros with two decimals, e.g. "15.00". */
  amount: string;
  purpose: string;
  returnUrl: string;
}

export interface PaymentStatusInput {
  adapter: string;
  paymentId: string;
}

export interface PaymentRefundInput {
  adapter: string;
  caseId: string;
  /** Its own step, e.g. `fee-refund`. */
  step: string;
  paymentId: string;
  amount?: string;
  reason: string;
}

/** Maps an adapter failure to Temporal semantics (see FV_FAILURES). */
export function toActivityFailure(adapter: string, e: unknown): unknown {
  if (e instanceof AdapterBusinessError) {
    return ApplicationFailure.create({
      type: `${FV_FAILURE_PREFIX}${e.code}`,
      message: e.message,
      nonRetryable: true,
      details: [{ adapter, code: e.code, ...(e.details && { details: e.details }) }],
    });
  }
  if (e instanceof AdapterTechnicalError) {
    if (e.retryAfterMs !== undefined) {
      // Honour the remote's Retry-After, still within the retry policy's attempts.
      return ApplicationFailure.create({ type: FV_TECHNICAL_FAILURE_TYPE, message: e.message, nonRetryable: false, nextRetryDelay: Math.max(e.retryAfterMs, 100), cause: e });
    }
    return e; // a plain error: Temporal retries it with backoff, type "AdapterTechnicalError"
  }
  if (e instanceof UnknownAdapterError) return ApplicationFailure.create({ type: FV_FAILURES.unknownAdapter, message: e.message, nonRetryable: true });
  if (e instanceof AdapterKindError) return ApplicationFailure.create({ type: FV_FAILURES.wrongKind, message: e.message, nonRetryable: true });
  if (e instanceof TypeError) return ApplicationFailure.create({ type: FV_FAILURES.invalidRequest, message: e.message, nonRetryable: true });
  return e; // anything else (a bug in an adapter, the database briefly away): retried
}

function failureCode(e: unknown): string {
  if (e instanceof AdapterBusinessError) return e.code;
  if (e instanceof AdapterTechnicalError) return `TECHNICAL:${e.reason ?? 'UNKNOWN'}${e.status ? `:${e.status}` : ''}`;
  return e instanceof Error ? e.name : 'ERROR';
}

export function createFachverfahrenActivities(deps: FachverfahrenActivityDeps) {
  /** Records the call, runs it, records the outcome; maps failures. */
  async function recorded<T>(operation: AdapterCallOperation, adapter: string, caseId: string, step: string, run: () => Promise<T>, externalIdOf: (r: T) => [string, string]): Promise<T> {
    const info = activityInfo();
    const ref = { adapter, caseId, step };
    try {
      await deps.calls.begin({ ...ref, operation, idempotencyKey: idempotencyKey(caseId, step), workflowId: info.workflowExecution?.workflowId ?? 'standalone-activity' });
    } catch (e) {
      throw toActivityFailure(adapter, e);
    }
    try {
      const result = await run();
      const [externalId, status] = externalIdOf(result);
      await deps.calls.succeeded(ref, externalId, status);
      log.info('fachverfahren call succeeded', { adapter, operation, step, externalId, status, attempt: info.attempt });
      return result;
    } catch (e) {
      await deps.calls.failed(ref, failureCode(e)).catch(() => undefined);
      log.warn('fachverfahren call failed', { adapter, operation, step, failure: failureCode(e), attempt: info.attempt });
      throw toActivityFailure(adapter, e);
    }
  }

  async function mapped<T>(adapter: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      throw toActivityFailure(adapter, e);
    }
  }

  return {
    /** Submits a document to a Fachverfahren; idempotent by (caseId, step). */
    async fvSubmit(input: FvSubmitInput): Promise<SubmissionReceipt> {
      return recorded(
        'submit',
        input.adapter,
        input.caseId,
        input.step,
        () => deps.registry.submission(input.adapter).submit({ caseId: input.caseId, step: input.step, kind: input.kind, payload: input.payload }),
        (r) => [r.externalId, r.status],
      );
    },

    /** The submission's current state at the Fachverfahren. */
    async fvStatus(input: FvStatusInput): Promise<SubmissionState> {
      return mapped(input.adapter, async () => {
        const s = await deps.registry.submission(input.adapter).status(input.externalId);
        await deps.calls.statusChanged(input.adapter, input.externalId, s.status);
        return s;
      });
    },

    /** Cancels a submission (idempotent; a completed one fails with FV_NOT_CANCELLABLE). */
    async fvCancel(input: FvCancelInput): Promise<CancelResult> {
      return mapped(input.adapter, async () => {
        const r = await deps.registry.submission(input.adapter).cancel({ caseId: input.caseId, step: input.step, externalId: input.externalId, ...(input.reason !== undefined && { reason: input.reason }) });
        await deps.calls.statusChanged(input.adapter, input.externalId, r.status);
        return r;
      });
    },

    /** Starts a payment at the provider; idempotent by (caseId, step). The citizen is sent to redirectUrl. */
    async paymentStart(input: PaymentStartInput): Promise<PaymentStart> {
      return recorded(
        'payment',
        input.adapter,
        input.caseId,
        input.step,
        () => deps.registry.payment(input.adapter).startPayment({ caseId: input.caseId, step: input.step, amount: input.amount, purpose: input.purpose, returnUrl: input.returnUrl }),
        (r) => [r.paymentId, r.status],
      );
    },

    /** The payment's state at the provider (for polling when a callback is overdue). */
    async paymentStatus(input: PaymentStatusInput): Promise<PaymentState> {
      return mapped(input.adapter, async () => {
        const s = await deps.registry.payment(input.adapter).status(input.paymentId);
        await deps.calls.statusChanged(input.adapter, input.paymentId, s.status);
        return s;
      });
    },

    /** Refunds a paid payment (saga compensation); idempotent by (caseId, step). */
    async paymentRefund(input: PaymentRefundInput): Promise<RefundResult> {
      return recorded(
        'refund',
        input.adapter,
        input.caseId,
        input.step,
        () =>
          deps.registry.payment(input.adapter).refund({
            caseId: input.caseId,
            step: input.step,
            paymentId: input.paymentId,
            reason: input.reason,
            ...(input.amount !== undefined && { amount: input.amount }),
          }),
        (r) => [r.refundId, r.status],
      );
    },
  };
}

export type FachverfahrenActivities = ReturnType<typeof createFachverfahrenActivities>;
