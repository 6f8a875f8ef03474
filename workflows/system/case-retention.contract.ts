/**
 * Contract of the retention sweep: a nightly process (Temporal Schedule, apps/worker/src/schedules.ts)
 * that erases the personal data of closed cases whose retention period has run out
 * (libs/db/src/cases/erasure.ts). No personal data passes through it: it moves counts only.
 */
import { TASK_QUEUES } from '../../libs/domain/src/task-queues';

export const CASE_RETENTION_WORKFLOW_TYPE = 'caseRetentionSweep';
export const CASE_RETENTION_TASK_QUEUE = TASK_QUEUES.platform;
/** The schedule's id, and the prefix of each run's workflow id (Temporal appends the start time). */
export const CASE_RETENTION_SCHEDULE_ID = 'system-case-retention';

export interface CaseRetentionInput {
  batchSize: number;
  /** Carried across continue-as-new. */
  erasedBefore?: number;
}

export interface CaseRetentionResult {
  erased: number;
  skipped: number;
  batches: number;
}

/** After this many batches the run continues as new, keeping its history short however much is due. */
export const BATCHES_PER_RUN = 100;
