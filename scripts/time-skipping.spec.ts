import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { createFixtureActivities } from '../test/fixtures/activities';
import { longSleepWorkflow } from '../test/fixtures/workflows';
import { uniqueTaskQueue } from '../test/support/temporal';

// Proves the wrapper from scripts/test-server-ensure.js starts Temporal's Java time-skipping test
// server the way the SDK expects (argv `<port>`, listening within 5 s): a 14-day timer completes in
// seconds of wall-clock time.
const wrapper = process.env.TEMPORAL_TEST_SERVER_PATH;

describe('the time-skipping test server from scripts/test-server-ensure.js', () => {
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') }); // keep the worker's INFO lines out of the test output
    if (!wrapper) throw new Error('TEMPORAL_TEST_SERVER_PATH is not set (test/global-setup.ts ensures the test server)');
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: wrapper } } });
  });

  afterAll(async () => {
    await env?.teardown();
  });

  it('runs a workflow that sleeps 14 days in seconds', async () => {
    const taskQueue = uniqueTaskQueue('skip');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('../test/fixtures/workflows'),
      activities: createFixtureActivities('Hallo'),
    });
    const wallStart = Date.now();
    const result = await worker.runUntil(env.client.workflow.execute(longSleepWorkflow, { taskQueue, workflowId: `${taskQueue}-wf`, args: [14] }));
    const wallMs = Date.now() - wallStart;

    expect(env.supportsTimeSkipping).toBe(true);
    expect(result.greeting).toBe('Hallo, after the wait!');
    expect(result.sleptDays).toBeGreaterThanOrEqual(14);
    expect(result.sleptDays).toBeLessThan(14.01);
    expect(wallMs).toBeLessThan(30_000);
  });
});
