import { createHash, randomUUID } from 'node:crypto';
import { createTestDatabase } from '../../../../test/support/db';
import type { TestDatabase } from '../../../../test/support/db';
import { DomainError } from '../../../domain/src/errors';
import { addDocument, decodeCursor, encodeCursor, getCaseForOwner, getCaseForStaff, getDocument, listCasesForOwner, markWithdrawn, openCase, recordEvent, safeDocumentName, setDecision, sniffMediaType } from './index';

// Integration test against a fresh, migrated database on the shared embedded PostgreSQL.
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('cases_repo');
});
afterAll(async () => {
  await db?.drop();
});

const PDF = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32, 1)]);
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(64, 0)]);

function open(type: 'wohngeld' | 'gewerbeanmeldung' | 'bewohnerparken', owner = 'owner-1', caseId: string = randomUUID()) {
  return openCase(db.pool, { caseId, type, ownerSub: owner, ownerEmail: 'buerger@example.org', workflowId: `case-${caseId}` });
}

const year = () => Number(new Intl.DateTimeFormat('en', { timeZone: 'Europe/Berlin', year: 'numeric' }).format(new Date()));

describe('openCase', () => {
  it('hands out gap-free numbers 1..50 to 50 concurrent openings of one type', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => open('bewohnerparken')));
    const numbers = results.map((r) => r.case.caseNumber).sort();
    const expected = Array.from({ length: 50 }, (_, i) => `BP-${year()}-${String(i + 1).padStart(6, '0')}`);
    expect(numbers).toEqual(expected);
    expect(results.every((r) => r.created)).toBe(true);
    const counter = await db.pool.query("SELECT next FROM case_number_counters WHERE type = 'bewohnerparken'");
    expect(counter.rows).toEqual([{ next: '50' }]);
  });

  it('returns the same case and number for the same case id, also when the calls race, and loses no number', async () => {
    const caseId = randomUUID();
    const racing = await Promise.all(Array.from({ length: 8 }, () => open('gewerbeanmeldung', 'owner-race', caseId)));
    expect(new Set(racing.map((r) => r.case.caseNumber)).size).toBe(1);
    expect(racing.filter((r) => r.created)).toHaveLength(1);
    const again = await open('gewerbeanmeldung', 'owner-race', caseId);
    expect(again).toMatchObject({ created: false, case: { caseNumber: racing[0]!.case.caseNumber } });
    expect(racing[0]!.case.caseNumber).toBe(`GA-${year()}-000001`);

    // the losers rolled their numbers back: the next case gets 2, not 9
    expect((await open('gewerbeanmeldung')).case.caseNumber).toBe(`GA-${year()}-000002`);
    const rows = await db.pool.query('SELECT count(*)::int AS n FROM case_events WHERE case_id = $1', [caseId]);
    expect(rows.rows[0]).toEqual({ n: 1 }); // one "submitted" entry
  });

  it('refuses a case id that belongs to another owner or type', async () => {
    const { case: c } = await open('wohngeld', 'owner-x');
    await expect(open('wohngeld', 'owner-y', c.caseId)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(open('gewerbeanmeldung', 'owner-x', c.caseId)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('starts the case SUBMITTED with a citizen timeline entry and an audit row', async () => {
    const { case: c } = await open('wohngeld', 'owner-start');
    expect(c).toMatchObject({ status: 'SUBMITTED', statusText: 'Ihr Antrag ist bei uns eingegangen.', ownerEmail: 'buerger@example.org' });
    const audit = await db.pool.query('SELECT actor, action, after FROM audit_log WHERE case_id = $1', [c.caseId]);
    expect(audit.rows).toEqual([{ actor: 'owner-start', action: 'case.opened', after: expect.objectContaining({ caseNumber: c.caseNumber, status: 'SUBMITTED' }) }]);
  });
});

describe('recordEvent', () => {
  it('writes an event once per key, moves the status and audits it', async () => {
    const { case: c } = await open('wohngeld', 'owner-events');
    const input = { caseId: c.caseId, eventKey: 'received', status: 'RECEIVED' as const, audience: 'citizen' as const, text: 'Wir prüfen Ihren Antrag.', actor: 'workflow:x' };
    const first = await recordEvent(db.pool, input);
    const second = await recordEvent(db.pool, input);
    expect(first.recorded).toBe(true);
    expect(second).toMatchObject({ recorded: false, eventId: first.eventId });

    const events = await db.pool.query('SELECT event_key FROM case_events WHERE case_id = $1 ORDER BY id', [c.caseId]);
    expect(events.rows.map((r) => r.event_key)).toEqual(['submitted', 'received']);
    const row = await db.pool.query('SELECT status, status_text FROM cases WHERE id = $1', [c.caseId]);
    expect(row.rows[0]).toEqual({ status: 'RECEIVED', status_text: 'Wir prüfen Ihren Antrag.' });
    const audit = await db.pool.query("SELECT before, after FROM audit_log WHERE case_id = $1 AND action = 'case.status_changed'", [c.caseId]);
    expect(audit.rows).toEqual([{ before: { status: 'SUBMITTED' }, after: { status: 'RECEIVED', eventKey: 'received', audience: 'citizen' } }]);
  });

  it('keeps internal wording out of the citizen status text and timeline', async () => {
    const { case: c } = await open('wohngeld', 'owner-internal');
    await recordEvent(db.pool, { caseId: c.caseId, eventKey: 'plausi', status: 'PROCESSING', audience: 'internal', text: 'Plausibilitätsprüfung: Einkommen auffällig', actor: 'system' });
    const citizen = await getCaseForOwner(db.pool, c.caseId, 'owner-internal');
    expect(citizen?.status).toBe('PROCESSING');
    expect(citizen?.statusText).toBe('Ihr Antrag wird bearbeitet.');
    expect(citizen?.timeline.map((e) => e.text)).toEqual(['Ihr Antrag ist bei uns eingegangen.']);
    const staff = await getCaseForStaff(db.pool, c.caseId);
    expect(staff?.timeline.map((e) => e.audience)).toEqual(['citizen', 'internal']);
  });

  it('rejects unknown cases and invalid input as domain errors', async () => {
    await expect(recordEvent(db.pool, { caseId: randomUUID(), eventKey: 'x', audience: 'citizen', text: 't', actor: 'a' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(recordEvent(db.pool, { caseId: 'nope', eventKey: 'x', audience: 'citizen', text: 't', actor: 'a' })).rejects.toBeInstanceOf(DomainError);
    const { case: c } = await open('wohngeld');
    await expect(recordEvent(db.pool, { caseId: c.caseId, eventKey: 'x', status: 'DONE' as never, audience: 'citizen', text: 't', actor: 'a' })).rejects.toMatchObject({ code: 'INVALID' });
  });

  it('markWithdrawn and a workflow entry under the same key leave one entry', async () => {
    const { case: c } = await open('wohngeld', 'owner-w');
    await markWithdrawn(db.pool, c.caseId, 'owner-w');
    await markWithdrawn(db.pool, c.caseId, 'owner-w');
    const r = await db.pool.query("SELECT count(*)::int AS n FROM case_events WHERE case_id = $1 AND status = 'WITHDRAWN'", [c.caseId]);
    expect(r.rows[0]).toEqual({ n: 1 });
  });

  it('setDecision stores once and audits changes only', async () => {
    const { case: c } = await open('wohngeld', 'owner-d');
    const decision = { outcome: 'approved', decidedAt: '2026-02-01T10:00:00.000Z', monthlyAmount: 187 };
    expect(await setDecision(db.pool, { caseId: c.caseId, decision, actor: 'cw' })).toEqual({ changed: true });
    expect(await setDecision(db.pool, { caseId: c.caseId, decision: { ...decision }, actor: 'cw' })).toEqual({ changed: false });
    expect((await getCaseForOwner(db.pool, c.caseId, 'owner-d'))?.decision).toEqual(decision);
    const audit = await db.pool.query("SELECT count(*)::int AS n FROM audit_log WHERE case_id = $1 AND action = 'case.decided'", [c.caseId]);
    expect(audit.rows[0]).toEqual({ n: 1 });
  });
});

describe('listCasesForOwner', () => {
  it('pages through exactly the owner’s cases, newest change first, without duplicates or gaps', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await open('wohngeld', 'owner-list')).case.caseId);
    await open('wohngeld', 'someone-else');
    // give two cases the same updated_at: the id breaks the tie
    await db.pool.query("UPDATE cases SET updated_at = '2026-01-01T00:00:00.123456Z' WHERE id = ANY($1)", [[ids[1], ids[2]]]);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await listCasesForOwner(db.pool, 'owner-list', { limit: 3, cursor });
      seen.push(...page.items.map((i) => i.caseId));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual([...ids].sort());
  });

  it('refuses a forged cursor', async () => {
    await expect(listCasesForOwner(db.pool, 'x', { cursor: 'bm90LWEtY3Vyc29y' })).rejects.toMatchObject({ code: 'INVALID' });
    expect(decodeCursor(encodeCursor({ updatedAt: '2026-01-01T00:00:00.123456Z', id: '00000000-0000-4000-8000-000000000000' }))).toEqual({
      updatedAt: '2026-01-01T00:00:00.123456Z',
      id: '00000000-0000-4000-8000-000000000000',
    });
  });
});

describe('documents', () => {
  it('sniffs the real type and names the file accordingly', () => {
    expect(sniffMediaType(PDF)).toBe('application/pdf');
    expect(sniffMediaType(PNG)).toBe('image/png');
    expect(sniffMediaType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]))).toBe('image/jpeg');
    expect(sniffMediaType(EXE)).toBeUndefined();
    expect(sniffMediaType(Buffer.alloc(0))).toBeUndefined();
    expect(safeDocumentName('C:\\Users\\x\\Mietvertrag.PDF', 'application/pdf')).toBe('Mietvertrag.PDF');
    expect(safeDocumentName('scan.exe', 'application/pdf')).toBe('scan.exe.pdf');
    expect(safeDocumentName('../\u0000', 'image/png')).toBe('dokument.png');
    expect(safeDocumentName(`${'ä'.repeat(300)}.png`, 'image/png')).toHaveLength(255);
  });

  it('stores bytes with a server-side SHA-256, once per key, and only for the case they belong to', async () => {
    const { case: c } = await open('wohngeld', 'owner-docs');
    const first = await addDocument(db.pool, { caseId: c.caseId, name: 'a.pdf', bytes: PDF, uploadedBy: 'owner-docs', maxBytes: 1024 });
    const again = await addDocument(db.pool, { caseId: c.caseId, name: 'b.pdf', bytes: PDF, uploadedBy: 'owner-docs', maxBytes: 1024 });
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, document: { documentId: first.document.documentId, name: 'a.pdf' } });
    expect(first.document.sha256).toBe(createHash('sha256').update(PDF).digest('hex'));

    const stored = await getDocument(db.pool, c.caseId, first.document.documentId);
    expect(stored?.bytes.equals(PDF)).toBe(true);
    const { case: other } = await open('wohngeld', 'owner-docs');
    expect(await getDocument(db.pool, other.caseId, first.document.documentId)).toBeUndefined();

    await expect(addDocument(db.pool, { caseId: c.caseId, name: 'x.pdf', bytes: EXE, uploadedBy: 'o', maxBytes: 1024 })).rejects.toMatchObject({ code: 'INVALID', details: { reason: 'unsupported_media_type' } });
    await expect(addDocument(db.pool, { caseId: c.caseId, name: 'x.png', bytes: PNG, uploadedBy: 'o', maxBytes: 10 })).rejects.toMatchObject({ code: 'INVALID', details: { reason: 'document_too_large' } });
  });

  it('accepts an upload for an open request of the case only', async () => {
    const { case: c } = await open('wohngeld', 'owner-req');
    const { case: other } = await open('wohngeld', 'owner-req');
    const open1 = randomUUID();
    const done = randomUUID();
    await db.pool.query(
      "INSERT INTO case_requests (id, case_id, kind, text, status) VALUES ($1, $2, 'proof', 'Mietvertrag', 'open'), ($3, $2, 'proof', 'Lohn', 'fulfilled')",
      [open1, c.caseId, done],
    );
    const ok = await addDocument(db.pool, { caseId: c.caseId, requestId: open1, name: 'm.png', bytes: PNG, uploadedBy: 'owner-req', maxBytes: 1024 });
    expect(ok.document.requestId).toBe(open1);
    await expect(addDocument(db.pool, { caseId: other.caseId, requestId: open1, bytes: PNG, uploadedBy: 'o', maxBytes: 1024 })).rejects.toMatchObject({ code: 'INVALID', details: { reason: 'unknown_request' } });
    await expect(addDocument(db.pool, { caseId: c.caseId, requestId: done, bytes: PNG, uploadedBy: 'o', maxBytes: 1024 })).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});
