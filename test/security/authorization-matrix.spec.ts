import { randomUUID } from 'node:crypto';
import { Controller, Get, Module } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, bundleWorkflowCode } from '@temporalio/worker';
import type { Transporter } from 'nodemailer';
import type { Pool } from 'pg';
import request from 'supertest';
import { createWorkers, startWorkers } from '../../apps/worker/src/workers';
import type { RunningWorkers } from '../../apps/worker/src/workers';
import { Roles } from '../../apps/api/src/auth/decorators';
import { TemporalClientHolder } from '../../apps/api/src/infrastructure/temporal-client.holder';
import { createTestApp, testConfig } from '../../apps/api/src/testing/test-app';
import { signDevToken } from '../../libs/auth/src/dev-tokens';
import type { Principal } from '../../libs/auth/src/principal';
import { loadConfig } from '../../libs/config/src/config';
import { addDocument, openCase } from '../../libs/db/src/cases';
import { createPool } from '../../libs/db/src/pool';
import { createMailTransport } from '../../libs/mail/src/transport';
import { createTemporalClient } from '../../libs/temporal/src/connection';
import { createDataConverter } from '../../libs/temporal/src/data-converter';
import { caseWorkflowId } from '../../workflows/shared/case.contract';
import { createTestDatabase } from '../support/db';
import type { TestDatabase } from '../support/db';
import { uniqueTaskQueue } from '../support/temporal';

/**
 * The authorisation matrix (issue 3, item 4): EVERY route the running API exposes, called by every
 * kind of caller, against real resources of citizen A — a case with a document and an open request
 * (Nachforderung, from the document-request building block), a caseworker task in group `gewerbe`
 * (from a humanTask workflow) and a case whose process accepts a withdrawal — seeded by real
 * workflows and repositories on the shared Temporal dev server and a fresh PostgreSQL database.
 *
 * The routes are read from the app itself (Express's router and the OpenAPI document), so a route
 * added without a row in MATRIX fails the first test ("unlisted route").
 *
 * The point is who is REFUSED. Callers who are allowed may get a business answer (409, 422) when an
 * earlier call changed the state (claims, withdrawals): the class `allowed` accepts those, so the
 * order of the calls never matters.
 */

// ---------------------------------------------------------------------------------------------
// Who calls
// ---------------------------------------------------------------------------------------------
const CALLERS = ['anonymous', 'owner', 'citizenB', 'caseworker', 'otherCaseworker', 'admin', 'integrator'] as const;
type Caller = (typeof CALLERS)[number];

const GROUP = 'gewerbe';
const OWNER_SUB = `citizen-a-${randomUUID()}`;

/** Filled in beforeAll (the caseworker of `gewerbe` also works at a real office of the catalogue). */
const principals = (officeId: string): Record<Exclude<Caller, 'anonymous'>, Principal> => ({
  owner: { sub: OWNER_SUB, roles: ['citizen'], trustLevel: 'substantiell', groups: [], email: 'a@example.org' },
  citizenB: { sub: `citizen-b-${randomUUID()}`, roles: ['citizen'], trustLevel: 'substantiell', groups: [] },
  caseworker: { sub: 'cw-gewerbe', roles: ['caseworker'], trustLevel: 'hoch', groups: [GROUP], office: officeId },
  otherCaseworker: { sub: 'cw-wohngeld', roles: ['caseworker'], trustLevel: 'hoch', groups: ['wohngeld'], office: 'ba-andere-dienststelle' },
  admin: { sub: 'admin-1', roles: ['admin'], trustLevel: 'hoch', groups: [] },
  integrator: { sub: 'integrator-1', roles: ['integrator'], trustLevel: 'basis', groups: [] },
});

// ---------------------------------------------------------------------------------------------
// What they must get
// ---------------------------------------------------------------------------------------------
/**
 * An exact status, or a class:
 * - `ok`: any 2xx.
 * - `allowed`: past authorisation on a resource the caller may touch: 2xx, or a business answer
 *   (400, 409, 422) — never 401, 403, 404 or 5xx.
 * - `answered`: a public route's answer, whatever it is, as long as it is not 401/403/5xx.
 * Public routes (everyone(...)) must also answer every caller alike: a token neither helps nor hurts.
 */
type Expectation = 200 | 201 | 202 | 401 | 403 | 404 | 'ok' | 'allowed' | 'answered';
type Row = readonly [anonymous: Expectation, owner: Expectation, citizenB: Expectation, caseworker: Expectation, otherCaseworker: Expectation, admin: Expectation, integrator: Expectation];
const everyone = (e: Expectation): Row & { public: true } => Object.assign([e, e, e, e, e, e, e] as const, { public: true as const });

// prettier-ignore
const MATRIX: Record<string, Row> = {
  //                                                            anonymous  owner      citizenB   caseworker otherCW    admin      integrator
  //                                                                       (citizen A)           (gewerbe)  (wohngeld)
  // ---- operations and documentation (public)
  'GET /health':                                               everyone(200),
  'GET /health/live':                                          everyone(200),
  'GET /metrics':                                              everyone(200),
  'GET /docs':                                                 everyone(200),
  'GET /docs/openapi.json':                                    everyone(200),
  // Swagger UI's own routes (whatever they answer, they answer it to anyone)
  'GET /docs/':                                                everyone('answered'),
  'GET /docs/index.html':                                      everyone('answered'),
  'GET /docs/LICENSE':                                         everyone('answered'),
  'GET /docs/swagger-ui-init.js':                              everyone('answered'),
  'GET /docs/docs/swagger-ui-init.js':                         everyone('answered'),
  // ---- identity
  'POST /api/v1/dev/token':                                    everyone(200),
  'GET /api/v1/me':                                            [401,       200,       200,       200,       200,       200,       200],
  // ---- payload codec for the Temporal Web UI: staff only
  'POST /codec/decode':                                        [401,       403,       403,       200,       200,       200,       403],
  'POST /codec/encode':                                        [401,       403,       403,       200,       200,       200,       403],
  // ---- integrators; callbacks authenticate by HMAC, a bearer token counts for nothing
  'GET /api/v1/integrations/adapters':                         [401,       403,       403,       403,       403,       200,       200],
  'POST /api/v1/integrations/{adapter}/callbacks':             everyone(401),
  // ---- case file: the owner, admins read; someone else's case is 404, never 403
  'GET /api/v1/cases':                                         [401,       200,       200,       403,       403,       403,       403],
  'GET /api/v1/cases/{caseId}':                                [401,       200,       404,       403,       403,       200,       403],
  'POST /api/v1/cases/{caseId}/withdraw':                      [401,       'allowed', 404,       403,       403,       403,       403],
  'POST /api/v1/cases/{caseId}/documents':                     [401,       201,       404,       403,       403,       403,       403],
  'GET /api/v1/cases/{caseId}/documents/{documentId}':         [401,       200,       404,       403,       403,       200,       403],
  'POST /api/v1/cases/{caseId}/identity':                      [401,       'allowed', 404,       403,       403,       403,       403],
  'POST /api/v1/cases/{caseId}/payment':                       [401,       'allowed', 404,       403,       403,       403,       403],
  // ---- applications (citizens); the Wohngeld estimate is public
  'POST /api/v1/wohngeld/estimate':                            everyone(200),
  'POST /api/v1/applications/bewohnerparken':                  [401,       'allowed', 'allowed', 403,       403,       403,       403],
  'POST /api/v1/applications/gewerbeanmeldung':                [401,       'allowed', 'allowed', 403,       403,       403,       403],
  'POST /api/v1/applications/wohngeld':                         [401,       'allowed', 'allowed', 403,       403,       403,       403],
  // the change report of a granted Wohngeld: the owner only (A's case is no Wohngeld case: 409), someone else's case is 404
  'POST /api/v1/cases/{caseId}/wohngeld/change-report':         [401,       'allowed', 404,       403,       403,       403,       403],
  // ---- caseworker inbox: only the task's group (and admins); another group's task is 404
  'GET /api/v1/tasks':                                         [401,       403,       403,       200,       200,       200,       403],
  'GET /api/v1/tasks/{taskId}':                                [401,       403,       403,       200,       404,       200,       403],
  'GET /api/v1/tasks/{taskId}/documents':                      [401,       403,       403,       200,       404,       200,       403],
  'GET /api/v1/tasks/{taskId}/documents/{documentId}':         [401,       403,       403,       200,       404,       200,       403],
  'POST /api/v1/tasks/{taskId}/claim':                         [401,       403,       403,       'allowed', 404,       'allowed', 403],
  'POST /api/v1/tasks/{taskId}/unclaim':                       [401,       403,       403,       'allowed', 404,       'allowed', 403],
  'POST /api/v1/tasks/{taskId}/complete':                      [401,       403,       403,       'allowed', 404,       'allowed', 403],
  'POST /api/v1/tasks/{taskId}/defer':                         [401,       403,       403,       'allowed', 404,       'allowed', 403],
  // ---- appointments: no login, the email link token authorises (a wrong one is 404 for anyone)
  'GET /api/v1/offices':                                       everyone(200),
  'GET /api/v1/services':                                      everyone(200),
  'GET /api/v1/availability':                                  everyone(200),
  'POST /api/v1/appointments':                                 everyone('answered'),
  'GET /api/v1/appointments/{appointmentId}':                  everyone(404),
  'POST /api/v1/appointments/{appointmentId}/confirm':         everyone(404),
  'POST /api/v1/appointments/{appointmentId}/cancel':          everyone(404),
  'POST /api/v1/appointments/{appointmentId}/reschedule':      everyone(404),
  // ---- Terminalarm: no login, the link token authorises (a wrong one is 404 for anyone)
  'POST /api/v1/alarms':                                       everyone('answered'),
  'GET /api/v1/alarms/{alarmId}':                              everyone(404),
  'DELETE /api/v1/alarms/{alarmId}':                           everyone(404),
  'POST /api/v1/alarms/{alarmId}/offers/{offerId}/accept':     everyone(404),
  'POST /api/v1/alarms/{alarmId}/offers/{offerId}/decline':    everyone(404),
  'POST /api/v1/alarms/{alarmId}/extend':                      everyone(404),
  // ---- office administration: admins, caseworkers of that office (`caseworker` works at officeId)
  'POST /api/v1/admin/offices/{officeId}/slots':               [401,       403,       403,       'allowed', 403,       'allowed', 403],
  'POST /api/v1/admin/offices/{officeId}/closures':            [401,       403,       403,       'allowed', 403,       'allowed', 403],
  'POST /api/v1/admin/appointments/{appointmentId}/attendance':[401,       403,       403,       404,       404,       404,       403],
  'GET /api/v1/admin/kpi/appointments':                        [401,       403,       403,       403,       403,       200,       403],
};

/** Lists answered 200 to a caller must (or must not) contain A's resources. */
const VISIBILITY: Array<{ route: string; caller: Caller; shows: boolean; id: (f: Fixtures) => string }> = [
  { route: 'GET /api/v1/cases', caller: 'owner', shows: true, id: (f) => f.caseId },
  { route: 'GET /api/v1/cases', caller: 'citizenB', shows: false, id: (f) => f.caseId },
  { route: 'GET /api/v1/tasks', caller: 'caseworker', shows: true, id: (f) => f.taskId },
  { route: 'GET /api/v1/tasks', caller: 'otherCaseworker', shows: false, id: (f) => f.taskId },
  { route: 'GET /api/v1/tasks', caller: 'admin', shows: true, id: (f) => f.taskId },
];

// ---------------------------------------------------------------------------------------------
// How each route is called (path parameters, query, body)
// ---------------------------------------------------------------------------------------------
interface Fixtures {
  caseId: string;
  /** A second case of A whose process accepts the withdrawal (the owner's call withdraws it). */
  withdrawCaseId: string;
  documentId: string;
  requestId: string;
  taskId: string;
  officeId: string;
  serviceId: string;
}
interface Call {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: object;
  file?: { field: string; bytes: Buffer; filename: string; contentType: string };
}

const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(600, 0x20), Buffer.from('\n%%EOF\n')]);
const JSON_PAYLOAD = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('"Matrix"').toString('base64') };
const BOGUS_LINK_TOKEN = 'dGhpcy1pcy1ub3QtYS12YWxpZC1saW5rLXRva2VuLWF0LWFsbA';
const pastWeek = () => ({ start: new Date(Date.now() - 8 * 86_400_000).toISOString(), end: new Date(Date.now() - 7 * 86_400_000).toISOString() });

const CALLS: Record<string, (f: Fixtures) => Call> = {
  'GET /health': () => ({}),
  'GET /health/live': () => ({}),
  'GET /metrics': () => ({}),
  'GET /docs': () => ({}),
  'GET /docs/': () => ({}),
  'GET /docs/index.html': () => ({}),
  'GET /docs/LICENSE': () => ({}),
  'GET /docs/swagger-ui-init.js': () => ({}),
  'GET /docs/docs/swagger-ui-init.js': () => ({}),
  'GET /docs/openapi.json': () => ({}),
  'POST /api/v1/dev/token': () => ({ body: { sub: 'matrix-someone', roles: ['citizen'] } }),
  'GET /api/v1/me': () => ({}),
  'POST /codec/decode': () => ({ body: { payloads: [JSON_PAYLOAD] } }),
  'POST /codec/encode': () => ({ body: { payloads: [JSON_PAYLOAD] } }),
  'GET /api/v1/integrations/adapters': () => ({}),
  // a configured adapter (the sandbox set), no signature
  'POST /api/v1/integrations/{adapter}/callbacks': () => ({ params: { adapter: 'gewerberegister' }, body: { callbackId: randomUUID(), event: 'status', externalId: 'x' } }),
  'GET /api/v1/cases': () => ({ query: { limit: '100' } }),
  'GET /api/v1/cases/{caseId}': (f) => ({ params: { caseId: f.caseId } }),
  'POST /api/v1/cases/{caseId}/withdraw': (f) => ({ params: { caseId: f.withdrawCaseId } }),
  'POST /api/v1/cases/{caseId}/documents': (f) => ({ params: { caseId: f.caseId }, file: { field: 'file', bytes: PDF, filename: 'Nachweis.pdf', contentType: 'application/pdf' } }),
  'GET /api/v1/cases/{caseId}/documents/{documentId}': (f) => ({ params: { caseId: f.caseId, documentId: f.documentId } }),
  // the case asks for no identification: 409 for its owner
  'POST /api/v1/cases/{caseId}/identity': (f) => ({ params: { caseId: f.caseId } }),
  // the case's process has no fee: 409 for its owner
  'POST /api/v1/cases/{caseId}/payment': (f) => ({ params: { caseId: f.caseId } }),
  'POST /api/v1/wohngeld/estimate': () => ({
    body: { mietstufe: 4, householdMembers: 2, housing: { kind: 'miete', monthly: 570 }, incomes: [{ member: 1, kind: 'pension', monthlyGross: 880, taxes: false, healthCare: true, pensionInsurance: false }] },
  }),
  // an incomplete body: the edge refuses it (422) before anything is started
  'POST /api/v1/applications/bewohnerparken': () => ({ body: { applicant: {} } }),
  'POST /api/v1/applications/gewerbeanmeldung': () => ({ body: { owner: {} } }),
  'POST /api/v1/applications/wohngeld': () => ({ body: { applicant: {} } }),
  'POST /api/v1/cases/{caseId}/wohngeld/change-report': (f) => ({ params: { caseId: f.caseId }, body: { incomes: [{ member: 1, kind: 'pension', monthlyGross: 1000 }] } }),
  'GET /api/v1/tasks': () => ({ query: { scope: 'group', limit: '100' } }),
  'GET /api/v1/tasks/{taskId}': (f) => ({ params: { taskId: f.taskId } }),
  'GET /api/v1/tasks/{taskId}/documents': (f) => ({ params: { taskId: f.taskId } }),
  'GET /api/v1/tasks/{taskId}/documents/{documentId}': (f) => ({ params: { taskId: f.taskId, documentId: f.documentId } }),
  'POST /api/v1/tasks/{taskId}/claim': (f) => ({ params: { taskId: f.taskId } }),
  'POST /api/v1/tasks/{taskId}/unclaim': (f) => ({ params: { taskId: f.taskId } }),
  // the form needs a note: the task is never actually completed here
  'POST /api/v1/tasks/{taskId}/complete': (f) => ({ params: { taskId: f.taskId }, body: { outcome: 'approve', data: {} } }),
  'POST /api/v1/tasks/{taskId}/defer': (f) => ({ params: { taskId: f.taskId }, body: { until: null } }),
  'GET /api/v1/offices': () => ({}),
  'GET /api/v1/services': () => ({}),
  'GET /api/v1/availability': (f) => ({ query: { serviceId: f.serviceId } }),
  // a slot that does not exist: nothing is booked
  'POST /api/v1/appointments': (f) => ({ body: { serviceId: f.serviceId, slotId: randomUUID(), email: 'matrix@example.org', name: 'Erika Mustermann' } }),
  'GET /api/v1/appointments/{appointmentId}': () => ({ params: { appointmentId: randomUUID() }, query: { token: BOGUS_LINK_TOKEN } }),
  'POST /api/v1/appointments/{appointmentId}/confirm': () => ({ params: { appointmentId: randomUUID() }, body: { token: BOGUS_LINK_TOKEN } }),
  'POST /api/v1/appointments/{appointmentId}/cancel': () => ({ params: { appointmentId: randomUUID() }, body: { token: BOGUS_LINK_TOKEN } }),
  'POST /api/v1/appointments/{appointmentId}/reschedule': () => ({ params: { appointmentId: randomUUID() }, body: { token: BOGUS_LINK_TOKEN, slotId: randomUUID() } }),
  // a service that does not exist: refused (422), nothing is created
  'POST /api/v1/alarms': () => ({ body: { serviceId: 'matrix-kein-dienst', officeIds: [], from: '2030-01-01', to: '2030-01-31', email: 'matrix@example.org', name: 'Erika Mustermann' } }),
  'GET /api/v1/alarms/{alarmId}': () => ({ params: { alarmId: randomUUID() }, query: { token: BOGUS_LINK_TOKEN } }),
  'DELETE /api/v1/alarms/{alarmId}': () => ({ params: { alarmId: randomUUID() }, query: { token: BOGUS_LINK_TOKEN } }),
  'POST /api/v1/alarms/{alarmId}/offers/{offerId}/accept': () => ({ params: { alarmId: randomUUID(), offerId: randomUUID() }, body: { token: BOGUS_LINK_TOKEN } }),
  'POST /api/v1/alarms/{alarmId}/offers/{offerId}/decline': () => ({ params: { alarmId: randomUUID(), offerId: randomUUID() }, body: { token: BOGUS_LINK_TOKEN } }),
  'POST /api/v1/alarms/{alarmId}/extend': () => ({ params: { alarmId: randomUUID() }, body: { token: BOGUS_LINK_TOKEN } }),
  // a service the office does not offer, in the past: refused as a business rule, nothing is created
  'POST /api/v1/admin/offices/{officeId}/slots': (f) => ({ params: { officeId: f.officeId }, body: { serviceIds: ['matrix-kein-dienst'], ...pastWeek(), slotMinutes: 10, capacity: 1 } }),
  // a day in the past: refused (422), nothing is closed or cancelled
  'POST /api/v1/admin/offices/{officeId}/closures': (f) => ({ params: { officeId: f.officeId }, body: { date: '2020-01-06', reason: 'Matrix' } }),
  'POST /api/v1/admin/appointments/{appointmentId}/attendance': () => ({ params: { appointmentId: randomUUID() }, body: { attended: true } }),
  'GET /api/v1/admin/kpi/appointments': () => ({}),
};

// ---------------------------------------------------------------------------------------------
// Test rig: API in-process, worker in-process on a task queue of this file, fresh database
// ---------------------------------------------------------------------------------------------
const address = process.env.TEMPORAL_ADDRESS;
const smtpUrl = process.env.SMTP_URL;
if (!address || !smtpUrl) throw new Error('TEMPORAL_ADDRESS / SMTP_URL are not set (test/global-setup.ts)');
const namespace = process.env.TEMPORAL_NAMESPACE || 'default';
const taskQueue = uniqueTaskQueue('authz-matrix');

let db: TestDatabase;
let appPool: Pool;
let transport: Transporter;
let connection: NativeConnection;
let client: Client;
let running: RunningWorkers;
let app: NestExpressApplication;
const handles: WorkflowHandle[] = [];
const tokens: Partial<Record<Caller, string>> = {};
let fx: Fixtures;

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') }); // before the first connection: the SDK's INFO lines are noise here
  db = await createTestDatabase('authz_matrix');
  appPool = createPool({ connectionString: db.url, max: 5 });
  transport = createMailTransport(smtpUrl);
  connection = await NativeConnection.connect({ address });
  const dataConverter = createDataConverter();
  client = await createTemporalClient({ address, namespace, dataConverter });
  const workerConfig = loadConfig({ ...process.env, DATABASE_URL: db.url, SMTP_URL: smtpUrl, TEMPORAL_ADDRESS: address, NODE_ENV: 'test' });
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../fixtures/authorization-matrix.workflows'),
    failureConverterPath: dataConverter.failureConverterPath,
    logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  const workers = await createWorkers(
    { pool: db.pool, mail: { transport, from: 'amtsweg Test <noreply@amtsweg.test>' }, config: workerConfig },
    { connection, namespace, taskQueues: [taskQueue], dataConverter, workflowBundle, shutdownGraceTime: '2 seconds' },
  );
  running = startWorkers(workers);

  app = await createTestApp(
    {
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: namespace,
      RATE_LIMIT_PUBLIC_PER_MINUTE: '100000',
      RATE_LIMIT_AUTHENTICATED_PER_MINUTE: '100000',
      HEALTH_CHECK_TIMEOUT_MS: '500',
    },
    { pool: appPool, connectTemporal: () => createTemporalClient({ address, namespace, dataConverter }) },
  );
  const holder = app.get(TemporalClientHolder);
  for (let i = 0; i < 100 && !holder.isConnected; i++) await new Promise((r) => setTimeout(r, 100));

  // The catalogue (seed data of the appointments migrations): one office and one of its services.
  const offices = (await request(app.getHttpServer()).get('/api/v1/offices')).body as Array<{ id: string }>;
  const services = (await request(app.getHttpServer()).get('/api/v1/services')).body as Array<{ id: string }>;
  const officeId = offices[0]?.id ?? 'no-office-in-catalogue';
  const serviceId = services[0]?.id ?? 'no-service-in-catalogue';

  const secret = testConfig().DEV_JWT_SECRET;
  for (const [who, p] of Object.entries(principals(officeId)) as Array<[Exclude<Caller, 'anonymous'>, Principal]>) {
    tokens[who] = (await signDevToken(secret, p, 3600)).access_token;
  }

  // Citizen A's case: opened in the case file, its process asks for a document (open request).
  const caseId = randomUUID();
  const { case: opened } = await openCase(db.pool, { caseId, type: 'gewerbeanmeldung', ownerSub: OWNER_SUB, ownerEmail: `matrix-${caseId}@example.org`, workflowId: caseWorkflowId(caseId) });
  handles.push(
    await client.workflow.start('documentRequestFixture', {
      taskQueue,
      workflowId: caseWorkflowId(caseId),
      args: [{ caseId, items: [{ kind: 'proof-of-income', text: 'Einkommensnachweis' }] }],
      workflowExecutionTimeout: '10 minutes',
    }),
  );
  const { document } = await addDocument(db.pool, { caseId, name: 'Gewerbeanmeldung.pdf', bytes: PDF, uploadedBy: OWNER_SUB, maxBytes: 1_000_000 });
  const requestId = await eventually('the open request', async () => {
    const r = await db.pool.query<{ id: string }>("SELECT id FROM case_requests WHERE case_id = $1 AND status = 'open'", [caseId]);
    return r.rows[0]?.id;
  });

  // A caseworker task of group `gewerbe` for that case.
  const taskHandle = await client.workflow.start('singleHumanTaskWorkflow', {
    taskQueue,
    workflowId: `authz-matrix-task-${caseId}`,
    args: [{ group: GROUP, dueIn: 'P3D', caseRef: { caseId, caseNumber: opened.caseNumber } }],
    workflowExecutionTimeout: '10 minutes',
  });
  handles.push(taskHandle);
  const taskId = await eventually('the task', async () => {
    const r = await db.pool.query<{ id: string }>('SELECT id FROM tasks WHERE workflow_id = $1', [taskHandle.workflowId]);
    return r.rows[0]?.id;
  });

  // A second case of A, whose process accepts a withdrawal.
  const withdrawCaseId = randomUUID();
  await openCase(db.pool, { caseId: withdrawCaseId, type: 'wohngeld', ownerSub: OWNER_SUB, workflowId: caseWorkflowId(withdrawCaseId) });
  handles.push(await client.workflow.start('withdrawableCaseWorkflow', { taskQueue, workflowId: caseWorkflowId(withdrawCaseId), args: [{ caseId: withdrawCaseId }], workflowExecutionTimeout: '10 minutes' }));

  fx = { caseId, withdrawCaseId, documentId: document.documentId, requestId, taskId, officeId, serviceId };
}, 180_000);

afterAll(async () => {
  await Promise.allSettled(handles.map((h) => h.terminate('authorization matrix finished')));
  await app?.close(); // ends appPool
  await running?.stop();
  await connection?.close();
  await client?.connection.close();
  transport?.close();
  await db?.drop();
});

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------
type ExpressLayer = { route?: { path: unknown; methods: Record<string, boolean> } };

/** `METHOD /path/{param}` for every endpoint Express routes to (middleware mounts — all methods at once — excluded). */
function expressRoutes(of: NestExpressApplication = app): string[] {
  const router = (of.getHttpAdapter().getInstance() as { router: { stack: ExpressLayer[] } }).router;
  const out: string[] = [];
  for (const layer of router.stack) {
    if (!layer.route || typeof layer.route.path !== 'string') continue;
    const methods = Object.keys(layer.route.methods).filter((m) => m !== '_all');
    if (layer.route.methods._all || methods.length > 5) continue; // app.all()/middleware registrations
    for (const m of methods) out.push(`${m.toUpperCase()} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
  }
  return out;
}

interface OpenApiDoc {
  paths: Record<string, Record<string, { 'x-amtsweg-access'?: { public?: boolean; roles?: string[]; authenticated?: boolean } }>>;
}
async function openApi(): Promise<OpenApiDoc> {
  return (await request(app.getHttpServer()).get('/docs/openapi.json')).body as OpenApiDoc;
}
function openApiRoutes(doc: OpenApiDoc): string[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
}

function send(route: string, caller: Caller, call: Call): request.Test {
  const [method, template] = route.split(' ') as [string, string];
  const path = template.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const v = call.params?.[name];
    if (v === undefined) throw new Error(`${route}: no value for {${name}}`);
    return encodeURIComponent(v);
  });
  const agent = request(app.getHttpServer());
  let req = method === 'GET' ? agent.get(path) : method === 'POST' ? agent.post(path) : method === 'DELETE' ? agent.delete(path) : method === 'PATCH' ? agent.patch(path) : agent.put(path);
  if (caller !== 'anonymous') req = req.set('Authorization', `Bearer ${tokens[caller]}`);
  if (call.query) req = req.query(call.query);
  if (call.file) return req.attach(call.file.field, call.file.bytes, { filename: call.file.filename, contentType: call.file.contentType });
  return call.body === undefined ? req : req.send(call.body);
}

function meets(e: Expectation, status: number): boolean {
  switch (e) {
    case 'ok':
      return status >= 200 && status < 300;
    case 'allowed':
      return (status >= 200 && status < 300) || status === 400 || status === 409 || status === 422;
    case 'answered':
      return status !== 401 && status !== 403 && status < 500;
    default:
      return status === e;
  }
}

const isPublicRow = (row: Row): boolean => (row as { public?: boolean }).public === true;

/** The statuses actually seen; AUTHZ_MATRIX_PRINT=1 prints them as a table after the run. */
const observed = new Map<string, Map<Caller, number>>();
afterAll(() => {
  if (process.env.AUTHZ_MATRIX_PRINT !== '1') return;
  const lines = [`${'route'.padEnd(62)}${CALLERS.map((c) => c.slice(0, 10).padStart(11)).join('')}`];
  for (const [route, seen] of observed) lines.push(`${route.padEnd(62)}${CALLERS.map((c) => String(seen.get(c) ?? '-').padStart(11)).join('')}`);
  process.stdout.write(`\n${lines.join('\n')}\n`);
});

// ---------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------
describe('authorization matrix', () => {
  it('has a row for every route the running API exposes, and no row for a route it does not', async () => {
    const doc = await openApi();
    const exposed = new Set([...expressRoutes(), ...openApiRoutes(doc)]);
    const unlisted = [...exposed].filter((r) => !(r in MATRIX)).sort();
    const stale = Object.keys(MATRIX).filter((r) => !exposed.has(r));
    expect({ unlisted, stale }).toEqual({ unlisted: [], stale: [] });
    // every documented operation is really routed (the two views of the app agree)
    expect(openApiRoutes(doc).filter((r) => !expressRoutes().includes(r))).toEqual([]);
    expect(Object.keys(CALLS).sort()).toEqual(Object.keys(MATRIX).sort());
  });

  it('would notice a route added later (the discovery sees a new controller)', async () => {
    @Controller('matrix-probe')
    class ProbeController {
      @Get(':id')
      @Roles('admin')
      probe(): string {
        return 'probe';
      }
    }
    @Module({ controllers: [ProbeController] })
    class ProbeModule {}
    const probeApp = await createTestApp({}, { imports: [ProbeModule] });
    try {
      expect(expressRoutes(probeApp).filter((r) => !(r in MATRIX))).toContain('GET /api/v1/matrix-probe/{id}');
    } finally {
      await probeApp.close();
    }
  });

  it('the table agrees with the declared access policies: 401 for anonymous exactly where a token is required', async () => {
    const doc = await openApi();
    const wrong: string[] = [];
    for (const [route, row] of Object.entries(MATRIX)) {
      const [method, path] = route.split(' ') as [string, string];
      const access = doc.paths[path]?.[method.toLowerCase()]?.['x-amtsweg-access'];
      // routes outside Nest (Swagger's /docs) are public by construction
      const isPublic = access ? access.public === true : true;
      if (isPublic !== isPublicRow(row)) wrong.push(`${route}: declared ${isPublic ? 'public' : 'protected'}, but the row says ${isPublicRow(row) ? 'everyone' : 'per caller'}`);
      if (!isPublic && row[0] !== 401) wrong.push(`${route}: protected, so anonymous must get 401`);
    }
    expect(wrong).toEqual([]);
  });

  describe.each(Object.keys(MATRIX))('%s', (route) => {
    const row = MATRIX[route]!;
    const seen = new Map<Caller, number>();
    observed.set(route, seen);

    it.each(CALLERS.map((caller, i) => [caller, row[i]!] as const))('as %s → %s', async (caller, expected) => {
      const res = await send(route, caller, CALLS[route]!(fx));
      seen.set(caller, res.status);
      if (!meets(expected, res.status)) {
        throw new Error(`${route} as ${caller}: expected ${expected}, got ${res.status} ${String(res.text ?? '').slice(0, 400)}`);
      }
      if (res.status === 401 || res.status === 403 || res.status === 404) {
        if (!route.startsWith('GET /docs')) expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
      // a protected route's 401 tells the client how to authenticate
      if (res.status === 401 && !isPublicRow(row)) expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      if (res.status >= 200 && res.status < 300) {
        for (const v of VISIBILITY.filter((x) => x.route === route && x.caller === caller)) {
          expect({ caller, contains: res.text.includes(v.id(fx)) }).toEqual({ caller, contains: v.shows });
        }
      }
    });

    if (isPublicRow(row)) {
      it('answers every caller alike (a public route ignores tokens)', () => {
        expect(new Set(seen.values()).size).toBe(1);
      });
    }
  });

  it('a 404 for citizen A’s resources looks exactly like the 404 for ones that do not exist', async () => {
    const probe = async (caller: Caller, path: string) => {
      const res = await request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${tokens[caller]}`);
      const body = res.body as { status?: number; type?: string; title?: string; detail?: string; reason?: string };
      return { status: res.status, type: body.type, title: body.title, detail: body.detail, reason: body.reason };
    };
    expect(await probe('citizenB', `/api/v1/cases/${fx.caseId}`)).toEqual(await probe('citizenB', `/api/v1/cases/${randomUUID()}`));
    expect(await probe('citizenB', `/api/v1/cases/${fx.caseId}/documents/${fx.documentId}`)).toEqual(await probe('citizenB', `/api/v1/cases/${randomUUID()}/documents/${randomUUID()}`));
    expect(await probe('otherCaseworker', `/api/v1/tasks/${fx.taskId}`)).toEqual(await probe('otherCaseworker', `/api/v1/tasks/${randomUUID()}`));
    expect((await probe('citizenB', `/api/v1/cases/${fx.caseId}`)).status).toBe(404);
  });

  it('the seeded case is what the matrix claims: a document and an open request, shown to its owner', async () => {
    const res = await request(app.getHttpServer()).get(`/api/v1/cases/${fx.caseId}`).set('Authorization', `Bearer ${tokens.owner}`);
    expect(res.status).toBe(200);
    expect(res.body.documents).toEqual(expect.arrayContaining([expect.objectContaining({ documentId: fx.documentId })]));
    expect(res.body.openRequests).toEqual(expect.arrayContaining([expect.objectContaining({ requestId: fx.requestId })]));
  });
});
