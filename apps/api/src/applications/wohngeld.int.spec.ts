import { createHash, randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Principal } from '../../../../libs/auth/src/principal';
import { listRequests } from '../../../../libs/db/src/requests';
import { TASK_QUEUES } from '../../../../libs/domain/src/task-queues';
import { calculateWohngeld, formatEuro, parseEstimateRequest } from '../../../../libs/domain/src/wohngeld';
import { waitForMails } from '../../../../test/support/mail';
import type { SinkMail } from '../../../../test/support/mail';
import { TEST_PDF, startApplicationsStack } from '../testing/applications-stack';
import type { ApplicationsStack, CaseView } from '../testing/applications-stack';

// The Wohngeld application end to end through the API: supertest on the in-process API, the run's
// Temporal dev server, in-process workers with the production wiring (createWorkers, real
// activities, encrypted payloads) on the Wohngeld queue, a fresh PostgreSQL database, the SMTP sink
// and the sandbox Fachverfahren (the Wohngeld payment instruction) over real HTTP.
let stack: ApplicationsStack<Who>;

const run = randomUUID().slice(0, 8);
const people = {
  erika: { sub: `citizen-erika-${run}`, roles: ['citizen'], trustLevel: 'substantiell', groups: [] },
  max: { sub: `citizen-max-${run}`, roles: ['citizen'], trustLevel: 'basis', groups: [] },
  wohngeld: { sub: `cw-wohngeld-${run}`, roles: ['caseworker'], trustLevel: 'hoch', groups: ['wohngeld'], office: 'ba-pankow' },
  admin: { sub: `admin-${run}`, roles: ['admin'], trustLevel: 'hoch', groups: [] },
} satisfies Record<string, Principal>;
type Who = keyof typeof people;

beforeAll(async () => {
  stack = await startApplicationsStack({ dbPrefix: 'wohngeld', taskQueues: [TASK_QUEUES.wohngeld], people });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

const http = () => stack.http();
const get = (who: Who, path: string) => stack.get(who, path);
const post = (who: Who, path: string, body?: object) => stack.post(who, path, body);

const HOUSEHOLD = {
  municipality: 'Berlin',
  householdMembers: 2,
  housing: { kind: 'miete', monthly: 570 },
  incomes: [{ member: 1, kind: 'pension', monthlyGross: 880, taxes: false, healthCare: true, pensionInsurance: false }],
};
const parsedHousehold = parseEstimateRequest(HOUSEHOLD);
if (!parsedHousehold.success) throw new Error('test household invalid');
const EXPECTED = calculateWohngeld(parsedHousehold.data);

function application(email: string, overrides: Record<string, unknown> = {}) {
  return {
    applicant: {
      givenName: 'Erika',
      familyName: 'Mustermann',
      birthDate: '1961-04-02',
      email,
      address: { street: 'Lychener Straße 12', postalCode: '10437', city: 'Berlin' },
      iban: 'DE89 3704 0044 0532 0130 00',
    },
    household: HOUSEHOLD,
    ...overrides,
  };
}


const caseWhen = (who: Who, caseId: string, predicate: (c: CaseView) => boolean, what: string, timeoutMs?: number) => stack.caseWhen(who, caseId, predicate, what, timeoutMs);

async function taskOf(caseId: string, type: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const inbox = await get('wohngeld', `/tasks?scope=unassigned&caseId=${caseId}`);
    expect(inbox.status).toBe(200);
    const t = (inbox.body as { items: Array<{ taskId: string; type: string }> }).items.find((x) => x.type === type);
    if (t) return t.taskId;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${type} task for case ${caseId}`);
}

const mailsTo = (to: string) => (m: SinkMail) => (m.to ?? []).some((t) => t.address === to);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

async function upload(who: Who, caseId: string, requestId: string, filename: string) {
  const res = await http().post(`/api/v1/cases/${caseId}/documents`).set('Authorization', `Bearer ${stack.tokens[who]}`).field('requestId', requestId).attach('file', TEST_PDF, { filename, contentType: 'application/pdf' });
  expect(res.status).toBe(201);
  return res.body as { documentId: string; sha256: string };
}

describe('Wohngeld application through the API (real Temporal, PostgreSQL, SMTP and sandbox)', () => {
  it('submit → proofs requested → upload → caseworker approves → notice PDF in the case file and mailed → payment instruction accepted → change report', async () => {
    const email = `erika.${run}@example.org`;
    expect(EXPECTED.eligible).toBe(true);
    expect(EXPECTED.monthlyAmount).toBeLessThanOrEqual(800); // below the four-eyes limit: one caseworker decides

    // --- submission: case number at once ----------------------------------------------------------
    const submitted = await post('erika', '/applications/wohngeld', application(email)).set('Idempotency-Key', `wg-${run}-1`);
    expect(submitted.status).toBe(201);
    expect(submitted.body).toEqual({ caseId: expect.any(String), caseNumber: expect.stringMatching(new RegExp(`^WG-${new Date().getFullYear()}-\\d{6}$`)), status: 'SUBMITTED' });
    const { caseId, caseNumber } = submitted.body as { caseId: string; caseNumber: string };
    expect(submitted.headers.location).toBe(`/api/v1/cases/${caseId}`);
    const again = await post('erika', '/applications/wohngeld', application(email)).set('Idempotency-Key', `wg-${run}-1`);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(submitted.body);

    // --- the completeness check: rent contract and the pension proof ---------------------------------
    let view = await caseWhen('erika', caseId, (c) => c.status === 'ACTION_REQUIRED' && c.openRequests.length === 2, 'the proof requests');
    expect(view.type).toBe('wohngeld');
    expect(view.openRequests.map((r) => r.kind).sort()).toEqual(['income-member-1', 'rent-contract']);
    expect(view.statusText).toMatch(/^Für die weitere Bearbeitung Ihres Antrags benötigen wir noch folgende Unterlagen:\n– Mietvertrag oder Mietbescheinigung/);
    expect(view.statusText).toMatch(/bis zum \d{1,2}\. \S+ \d{4} in Ihrem Antrag hoch/);
    expect(view.statusText).toContain('§ 66 Abs. 1 SGB I');
    const dueInDays = (Date.parse(view.openRequests[0]!.dueBy!) - Date.now()) / 86_400_000;
    expect(dueInDays).toBeGreaterThan(13.99);
    expect(dueInDays).toBeLessThan(15.01);
    // a change report before the decision is refused
    expect((await post('erika', `/cases/${caseId}/wohngeld/change-report`, { incomes: [{ member: 1, kind: 'pension', monthlyGross: 1500 }] })).status).toBe(409);
    expect((await post('max', `/cases/${caseId}/wohngeld/change-report`, { incomes: [{ member: 1, kind: 'pension', monthlyGross: 1500 }] })).status).toBe(404);

    for (const r of view.openRequests) await upload('erika', caseId, r.requestId, `${r.kind}.pdf`);
    view = await caseWhen('erika', caseId, (c) => c.openRequests.length === 0 && c.status === 'PROCESSING' && c.timeline.some((e) => e.text.includes('Wir haben Ihr Wohngeld berechnet')), 'the review');

    // --- the caseworker of group wohngeld ---------------------------------------------------------------
    const taskId = await taskOf(caseId, 'wohngeld.review');
    const task = await get('wohngeld', `/tasks/${taskId}`);
    expect(task.status).toBe(200);
    expect(task.body).toMatchObject({
      caseId,
      caseNumber,
      type: 'wohngeld.review',
      group: 'wohngeld',
      outcomes: ['approve', 'change', 'reject'],
      caseData: { proofsComplete: true, calculation: { monthlyAmount: EXPECTED.monthlyAmount, eligible: true }, applicant: { familyName: 'Mustermann' } },
    });
    // what each outcome needs is part of the form the inbox shows
    expect(task.body.formSchema).toMatchObject({ 'x-requiredByOutcome': { change: ['monthlyAmount', 'reason'], reject: ['reason'] } });
    expect((await post('wohngeld', `/tasks/${taskId}/claim`)).status).toBe(200);
    // an outcome without what it needs is refused at once (422 at the field), and the task stays open
    const refused = [
      { body: { outcome: 'change', data: { monthlyAmount: 100 } }, path: '/data/reason' },
      { body: { outcome: 'change', data: { reason: 'Miete niedriger' } }, path: '/data/monthlyAmount' },
      { body: { outcome: 'reject', data: { note: 'intern' } }, path: '/data/reason' },
      { body: { outcome: 'reject', data: { reason: '  ' } }, path: '/data/reason' },
    ];
    for (const r of refused) {
      const bad = await post('wohngeld', `/tasks/${taskId}/complete`, r.body);
      expect(bad.status).toBe(422);
      expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(bad.body).toMatchObject({ reason: 'form_invalid', errors: [{ path: r.path }] });
    }
    expect((await get('wohngeld', `/tasks/${taskId}`)).body).toMatchObject({ status: 'claimed' }); // nothing was decided
    expect((await post('wohngeld', `/tasks/${taskId}/complete`, { outcome: 'approve', data: { note: 'Nachweise plausibel' } })).status).toBe(200);

    // --- the notice: a real PDF in the case file, mailed with it ----------------------------------------
    view = await caseWhen('erika', caseId, (c) => c.timeline.some((e) => e.text.startsWith('Die Zahlung ist angewiesen')), 'the payment instruction');
    expect(view.status).toBe('PROCESSING');
    expect(view.decision).toMatchObject({ outcome: 'approved', monthlyAmount: EXPECTED.monthlyAmount, approvalFrom: expect.stringMatching(/^\d{4}-\d{2}-01$/), approvalTo: expect.any(String), noticeDocumentId: expect.any(String) });
    const notice = view.documents.find((d) => d.documentId === view.decision!.noticeDocumentId)!;
    expect(notice).toMatchObject({ name: `Wohngeldbescheid-${caseNumber}.pdf`, mediaType: 'application/pdf', requestId: null });
    const download = await get('erika', `/cases/${caseId}/documents/${notice.documentId}`).buffer(true).parse(binary);
    expect(download.status).toBe(200);
    const pdf = download.body as Buffer;
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.length).toBe(notice.size);
    expect(sha256(pdf)).toBe(notice.sha256);

    const mails = await waitForMails(mailsTo(email), { count: 4 });
    const letterMail = mails.find((m) => m.subject === `Ihr Wohngeldbescheid – Aktenzeichen ${caseNumber}`);
    expect(letterMail?.text).toContain(`Ihr Wohngeld ist bewilligt: ${formatEuro(EXPECTED.monthlyAmount)} monatlich`);
    const attachments = (letterMail!.attachments ?? []) as Array<{ generatedFileName: string; contentType: string }>;
    expect(attachments).toHaveLength(1);
    expect(attachments[0]!.contentType).toBe('application/pdf');
    const attached = await fetch(`${process.env.MAIL_API_URL}/email/${letterMail!.id}/attachment/${encodeURIComponent(attachments[0]!.generatedFileName)}`);
    expect(sha256(Buffer.from(await attached.arrayBuffer()))).toBe(notice.sha256);

    // --- the payment instruction: accepted by the sandbox Fachverfahren ----------------------------------
    const state = (await (await fetch(`${stack.sandbox.url}/sandbox/state`)).json()) as { submissions: Array<{ adapter: string; caseId: string; step: string; kind: string; status: string; externalId: string }> };
    const instructions = state.submissions.filter((s) => s.caseId === caseId);
    expect(instructions).toEqual([expect.objectContaining({ adapter: 'wohngeld', step: 'payment-instruction', kind: 'wohngeld-payment-instruction', externalId: expect.stringMatching(/^ZA-\d{4}-[0-9A-F]{10}$/) })]);
    expect(['accepted', 'completed']).toContain(instructions[0]!.status);
    const internal = (await get('admin', `/cases/${caseId}`)).body as CaseView;
    expect(internal.timeline.map((e) => e.text)).toContainEqual(expect.stringContaining(`Zahlungsanordnung an das Fachverfahren Wohngeld angenommen (${instructions[0]!.externalId}`));
    // withdrawing after the decision is refused
    expect((await post('erika', `/cases/${caseId}/withdraw`)).status).toBe(409);

    // --- what the citizen reads -------------------------------------------------------------------------
    expect(view.timeline.map((e) => e.status)).toEqual(['SUBMITTED', 'RECEIVED', 'ACTION_REQUIRED', 'PROCESSING', 'PROCESSING', 'PROCESSING', 'PROCESSING']);
    const texts = view.timeline.map((e) => e.text);
    expect(texts[1]).toMatch(new RegExp(`^Ihr Antrag auf Wohngeld vom \\d{1,2}\\. \\S+ \\d{4} ist bei uns eingegangen \\(Aktenzeichen ${caseNumber}\\)\\. Wir prüfen jetzt`));
    expect(texts[3]).toBe('Vielen Dank, Ihre Unterlagen sind eingegangen. Wir bearbeiten Ihren Antrag weiter.');
    expect(texts[5]).toMatch(new RegExp(`^Ihr Wohngeld ist bewilligt: ${formatEuro(EXPECTED.monthlyAmount).replace('.', '\\.')} monatlich vom 1\\. \\S+ \\d{4} bis \\d{1,2}\\. \\S+ \\d{4}\\. Den Bescheid haben wir Ihnen per E-Mail geschickt`));
    expect(texts[6]).toMatch(/^Die Zahlung ist angewiesen: .* IBAN-Endung 3000/);
    expect(texts.join('\n')).not.toMatch(/Zahlungsanordnung an das Fachverfahren|Nachweise plausibel|Berechnung nach § 19/); // internal entries stay internal

    // --- a change report: income up by more than 15 % → a change notice -------------------------------------
    const invalid = await post('erika', `/cases/${caseId}/wohngeld/change-report`, { incomes: [{ member: 3, kind: 'pension', monthlyGross: 1500 }] });
    expect(invalid.status).toBe(422);
    expect(invalid.body).toMatchObject({ errors: [{ path: '/incomes/0/member' }] });
    const changed = await post('erika', `/cases/${caseId}/wohngeld/change-report`, { incomes: [{ member: 1, kind: 'pension', monthlyGross: 1200, healthCare: true }] });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ outcome: 'recalculated', previousMonthlyAmount: EXPECTED.monthlyAmount, noticeDocumentId: expect.any(String) });
    expect((changed.body as { monthlyAmount: number }).monthlyAmount).toBeLessThan(EXPECTED.monthlyAmount);
    view = await caseWhen('erika', caseId, (c) => c.documents.some((d) => d.documentId === (changed.body as { noticeDocumentId: string }).noticeDocumentId), 'the change notice');
    expect(view.documents.find((d) => d.documentId === (changed.body as { noticeDocumentId: string }).noticeDocumentId)?.name).toBe(`Wohngeld-Aenderungsbescheid-${caseNumber}-1.pdf`);
    expect(view.decision).toMatchObject({ monthlyAmount: (changed.body as { monthlyAmount: number }).monthlyAmount });
    await waitForMails((m) => mailsTo(email)(m) && m.subject === `Ihr Wohngeld-Änderungsbescheid – Aktenzeichen ${caseNumber}`, { count: 1 });

    expect((await listRequests(stack.db.pool, caseId)).map((r) => `${r.key}/${r.kind}:${r.status}`).sort()).toEqual(['proofs/income-member-1:fulfilled', 'proofs/rent-contract:fulfilled']);
  });

  it('a basis login is asked for eID identification; withdrawal before the decision', async () => {
    const email = `max.${run}@example.org`;
    const submitted = await post('max', '/applications/wohngeld', application(email, { household: { ...HOUSEHOLD, allowances: { singleParent: true } } }));
    expect(submitted.status).toBe(201);
    const { caseId } = submitted.body as { caseId: string };
    const view = await caseWhen('max', caseId, (c) => c.status === 'ACTION_REQUIRED' && c.openRequests.some((r) => r.kind === 'identification'), 'the identification request');
    expect(view.statusText).toMatch(/^Bitte identifizieren Sie sich mit der eID-Funktion/);
    const withdrawn = await post('max', `/cases/${caseId}/withdraw`);
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toEqual({ status: 'WITHDRAWN' });
    await caseWhen('max', caseId, (c) => c.status === 'WITHDRAWN' && c.openRequests.length === 0, 'withdrawal');
    expect((await listRequests(stack.db.pool, caseId)).map((r) => r.status)).toEqual(['cancelled']);
  });

  it('validates the body per field (IBAN checksum, birth date, postal code, household) and only citizens apply', async () => {
    const bad = await post('erika', '/applications/wohngeld', {
      applicant: {
        givenName: 'Erika',
        familyName: '',
        birthDate: '2031-02-30',
        email: 'not-an-email',
        address: { street: 'Lychener Straße 12', postalCode: '1043', city: 'Berlin' },
        iban: 'DE89370400440532013001',
      },
      household: { ...HOUSEHOLD, incomes: [{ member: 3, kind: 'pension', monthlyGross: 880 }] },
    });
    expect(bad.status).toBe(422);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((bad.body as { errors: Array<{ path: string }> }).errors.map((e) => e.path).sort()).toEqual(
      ['/applicant/familyName', '/applicant/birthDate', '/applicant/email', '/applicant/address/postalCode', '/applicant/iban', '/household/incomes/0/member'].sort(),
    );
    const child = await post('erika', '/applications/wohngeld', application('x@example.org', { applicant: { ...application('x@example.org').applicant, birthDate: `${new Date().getFullYear() - 5}-01-01` } }));
    expect(child.status).toBe(422);
    expect(child.body).toMatchObject({ errors: [{ path: '/applicant/birthDate' }] });
    expect((await post('wohngeld', '/applications/wohngeld', application('x@example.org'))).status).toBe(403);
    expect((await http().post('/api/v1/applications/wohngeld').send(application('x@example.org'))).status).toBe(401);
  });
});
