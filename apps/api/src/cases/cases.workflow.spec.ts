import { randomUUID } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Client } from '@temporalio/client';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { Transporter } from 'nodemailer';
import request from 'supertest';
import { createCaseActivities, caseEventMessageId } from '../../../../activities/cases';
import { signDevToken } from '../../../../libs/auth/src/dev-tokens';
import { loadConfig } from '../../../../libs/config/src/config';
import { openCase } from '../../../../libs/db/src/cases';
import { createMailTransport } from '../../../../libs/mail/src/transport';
import { createTemporalClient } from '../../../../libs/temporal/src/connection';
import { createDataConverter } from '../../../../libs/temporal/src/data-converter';
import { createTestDatabase } from '../../../../test/support/db';
import type { TestDatabase } from '../../../../test/support/db';
import { listMails, waitForMails } from '../../../../test/support/mail';
import { connectTestTemporal, uniqueTaskQueue } from '../../../../test/support/temporal';
import type { TestTemporal } from '../../../../test/support/temporal';
import { testDecideSignal, testUploadsQuery, withdrawableCaseWorkflow } from '../../../../test/fixtures/case-workflow';
import { caseWorkflowId } from '../../../../workflows/shared/case.contract';
import { TemporalClientHolder } from '../infrastructure/temporal-client.holder';
import { createTestApp, testConfig } from '../testing/test-app';

// Withdraw and request uploads end to end: API (in-process) → the shared Temporal dev server →
// a worker on this file's own task queue running a test case workflow (test/fixtures) with the
// real case activities → PostgreSQL (fresh database) and the SMTP sink.
const smtpUrl = process.env.SMTP_URL;
if (!smtpUrl) throw new Error('SMTP_URL is not set (test/global-setup.ts)');

let db: TestDatabase;
let temporal: TestTemporal;
let client: Client;
let worker: Worker;
let running: Promise<void>;
let transport: Transporter;
let app: NestExpressApplication;
let http: ReturnType<NestExpressApplication['getHttpServer']>;
const taskQueue = uniqueTaskQueue('cases');
const owner = `owner-${randomUUID()}`;
let ownerToken: string;
let otherToken: string;

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') }); // before the first connection: the SDK's INFO lines are noise here
  db = await createTestDatabase('cases_wf');
  temporal = await connectTestTemporal();
  transport = createMailTransport(smtpUrl);
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, SMTP_URL: smtpUrl });
  const dataConverter = createDataConverter();
  client = await createTemporalClient({ address: process.env.TEMPORAL_ADDRESS!, namespace: temporal.namespace, dataConverter });
  worker = await Worker.create({
    connection: temporal.nativeConnection,
    namespace: temporal.namespace,
    taskQueue,
    workflowsPath: require.resolve('../../../../test/fixtures/case-workflow'),
    activities: createCaseActivities({ pool: db.pool, mail: { transport, from: 'amtsweg Test <noreply@amtsweg.test>' }, config }),
    dataConverter,
  });
  running = worker.run();

  app = await createTestApp(
    { DATABASE_URL: db.url },
    { connectTemporal: () => createTemporalClient({ address: process.env.TEMPORAL_ADDRESS!, namespace: temporal.namespace, dataConverter: createDataConverter() }) },
  );
  http = app.getHttpServer();
  const holder = app.get(TemporalClientHolder);
  for (let i = 0; i < 100 && !holder.isConnected; i++) await new Promise((r) => setTimeout(r, 100));
  const secret = testConfig().DEV_JWT_SECRET;
  ownerToken = `Bearer ${(await signDevToken(secret, { sub: owner, roles: ['citizen'], trustLevel: 'substantiell', groups: [] }, 600)).access_token}`;
  otherToken = `Bearer ${(await signDevToken(secret, { sub: 'someone-else', roles: ['citizen'], trustLevel: 'substantiell', groups: [] }, 600)).access_token}`;
}, 120_000);

afterAll(async () => {
  await app?.close();
  worker?.shutdown();
  await running;
  await client?.connection.close();
  await temporal?.close();
  transport?.close();
  await db?.drop();
});

/** A case row plus its running workflow, as a submission would leave them. */
async function startCase(email: string | null = null) {
  const caseId = randomUUID();
  const workflowId = caseWorkflowId(caseId);
  const { case: c } = await openCase(db.pool, { caseId, type: 'wohngeld', ownerSub: owner, ownerEmail: email, workflowId });
  const handle = await client.workflow.start(withdrawableCaseWorkflow, { taskQueue, workflowId, args: [{ caseId }] });
  return { caseId, caseNumber: c.caseNumber, handle };
}

const status = async (caseId: string) => (await db.pool.query('SELECT status FROM cases WHERE id = $1', [caseId])).rows[0]?.status as string;

describe('POST /api/v1/cases/{caseId}/withdraw', () => {
  it('withdraws through the workflow: 200, WITHDRAWN in PostgreSQL, one timeline entry, one mail', async () => {
    const email = `withdraw-${randomUUID()}@example.org`;
    const { caseId, handle } = await startCase(email);

    expect((await request(http).post(`/api/v1/cases/${caseId}/withdraw`).set('Authorization', otherToken)).status).toBe(404);

    const res = await request(http).post(`/api/v1/cases/${caseId}/withdraw`).set('Authorization', ownerToken);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'WITHDRAWN' });
    expect(await status(caseId)).toBe('WITHDRAWN');
    expect(await handle.result()).toBe('withdrawn');

    // API and workflow both recorded the withdrawal under the same key: one entry.
    const events = await db.pool.query("SELECT count(*)::int AS n FROM case_events WHERE case_id = $1 AND event_key = 'withdrawn'", [caseId]);
    expect(events.rows[0]).toEqual({ n: 1 });
    await waitForMails((m) => m.to?.some((t) => t.address === email) ?? false);
    await new Promise((r) => setTimeout(r, 500));
    const mails = (await listMails()).filter((m) => m.to?.some((t) => t.address === email));
    expect(mails).toHaveLength(1);
    expect(String(mails[0]!.headers?.['message-id'] ?? '')).toContain(caseEventMessageId(caseId, 'withdrawn').slice(1, -1));

    // Again (e.g. a double click without Idempotency-Key): still 200, nothing new.
    const again = await request(http).post(`/api/v1/cases/${caseId}/withdraw`).set('Authorization', ownerToken);
    expect(again.status).toBe(200);

    const detail = await request(http).get(`/api/v1/cases/${caseId}`).set('Authorization', ownerToken);
    expect(detail.body.status).toBe('WITHDRAWN');
    expect(detail.body.timeline.at(-1)).toMatchObject({ status: 'WITHDRAWN' });
  });

  it('answers 409 when the workflow’s validator refuses (already decided) and changes nothing', async () => {
    const { caseId, handle } = await startCase();
    await handle.signal(testDecideSignal);
    const key = randomUUID();
    const res = await request(http).post(`/api/v1/cases/${caseId}/withdraw`).set('Authorization', ownerToken).set('Idempotency-Key', key);
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'CONFLICT', reason: 'already_decided' });
    expect(await status(caseId)).toBe('SUBMITTED');
    // a business rejection is final: the key replays it
    const replay = await request(http).post(`/api/v1/cases/${caseId}/withdraw`).set('Authorization', ownerToken).set('Idempotency-Key', key);
    expect(replay.status).toBe(409);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    await handle.terminate('test over');
  });

  it('answers 409 when the process has already ended', async () => {
    const { caseId, handle } = await startCase();
    await handle.terminate('closed for the test');
    const res = await request(http).post(`/api/v1/cases/${caseId}/withdraw`).set('Authorization', ownerToken);
    expect(res.status).toBe(409);
    expect(res.body.reason).toBe('case_closed');
  });
});

describe('POST /api/v1/cases/{caseId}/documents with a requestId', () => {
  it('stores the upload and signals the case workflow (once per document, also on a retry)', async () => {
    const { caseId, handle } = await startCase();
    const requestId = randomUUID();
    await db.pool.query("INSERT INTO case_requests (id, case_id, kind, text) VALUES ($1, $2, 'proof', 'Mietvertrag')", [requestId, caseId]);
    const pdf = Buffer.from(`%PDF-1.7\n${randomUUID()}\n%%EOF\n`);
    const upload = () => request(http).post(`/api/v1/cases/${caseId}/documents`).set('Authorization', ownerToken).field('requestId', requestId).attach('file', pdf, 'mietvertrag.pdf');

    const first = await upload();
    expect(first.status).toBe(201);
    expect(first.body.requestId).toBe(requestId);
    const second = await upload(); // a retry without Idempotency-Key: same document, signal again
    expect(second.body.documentId).toBe(first.body.documentId);

    let uploads: unknown[] = [];
    for (let i = 0; i < 50 && uploads.length === 0; i++) {
      uploads = await handle.query(testUploadsQuery);
      if (uploads.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(uploads).toEqual([{ requestId, documentId: first.body.documentId }]);

    const otherCase = await startCase();
    const wrong = await request(http).post(`/api/v1/cases/${otherCase.caseId}/documents`).set('Authorization', ownerToken).field('requestId', requestId).attach('file', pdf, 'x.pdf');
    expect(wrong.status).toBe(422);
    expect(wrong.body.reason).toBe('unknown_request');
    await Promise.all([handle.terminate('test over'), otherCase.handle.terminate('test over')]);
  });
});
