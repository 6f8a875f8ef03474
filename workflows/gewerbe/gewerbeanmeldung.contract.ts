/**
 * Contract of the Gewerbeanmeldung process (GewO § 14, GewAnzV Anlage 1): what the API
 * (apps/api/src/applications/gewerbeanmeldung.*, apps/api/src/cases/case-payment.controller.ts) and
 * the workflow share. Besides the shared case messages (workflows/shared/case.contract.ts) the
 * process answers feePaymentUpdate (workflows/shared/fee-payment.contract.ts) and receives the
 * payment provider's and Fachverfahren callbacks (fachverfahrenCallbackSignal). No I/O here.
 *
 * Choices (see docs/gewerbeanmeldung.md):
 * - Level of assurance `substantiell`: GewAnzV § 2 lets the electronic Anzeige drop the signature
 *   (Feld 33) when identity is proven by eID or a comparable method; `basis` proves nothing.
 * - `form`: only `anmeldung` (Anlage 1) for now. Ummeldung (Anlage 2) and Abmeldung (Anlage 3) use
 *   the same machinery — fee, registration, receipt, § 14 deliveries — with their own request
 *   type, recipients and field matrix; the workflow refuses them with a clear message until then.
 */
import { TASK_QUEUES } from '../../libs/domain/src/task-queues';
import type { GewerbeanmeldungRequest, RecipientId, RegulatedGround } from '../../libs/domain/src/gewerbe';
import type { TrustLevel } from '../../libs/domain/src/identity';
import type { FormSchema } from '../../libs/domain/src/tasks/form-schema';

export { caseWorkflowId } from '../shared/case.contract';

export const GEWERBEANMELDUNG_WORKFLOW_TYPE = 'gewerbeanmeldung';
export const GEWERBE_TASK_QUEUE = TASK_QUEUES.gewerbe;
export const GEWERBEANMELDUNG_CASE_TYPE = 'gewerbeanmeldung' as const;

/** See the module comment. */
export const GEWERBE_TRUST_LEVEL: TrustLevel = 'substantiell';

/** The caseworkers of the Gewerbeamt, and where their overdue tasks go. */
export const GEWERBE_GROUP = 'gewerbe';
export const GEWERBE_ESCALATION_GROUP = 'gewerbe-leitung';

/** The forms of GewAnzV: Anlage 1 (Anmeldung), 2 (Ummeldung), 3 (Abmeldung). */
export type GewerbeForm = 'anmeldung' | 'ummeldung' | 'abmeldung';
export const SUPPORTED_GEWERBE_FORMS: readonly GewerbeForm[] = ['anmeldung'];

/** Adapters (libs/fachverfahren registry names) and steps (idempotency scope per case). */
export const GEWERBE_ADAPTERS = {
  payment: 'epayment',
  register: 'gewerberegister',
  /** § 14 deliveries: one submission per recipient, the XGewerbeanzeige message in the payload. */
  deliveries: 'gewo14',
} as const;
export const GEWERBE_REGISTRATION = { kind: 'gewerberegister-registration', step: 'registration' } as const;
/** The first payment attempt; a failed attempt is followed by `fee-2`, `fee-3`, … */
export const GEWERBE_FEE_STEP = 'fee';
export const GEWERBE_REFUND_STEP = 'fee-refund';
/**
 * The refund of a payment that was not taken as the fee (a second payment, or one after the case
 * ended): one step per attempt, so it never shares an idempotency key with the fee's own refund.
 */
export const strayRefundStep = (attemptStep: string) => `${GEWERBE_REFUND_STEP}:${attemptStep}`;

/** patched() ids of workflow changes (running cases keep the code path they started with). */
export const GEWERBE_PATCHES = {
  /** Every payment attempt watched; stray payments refunded, also for a while after the case ended. */
  strayPayments: 'gewerbe-stray-payments',
} as const;

/** Process parameters, from configuration (libs/config: GEWERBE_*), passed in by the API. */
export interface GewerbeSettings {
  /** Euros with two decimals, e.g. "15.00". */
  feeEur: string;
  /** ISO 8601: unpaid this long after the fee is asked for → closed. */
  paymentDeadline: string;
  /** ISO 8601: the receipt is due this long after the complete Anzeige (§ 15 Abs. 1 GewO). */
  receiptDeadline: string;
  /** ISO 8601, before receiptDeadline: when a still missing receipt opens a task. */
  receiptEscalation: string;
  /** Where the provider sends the citizen's browser after paying. */
  paymentReturnUrl: string;
  /**
   * ISO 8601: how long a payment link stays payable at the provider. After the case ends with a
   * payment attempt still open, the workflow listens this long for its "paid" and refunds it.
   * (Cases started before patch GEWERBE_PATCHES.strayPayments do not have it and do not use it.)
   */
  paymentLinkLifetime: string;
}

export interface GewerbeanmeldungInput {
  /** Chosen by the API (caseIdForSubmission); the workflow id is caseWorkflowId(caseId). */
  caseId: string;
  ownerSub: string;
  trustLevel: TrustLevel;
  form: GewerbeForm;
  /** The validated body of POST /applications/gewerbeanmeldung (parseGewerbeanmeldung). */
  request: GewerbeanmeldungRequest;
  settings: GewerbeSettings;
}

export type GewerbeanmeldungOutcome = 'registered' | 'unpaid' | 'rejected' | 'registration_failed' | 'withdrawn';

export interface RecipientDeliveryOutcome {
  recipient: RecipientId;
  status: 'delivered' | 'failed' | 'handled_manually';
  messageId?: string;
}

export interface GewerbeanmeldungResult {
  caseId: string;
  caseNumber: string;
  outcome: GewerbeanmeldungOutcome;
  registerNumber?: string;
  receiptDocumentId?: string;
  refunded?: boolean;
  deliveries?: RecipientDeliveryOutcome[];
}

/** Where the process stands (caseStageQuery; staff and tests only). */
export type GewerbeanmeldungStage =
  | 'opening'
  | 'identification'
  | 'payment'
  | 'review'
  | 'registration'
  | 'receipt'
  | 'deliveries'
  | 'registered'
  | 'unpaid'
  | 'rejected'
  | 'registration_failed'
  | 'withdrawn';

/** What the assessment activity finds (classification and § 14 recipients, recorded in history). */
export interface GewerbeAssessment {
  regulated: boolean;
  grounds: RegulatedGround[];
  recipients: Array<{ id: RecipientId; name: string; legalBasis: string; messageType: string }>;
}

/**
 * The caseworker's review of a regulated trade. `reason` belongs to a rejection (told to the
 * citizen), `documents` to a request for permit proof (what to upload).
 */
export const GEWERBE_REVIEW_FORM: FormSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    reason: { type: 'string', minLength: 1, maxLength: 2000, title: 'Begründung', description: 'Pflicht bei Ablehnung; wird der anzeigenden Person mitgeteilt.' },
    documents: {
      type: 'string',
      minLength: 1,
      maxLength: 500,
      title: 'Angeforderte Nachweise',
      description: 'Bei „Erlaubnisnachweis anfordern“: welche Nachweise (z. B. Erlaubnis nach § 34c GewO, Führungszeugnis).',
    },
    note: { type: 'string', maxLength: 2000, title: 'Interner Vermerk' },
  },
};
export const GEWERBE_REVIEW_OUTCOMES = ['approve', 'request_permit_proof', 'reject'] as const;
export const GEWERBE_DEFAULT_REJECTION = 'Für die angezeigte Tätigkeit liegen die erforderliche Erlaubnis oder die Zuverlässigkeit nicht vor.';
export const GEWERBE_DEFAULT_PROOF = 'Nachweis der erforderlichen Erlaubnis bzw. Unterlagen zur Zuverlässigkeitsprüfung (z. B. Erlaubnisurkunde, Führungszeugnis, Auszug aus dem Gewerbezentralregister)';

/** The task when the receipt deadline is close (§ 15 Abs. 1 GewO). Completing it only acknowledges. */
export const GEWERBE_RECEIPT_OVERDUE_FORM: FormSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { note: { type: 'string', maxLength: 2000, title: 'Interner Vermerk' } },
};

/** The operator task when a § 14 delivery failed for good: try again, or it was handled another way. */
export const GEWERBE_DELIVERY_FAILURE_FORM: FormSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { note: { type: 'string', maxLength: 2000, title: 'Interner Vermerk', description: 'z. B. wie die Daten anders übermittelt wurden' } },
};

/** The issuing authority (letterhead of the receipt; author of the XGewerbeanzeige messages). */
export const GEWERBE_AUTHORITY = {
  name: 'Bezirksamt Berlin — Ordnungsamt, Gewerbeangelegenheiten',
  addressLines: ['Gewerbeamt', '10178 Berlin'],
  /** Amtlicher Gemeindeschlüssel of Berlin, the authority key in the message header. */
  authorityKey: '11000000',
} as const;
