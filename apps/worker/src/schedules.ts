import { ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import type { Client, ScheduleOptions } from '@temporalio/client';
import type { AppConfig } from '../../../libs/config/src/config';
import {
  CASE_RETENTION_SCHEDULE_ID,
  CASE_RETENTION_TASK_QUEUE,
  CASE_RETENTION_WORKFLOW_TYPE,
} from '../../../workflows/system/case-retention.contract';
import type { caseRetentionSweep } from '../../../workflows/system/case-retention.workflow';

const BERLIN = 'Europe/Berlin';

function retentionSchedule(config: Pick<AppConfig, 'CASE_RETENTION_SWEEP_CRON'>): ScheduleOptions {
  return {
    scheduleId: CASE_RETENTION_SCHEDULE_ID,
    spec: { cronExpressions: [config.CASE_RETENTION_SWEEP_CRON], timezone: BERLIN },
    action: {
      type: 'startWorkflow',
      workflowType: CASE_RETENTION_WORKFLOW_TYPE,
      workflowId: CASE_RETENTION_SCHEDULE_ID,
      taskQueue: CASE_RETENTION_TASK_QUEUE,
      args: [{ batchSize: 200 }] satisfies Parameters<typeof caseRetentionSweep>,
      workflowExecutionTimeout: '23 hours',
    },
    // A sweep still running when the next is due makes the next one pointless; after an outage
    // one catch-up run is enough.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
  };
}

/**
 * The Temporal Schedules amtsweg needs, created when a worker starts and brought in line with the
 * configuration when they exist (several workers may start at once: the loser of the create race
 * updates, which is harmless). Returns the ids.
 */
export async function ensureSchedules(client: Client, config: Pick<AppConfig, 'CASE_RETENTION_SWEEP_CRON'>): Promise<string[]> {
  const options = retentionSchedule(config);
  try {
    await client.schedule.create(options);
  } catch (e) {
    if (!(e instanceof ScheduleAlreadyRunning)) throw e;
    await client.schedule.getHandle(options.scheduleId).update((previous) => ({
      ...previous,
      spec: options.spec,
      action: options.action,
      policies: { ...previous.policies, ...options.policies },
    }));
  }
  return [options.scheduleId];
}
