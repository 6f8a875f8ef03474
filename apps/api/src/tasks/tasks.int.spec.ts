import { randomUUID } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Client } from '@temporalio/client';
import { NativeConnection, bundleWorkflowCode } from '@temporalio/worker';
import type { Transporter } from 'nodemailer';
import type { Pool } from 'pg';
import request from 'supertest';
import { createWorkers, startWorkers } from '../../../worker/src/workers';
import type { RunningWorkers } from '../../../worker/src/workers';
import { signDevToken } from '../../../../libs/auth/src/dev-tokens';
import type { Principal } from '../../../../libs/auth/src/principal';
import { loadConfig } from '../../../../libs/config/src/config';
import { addDocument, openCase } from '../../../../libs/db/src/cases';
import { createPool } from '../../../../libs/db/src/pool';
import { insertTask, markTaskCompleted, markTaskEscalated } from '../../../../libs/db/src/tasks/tasks.repository';
import { createMailTransport } from '../../../../libs/mail/src/transport';
import { createDataConverter } from '../../../../libs/temporal/src/data-converter';
import { createTemporalClient } from '../../../../libs/temporal/src/connection';
import type { fourEyesWorkflow, singleHumanTaskWorkflow } from '../../../../test/fixtures/human-task.workflows';
import { createTestDatabase } from '../../../../test/support/db';
import type { TestDatabase } from '../../../../test/support/db';
import { uniqueTaskQueue } from '../../../../test/support/temporal';
import { TemporalClientHolder } from '../infrastructure/temporal-client.holder';
import { createTestApp, testConfig } from '../testing/test-app';

// The inbox end to end: the API in-process on a fresh PostgreSQL database, the shared Temporal dev
// server, and a worker in-process (production wiring: createWorkers with the real activities) that
// runs the human-task fixture workflows on a task queue of this file's own.
const address = process.env.TEMPORAL_ADDRESS;
const smtpUrl = process.env.SMTP_URL;
if (!address || !smtpUrl) throw new Error('TEMPORAL_ADDRESS / SMTP_URL are not set (test/global-setup.ts)');
const namespace = process.env.TEMPORAL_NAMESPACE || 'default';
const taskQueue = uniqueTaskQueue('tasks-api');
const GROUP = 'wohngeld-1';

let db: TestDatabase;
let appPool: Pool;
let transport: Transporter;
let connection: NativeConnection;
let client: Client;
let running: RunningWorkers;
let app: NestExpressApplication;

const people = {
  alice: { sub: 'cw-alice', roles: ['caseworker'], trustLevel: 'hoch', groups: [GROUP], office: 'ba-mitte' },
  bob: { sub: 'cw-bob', roles: ['caseworker'], trustLevel: 'hoch', groups: [GROUP, 'other'], office: 'ba-mitte' },
  dora: { sub: 'cw-dora', roles: ['caseworker'], trustLevel: 'hoch', groups: [GROUP], office: 'ba-mitte' },
  carol: { sub: 'cw-carol', roles: ['caseworker'], trustLevel: 'hoch', groups: ['gewerbe-1'], office: 'ba-pankow' },
  lead: { sub: 'cw-lead', roles: ['caseworker'], trustLevel: 'hoch', groups: ['wohngeld-leitung'], office: 'ba-mitte' },
  admin: { sub: 'admin-1', roles: ['admin'], trustLevel: 'hoch', groups: [] },
  citizen: { sub: 'citizen-1', roles: ['citizen'], trustLevel: 'substantiell', groups: [] },
} satisfies Record<string, Principal>;
type Who = keyof typeof people;
const tokens = {} as Record<Who, string>;

beforeAll(async () => {
  db = await createTestDatabase('tasks');
  appPool = createPool({ connectionString: db.url, max: 5 });
  transport = createMailTransport(smtpUrl);
  connection = await NativeConnection.connect({ address });
  client = await createTemporalClient({ address, namespace });
  const config = loadConfig({ ...process.env, DATABASE_URL: db.url, SMTP_URL: smtpUrl, TEMPORAL_ADDRESS: address, NODE_ENV: 'test' });
  const dataConverter = createDataConverter();
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../../../test/fixtures/human-task.workflows'),
    failureConverterPath: dataConverter.failureConverterPath,
    logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  const workers = await createWorkers(
    { pool: db.pool, mail: { transport, from: 'amtsweg Test <noreply@amtsweg.test>' }, config },
    { connection, namespace, taskQueues: [taskQueue], dataConverter, workflowBundle, shutdownGraceTime: '2 seconds' },
  );
  running = startWorkers(workers);

  app = await createTestApp({ DATABASE_URL: db.url, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace }, {
    pool: appPool,
    connectTemporal: () => createTemporalClient({ address, namespace, dataConverter }),
  });
  const holder = app.get(TemporalClientHolder);
  for (let i = 0; i < 100 && !holder.isConnected; i++) await new Promise((r) => setTimeout(r, 100));
  const secret = testConfig().DEV_JWT_SECRET;
  for (const who of Object.keys(people) as Who[]) tokens[who] = (await signDevToken(secret, people[who], 3600)).access_token;
});

afterAll(async () => {
  await app?.close(); // ends appPool
  await running?.stop();
  await connection?.close();
  await client?.connection.close();
  transport?.close();
  await db?.drop();
});

const http = () => request(app.getHttpServer());
const get = (who: Who, path: string) => http().get(`/api/v1${path}`).set('Authorization', `Bearer ${tokens[who]}`);
const post = (who: Who, path: string, body?: object) => {
  const r = http().post(`/api/v1${path}`).set('Authorization', `Bearer ${tokens[who]}`);
  return body === undefined ? r : r.send(body);
};

interface Item {
  taskId: string;
  caseId: string | null;
  caseNumber: string | null;
  type: string;
  title: string;
  group: string;
  assignee: string | null;
  status: string;
  dueAt: string;
  followUpAt: string | null;
}

async function inbox(who: Who, query = 'scope=unassigned'): Promise<Item[]> {
  const res = await get(who, `/tasks?${query}`);
  expect(res.status).toBe(200);
  return (res.body as { items: Item[] }).items;
}

/** Polls the inbox until the workflow's task shows up (the activity creates it asynchronously). */
async function taskOfCase(who: Who, caseId: string, query = 'scope=unassigned', timeoutMs = 20_000): Promise<Item> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const item = (await inbox(who, `${query}&caseId=${caseId}`))[0];
    if (item) return item;
    if (Date.now() > deadline) throw new Error(`no task of case ${caseId} in ${who}'s inbox (${query})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function startSingle(caseId: string, dueIn = 'P3D') {
  return client.workflow.start<typeof singleHumanTaskWorkflow>('singleHumanTaskWorkflow', {
    taskQueue,
    workflowId: `tasks-api-${caseId}`,
    args: [{ group: GROUP, dueIn, escalateTo: 'wohngeld-leitung', caseRef: { caseId, caseNumber: 'WG-2026-000042' } }],
    workflowExecutionTimeout: '5 minutes',
  });
}

async function auditActions(taskId: string): Promise<string[]> {
  const r = await db.pool.query<{ action: string }>(`SELECT action FROM audit_log WHERE after->>'taskId' = $1 ORDER BY id`, [taskId]);
  return r.rows.map((row) => row.action);
}

describe('human tasks through the API (real Temporal and PostgreSQL)', () => {
  it('inbox, group isolation, claim conflicts, validation by the workflow and completion', async () => {
    const caseId = randomUUID();
    const handle = await startSingle(caseId);

    const item = await taskOfCase('alice', caseId);
    expect(item).toEqual({
      taskId: expect.any(String),
      caseId,
      caseNumber: 'WG-2026-000042',
      type: 'test.review',
      title: 'Antrag prüfen',
      group: GROUP,
      assignee: null,
      status: 'open',
      dueAt: expect.any(String),
      followUpAt: null,
      escalated: false,
      escalatedTo: null,
    });
    expect(Math.abs(Date.parse(item.dueAt) - Date.now() - 3 * 86_400_000)).toBeLessThan(120_000);
    const id = item.taskId;

    // another group's caseworker: not listed, and 404 by id for every operation
    expect((await inbox('carol', `scope=group&caseId=${caseId}`)).length).toBe(0);
    expect((await inbox('carol', `scope=unassigned`)).map((i) => i.taskId)).not.toContain(id);
    for (const res of [await get('carol', `/tasks/${id}`), await post('carol', `/tasks/${id}/claim`), await post('carol', `/tasks/${id}/complete`, { outcome: 'approve', data: { note: 'abc' } })]) {
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    expect((await get('citizen', `/tasks/${id}`)).status).toBe(403);
    expect((await http().get(`/api/v1/tasks/${id}`)).status).toBe(401);

    const detail = await get('alice', `/tasks/${id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({
      taskId: id,
      outcomes: ['approve', 'reject'],
      caseData: { applicant: 'Erika Mustermann', monthlyRent: 650 },
      formSchema: { type: 'object', required: ['note'] },
      fourEyesExcluded: false,
    });

    // claim conflicts
    const claimA = await post('alice', `/tasks/${id}/claim`);
    expect(claimA.status).toBe(200);
    expect(claimA.body).toMatchObject({ taskId: id, status: 'claimed', assignee: 'cw-alice' });
    expect((await post('alice', `/tasks/${id}/claim`)).status).toBe(200); // re-claiming one's own task is a no-op
    const claimB = await post('bob', `/tasks/${id}/claim`);
    expect(claimB.status).toBe(409);
    expect(claimB.body).toMatchObject({ status: 409, code: 'CONFLICT', reason: 'claimed_by_other' });
    const completeB = await post('bob', `/tasks/${id}/complete`, { outcome: 'approve', data: { note: 'von Bob' } });
    expect(completeB.status).toBe(409);
    expect((await post('bob', `/tasks/${id}/unclaim`)).status).toBe(409);
    expect(await inbox('alice', `scope=mine&caseId=${caseId}`)).toEqual([expect.objectContaining({ taskId: id, assignee: 'cw-alice' })]);
    expect((await inbox('alice', `scope=unassigned&caseId=${caseId}`)).length).toBe(0);

    // the workflow's validator decides on the data: 422 with the schema errors
    const invalid = await post('alice', `/tasks/${id}/complete`, { outcome: 'approve', data: { note: 'x', amount: -5 } });
    expect(invalid.status).toBe(422);
    expect(invalid.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(invalid.body).toMatchObject({
      status: 422,
      reason: 'form_invalid',
      errors: [
        { path: '/data/note', message: expect.any(String) },
        { path: '/data/amount', message: expect.any(String) },
      ],
    });
    expect(invalid.body.detail).toMatch(/\/data\/note/);
    const badOutcome = await post('alice', `/tasks/${id}/complete`, { outcome: 'vielleicht', data: { note: 'passt' } });
    expect(badOutcome.status).toBe(422);
    expect(badOutcome.body).toMatchObject({ reason: 'outcome_not_allowed', errors: [{ path: '/outcome' }] });
    const stillOpen = await db.pool.query('SELECT status, outcome FROM tasks WHERE id = $1', [id]);
    expect(stillOpen.rows).toEqual([{ status: 'claimed', outcome: null }]);

    const done = await post('alice', `/tasks/${id}/complete`, { outcome: 'approve', data: { note: 'Unterlagen vollständig', amount: 420.5 } });
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ taskId: id, outcome: 'approve', status: 'completed' });

    // the workflow got the outcome; the row is completed (written before the Update answered)
    const result = await handle.result();
    expect(result).toMatchObject({ taskId: id, outcome: 'approve', completedBy: 'cw-alice', data: { note: 'Unterlagen vollständig', amount: 420.5 } });
    const row = await db.pool.query('SELECT status, completed_by, outcome, result FROM tasks WHERE id = $1', [id]);
    expect(row.rows).toEqual([{ status: 'completed', completed_by: 'cw-alice', outcome: 'approve', result: { note: 'Unterlagen vollständig', amount: 420.5 } }]);
    expect((await post('alice', `/tasks/${id}/complete`, { outcome: 'approve', data: { note: 'nochmal' } })).body).toMatchObject({ status: 409, reason: 'task_closed' });
    expect((await inbox('alice', `scope=mine&caseId=${caseId}`)).length).toBe(0);
    expect(await auditActions(id)).toEqual(['task.created', 'task.claimed', 'task.completed']);
  });

  it('of many concurrent claimers exactly one wins', async () => {
    const caseId = randomUUID();
    await startSingle(caseId);
    const { taskId } = await taskOfCase('alice', caseId);
    const claimers: Who[] = ['alice', 'bob', 'dora', 'admin', 'alice', 'bob', 'dora'];
    const answers = await Promise.all(claimers.map((who) => post(who, `/tasks/${taskId}/claim`)));
    const winners = new Set(answers.flatMap((res, i) => (res.status === 200 ? [claimers[i]] : [])));
    expect(winners.size).toBe(1);
    expect(answers.every((res) => res.status === 200 || res.status === 409)).toBe(true);
    const row = await db.pool.query<{ assignee: string }>('SELECT assignee FROM tasks WHERE id = $1', [taskId]);
    expect(people[[...winners][0] as Who].sub).toBe(row.rows[0]?.assignee);
    expect((await auditActions(taskId)).filter((a) => a === 'task.claimed')).toHaveLength(1);
  });

  it('defer hides a task from the unassigned and group inboxes until its follow-up date; unclaim gives it back', async () => {
    const caseId = randomUUID();
    await startSingle(caseId);
    const { taskId } = await taskOfCase('dora', caseId);

    const past = await post('dora', `/tasks/${taskId}/defer`, { until: new Date(Date.now() - 60_000).toISOString() });
    expect(past.status).toBe(422);
    expect(past.body.errors).toEqual([{ path: '/until', message: 'must lie in the future' }]);
    expect((await post('dora', `/tasks/${taskId}/defer`, { until: 'morgen' })).status).toBe(422);

    const until = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const deferred = await post('dora', `/tasks/${taskId}/defer`, { until });
    expect(deferred.status).toBe(200);
    expect(deferred.body).toMatchObject({ taskId, followUpAt: until, status: 'open' });
    expect((await inbox('dora', `scope=unassigned&caseId=${caseId}`)).length).toBe(0);
    expect((await inbox('bob', `scope=group&caseId=${caseId}`)).length).toBe(0);
    expect(await inbox('dora', `scope=unassigned&caseId=${caseId}&includeDeferred=true`)).toEqual([expect.objectContaining({ taskId, followUpAt: until })]);

    const cleared = await post('dora', `/tasks/${taskId}/defer`, { until: null });
    expect(cleared.body).toMatchObject({ followUpAt: null });
    await taskOfCase('dora', caseId, 'scope=unassigned', 1000);

    // unclaim: only the holder; an admin may force it
    expect((await post('dora', `/tasks/${taskId}/claim`)).status).toBe(200);
    expect((await post('alice', `/tasks/${taskId}/defer`, { until })).status).toBe(409); // someone else's claimed task
    expect((await post('alice', `/tasks/${taskId}/unclaim`)).status).toBe(409);
    expect((await post('dora', `/tasks/${taskId}/unclaim`)).body).toMatchObject({ status: 'open', assignee: null });
    await taskOfCase('alice', caseId, 'scope=unassigned', 1000);
    expect((await post('alice', `/tasks/${taskId}/claim`)).status).toBe(200);
    const forced = await post('admin', `/tasks/${taskId}/unclaim`);
    expect(forced.status).toBe(200);
    expect(forced.body).toMatchObject({ status: 'open', assignee: null });
    expect(await auditActions(taskId)).toEqual(['task.created', 'task.deferred', 'task.deferred', 'task.claimed', 'task.unclaimed', 'task.claimed', 'task.unclaimed']);
  });

  it('an escalated task appears in the escalation group inbox too', async () => {
    const caseId = randomUUID();
    await startSingle(caseId);
    const { taskId } = await taskOfCase('alice', caseId);
    expect((await get('lead', `/tasks/${taskId}`)).status).toBe(404);
    await markTaskEscalated(db.pool, { taskId, escalateTo: 'wohngeld-leitung' }); // what the workflow's timer triggers when overdue
    expect(await taskOfCase('lead', caseId, 'scope=group')).toMatchObject({ taskId, group: GROUP, escalated: true, escalatedTo: 'wohngeld-leitung' });
    expect((await get('lead', `/tasks/${taskId}`)).status).toBe(200);
  });

  it('four eyes: the first completer is not offered the confirmation and cannot take it; a colleague completes it', async () => {
    const handle = await client.workflow.start<typeof fourEyesWorkflow>('fourEyesWorkflow', {
      taskQueue,
      workflowId: `tasks-api-foureyes-${randomUUID()}`,
      args: [{ group: GROUP }],
      workflowExecutionTimeout: '5 minutes',
    });
    const firstId = await eventuallyTaskId(handle.workflowId, 'review');
    expect((await post('alice', `/tasks/${firstId}/claim`)).status).toBe(200);
    expect((await post('alice', `/tasks/${firstId}/complete`, { outcome: 'override', data: { note: 'Härtefall' } })).status).toBe(200);

    const secondId = await eventuallyTaskId(handle.workflowId, 'review-confirmation');
    expect((await inbox('alice', 'scope=unassigned&type=test.review-confirmation')).map((i) => i.taskId)).not.toContain(secondId);
    expect((await inbox('bob', 'scope=unassigned&type=test.review-confirmation')).map((i) => i.taskId)).toContain(secondId);
    expect((await get('alice', `/tasks/${secondId}`)).body).toMatchObject({ fourEyesExcluded: true });
    const refused = await post('alice', `/tasks/${secondId}/claim`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ reason: 'four_eyes' });

    expect((await post('bob', `/tasks/${secondId}/claim`)).status).toBe(200);
    expect((await post('bob', `/tasks/${secondId}/complete`, { outcome: 'confirm', data: {} })).status).toBe(200);
    expect(await handle.result()).toMatchObject({ outcome: 'confirm', completedBy: 'cw-bob', first: { outcome: 'override', completedBy: 'cw-alice' } });
  });

  it('a cancelled process cancels its task: gone from the inbox, 409 on claim', async () => {
    const caseId = randomUUID();
    const handle = await startSingle(caseId);
    const { taskId } = await taskOfCase('alice', caseId);
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    const row = await db.pool.query('SELECT status FROM tasks WHERE id = $1', [taskId]);
    expect(row.rows).toEqual([{ status: 'cancelled' }]);
    expect((await inbox('alice', `scope=group&caseId=${caseId}`)).length).toBe(0);
    expect((await post('alice', `/tasks/${taskId}/claim`)).body).toMatchObject({ status: 409, reason: 'task_closed' });
    expect(await auditActions(taskId)).toEqual(['task.created', 'task.cancelled']);
  });

  it('the activities\' writes are idempotent (a retried activity changes nothing twice)', async () => {
    const workflowId = `tasks-repo-${randomUUID()}`;
    const t = { workflowId, key: 'review', type: 't', title: 'T', group: GROUP, formSchema: { type: 'object' }, outcomes: ['ok'], dueAt: new Date(Date.now() + 86_400_000) };
    const first = await insertTask(db.pool, { ...t, id: randomUUID() });
    const again = await insertTask(db.pool, { ...t, id: randomUUID() });
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, row: { id: first.row.id } });

    expect((await markTaskEscalated(db.pool, { taskId: first.row.id }))?.changed).toBe(true);
    expect((await markTaskEscalated(db.pool, { taskId: first.row.id }))?.changed).toBe(false);
    const c = { taskId: first.row.id, completedBy: 'cw-alice', outcome: 'ok', result: { a: 1 } };
    expect((await markTaskCompleted(db.pool, c))?.changed).toBe(true);
    const c2 = await markTaskCompleted(db.pool, { ...c, completedBy: 'cw-bob' });
    expect(c2).toMatchObject({ changed: false, row: { status: 'completed', completed_by: 'cw-alice' } });
    expect(await auditActions(first.row.id)).toEqual(['task.created', 'task.escalated', 'task.completed']);
  });

  it('pages the inbox by due date with a keyset cursor', async () => {
    const group = `page-${randomUUID().slice(0, 8)}`;
    const caseIds = [randomUUID(), randomUUID(), randomUUID()];
    // due in 3, 1 and 2 days: the inbox lists them 1, 2, 3
    for (const [i, dueIn] of ['P3D', 'P1D', 'P2D'].entries()) {
      await client.workflow.start<typeof singleHumanTaskWorkflow>('singleHumanTaskWorkflow', {
        taskQueue,
        workflowId: `tasks-api-page-${caseIds[i]}`,
        args: [{ group, dueIn, caseRef: { caseId: caseIds[i] as string } }],
        workflowExecutionTimeout: '5 minutes',
      });
    }
    const token = (await signDevToken(testConfig().DEV_JWT_SECRET, { ...people.alice, groups: [group] }, 600)).access_token;
    const page = (cursor?: string) =>
      http()
        .get(`/api/v1/tasks?scope=unassigned&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        .set('Authorization', `Bearer ${token}`);
    const deadline = Date.now() + 20_000;
    while ((await db.pool.query('SELECT 1 FROM tasks WHERE group_name = $1', [group])).rowCount !== 3) {
      if (Date.now() > deadline) throw new Error('tasks were not created');
      await new Promise((r) => setTimeout(r, 100));
    }
    const p1 = await page();
    expect(p1.status).toBe(200);
    expect(p1.body.items.map((i: Item) => i.caseId)).toEqual([caseIds[1], caseIds[2]]);
    expect(p1.body.nextCursor).toEqual(expect.any(String));
    const p2 = await page(p1.body.nextCursor as string);
    expect(p2.body.items.map((i: Item) => i.caseId)).toEqual([caseIds[0]]);
    expect(p2.body.nextCursor).toBeNull();
    expect((await page('kaputt')).status).toBe(422);
  });

  it('the caseworker of the task reads the case documents (each download audited); other groups and other cases get 404', async () => {
    const caseId = randomUUID();
    await openCase(db.pool, { caseId, type: 'wohngeld', ownerSub: 'citizen-1', workflowId: `case-${caseId}` });
    const payslip = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from(randomUUID()), Buffer.from('\n%%EOF\n')]);
    const { document } = await addDocument(db.pool, { caseId, name: 'Gehaltsnachweis Oktober.pdf', bytes: payslip, uploadedBy: 'citizen-1', maxBytes: 1_000_000 });
    const otherCase = randomUUID();
    await openCase(db.pool, { caseId: otherCase, type: 'wohngeld', ownerSub: 'citizen-2', workflowId: `case-${otherCase}` });
    const { document: foreign } = await addDocument(db.pool, { caseId: otherCase, name: 'fremd.pdf', bytes: payslip, uploadedBy: 'citizen-2', maxBytes: 1_000_000 });
    await startSingle(caseId);
    const { taskId } = await taskOfCase('alice', caseId);

    const list = await get('alice', `/tasks/${taskId}/documents`);
    expect(list.status).toBe(200);
    expect(list.body).toEqual({
      items: [{ documentId: document.documentId, name: 'Gehaltsnachweis Oktober.pdf', mediaType: 'application/pdf', size: payslip.length, sha256: document.sha256, createdAt: expect.any(String), requestId: null, uploadedBy: 'citizen' }],
    });
    const file = await get('alice', `/tasks/${taskId}/documents/${document.documentId}`).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['cache-control']).toBe('private, no-store');
    expect(Buffer.compare(file.body as Buffer, payslip)).toBe(0);
    const audit = await db.pool.query<{ actor: string; after: { documentId: string; taskId: string } }>("SELECT actor, after FROM audit_log WHERE case_id = $1 AND action = 'document.read'", [caseId]);
    expect(audit.rows).toEqual([{ actor: 'cw-alice', after: expect.objectContaining({ documentId: document.documentId, taskId }) }]);

    // Another group's caseworker: the task does not exist for her, nor do its documents.
    expect((await get('carol', `/tasks/${taskId}/documents`)).status).toBe(404);
    expect((await get('carol', `/tasks/${taskId}/documents/${document.documentId}`)).status).toBe(404);
    // A document of another case through this task: 404, and nothing audited.
    expect((await get('alice', `/tasks/${taskId}/documents/${foreign.documentId}`)).status).toBe(404);
    expect((await get('citizen', `/tasks/${taskId}/documents`)).status).toBe(403);
    const reads = await db.pool.query("SELECT 1 FROM audit_log WHERE action = 'document.read' AND case_id = $1", [otherCase]);
    expect(reads.rowCount).toBe(0);
  });
});

async function eventuallyTaskId(workflowId: string, key: string): Promise<string> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await db.pool.query<{ id: string }>('SELECT id FROM tasks WHERE workflow_id = $1 AND task_key = $2', [workflowId, key]);
    if (r.rows[0]) return r.rows[0].id;
    if (Date.now() > deadline) throw new Error(`task ${key} of ${workflowId} was not created`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
