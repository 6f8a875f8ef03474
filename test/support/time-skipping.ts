import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { uniqueTaskQueue } from './temporal';

export interface TimeSkippingWorker {
  env: TestWorkflowEnvironment;
  worker: Worker;
  taskQueue: string;
  /** Shuts the worker down, waits for it to drain, tears the test server down. */
  stop(): Promise<void>;
}

/**
 * The time-skipping test server (Java, started through the wrapper test/global-setup.ts ensures)
 * with one worker running the given workflows and injected activities on a unique task queue —
 * the setup every workflow unit test shares, so 14-day deadlines take seconds.
 */
export async function startTimeSkippingWorker(opts: { prefix: string; workflowsPath: string; activities: object }): Promise<TimeSkippingWorker> {
  const wrapper = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (!wrapper) throw new Error('TEMPORAL_TEST_SERVER_PATH is not set (test/global-setup.ts ensures the test server)');
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: wrapper } } });
  const taskQueue = uniqueTaskQueue(opts.prefix);
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath: opts.workflowsPath, activities: opts.activities });
  const running = worker.run();
  return {
    env,
    worker,
    taskQueue,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await env.teardown();
    },
  };
}
