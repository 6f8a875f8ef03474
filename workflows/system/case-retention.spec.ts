import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { ensureSchedules } from '../../apps/worker/src/schedules';
import { createRetentionActivities } from '../../activities/retention';
import { loadConfig } from '../../libs/config/src/config';
import { addDocument, openCase, recordEvent } from '../../libs/db/src/cases';
import { createTestDatabase } from '../../test/support/db';
import type { TestDatabase } from '../../test/support/db';
import { connectTestTemporal, uniqueTaskQueue } from '../../test/support/temporal';
import type { TestTemporal } from '../../test/support/temporal';
import { CASE_RETENTION_SCHEDULE_ID, CASE_RETENTION_WORKFLOW_TYPE } from './case-retention.contract';
import type { caseRetentionSweep } from './case-retention.workflow';

// The sweep on the real stack: the shared Temporal dev server and a fresh PostgreSQL database.
let db: TestDatabase;
let temporal: TestTemporal;
const PDF = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

beforeAll(async () => {
  db = await createTestDatabase('retention_sweep');
  temporal = await connectTestTemporal();
});
afterAll(async () => {
  await temporal?.close();
  await db?.drop();
});

async function closedCase(retention: string | null): Promise<string> {
  const caseId = randomUUID();
  await openCase(db.pool, { caseId, type: 'gewerbeanmeldung', ownerSub: 'owner-sweep', ownerEmail: 'sweep@example.org', workflowId: `case-${caseId}` });
  await addDocument(db.pool, { caseId, name: 'Nachweis.pdf', bytes: PDF, uploadedBy: 'owner-sweep', maxBytes: 1_000_000 });
  await recordEvent(db.pool, { caseId, eventKey: 'done', status: 'COMPLETED', audience: 'citizen', text: 'Erledigt.', actor: 'system', ...(retention && { retention }) });
  return caseId;
}

describe('caseRetentionSweep', () => {
  it('erases every due case in batches and leaves the others', async () => {
    const due = await Promise.all(Array.from({ length: 7 }, () => closedCase('P1Y')));
    const notDue = await closedCase('P6Y');
    const noRetention = await closedCase(null);
    // The retention of the due ones has run out (moving the clock back is what a test can do).
    await db.pool.query("UPDATE cases SET retention_until = now() - interval '1 minute' WHERE id = ANY($1::uuid[])", [due]);

    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url });
    const taskQueue = uniqueTaskQueue('retention');
    const worker = await Worker.create({
      connection: temporal.nativeConnection,
      namespace: temporal.namespace,
      taskQueue,
      workflowsPath: require.resolve('./case-retention.workflow'),
      activities: createRetentionActivities({ pool: db.pool, mail: { transport: { sendMail: () => Promise.reject(new Error('no mail here')) }, from: 'x' }, config }),
    });
    const result = await worker.runUntil(
      temporal.client.workflow.execute<typeof caseRetentionSweep>(CASE_RETENTION_WORKFLOW_TYPE, { taskQueue, workflowId: `retention-test-${randomUUID()}`, args: [{ batchSize: 3 }] }),
    );
    expect(result).toEqual({ erased: 7, skipped: 0, batches: 3 });
    const rows = await db.pool.query<{ id: string; erased: boolean; docs: number }>(
      'SELECT c.id, c.erased_at IS NOT NULL AS erased, (SELECT count(*)::int FROM case_documents d WHERE d.case_id = c.id) AS docs FROM cases c',
    );
    const state = new Map(rows.rows.map((r) => [r.id, r]));
    for (const id of due) expect(state.get(id)).toMatchObject({ erased: true, docs: 0 });
    for (const id of [notDue, noRetention]) expect(state.get(id)).toMatchObject({ erased: false, docs: 1 });
  });

  it('ensureSchedules creates the nightly schedule in Berlin time and brings it in line with the configuration', async () => {
    const handle = temporal.client.schedule.getHandle(CASE_RETENTION_SCHEDULE_ID);
    try {
      expect(await ensureSchedules(temporal.client, { CASE_RETENTION_SWEEP_CRON: '30 2 * * *' })).toEqual([CASE_RETENTION_SCHEDULE_ID]);
      const first = await handle.describe();
      expect(first.spec.timezone).toBe('Europe/Berlin');
      expect(first.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 2, end: 2, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] });
      expect(first.action).toMatchObject({ type: 'startWorkflow', workflowType: CASE_RETENTION_WORKFLOW_TYPE, workflowId: CASE_RETENTION_SCHEDULE_ID });
      expect(first.policies.overlap).toBe('SKIP');

      await ensureSchedules(temporal.client, { CASE_RETENTION_SWEEP_CRON: '15 4 * * *' });
      const second = await handle.describe();
      expect(second.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 4, end: 4, step: 1 }], minute: [{ start: 15, end: 15, step: 1 }] });
    } finally {
      await handle.delete().catch(() => undefined);
    }
  });
});
