import { activityInfo } from '@temporalio/activity';
import type { ActivityDeps } from '../deps';

export interface PingResult {
  /** Database time when the activity ran (proves worker → PostgreSQL). */
  databaseTime: string;
  taskQueue: string;
  attempt: number;
}

export function createSystemActivities(deps: ActivityDeps) {
  return {
    /** A trivial activity that proves a worker picks up activity tasks and reaches the database. */
    async ping(): Promise<PingResult> {
      const r = await deps.pool.query<{ now: Date }>('SELECT now() AS now');
      const info = activityInfo();
      return { databaseTime: (r.rows[0]?.now ?? new Date()).toISOString(), taskQueue: info.taskQueue, attempt: info.attempt };
    },
  };
}
