/**
 * Shared vocabulary of the case file (libs/db/src/cases, activities/cases, apps/api/src/cases and
 * the case workflows). Pure TypeScript, safe in workflows.
 */
import type { ExternalStatus } from './case-status';

/**
 * Event keys with a fixed meaning. Every writer of the same logical event uses the same key, so
 * the timeline gets it once (e.g. the API and the workflow both record a withdrawal).
 */
export const CASE_EVENT_KEYS = {
  /** Written by openCase together with the case row. */
  submitted: 'submitted',
  /** Written by the API after a successful withdrawUpdate and/or by the workflow's handler. */
  withdrawn: 'withdrawn',
} as const;

/** English counterparts of STATUS_TEXT_DE (mails carry German first, then English). */
export const STATUS_TEXT_EN: Record<ExternalStatus, string> = {
  SUBMITTED: 'We have received your application.',
  RECEIVED: 'Your application has been accepted and is being checked.',
  PROCESSING: 'Your application is being processed.',
  ACTION_REQUIRED: 'Action required: we need something from you.',
  COMPLETED: 'Your application has been completed.',
  WITHDRAWN: 'You have withdrawn your application.',
};

/** Media types the case file accepts, recognised by their magic bytes (never by the client's claim). */
export const DOCUMENT_MEDIA_TYPES = ['application/pdf', 'image/jpeg', 'image/png'] as const;
export type DocumentMediaType = (typeof DOCUMENT_MEDIA_TYPES)[number];

/** Default of DOCUMENT_MAX_BYTES: 10 MiB. */
export const DOCUMENT_MAX_BYTES_DEFAULT = 10 * 1024 * 1024;

/**
 * The decision on a case as the citizen sees it (GET /cases/{id} `decision`). Processes may add
 * fields (e.g. `monthlyAmount`, `approvalPeriod`); no personal data beyond what the notice says.
 */
export interface CaseDecision {
  /** e.g. `approved`, `rejected`, `registered`. */
  outcome: string;
  /** ISO 8601. */
  decidedAt: string;
  /** Short citizen-facing summary (German). */
  summary?: string;
  /** The notice (Bescheid) in the case file, when there is one. */
  noticeDocumentId?: string;
  [field: string]: unknown;
}
