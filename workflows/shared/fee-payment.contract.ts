/**
 * Fees paid online (Gewerbeanmeldung; later any process with a fee): what the API's
 * `POST /api/v1/cases/{caseId}/payment` and a fee-collecting workflow share. The API asks the
 * case's workflow with this Update, so the answer is the workflow's truth — the open fee's payment
 * at the provider — and a repeated call returns the same payment. The validator refuses (before
 * anything is written to history) a caller who is not the case's owner (NOT_FOUND) and a case with
 * no fee open right now (CONFLICT, reason `no_open_fee`: not yet asked for, already paid, closed).
 * Workflow-safe: no I/O.
 */
import { defineUpdate } from '@temporalio/workflow';
import type { Actor } from './case.contract';

export interface FeePayment {
  /** The provider's id of the payment. */
  paymentId: string;
  /** The provider's page the citizen's browser is sent to. */
  redirectUrl: string;
  /** Euros with two decimals, e.g. "15.00". */
  amount: string;
  currency: 'EUR';
  /** As the workflow knows it: `created` until the provider's callback says paid / failed. */
  status: 'created' | 'paid' | 'failed' | 'expired' | 'refunded';
}

export const feePaymentUpdate = defineUpdate<FeePayment, [{ by: Actor }]>('feePayment');

/** Reasons in the CONFLICT details of feePaymentUpdate's validator. */
export const FEE_PAYMENT_REJECTIONS = {
  noOpenFee: 'no_open_fee',
  alreadyPaid: 'fee_already_paid',
} as const;
