import { createHash, randomUUID } from 'node:crypto';
import { DefaultLogger } from '@temporalio/worker';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Transporter } from 'nodemailer';
import { loadConfig } from '../../libs/config/src/config';
import { getDocument } from '../../libs/db/src/cases';
import type { Letter } from '../../libs/documents/src';
import { createMailTransport } from '../../libs/mail/src/transport';
import { createTestDatabase } from '../../test/support/db';
import type { TestDatabase } from '../../test/support/db';
import { listMails, waitForMails } from '../../test/support/mail';
import { pdfText } from '../../test/support/pdf-text';
import { createCaseActivities } from '../cases';
import { createDocumentActivities } from './index';

// Real PostgreSQL and the real SMTP sink; the activity runs in Temporal's mock activity context.
const smtpUrl = process.env.SMTP_URL;
if (!smtpUrl) throw new Error('SMTP_URL is not set (test/global-setup.ts starts the mail sink)');

let db: TestDatabase;
let transport: Transporter;
let docs: ReturnType<typeof createDocumentActivities>;
let cases: ReturnType<typeof createCaseActivities>;
const quiet = new DefaultLogger('WARN');
function run<I, R>(fn: (input: I) => Promise<R>, input: I): Promise<R> {
  const env = new MockActivityEnvironment({ workflowExecution: { workflowId: 'letter-test', runId: 'r' } } as never, { logger: quiet });
  return env.run(fn as (...args: unknown[]) => Promise<R>, input) as Promise<R>;
}

beforeAll(async () => {
  db = await createTestDatabase('documents_acts');
  transport = createMailTransport(smtpUrl);
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, SMTP_URL: smtpUrl, PUBLIC_BASE_URL: 'https://amtsweg.berlin.example' });
  const deps = { pool: db.pool, mail: { transport, from: 'amtsweg Test <noreply@amtsweg.test>' }, config };
  docs = createDocumentActivities(deps);
  cases = createCaseActivities(deps);
});
afterAll(async () => {
  transport?.close();
  await db?.drop();
});

const letter = (reference: string): Letter => ({
  title: 'Empfangsbescheinigung',
  office: { name: 'Bezirksamt Pankow von Berlin – Gewerbeamt', addressLines: ['Fröbelstraße 17', '10405 Berlin'] },
  recipient: { name: 'Erika Mustermann', addressLines: ['Heidestraße 17', '10557 Berlin'] },
  reference,
  date: '2026-11-28',
  blocks: [{ kind: 'paragraph', text: 'Ihre Gewerbeanzeige nach § 14 GewO ist bei uns eingegangen.' }],
});

describe('issueLetter', () => {
  it('stores the PDF once and mails it once with the stored bytes attached, even when retried', async () => {
    const email = `letter-${randomUUID()}@example.org`;
    const caseId = randomUUID();
    const { caseNumber } = await run(cases.openCase, { caseId, type: 'gewerbeanmeldung', ownerSub: 'sub-letter', ownerEmail: email, workflowId: `case-${caseId}` });
    const input = { caseId, key: 'receipt', fileName: `Empfangsbescheinigung-${caseNumber}.pdf`, letter: letter(caseNumber), mail: { subject: `Empfangsbescheinigung ${caseNumber}`, text: 'Guten Tag,\nanbei Ihre Empfangsbescheinigung.' } };

    const first = await run(docs.issueLetter, input);
    const retry = await run(docs.issueLetter, input);
    expect(first).toMatchObject({ created: true, mail: { status: 'sent' } });
    expect(retry).toMatchObject({ created: false, documentId: first.documentId, sha256: first.sha256, mail: { status: 'already-sent' } });

    const stored = await getDocument(db.pool, caseId, first.documentId);
    expect(stored).toMatchObject({ mediaType: 'application/pdf', name: `Empfangsbescheinigung-${caseNumber}.pdf`, uploadedBy: 'system' });
    expect(createHash('sha256').update(stored!.bytes).digest('hex')).toBe(first.sha256);
    expect(await pdfText(stored!.bytes)).toContain('Ihre Gewerbeanzeige nach § 14 GewO ist bei uns eingegangen.');
    const docRows = await db.pool.query('SELECT count(*)::int AS n FROM case_documents WHERE case_id = $1', [caseId]);
    expect(docRows.rows[0]).toEqual({ n: 1 });

    const [mail] = await waitForMails((m) => m.to?.some((t) => t.address === email) ?? false);
    await new Promise((r) => setTimeout(r, 500)); // room for a duplicate
    expect((await listMails()).filter((m) => m.to?.some((t) => t.address === email))).toHaveLength(1);
    expect(mail!.subject).toBe(`Empfangsbescheinigung ${caseNumber}`);
    expect(mail!.text).toContain(`/api/v1/cases/${caseId}`);
    const attachments = (mail!.attachments ?? []) as Array<{ generatedFileName: string; contentType: string }>;
    expect(attachments).toHaveLength(1);
    expect(attachments[0]!.contentType).toBe('application/pdf');
    const res = await fetch(`${process.env.MAIL_API_URL}/email/${mail!.id}/attachment/${encodeURIComponent(attachments[0]!.generatedFileName)}`);
    expect(res.status).toBe(200);
    expect(createHash('sha256').update(Buffer.from(await res.arrayBuffer())).digest('hex')).toBe(first.sha256);
  });

  it('stores the letter but skips the mail when the case has no e-mail address', async () => {
    const caseId = randomUUID();
    const { caseNumber } = await run(cases.openCase, { caseId, type: 'gewerbeanmeldung', ownerSub: 'sub-letter', ownerEmail: null, workflowId: `case-${caseId}` });
    const r = await run(docs.issueLetter, { caseId, key: 'receipt', fileName: 'x.pdf', letter: letter(caseNumber), mail: { subject: 's', text: 't' } });
    expect(r).toMatchObject({ created: true, mail: { status: 'skipped', reason: 'no e-mail address on the case' } });
  });

  it('fails without retry for a case that does not exist', async () => {
    await expect(run(docs.issueLetter, { caseId: randomUUID(), key: 'receipt', fileName: 'x.pdf', letter: letter('GA-2026-000001') })).rejects.toMatchObject({ type: 'NOT_FOUND', nonRetryable: true });
  });
});
