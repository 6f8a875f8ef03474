import type { PaymentAdapter, PaymentStart, SubmissionAdapter } from '../adapter';

/**
 * What the contract-test kit needs to know about an adapter besides the adapter itself: a request
 * the remote accepts, how to make the remote say no (business rejection), and how to make the call
 * fail technically. Every adapter type provides one (AdapterType.contract in registry.ts); the
 * reference one is contract-kit/http-fixture.ts.
 */
export interface FaultyAdapter<A> {
  adapter: A;
  /** Shown in the report: "connection refused", "HTTP 503", "timeout". */
  description: string;
}

export interface SubmissionContractFixture {
  kind: 'submission';
  adapter: SubmissionAdapter;
  /** A submission the remote accepts and that stays cancellable for at least a few seconds. */
  validSubmission(): { kind: string; payload: unknown };
  /** The same adapter (or one wired to provoke it) and a request the remote rejects for business reasons. */
  businessRejection(): Promise<{ adapter: SubmissionAdapter; request: { kind: string; payload: unknown }; expectedCode?: string }>;
  /** Instances whose remote fails technically. At least one. */
  technicalFaults(): Promise<FaultyAdapter<SubmissionAdapter>[]>;
  /** Optional: an instance whose first `failures` calls per idempotency key fail technically, then succeed. */
  transientFault?(): Promise<{ adapter: SubmissionAdapter; failures: number }>;
  /** Releases whatever the fixture opened. */
  close?(): Promise<void>;
}

export interface PaymentContractFixture {
  kind: 'payment';
  adapter: PaymentAdapter;
  validPayment(): { amount: string; purpose: string; returnUrl: string };
  businessRejection(): Promise<{ adapter: PaymentAdapter; request: { amount: string; purpose: string; returnUrl: string }; expectedCode?: string }>;
  technicalFaults(): Promise<FaultyAdapter<PaymentAdapter>[]>;
  transientFault?(): Promise<{ adapter: PaymentAdapter; failures: number }>;
  /** Optional: the citizen pays at the provider (so refunds can be checked). */
  pay?(payment: PaymentStart): Promise<void>;
  close?(): Promise<void>;
}

export type ContractFixture = SubmissionContractFixture | PaymentContractFixture;

export interface ContractCheckResult {
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  ms: number;
  /** Why it failed or was skipped. */
  detail?: string;
}

export interface ContractReport {
  adapter: string;
  kind: 'submission' | 'payment';
  passed: boolean;
  checks: ContractCheckResult[];
  durationMs: number;
}
