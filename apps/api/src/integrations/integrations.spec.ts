import type { NestExpressApplication } from '@nestjs/platform-express';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import request from 'supertest';
import { startSandbox } from '../../../sandbox/src/sandbox';
import type { RunningSandbox } from '../../../sandbox/src/sandbox';
import { createFachverfahrenActivities } from '../../../../activities/fachverfahren';
import { signDevToken } from '../../../../libs/auth/src/dev-tokens';
import type { Role } from '../../../../libs/auth/src/principal';
import { freePort } from '../../../../libs/devstack/src/ports';
import { signMessage, unixSeconds } from '../../../../libs/fachverfahren/src/callback-signature';
import { createAdapterRegistry } from '../../../../libs/fachverfahren/src/registry';
import { PgAdapterCallStore } from '../../../../libs/fachverfahren/src/stores';
import { createTemporalClient } from '../../../../libs/temporal/src/connection';
import { createTestDatabase } from '../../../../test/support/db';
import type { TestDatabase } from '../../../../test/support/db';
import { connectTestTemporal, uniqueTaskQueue } from '../../../../test/support/temporal';
import type { TestTemporal } from '../../../../test/support/temporal';
import type { FachverfahrenCallback } from '../../../../workflows/shared/fachverfahren.contract';
import { createTestApp, testConfig } from '../testing/test-app';
import type { fachverfahrenProbeWorkflow } from './testing/fachverfahren-probe.workflow';

/**
 * POST /api/v1/integrations/{adapter}/callbacks and GET /api/v1/integrations/adapters against real
 * PostgreSQL (replay store, routing table), the shared Temporal dev server and the sandbox:
 * the sandbox's own signed callbacks reach the API over HTTP and land in a waiting workflow.
 */
const SECRET = 'integrations-test-secret-0123456789abcdef';
let db: TestDatabase;
let temporal: TestTemporal;
let sandbox: RunningSandbox;
let app: NestExpressApplication;
let http: ReturnType<NestExpressApplication['getHttpServer']>;
let apiUrl: string;
let worker: Worker;
let workerRun: Promise<void>;
const taskQueue = uniqueTaskQueue('fv-integrations');
const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

beforeAll(async () => {
  db = await createTestDatabase('fv_integrations');
  temporal = await connectTestTemporal();
  const sandboxPort = await freePort();
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  const adapters = [
    { name: 'wohngeld', kind: 'submission', baseUrl: `${sandboxUrl}/fv/wohngeld`, secret: SECRET },
    { name: 'epayment', kind: 'payment', baseUrl: `${sandboxUrl}/fv/epayment`, secret: SECRET },
    { name: 'offline', kind: 'submission', baseUrl: 'http://127.0.0.1:1/fv/offline', secret: SECRET },
  ];
  const env = { DATABASE_URL: db.url, FACHVERFAHREN_ADAPTERS: JSON.stringify(adapters), HEALTH_CHECK_TIMEOUT_MS: '1500' };
  const address = process.env.TEMPORAL_ADDRESS!;
  app = await createTestApp(env, { connectTemporal: () => createTemporalClient({ address, namespace: temporal.namespace }) });
  await app.listen(0, '127.0.0.1');
  http = app.getHttpServer();
  apiUrl = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  sandbox = await startSandbox({ port: sandboxPort, defaultSecret: SECRET, callbackUrl: apiUrl, delayMs: [0, 5], completionDelayMs: 300 });

  const registry = createAdapterRegistry(testConfig(env));
  worker = await Worker.create({
    connection: temporal.nativeConnection,
    namespace: temporal.namespace,
    taskQueue,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: require.resolve('./testing/fachverfahren-probe.workflow'), logger: quiet }),
    activities: createFachverfahrenActivities({ registry, calls: new PgAdapterCallStore(db.pool) }),
  });
  workerRun = worker.run();
  // The API's Temporal client connects in the background.
  for (let i = 0; i < 100 && (await request(http).get('/health')).body?.checks?.temporal !== 'up'; i++) await new Promise((r) => setTimeout(r, 100));
});

afterAll(async () => {
  worker?.shutdown();
  await workerRun;
  await sandbox?.stop();
  await app?.close();
  await temporal?.close();
  await db?.drop();
});

const token = async (roles: Role[]) => (await signDevToken(testConfig().DEV_JWT_SECRET, { sub: `it-${roles.join('-')}`, roles, trustLevel: 'basis', groups: [] }, 600)).access_token;

/** Posts a callback signed with `secret` at `ts`; the body is sent byte-exactly as signed. */
function post(adapter: string, body: unknown, opts: { secret?: string; ts?: number; headers?: Record<string, string> } = {}) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const signed = signMessage(opts.secret ?? SECRET, raw, opts.ts);
  return request(http)
    .post(`/api/v1/integrations/${adapter}/callbacks`)
    .set('Content-Type', 'application/json')
    .set({ ...signed, ...opts.headers })
    .send(raw);
}

function expectProblem(res: request.Response, status: number, reason?: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, type: expect.stringMatching(/^urn:amtsweg:problem:/), detail: expect.any(String) });
  if (reason) expect(res.body.reason).toBe(reason);
}

/** A started workflow that no worker runs: signals land in its history, where the test reads them. */
async function waitingWorkflow(caseId: string, step: string, externalId: string): Promise<string> {
  const workflowId = `fv-callback-target-${caseId}`;
  await temporal.client.workflow.start('notRunByAnyWorker', { taskQueue: uniqueTaskQueue('nobody'), workflowId, args: [], workflowExecutionTimeout: '5 minutes' });
  const calls = new PgAdapterCallStore(db.pool);
  await calls.begin({ adapter: 'epayment', caseId, step, operation: 'payment', idempotencyKey: 'k', workflowId });
  await calls.succeeded({ adapter: 'epayment', caseId, step }, externalId, 'created');
  return workflowId;
}

async function signalsOf(workflowId: string): Promise<FachverfahrenCallback[]> {
  const history = await temporal.client.workflow.getHandle(workflowId).fetchHistory();
  const converter = temporal.client.options.loadedDataConverter.payloadConverter;
  return (history.events ?? [])
    .map((e) => e.workflowExecutionSignaledEventAttributes)
    .filter((a) => a?.signalName === 'fachverfahrenCallback')
    .map((a) => converter.fromPayload(a!.input!.payloads![0]!));
}

describe('POST /api/v1/integrations/{adapter}/callbacks', () => {
  it('accepts a signed callback with 202 and signals the waiting workflow', async () => {
    const workflowId = await waitingWorkflow('GA-2026-100001', 'fee', 'pay_it_1');
    const res = await post('epayment', { callbackId: 'it-cb-000001', event: 'payment.paid', externalId: 'pay_it_1', data: { amount: '15.00' } });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'accepted', callbackId: 'it-cb-000001', event: 'payment.paid' });
    const signals = await signalsOf(workflowId);
    expect(signals).toEqual([
      expect.objectContaining({ callbackId: 'it-cb-000001', adapter: 'epayment', event: 'payment.paid', caseId: 'GA-2026-100001', step: 'fee', externalId: 'pay_it_1', data: { amount: '15.00' } }),
    ]);
    await temporal.client.workflow.getHandle(workflowId).terminate('test done');
  });

  it('answers 401 problem+json to a wrong signature, an old or future timestamp, a replay, missing headers', async () => {
    const workflowId = await waitingWorkflow('GA-2026-100002', 'fee', 'pay_it_2');
    const body = { callbackId: 'it-cb-000002', event: 'payment.paid', externalId: 'pay_it_2' };
    expectProblem(await post('epayment', body, { secret: 'somebody-elses-secret-0123456789abcdef' }), 401, 'bad_signature');
    expectProblem(await post('epayment', body, { ts: unixSeconds() - 6 * 60 }), 401, 'stale_timestamp');
    expectProblem(await post('epayment', body, { ts: unixSeconds() + 6 * 60 }), 401, 'future_timestamp');
    const unsigned = await request(http).post('/api/v1/integrations/epayment/callbacks').set('Content-Type', 'application/json').send(JSON.stringify(body));
    expectProblem(unsigned, 401, 'missing_headers');
    expect(unsigned.headers['www-authenticate']).toMatch(/HMAC-SHA512/);
    // A body changed after signing:
    const signed = signMessage(SECRET, JSON.stringify(body));
    const tampered = await request(http)
      .post('/api/v1/integrations/epayment/callbacks')
      .set('Content-Type', 'application/json')
      .set({ ...signed })
      .send(JSON.stringify({ ...body, externalId: 'pay_other' }));
    expectProblem(tampered, 401, 'bad_signature');

    expect((await post('epayment', body)).status).toBe(202);
    expectProblem(await post('epayment', body), 401, 'replay');
    expectProblem(await post('epayment', body, { ts: unixSeconds() + 1 }), 401, 'replay');
    expect(await signalsOf(workflowId)).toHaveLength(1);
    await temporal.client.workflow.getHandle(workflowId).terminate('test done');
  });

  it('answers 404 for an unknown adapter or reference, 422 for a malformed callback, 415 for non-JSON', async () => {
    expectProblem(await post('nope', { callbackId: 'it-cb-000003', event: 'payment.paid', externalId: 'x' }), 404, 'unknown_adapter');
    expectProblem(await post('epayment', { callbackId: 'it-cb-000004', event: 'payment.paid', externalId: 'pay_nobody' }), 404, 'unknown_reference');
    const malformed = await post('epayment', { callbackId: 'x', event: 'Paid!' });
    expectProblem(malformed, 422);
    expect(malformed.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['/callbackId', '/event']));
    const text = 'callbackId=it-cb-000005';
    const res = await request(http)
      .post('/api/v1/integrations/epayment/callbacks')
      .set('Content-Type', 'text/plain')
      .set({ ...signMessage(SECRET, text) })
      .send(text);
    expectProblem(res, 415);
  });

  it('answers 404 (and accepts a later retry) when the workflow is gone', async () => {
    const workflowId = await waitingWorkflow('GA-2026-100003', 'fee', 'pay_it_3');
    await temporal.client.workflow.getHandle(workflowId).terminate('closed before the callback');
    const body = { callbackId: 'it-cb-000006', event: 'payment.paid', externalId: 'pay_it_3' };
    expectProblem(await post('epayment', body), 404);
    const receipts = await db.pool.query('SELECT 1 FROM callback_receipts WHERE callback_id = $1', ['it-cb-000006']);
    expect(receipts.rowCount).toBe(0);
  });

  it('routes the sandbox’s own callbacks end to end: activity → sandbox → signed callback → API → workflow', async () => {
    const submission = await temporal.client.workflow.start<typeof fachverfahrenProbeWorkflow>('fachverfahrenProbeWorkflow', {
      taskQueue,
      workflowId: `fv-probe-submission-${taskQueue}`,
      args: [{ caseId: 'WG-2026-100004', mode: 'submission' }],
      workflowExecutionTimeout: '2 minutes',
    });
    const payment = await temporal.client.workflow.start<typeof fachverfahrenProbeWorkflow>('fachverfahrenProbeWorkflow', {
      taskQueue,
      workflowId: `fv-probe-payment-${taskQueue}`,
      args: [{ caseId: 'GA-2026-100004', mode: 'payment' }],
      workflowExecutionTimeout: '2 minutes',
    });
    // The citizen pays on the sandbox's page once the payment exists.
    let paymentId: string | undefined;
    for (let i = 0; i < 200 && !paymentId; i++) {
      const r = await db.pool.query<{ external_id: string | null }>('SELECT external_id FROM adapter_calls WHERE adapter = $1 AND case_id = $2', ['epayment', 'GA-2026-100004']);
      paymentId = r.rows[0]?.external_id ?? undefined;
      if (!paymentId) await new Promise((r2) => setTimeout(r2, 100));
    }
    expect(paymentId).toBeDefined();
    const paid = await fetch(`${sandbox.url}/pay/${paymentId}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'outcome=paid', redirect: 'manual' });
    expect(paid.status).toBe(303);

    const s = await submission.result();
    expect(s.callback).toMatchObject({ adapter: 'wohngeld', event: 'submission.completed', externalId: s.externalId, caseId: 'WG-2026-100004', step: 'payment-instruction' });
    expect(s.callback?.data).toMatchObject({ result: { kassenzeichen: expect.any(String) } });
    const p = await payment.result();
    expect(p).toMatchObject({ externalId: paymentId, distinctCallbacks: 1, callback: { event: 'payment.paid', step: 'fee', data: { amount: '15.00' } } });
    await sandbox.idle();
    expect(sandbox.callbacks.filter((c) => c.caseId === 'GA-2026-100004' || c.caseId === 'WG-2026-100004').map((c) => c.outcome)).toEqual(['delivered', 'delivered']);
  });
});

describe('GET /api/v1/integrations/adapters', () => {
  it('lists the configured adapters with their health for integrators and admins', async () => {
    const res = await request(http).get('/api/v1/integrations/adapters').set('Authorization', `Bearer ${await token(['integrator'])}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { name: 'wohngeld', kind: 'submission', healthy: true },
      { name: 'epayment', kind: 'payment', healthy: true },
      { name: 'offline', kind: 'submission', healthy: false, lastError: expect.stringMatching(/^offline: GET \/health failed/) },
    ]);
    expect((await request(http).get('/api/v1/integrations/adapters').set('Authorization', `Bearer ${await token(['admin'])}`)).status).toBe(200);
  });

  it('is closed to anonymous callers (401) and to citizens and caseworkers (403)', async () => {
    expectProblem(await request(http).get('/api/v1/integrations/adapters'), 401);
    expectProblem(await request(http).get('/api/v1/integrations/adapters').set('Authorization', `Bearer ${await token(['citizen'])}`), 403);
    expectProblem(await request(http).get('/api/v1/integrations/adapters').set('Authorization', `Bearer ${await token(['caseworker'])}`), 403);
  });
});
