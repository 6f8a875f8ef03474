/**
 * The Fachverfahren adapter SPI: one small interface per capability. An adapter is the only code
 * that knows how a specialist system (Fachverfahren) or a payment provider is spoken to; workflows
 * call it through the activities of activities/fachverfahren and never see HTTP, XML or queues.
 *
 * Rules every implementation follows (the contract-test kit checks them, see contract-kit/):
 * 1. Idempotent by (caseId, step). A state-changing call sends `idempotencyKey(caseId, step)` to
 *    the remote, and a repeated call — an activity retry after a timeout — returns the first
 *    call's result (same externalId / paymentId), never a second submission or payment.
 * 2. Failures are AdapterBusinessError (the remote said no: not retried) or AdapterTechnicalError
 *    (timeouts, network, 5xx: retried). Nothing else escapes an adapter.
 * 3. No personal data in error messages (they land in Temporal histories and logs).
 * 4. health() never throws.
 */

export type AdapterKind = 'submission' | 'payment';
export const ADAPTER_KINDS: readonly AdapterKind[] = ['submission', 'payment'];

export interface AdapterHealth {
  healthy: boolean;
  /** Short, non-personal description of the most recent failure (probe or real call). */
  lastError?: string;
}

export interface AdapterBase {
  /** The registry name, also the callback path segment: `/api/v1/integrations/{name}/callbacks`. */
  readonly name: string;
  readonly kind: AdapterKind;
  /** Probes the remote (bounded time) and reports the last error seen; never throws. */
  health(): Promise<AdapterHealth>;
}

/** Which workflow step of which case a call belongs to — the idempotency scope. */
export interface CallRef {
  /** The case's id (opaque, no personal data; a UUID or the case number). */
  caseId: string;
  /** The workflow's name for this call, unique within the case: `payment-instruction`, `gewo14-delivery:ihk`. */
  step: string;
}

// --- Submission capability (Wohngeld payment instruction, Gewerberegister, § 14 deliveries) ------

/**
 * Kinds the sandbox understands. Real adapters accept whatever their Fachverfahren offers; the
 * kind is a free string in the SPI.
 */
export const SUBMISSION_KINDS = {
  /** Wohngeld: Zahlungsanordnung to the Wohngeld Fachverfahren (payment instruction). */
  wohngeldPaymentInstruction: 'wohngeld-payment-instruction',
  /** Gewerbeanmeldung: registration in the Gewerberegister. */
  gewerberegisterRegistration: 'gewerberegister-registration',
  /** Gewerbeanmeldung: the XGewerbeanzeige message to one § 14 GewO recipient. */
  gewo14Delivery: 'gewo14-delivery',
  /** Bewohnerparken: issue a residents' parking permit in the Bezirksamt's permit register. */
  bewohnerparkausweis: 'bewohnerparkausweis',
  /** A no-op submission that stays `accepted`: used by the contract-test kit. */
  contractProbe: 'contract-probe',
} as const;

export interface SubmissionRequest extends CallRef {
  /** What is submitted (see SUBMISSION_KINDS). */
  kind: string;
  /** The document, as JSON. May contain personal data: adapters never log it. */
  payload: unknown;
}

export type SubmissionStatus = 'accepted' | 'processing' | 'completed' | 'rejected' | 'cancelled';
export const SUBMISSION_STATUSES: readonly SubmissionStatus[] = ['accepted', 'processing', 'completed', 'rejected', 'cancelled'];

export interface SubmissionReceipt {
  /** The remote's id for this submission (Kassenzeichen, Registernummer, message id, …). */
  externalId: string;
  status: SubmissionStatus;
}

export interface SubmissionState extends SubmissionReceipt {
  /** What the remote answered once completed (e.g. `{registerNumber}`); no personal data. */
  result?: Record<string, unknown>;
  /** Set when status is `rejected` later on (asynchronous rejection). */
  rejection?: { code: string; message: string };
  updatedAt?: string;
}

export interface CancelRequest extends CallRef {
  externalId: string;
  reason?: string;
}

export interface CancelResult {
  externalId: string;
  status: 'cancelled';
}

export interface SubmissionAdapter extends AdapterBase {
  readonly kind: 'submission';
  /** Idempotent by (caseId, step): the same pair always yields the same externalId. */
  submit(req: SubmissionRequest): Promise<SubmissionReceipt>;
  /** Current state; an unknown externalId is AdapterBusinessError `NOT_FOUND`. */
  status(externalId: string): Promise<SubmissionState>;
  /** Idempotent: cancelling a cancelled submission answers `cancelled` again. A completed one is `NOT_CANCELLABLE`. */
  cancel(req: CancelRequest): Promise<CancelResult>;
}

// --- Payment capability (ePayment-style provider: start → citizen pays → callback; refund) -------

/** Euros with exactly two decimals as a string ("15.00"): money never passes through a float. */
export const AMOUNT = /^(0|[1-9]\d{0,8})\.\d{2}$/;

export interface PaymentStartRequest extends CallRef {
  /** Euros, two decimals, e.g. "15.00" (see AMOUNT). */
  amount: string;
  /** Verwendungszweck shown to the citizen, e.g. "Gewerbeanmeldung GA-2026-000007". */
  purpose: string;
  /** Where the provider sends the citizen's browser after paying (or aborting). */
  returnUrl: string;
}

export type PaymentStatus = 'created' | 'paid' | 'failed' | 'expired' | 'refunded';
export const PAYMENT_STATUSES: readonly PaymentStatus[] = ['created', 'paid', 'failed', 'expired', 'refunded'];

export interface PaymentStart {
  paymentId: string;
  /** The provider's page the citizen is sent to. */
  redirectUrl: string;
  status: PaymentStatus;
}

export interface PaymentState {
  paymentId: string;
  status: PaymentStatus;
  amount: string;
  paidAt?: string;
  /** Sum of refunds so far, two decimals. */
  refunded?: string;
}

export interface RefundRequest extends CallRef {
  paymentId: string;
  /** Defaults to the full amount. */
  amount?: string;
  reason: string;
}

export interface RefundResult {
  refundId: string;
  paymentId: string;
  status: 'refunded' | 'pending';
  amount: string;
}

export interface PaymentAdapter extends AdapterBase {
  readonly kind: 'payment';
  /** Idempotent by (caseId, step): the same pair yields the same paymentId and redirect. */
  startPayment(req: PaymentStartRequest): Promise<PaymentStart>;
  /** Unknown paymentId: AdapterBusinessError `NOT_FOUND`. */
  status(paymentId: string): Promise<PaymentState>;
  /** Idempotent by (caseId, step). Refunding an unpaid payment: AdapterBusinessError `NOT_PAID`. */
  refund(req: RefundRequest): Promise<RefundResult>;
}

export type FachverfahrenAdapter = SubmissionAdapter | PaymentAdapter;

export function isSubmissionAdapter(a: FachverfahrenAdapter): a is SubmissionAdapter {
  return a.kind === 'submission';
}

export function isPaymentAdapter(a: FachverfahrenAdapter): a is PaymentAdapter {
  return a.kind === 'payment';
}
