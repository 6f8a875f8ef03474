/**
 * Contract of the mail-sequence workflow: a SYSTEM DIAGNOSTIC process, not a citizen-facing one.
 * It sends a short series of notification mails, each with its own stable Message-ID, with a short
 * durable timer between them (seconds, not the days of a real reminder), so that many runs are
 * mid-flight at once — activities talking to SMTP, timers pending. Operators and the resilience
 * tests (test/resilience/worker-sigkill.spec.ts) use it to prove that killing a worker loses no
 * process and sends no mail twice. Nothing here may do I/O (the workflow sandbox imports it too).
 */
import { defineQuery } from '@temporalio/workflow';
import { TASK_QUEUES } from '../../libs/domain/src/task-queues';
import type { NotificationResult } from '../../activities';

export const MAIL_SEQUENCE_WORKFLOW_TYPE = 'mailSequenceWorkflow';
export const MAIL_SEQUENCE_TASK_QUEUE = TASK_QUEUES.platform;

/** Bounds of the input, so a diagnostic run can never turn into a mail flood or a long-lived process. */
export const MAIL_SEQUENCE_LIMITS = { maxMails: 10, maxPauseMs: 60_000 } as const;
export const MAIL_SEQUENCE_DEFAULTS = { mails: 3, pauseMs: 2_000 } as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Workflow ids are `mail-sequence-<uuid>`: unique per run, no personal data. */
export function mailSequenceWorkflowId(uuid: string): string {
  if (!UUID.test(uuid)) throw new Error('mailSequenceWorkflowId expects a UUID');
  return `mail-sequence-${uuid.toLowerCase()}`;
}

/**
 * The logical message number `step` (1-based) of a run: derived from the workflow id and the step
 * only, so every retry of that step — on this worker or another — reuses the same Message-ID.
 */
export function mailSequenceMessageId(workflowId: string, step: number): string {
  if (!Number.isInteger(step) || step < 1) throw new Error('mailSequenceMessageId expects a step >= 1');
  return `<${workflowId}.mail-${step}@amtsweg>`;
}

export interface MailSequenceInput {
  /** Where the diagnostic mails go (an operator's or the test's sink address). */
  notifyTo: string;
  /** How many mails, 1..MAIL_SEQUENCE_LIMITS.maxMails; default 3. */
  mails?: number;
  /** Durable timer between two mails, ms, 0..MAIL_SEQUENCE_LIMITS.maxPauseMs; default 2 s. */
  pauseMs?: number;
}

export interface MailSequenceResult {
  workflowId: string;
  /** One entry per mail, in order. `already-sent` means a retry found the mail delivered by an earlier attempt. */
  mails: Array<{ step: number } & Pick<NotificationResult, 'messageId' | 'status'>>;
}

/** Business failure type of an input outside MAIL_SEQUENCE_LIMITS (non-retryable). */
export const MAIL_SEQUENCE_INVALID_INPUT = 'MAIL_SEQUENCE_INVALID_INPUT';

/** How many mails of the run have been handed to SMTP (or found already sent) so far. */
export const mailSequenceProgressQuery = defineQuery<number>('mailSequenceProgress');
