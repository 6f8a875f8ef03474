import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { createFixtureActivities } from '../test/fixtures/activities';
import { greetingWorkflow } from '../test/fixtures/workflows';
import { uniqueTaskQueue } from '../test/support/temporal';

// Proves the Temporal CLI that scripts/temporal-ensure.js found or built is a working dev server for
// the SDK: the SDK starts it itself (existing-path), and a workflow runs through a real worker.
const cliPath = process.env.TEMPORAL_CLI_PATH;

describe('the Temporal CLI from scripts/temporal-ensure.js', () => {
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') }); // keep the worker's INFO lines out of the test output
    if (!cliPath) throw new Error('TEMPORAL_CLI_PATH is not set (test/global-setup.ts ensures the CLI)');
    env = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: cliPath } } });
  });

  afterAll(async () => {
    await env?.teardown();
  });

  it('runs a workflow with an activity on a dev server it starts', async () => {
    const taskQueue = uniqueTaskQueue('cli');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('../test/fixtures/workflows'),
      activities: createFixtureActivities('Guten Tag'),
    });
    const result = await worker.runUntil(
      env.client.workflow.execute(greetingWorkflow, { taskQueue, workflowId: `${taskQueue}-wf`, args: ['Berlin'] }),
    );
    expect(result).toBe('Guten Tag, Berlin!');
    expect(env.supportsTimeSkipping).toBe(false);

    const history = await env.client.workflow.getHandle(`${taskQueue}-wf`).fetchHistory();
    const types = (history.events ?? []).map((e) => e.eventType);
    expect(types.length).toBeGreaterThan(5); // started, tasks, the activity, completed: a real server's history
  });
});
