/**
 * Contract of the Wohngeld application process (workflow type `wohngeldApplication`): what the
 * API (apps/api/src/applications/wohngeld.*) and the workflow share. Besides the shared case
 * messages (workflows/shared/case.contract.ts: submissionReceiptUpdate, withdrawUpdate,
 * completeTaskUpdate, documentUploadedSignal, identityUpgradedSignal, caseStageQuery) it has one
 * message of its own: the change report (wohngeldChangeReportUpdate). No I/O here.
 *
 * Choices (see also docs/wohngeld.md):
 * - Level of assurance `substantiell`: Wohngeld is a social benefit paid to a person's account; a
 *   `basis` login is accepted and the case asks for eID identification (DESIGN.md "Wohngeld").
 * - The proofs follow from the household data (libs/domain/src/wohngeld/proofs.ts); the
 *   application body carries no attachments, so all of them are requested at submission.
 * - Deadlines, the four-eyes amount and the approval period are configuration (libs/config:
 *   WOHNGELD_*), passed in by the API as `settings` — workflows cannot read the environment, and
 *   a running case keeps the settings it started with.
 */
import { defineUpdate } from '@temporalio/workflow';
import { TASK_QUEUES } from '../../libs/domain/src/task-queues';
import type { TrustLevel } from '../../libs/domain/src/identity';
import type { FormSchema } from '../../libs/domain/src/tasks/form-schema';
import type { WohngeldEstimateRequest, WohngeldIncome } from '../../libs/domain/src/wohngeld/schema';
import type { Actor } from '../shared/case.contract';

export { caseWorkflowId } from '../shared/case.contract';

export const WOHNGELD_WORKFLOW_TYPE = 'wohngeldApplication';
export const WOHNGELD_TASK_QUEUE = TASK_QUEUES.wohngeld;
export const WOHNGELD_CASE_TYPE = 'wohngeld' as const;
export const WOHNGELD_TRUST_LEVEL: TrustLevel = 'substantiell';

/** The caseworker group (Wohngeldstelle) and where overdue tasks go. */
export const WOHNGELD_GROUP = 'wohngeld';
export const WOHNGELD_ESCALATION_GROUP = 'wohngeld-leitung';

/** The office that issues the notices (letterhead, Rechtsbehelfsbelehrung). */
export const WOHNGELD_OFFICE = {
  name: 'Bezirksamt Pankow von Berlin, Amt für Soziales – Wohngeldstelle',
  addressLines: ['Fröbelstraße 17', '10405 Berlin'],
} as const;

/** The Wohngeld Fachverfahren (libs/fachverfahren registry name) and the payment instruction. */
export const WOHNGELD_FACHVERFAHREN = { adapter: 'wohngeld', kind: 'wohngeld-payment-instruction', step: 'payment-instruction' } as const;

/** Configuration of a case (libs/config WOHNGELD_*), fixed at submission. */
export interface WohngeldSettings {
  /** ISO 8601: time the citizen has for the proofs (P14D). */
  proofDeadline: string;
  /** ISO 8601: when still-missing proofs are asked for again (P7D). */
  proofReminder: string;
  /** A monthly amount above this (euros) needs a second caseworker (four eyes). */
  fourEyesAboveEur: number;
  /** Approval period in months (§ 25 WoGG: usually 12). */
  approvalMonths: number;
  /** ISO 8601: how long before the period ends the citizen is reminded to apply again (P2M). */
  reapplyLead: string;
  /** ISO 8601: due date of caseworker tasks (P5D). */
  reviewDueIn: string;
}

export const WOHNGELD_DEFAULT_SETTINGS: WohngeldSettings = {
  proofDeadline: 'P14D',
  proofReminder: 'P7D',
  fourEyesAboveEur: 800,
  approvalMonths: 12,
  reapplyLead: 'P2M',
  reviewDueIn: 'P5D',
};

export interface WohngeldApplicant {
  givenName: string;
  familyName: string;
  /** YYYY-MM-DD */
  birthDate: string;
  email: string;
  address: { street: string; postalCode: string; city: string };
  /** Normalised (upper case, no spaces), checksum verified by the API. */
  iban: string;
}

export interface WohngeldInput {
  /** Chosen by the API (caseIdForSubmission); the workflow id is caseWorkflowId(caseId). */
  caseId: string;
  ownerSub: string;
  applicant: WohngeldApplicant;
  /** The household as the estimate request, validated and normalised (wohngeldEstimateRequestSchema). */
  household: WohngeldEstimateRequest;
  trustLevel: TrustLevel;
  settings: WohngeldSettings;
}

export type WohngeldOutcome = 'approved' | 'rejected' | 'denied' | 'withdrawn';

export interface WohngeldResult {
  caseId: string;
  caseNumber: string;
  outcome: WohngeldOutcome;
  monthlyAmount?: number;
  approvalFrom?: string;
  approvalTo?: string;
  /** The notices issued, in order (the decision, then any change notices). */
  noticeDocumentIds: string[];
}

export type WohngeldStage =
  | 'opening'
  | 'identification'
  | 'proofs'
  | 'cooperation'
  | 'review'
  | 'notice'
  | 'payment'
  | 'approval-period'
  | 'closed'
  | 'rejected'
  | 'denied'
  | 'withdrawn';

// --- change report (§ 27 WoGG) ------------------------------------------------------------------
export interface WohngeldChangeReportInput {
  /** The household's incomes now (replacing the ones the notice rests on), as in the estimate request. */
  incomes: WohngeldIncome[];
  by: Actor;
}
export interface WohngeldChangeReportResult {
  /** `recalculated`: income up by more than 15 %, a new notice; `unchanged`: the notice stands. */
  outcome: 'recalculated' | 'unchanged';
  previousMonthlyIncome: number;
  reportedMonthlyIncome: number;
  /** Percent, two decimals; null when there was no income before. */
  incomeChangePercent: number | null;
  monthlyAmount: number;
  previousMonthlyAmount: number;
  /** recalculated: YYYY-MM-DD from when the new amount applies. */
  effectiveFrom?: string;
  noticeDocumentId?: string;
}
/** Validator: the owner only (NOT_FOUND otherwise), during the approval period (CONFLICT), valid incomes (INVALID). */
export const wohngeldChangeReportUpdate = defineUpdate<WohngeldChangeReportResult, [WohngeldChangeReportInput]>('wohngeldChangeReport');

// --- caseworker forms -------------------------------------------------------------------------------
export const WOHNGELD_REVIEW_OUTCOMES = ['approve', 'change', 'reject'] as const;

/**
 * The review: `approve` the calculated amount; `change` it (monthlyAmount and reason required);
 * `reject` (reason required). The schema cannot see the outcome: an amount always needs a reason
 * here (dependentRequired), and what each outcome needs is WOHNGELD_REVIEW_REQUIRED_BY_OUTCOME,
 * which the task's Update validator checks (422 at /data/<field>). A reason must say something:
 * not blank (pattern), since it stands in the notice.
 */
export const WOHNGELD_REVIEW_FORM: FormSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    monthlyAmount: { type: 'integer', minimum: 0, maximum: 5000, title: 'Wohngeld monatlich (€)', description: 'Nur bei „ändern“: der festgesetzte Betrag in ganzen Euro.' },
    reason: { type: 'string', minLength: 1, maxLength: 2000, pattern: '\\S', title: 'Begründung', description: 'Pflicht bei „ändern“ und „ablehnen“; steht im Bescheid.' },
    note: { type: 'string', maxLength: 2000, title: 'Interner Vermerk', description: 'Nur für die Akte, nicht für die antragstellende Person.' },
  },
  dependentRequired: { monthlyAmount: ['reason'] },
};
/** The fields a review outcome needs (humanTask requiredByOutcome): a change its amount and reason, a rejection its reason. */
export const WOHNGELD_REVIEW_REQUIRED_BY_OUTCOME = { change: ['monthlyAmount', 'reason'], reject: ['reason'] } as const satisfies Partial<Record<(typeof WOHNGELD_REVIEW_OUTCOMES)[number], readonly string[]>>;

/** patched() ids of workflow changes (running cases keep the code path they started with). */
export const WOHNGELD_PATCHES = {
  /**
   * The review's required fields are checked when the caseworker completes the task (422). Before,
   * an incomplete decision was accepted and the workflow opened a new review round; a case that
   * reached its review before this change keeps that path.
   */
  requiredByOutcome: 'wohngeld-review-required-by-outcome',
} as const;

/** The second caseworker (four eyes) confirms the first decision or sends it back to review. */
export const WOHNGELD_CONFIRMATION_OUTCOMES = ['confirm', 'return'] as const;
export const WOHNGELD_CONFIRMATION_FORM: FormSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    note: { type: 'string', maxLength: 2000, title: 'Interner Vermerk', description: 'Bei „zurückgeben“: was zu prüfen ist.' },
  },
};

/** § 66 SGB I: the proofs did not come in time. */
export const WOHNGELD_COOPERATION_OUTCOMES = ['deny', 'extend', 'decide'] as const;
export const WOHNGELD_COOPERATION_FORM: FormSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    reason: { type: 'string', minLength: 1, maxLength: 2000, title: 'Ergänzende Begründung', description: 'Bei „versagen“: erscheint im Versagungsbescheid.' },
    note: { type: 'string', maxLength: 2000, title: 'Interner Vermerk' },
  },
};

/** The operator task when the Fachverfahren refuses the payment instruction or is unreachable. */
export const WOHNGELD_PAYMENT_FAILURE_FORM: FormSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { note: { type: 'string', maxLength: 2000, title: 'Interner Vermerk' } },
};

/** Why nothing is paid, as the notice says it (WOHNGELD_REASONS of libs/domain). */
export const WOHNGELD_REASON_TEXT: Record<string, string> = {
  below_minimum_amount: 'Das errechnete Wohngeld läge unter 10 € monatlich; in diesem Fall besteht kein Anspruch (§ 21 Nr. 1 WoGG).',
  income_too_high: 'Das Gesamteinkommen Ihres Haushalts ist im Verhältnis zur zu berücksichtigenden Miete zu hoch; nach § 19 WoGG ergibt sich kein Wohngeld.',
  all_members_excluded: 'Alle Haushaltsmitglieder sind vom Wohngeld ausgeschlossen, weil sie andere Leistungen erhalten, die die Unterkunftskosten abdecken (§§ 7, 8, 21 Nr. 2 WoGG).',
};
export const WOHNGELD_DEFAULT_REJECTION = 'Die Voraussetzungen für die Bewilligung von Wohngeld liegen nicht vor.';
