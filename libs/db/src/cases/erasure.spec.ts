import { randomUUID } from 'node:crypto';
import { createTestDatabase } from '../../../../test/support/db';
import type { TestDatabase } from '../../../../test/support/db';
import { insertTask, markTaskCompleted } from '../tasks/tasks.repository';
import { ERASED_OWNER, addDocument, eraseCase, findCasesDueForErasure, getCaseForStaff, listCasesForOwner, openCase, recordEvent, setDecision } from './index';

// Integration test against a fresh, migrated database on the shared embedded PostgreSQL.
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('case_erasure');
});
afterAll(async () => {
  await db?.drop();
});

const PDF = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const YEAR_MS = 365.25 * 86_400_000;

/** A case with a document, a completed task with case data, a decision and the given final event. */
async function closedCase(owner: string, final: 'COMPLETED' | 'WITHDRAWN' = 'COMPLETED') {
  const caseId = randomUUID();
  await openCase(db.pool, { caseId, type: 'wohngeld', ownerSub: owner, ownerEmail: `${owner}@example.org`, workflowId: `case-${caseId}` });
  await addDocument(db.pool, { caseId, name: 'Mietvertrag Erika Mustermann.pdf', bytes: PDF, uploadedBy: owner, maxBytes: 1_000_000 });
  const { row: task } = await insertTask(db.pool, {
    id: randomUUID(), workflowId: `case-${caseId}`, key: 'review', caseId, type: 'review', title: 'Prüfen', group: 'wohngeld',
    formSchema: { type: 'object' }, outcomes: ['approve'], caseData: { applicant: 'Erika Mustermann', iban: 'DE89370400440532013000' }, dueAt: new Date(Date.now() + 86_400_000),
  });
  await markTaskCompleted(db.pool, { taskId: task.id, completedBy: 'cw-1', outcome: 'approve', result: { note: 'Einkommen von Frau Mustermann geprüft' } });
  await setDecision(db.pool, { caseId, actor: 'system', decision: { outcome: 'approved', decidedAt: new Date().toISOString(), amountEur: '312.00' } as never });
  const event = await recordEvent(db.pool, { caseId, eventKey: 'closed', status: final, audience: 'citizen', text: 'Abgeschlossen.', actor: 'system', retention: 'P6Y' });
  return { caseId, taskId: task.id, closedAt: event.at };
}

describe('retention', () => {
  it('a final status sets retention_until = that moment + CASE_RETENTION; reopening clears it', async () => {
    const { caseId, closedAt } = await closedCase('owner-ret-1');
    const until = async () => (await db.pool.query<{ r: Date | null }>('SELECT retention_until AS r FROM cases WHERE id = $1', [caseId])).rows[0]!.r;
    const expected = new Date(closedAt);
    expected.setFullYear(expected.getFullYear() + 6);
    expect((await until())?.toISOString()).toBe(expected.toISOString());
    await recordEvent(db.pool, { caseId, eventKey: 'change-report', status: 'PROCESSING', audience: 'citizen', text: 'Änderung wird geprüft.', actor: 'system', retention: 'P6Y' });
    expect(await until()).toBeNull();
  });

  it('erases what identifies the citizen once retention has run out, keeps number, statuses and audit trail, and is idempotent', async () => {
    const { caseId, taskId } = await closedCase('owner-ret-2', 'WITHDRAWN');
    const before = await getCaseForStaff(db.pool, caseId);
    const later = new Date(Date.now() + 6 * YEAR_MS + 86_400_000);

    expect(await findCasesDueForErasure(db.pool, new Date(), 100)).not.toContain(caseId);
    expect(await eraseCase(db.pool, caseId, 'system:retention', new Date())).toEqual({ erased: false, reason: 'not_due' });
    expect(await findCasesDueForErasure(db.pool, later, 1000)).toContain(caseId);

    expect(await eraseCase(db.pool, caseId, 'system:retention', later)).toEqual({ erased: true, documents: 1, tasks: 1 });
    expect(await eraseCase(db.pool, caseId, 'system:retention', later)).toEqual({ erased: false, reason: 'already_erased' });

    const c = (await db.pool.query('SELECT case_number, status, owner_sub, owner_email, decision, erased_at FROM cases WHERE id = $1', [caseId])).rows[0];
    expect(c).toMatchObject({ case_number: before!.caseNumber, status: 'WITHDRAWN', owner_sub: ERASED_OWNER, owner_email: null, erased_at: later });
    expect(c.decision).toEqual({ outcome: 'approved', decidedAt: expect.any(String) }); // the amount is gone
    expect((await db.pool.query('SELECT 1 FROM case_documents WHERE case_id = $1', [caseId])).rowCount).toBe(0);
    expect((await db.pool.query('SELECT case_data, result, outcome FROM tasks WHERE id = $1', [taskId])).rows[0]).toEqual({ case_data: {}, result: null, outcome: 'approve' });
    expect((await db.pool.query('SELECT count(*)::int AS n FROM case_events WHERE case_id = $1', [caseId])).rows[0].n).toBeGreaterThan(0);
    expect((await listCasesForOwner(db.pool, 'owner-ret-2')).items).toEqual([]);
    const audit = await db.pool.query<{ actor: string; action: string }>("SELECT actor, action FROM audit_log WHERE case_id = $1 AND action = 'case.erased'", [caseId]);
    expect(audit.rows).toEqual([{ actor: 'system:retention', action: 'case.erased' }]);
    // nothing of the erased data in the whole row set of the case any more
    const dump = JSON.stringify((await db.pool.query('SELECT c.*, t.case_data, t.result FROM cases c LEFT JOIN tasks t ON t.case_id = c.id WHERE c.id = $1', [caseId])).rows);
    expect(dump).not.toMatch(/Mustermann|DE8937|owner-ret-2@example/);
  });

  it('keeps a case whose work is still open, and a case that is not final', async () => {
    const { caseId } = await closedCase('owner-ret-3');
    await insertTask(db.pool, {
      id: randomUUID(), workflowId: `case-${caseId}`, key: 'objection', caseId, type: 'objection', title: 'Widerspruch', group: 'wohngeld',
      formSchema: { type: 'object' }, outcomes: ['ok'], dueAt: new Date(Date.now() + 86_400_000),
    });
    const later = new Date(Date.now() + 7 * YEAR_MS);
    expect(await findCasesDueForErasure(db.pool, later, 1000)).not.toContain(caseId);
    expect(await eraseCase(db.pool, caseId, 'system:retention', later)).toEqual({ erased: false, reason: 'work_open' });

    const open = randomUUID();
    await openCase(db.pool, { caseId: open, type: 'wohngeld', ownerSub: 'owner-ret-4', workflowId: `case-${open}` });
    await db.pool.query("UPDATE cases SET retention_until = now() - interval '1 day' WHERE id = $1", [open]); // inconsistent on purpose
    expect(await eraseCase(db.pool, open, 'system:retention', later)).toEqual({ erased: false, reason: 'not_final' });
  });
});
