import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import type { ActivityInboundCallsInterceptor, ActivityExecuteInput, Next } from '@temporalio/worker';
import type { Transporter } from 'nodemailer';
import { createTestDatabase } from '../../test/support/db';
import { listMails, waitForMails } from '../../test/support/mail';
import type { SinkMail } from '../../test/support/mail';
import { createWorkers, startWorkers } from '../../apps/worker/src/workers';
import type { RunningWorkers } from '../../apps/worker/src/workers';
import { loadConfig } from '../../libs/config/src/config';
import { createMailTransport } from '../../libs/mail/src/transport';
import { createTemporalClient } from '../../libs/temporal/src/connection';
import { SMOKE_WORKFLOW_TYPE, smokeMessageId, smokeStageQuery, smokeWorkflowId } from './smoke.contract';
import type { SmokeResult } from './smoke.contract';
import type { smokeWorkflow } from './smoke.workflow';

// End to end on the real stack: the shared Temporal dev server, a fresh migrated PostgreSQL
// database and the SMTP sink (test/global-setup.ts), with the production worker wiring
// (createWorkers) in-process on a task queue of this test file's own.
const address = process.env.TEMPORAL_ADDRESS;
const smtpUrl = process.env.SMTP_URL;
if (!address || !smtpUrl) throw new Error('TEMPORAL_ADDRESS / SMTP_URL are not set (test/global-setup.ts)');
const namespace = process.env.TEMPORAL_NAMESPACE || 'default';
const taskQueue = `test-smoke-${randomUUID()}`;

const messageIdOf = (m: SinkMail) =>
  typeof m.headers?.['message-id'] === 'string' ? m.headers['message-id'].trim() : m.messageId ? `<${m.messageId.replace(/^<|>$/g, '')}>` : undefined;

async function mailsWithId(id: string): Promise<SinkMail[]> {
  return (await listMails()).filter((m) => messageIdOf(m) === id);
}

/**
 * Simulates a worker that dies after the mail went out and was recorded, but before Temporal heard
 * that the activity completed: the first sendNotification attempt of the marked workflows fails
 * *after* doing its work, so Temporal retries it.
 */
const crashAfterSend = new Set<string>();
class CrashAfterSendInterceptor implements ActivityInboundCallsInterceptor {
  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const info = Context.current().info;
    const result = await next(input);
    if (info.activityType === 'sendNotification' && info.attempt === 1 && crashAfterSend.has(info.workflowExecution?.workflowId ?? '')) {
      throw new Error('simulated worker crash after the mail was sent');
    }
    return result;
  }
}

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let transport: Transporter;
let connection: NativeConnection;
let client: Client;
let running: RunningWorkers;

beforeAll(async () => {
  // Each jest test file has its own copy of the SDK, hence its own Runtime: keep its log to warnings.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  db = await createTestDatabase();
  transport = createMailTransport(smtpUrl);
  connection = await NativeConnection.connect({ address });
  client = await createTemporalClient({ address, namespace });
  const config = loadConfig({ ...process.env, DATABASE_URL: db.url, SMTP_URL: smtpUrl, TEMPORAL_ADDRESS: address, NODE_ENV: 'test' });
  const workers = await createWorkers(
    { pool: db.pool, mail: { transport, from: 'amtsweg Test <noreply@amtsweg.test>' }, config },
    {
      connection,
      namespace,
      taskQueues: [taskQueue],
      shutdownGraceTime: '5 seconds',
      interceptors: { activity: [() => ({ inbound: new CrashAfterSendInterceptor() })] },
    },
  );
  running = startWorkers(workers);
});

afterAll(async () => {
  await running?.stop();
  await connection?.close();
  await client?.connection.close();
  transport?.close();
  await db?.drop();
});

async function runSmoke(workflowId: string): Promise<SmokeResult> {
  return client.workflow.execute<typeof smokeWorkflow>(SMOKE_WORKFLOW_TYPE, {
    taskQueue,
    workflowId,
    args: [{ notifyTo: 'pruefung@example.org' }],
    workflowExecutionTimeout: '1 minute',
  });
}

async function mailLogRow(messageId: string) {
  const r = await db.pool.query('SELECT status, attempts FROM mail_log WHERE message_id = $1', [messageId]);
  return r.rows;
}

describe('smoke workflow', () => {
  it('runs on workers built by createWorkers: pings the database and delivers one mail', async () => {
    const workflowId = smokeWorkflowId(randomUUID());
    const messageId = smokeMessageId(workflowId);

    const result = await runSmoke(workflowId);

    expect(result).toEqual({ workflowId, databaseTime: expect.any(String), notification: { messageId, status: 'sent' } });
    expect(Math.abs(Date.parse(result.databaseTime) - Date.now())).toBeLessThan(60_000);
    expect(await client.workflow.getHandle(workflowId).query(smokeStageQuery)).toBe('notified');

    const [mail] = await waitForMails((m) => messageIdOf(m) === messageId, { count: 1, timeoutMs: 10_000 });
    expect(mail?.to?.map((t) => t.address)).toEqual(['pruefung@example.org']);
    expect(mail?.subject).toMatch(/Systemtest/);
    expect(await mailLogRow(messageId)).toEqual([{ status: 'sent', attempts: 1 }]);
  });

  it('does not mail twice when the activity is retried after it already sent', async () => {
    const workflowId = smokeWorkflowId(randomUUID());
    const messageId = smokeMessageId(workflowId);
    crashAfterSend.add(workflowId);

    const result = await runSmoke(workflowId);

    // Attempt 1 sent and recorded the mail, then "crashed"; attempt 2 found it in mail_log.
    expect(result.notification).toEqual({ messageId, status: 'already-sent' });
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const failedAttempts = (history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes?.attempt === 2);
    expect(failedAttempts).toHaveLength(1);

    await waitForMails((m) => messageIdOf(m) === messageId, { count: 1, timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 750)); // room for a duplicate to arrive, were there one
    expect(await mailsWithId(messageId)).toHaveLength(1);
    expect(await mailLogRow(messageId)).toEqual([{ status: 'sent', attempts: 1 }]);
  });
});
