/**
 * Contract of the smoke workflow: the one small process that proves the stack end to end
 * (client → Temporal → worker → activity → PostgreSQL and SMTP). API, tests and the workflow share
 * these definitions; nothing here may do I/O (the workflow sandbox imports it too).
 */
import { defineQuery } from '@temporalio/workflow';
import { TASK_QUEUES } from '../../libs/domain/src/task-queues';
import type { NotificationResult } from '../../activities';

export const SMOKE_WORKFLOW_TYPE = 'smokeWorkflow';
export const SMOKE_TASK_QUEUE = TASK_QUEUES.platform;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Workflow ids are `smoke-<uuid>`: unique per run, no personal data. */
export function smokeWorkflowId(uuid: string): string {
  if (!UUID.test(uuid)) throw new Error('smokeWorkflowId expects a UUID');
  return `smoke-${uuid.toLowerCase()}`;
}

/** The logical message the smoke run sends; derived from the workflow id, so retries reuse it. */
export function smokeMessageId(workflowId: string): string {
  return `<${workflowId}.smoke-notice@amtsweg>`;
}

export interface SmokeInput {
  /** Where the test notification goes (an operator's or the test's sink address). */
  notifyTo: string;
}

export interface SmokeResult {
  workflowId: string;
  /** Database time seen by the `ping` activity. */
  databaseTime: string;
  notification: Pick<NotificationResult, 'messageId' | 'status'>;
}

export type SmokeStage = 'started' | 'pinged' | 'notified';

/** Where the run stands, for operators and tests. */
export const smokeStageQuery = defineQuery<SmokeStage>('smokeStage');
