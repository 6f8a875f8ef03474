import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger } from '@temporalio/worker';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Transporter } from 'nodemailer';
import { createTestDatabase } from '../../test/support/db';
import type { TestDatabase } from '../../test/support/db';
import { listMails, waitForMails } from '../../test/support/mail';
import type { SinkMail } from '../../test/support/mail';
import { loadConfig } from '../../libs/config/src/config';
import { createMailTransport } from '../../libs/mail/src/transport';
import { caseEventMessageId, createCaseActivities } from './index';

// Real PostgreSQL (fresh database) and the real SMTP sink; the activities run in Temporal's mock
// activity context (activityInfo, log), which is all they use of the worker.
const smtpUrl = process.env.SMTP_URL;
if (!smtpUrl) throw new Error('SMTP_URL is not set (test/global-setup.ts starts the mail sink)');

let db: TestDatabase;
let transport: Transporter;
let acts: ReturnType<typeof createCaseActivities>;
const quiet = new DefaultLogger('WARN');
const env = () => new MockActivityEnvironment({ workflowExecution: { workflowId: 'case-test', runId: 'r' } } as never, { logger: quiet });
/** Runs one activity in a fresh mock activity context (typed: run()'s own inference loses the input type). */
function run<I, R>(fn: (input: I) => Promise<R>, input: I): Promise<R> {
  return env().run(fn as (...args: unknown[]) => Promise<R>, input) as Promise<R>;
}

beforeAll(async () => {
  db = await createTestDatabase('cases_acts');
  transport = createMailTransport(smtpUrl);
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, SMTP_URL: smtpUrl, PUBLIC_BASE_URL: 'https://amtsweg.berlin.example' });
  acts = createCaseActivities({ pool: db.pool, mail: { transport, from: 'amtsweg Test <noreply@amtsweg.test>' }, config });
});
afterAll(async () => {
  transport?.close();
  await db?.drop();
});

const messageIdOf = (m: SinkMail): string | undefined =>
  typeof m.headers?.['message-id'] === 'string' ? (m.headers['message-id'] as string).trim() : m.messageId ? `<${m.messageId.replace(/^<|>$/g, '')}>` : undefined;

async function openFor(email: string | null) {
  const caseId = randomUUID();
  const r = await run(acts.openCase, { caseId, type: 'wohngeld', ownerSub: 'sub-acts', ownerEmail: email, workflowId: `case-${caseId}` });
  return { caseId, caseNumber: r.caseNumber };
}

describe('case activities', () => {
  it('openCase is idempotent: a retry returns the same number', async () => {
    const caseId = randomUUID();
    const input = { caseId, type: 'gewerbeanmeldung' as const, ownerSub: 's', ownerEmail: null, workflowId: `case-${caseId}` };
    const a = await run(acts.openCase, input);
    const b = await run(acts.openCase, input);
    expect(a).toMatchObject({ created: true, status: 'SUBMITTED', caseNumber: expect.stringMatching(/^GA-\d{4}-000001$/) });
    expect(b).toEqual({ ...a, created: false });
    const audit = await db.pool.query('SELECT actor FROM audit_log WHERE case_id = $1', [caseId]);
    expect(audit.rows).toEqual([{ actor: 'workflow:case-test' }]);
  });

  it('recordCaseEvent twice with the same key: one row, one mail (German first, case number only in the subject)', async () => {
    const email = `buerger-${randomUUID()}@example.org`;
    const { caseId, caseNumber } = await openFor(email);
    const input = { caseId, eventKey: 'received', status: 'RECEIVED' as const, audience: 'citizen' as const, text: 'Wir haben Ihren Antrag angenommen.', notify: true };

    const first = await run(acts.recordCaseEvent, input);
    const second = await run(acts.recordCaseEvent, input);
    expect(first).toMatchObject({ recorded: true, mail: { status: 'sent' } });
    expect(second).toMatchObject({ recorded: false, mail: { status: 'already-sent' } });

    const rows = await db.pool.query("SELECT count(*)::int AS n FROM case_events WHERE case_id = $1 AND event_key = 'received'", [caseId]);
    expect(rows.rows[0]).toEqual({ n: 1 });

    const [mail] = await waitForMails((m) => m.to?.some((t) => t.address === email) ?? false);
    await new Promise((r) => setTimeout(r, 500)); // room for a duplicate to arrive
    const all = (await listMails()).filter((m) => m.to?.some((t) => t.address === email));
    expect(all).toHaveLength(1);
    expect(messageIdOf(mail!)).toBe(caseEventMessageId(caseId, 'received'));
    expect(mail!.subject).toBe(`Ihr Antrag ${caseNumber}: Neuigkeiten / Your application ${caseNumber}: update`);
    const text = mail!.text ?? '';
    expect(text.indexOf('Guten Tag')).toBeGreaterThanOrEqual(0);
    expect(text.indexOf('Guten Tag')).toBeLessThan(text.indexOf('Hello'));
    expect(text).toContain('Wir haben Ihren Antrag angenommen.');
    expect(text).toContain(`https://amtsweg.berlin.example/api/v1/cases/${caseId}`);
    expect(text).not.toContain(email);
  });

  it('never mails internal entries, and skips cases without an address', async () => {
    const email = `intern-${randomUUID()}@example.org`;
    const { caseId } = await openFor(email);
    const internal = await run(acts.recordCaseEvent, { caseId, eventKey: 'gewo14-ihk', audience: 'internal', text: 'Übermittlung an die IHK', notify: true });
    expect(internal.mail).toMatchObject({ status: 'skipped' });
    const none = await openFor(null);
    const r = await run(acts.recordCaseEvent, { caseId: none.caseId, eventKey: 'received', status: 'RECEIVED', audience: 'citizen', text: 'x', notify: true });
    expect(r.mail).toMatchObject({ status: 'skipped' });
    await new Promise((res) => setTimeout(res, 300));
    expect((await listMails()).filter((m) => m.to?.some((t) => t.address === email))).toHaveLength(0);
  });

  it('fails non-retryably for business errors (unknown case)', async () => {
    const err = await run(acts.recordCaseEvent, { caseId: randomUUID(), eventKey: 'x', audience: 'citizen', text: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'NOT_FOUND', nonRetryable: true });
  });

  it('storeCaseDocument stores a generated notice once per key; setCaseDecision is idempotent', async () => {
    const { caseId } = await openFor(null);
    const pdf = Buffer.from('%PDF-1.4\nBescheid\n%%EOF\n');
    const input = { caseId, key: 'notice', name: 'Bescheid.pdf', contentBase64: pdf.toString('base64') };
    const a = await run(acts.storeCaseDocument, input);
    const b = await run(acts.storeCaseDocument, input);
    expect(a).toMatchObject({ created: true, size: pdf.length });
    expect(b).toEqual({ ...a, created: false });
    const decision = { outcome: 'approved', decidedAt: new Date().toISOString(), noticeDocumentId: a.documentId };
    expect(await run(acts.setCaseDecision, { caseId, decision })).toEqual({ changed: true });
    expect(await run(acts.setCaseDecision, { caseId, decision })).toEqual({ changed: false });
  });
});
