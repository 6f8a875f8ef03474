import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { listDeliveries } from '../../../../activities/gewerbe';
import type { Principal } from '../../../../libs/auth/src/principal';
import { anlage1Fields, classifyGewerbe, fieldsAllowedFor, parseGewerbeanmeldung, recipientsFor } from '../../../../libs/domain/src/gewerbe';
import type { RecipientId } from '../../../../libs/domain/src/gewerbe';
import { berlinIsoDate } from '../../../../libs/domain/src/berlin-time';
import { validAnmeldung } from '../../../../libs/domain/src/gewerbe/test-request';
import { TASK_QUEUES } from '../../../../libs/domain/src/task-queues';
import { eventually } from '../../../../test/support/eventually';
import { waitForMails } from '../../../../test/support/mail';
import type { SinkMail } from '../../../../test/support/mail';
import { pdfText } from '../../../../test/support/pdf-text';
import { fetchRawRecord } from '../../../../test/support/raw-history';
import { caseWorkflowId } from '../../../../workflows/gewerbe/gewerbeanmeldung.contract';
import { startApplicationsStack } from '../testing/applications-stack';
import type { ApplicationsStack, CaseView } from '../testing/applications-stack';

// The Gewerbeanmeldung end to end through the API: supertest on the in-process API (listening, so
// the sandbox's signed payment callbacks reach it over HTTP), the run's Temporal dev server,
// in-process workers with the production wiring on the gewerbe queue, a fresh PostgreSQL database,
// the SMTP sink and the sandbox (payment provider, Gewerberegister, § 14 recipients) over real HTTP.
let stack: ApplicationsStack<Who>;
/** Same server, no codec: reads the history as Temporal stores it. */
let raw: Client;

const run = randomUUID().slice(0, 8);
const people = {
  erika: { sub: `citizen-erika-${run}`, roles: ['citizen'], trustLevel: 'substantiell', groups: [] },
  max: { sub: `citizen-max-${run}`, roles: ['citizen'], trustLevel: 'hoch', groups: [] },
  gewerbe: { sub: `cw-gewerbe-${run}`, roles: ['caseworker'], trustLevel: 'hoch', groups: ['gewerbe'], office: 'ba-mitte' },
  admin: { sub: `admin-${run}`, roles: ['admin'], trustLevel: 'hoch', groups: [] },
} satisfies Record<string, Principal>;
type Who = keyof typeof people;

beforeAll(async () => {
  stack = await startApplicationsStack({ dbPrefix: 'gewerbeanmeldung', taskQueues: [TASK_QUEUES.gewerbe], people, listen: true });
  raw = new Client({ connection: await Connection.connect({ address: stack.temporal.address }), namespace: stack.temporal.namespace });
}, 180_000);

afterAll(async () => {
  await raw?.connection.close();
  await stack?.stop();
});

const get = (who: Who, path: string) => stack.get(who, path);
const post = (who: Who, path: string, body?: object) => stack.post(who, path, body);
const caseWhen = (who: Who, caseId: string, predicate: (c: CaseView) => boolean, what: string) => stack.caseWhen(who, caseId, predicate, what);

/**
 * The domain's valid example, moved to Berlin, starting a month from today: the body is checked
 * against the real date (a start more than three months back is refused), so the spec keeps
 * working as the calendar moves on.
 */
function anmeldung(email: string, overrides: { regulatedActivity?: string | null; activity?: string; wzCode?: string; name?: string } = {}) {
  const base = validAnmeldung();
  return {
    ...base,
    owner: { ...base.owner, email, address: { street: 'Lychener Straße 12', postalCode: '10437', city: 'Berlin' } },
    business: {
      ...base.business,
      name: overrides.name ?? 'Buchversand Mustermann',
      address: { street: 'Kastanienallee 7', postalCode: '10435', city: 'Berlin' },
      activity: overrides.activity ?? base.business.activity,
      wzCode: overrides.wzCode ?? base.business.wzCode,
      startDate: berlinIsoDate(new Date(Date.now() + 30 * 86_400_000)),
      regulatedActivity: overrides.regulatedActivity ?? null,
    },
  };
}

/** The raw history of a case's workflow as the server stores it (every page), once the workflow has ended. */
async function rawHistoryBytes(caseId: string): Promise<{ bytes: Buffer; eventCount: number }> {
  const { namespace } = stack.temporal;
  const execution = { workflowId: caseWorkflowId(caseId) };
  await eventually(async () => {
    const d = await raw.workflowService.describeWorkflowExecution({ namespace, execution });
    return d.workflowExecutionInfo?.status !== temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
  }, 'the workflow to end', 30_000);
  const record = await fetchRawRecord(raw, namespace, execution.workflowId);
  return { bytes: record.bytes, eventCount: record.events.length };
}

const mailsTo = (to: string) => (m: SinkMail) => (m.to ?? []).some((t) => t.address === to);

/** Submits, waits for the fee, gets the payment from the API and pays it on the sandbox's page. */
async function submitAndPay(email: string, body: object, key: string): Promise<{ caseId: string; caseNumber: string; paymentId: string }> {
  const submitted = await post('erika', '/applications/gewerbeanmeldung', body).set('Idempotency-Key', key);
  expect(submitted.status).toBe(201);
  expect(submitted.body).toEqual({ caseId: expect.any(String), caseNumber: expect.stringMatching(/^GA-\d{4}-\d{6}$/), status: 'SUBMITTED' });
  const { caseId, caseNumber } = submitted.body as { caseId: string; caseNumber: string };
  const asked = await caseWhen('erika', caseId, (c) => c.status === 'ACTION_REQUIRED', 'the fee request');
  expect(asked.statusText).toContain('15,00 €');

  const payment = await post('erika', `/cases/${caseId}/payment`);
  expect(payment.status).toBe(200);
  expect(payment.body).toEqual({ paymentId: expect.stringMatching(/^pay_/), redirectUrl: expect.stringContaining('/pay/'), amount: 15, currency: 'EUR', status: 'created' });
  // the same payment on a second call; not for someone else
  expect((await post('erika', `/cases/${caseId}/payment`)).body.paymentId).toBe(payment.body.paymentId);
  expect((await post('max', `/cases/${caseId}/payment`)).status).toBe(404);

  // the citizen pays on the provider's page; the provider's signed callback reaches the API
  const paid = await fetch(payment.body.redirectUrl as string, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ outcome: 'paid' }) });
  expect(paid.status).toBe(200);
  return { caseId, caseNumber, paymentId: payment.body.paymentId as string };
}

/**
 * The XML of a delivery must not hold any value that only a field the recipient may not receive
 * carries. `header`: what every message names in its header and record (case number, filing time).
 */
function forbiddenValuesIn(xml: string, recipient: RecipientId, fields: Record<number, unknown>, header: string[]): string[] {
  const allowed = fieldsAllowedFor(recipient);
  const str = (v: unknown): string[] => (v === null || v === undefined ? [] : typeof v === 'object' ? Object.values(v as object).flatMap(str) : [String(v)]);
  const allowedValues = new Set([...header, ...Object.entries(fields).filter(([n]) => allowed.has(Number(n))).flatMap(([, v]) => str(v))]);
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return Object.entries(fields)
    .filter(([n]) => !allowed.has(Number(n)))
    .flatMap(([n, v]) => str(v).map((s) => [n, s] as const))
    .filter(([, s]) => s.length >= 5 && ![...allowedValues].some((a) => a.includes(s)))
    .filter(([, s]) => xml.includes(s) || xml.includes(escape(s)))
    .map(([n, s]) => `field ${n}: ${s}`);
}

describe('Gewerbeanmeldung through the API (real Temporal, PostgreSQL, SMTP and sandbox)', () => {
  it('plain trade: payment callback → registered → receipt PDF in the case file and mailed → every § 14 recipient delivered, each with only its fields', async () => {
    const email = `erika.${run}.plain@example.org`;
    const body = anmeldung(email);
    const { caseId, caseNumber, paymentId } = await submitAndPay(email, body, `ga-${run}-plain`);

    const view = await caseWhen('erika', caseId, (c) => c.status === 'COMPLETED', 'the registration');
    expect(view.decision).toMatchObject({ outcome: 'registered', registerNumber: expect.stringMatching(/^GR-\d{4}-[0-9A-F]{10}$/) });
    const registerNumber = view.decision!.registerNumber as string;
    expect(view.timeline.map((e) => e.status)).toEqual(['SUBMITTED', 'RECEIVED', 'ACTION_REQUIRED', 'PROCESSING', 'COMPLETED']);
    expect((await post('erika', `/cases/${caseId}/payment`)).status).toBe(409); // paid and closed: no fee open

    // the receipt (Empfangsbescheinigung): in the case file, a real PDF naming the entry
    const doc = view.documents.find((d) => d.name === `Empfangsbescheinigung-${caseNumber}.pdf`);
    expect(doc).toMatchObject({ mediaType: 'application/pdf', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const pdf = await get('erika', `/cases/${caseId}/documents/${doc!.documentId}`).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(pdf.status).toBe(200);
    const text = await pdfText(pdf.body as Buffer);
    expect(text).toContain('Empfangsbescheinigung');
    expect(text).toContain(registerNumber);
    expect(text).toContain('Buchversand Mustermann');
    expect(text).toContain('§ 15 Abs. 1');
    // ... and mailed with the PDF attached
    const [receiptMail] = await waitForMails((m) => mailsTo(email)(m) && (m.subject ?? '').includes('Empfangsbescheinigung'), { timeoutMs: 15_000 });
    const attachments = ((receiptMail as SinkMail & { attachments?: Array<{ contentType: string; fileName?: string; generatedFileName?: string }> }).attachments ?? []);
    expect(attachments).toEqual([expect.objectContaining({ contentType: 'application/pdf' })]);

    // the fee at the provider: paid, nothing refunded
    const state = (await (await fetch(`${stack.sandbox.url}/sandbox/state`)).json()) as { payments: Array<{ paymentId: string; status: string }>; refunds: Array<{ paymentId: string }> };
    expect(state.payments.find((p) => p.paymentId === paymentId)?.status).toBe('paid');
    expect(state.refunds.filter((r) => r.paymentId === paymentId)).toEqual([]);

    // every § 14 recipient the rules name got exactly one message, recorded as delivered
    const req = parseGewerbeanmeldung(body);
    const expected = recipientsFor(req, classifyGewerbe(req).grounds).map((r) => r.id).sort();
    expect(expected).toEqual(expect.arrayContaining(['finanzamt', 'ihk', 'statistik']));
    const rows = await eventually(async () => {
      const r = await listDeliveries(stack.db.pool, caseId);
      return r.length === expected.length && r.every((d) => d.status === 'delivered') && r;
    }, 'all deliveries', 30_000);
    expect(rows.map((r) => r.recipient).sort()).toEqual(expected);
    const received = stack.sandbox.deliveries.filter((d) => d.caseId === caseId);
    expect(received.map((d) => d.recipient).sort()).toEqual(expected);
    const registeredAt = new Date().toISOString();
    const fields = anlage1Fields(req, { caseNumber, registeredAt });
    for (const row of rows) {
      const msg = received.find((d) => d.recipient === row.recipient)!;
      expect(row).toMatchObject({ attempts: 1, externalId: msg.externalId, deliveredAt: expect.any(String) });
      expect(msg.message).toContain(row.messageId); // the header carries the stable message id
      expect(msg.message).toContain(row.messageType);
      expect(forbiddenValuesIn(msg.message, row.recipient as RecipientId, fields, [caseNumber, registeredAt])).toEqual([]);
    }
    // the check has teeth: the IHK's message holds what the statistics office may not receive
    const ihk = received.find((d) => d.recipient === 'ihk')!.message;
    expect(forbiddenValuesIn(ihk, 'statistik', fields, [caseNumber, registeredAt]).length).toBeGreaterThan(0);
    // each delivery is in the internal timeline (admins see it), not in the citizen's
    expect(view.timeline.map((e) => e.text).join('\n')).not.toContain('Datenübermittlung');
    const internal = await eventually(async () => {
      const texts = ((await get('admin', `/cases/${caseId}`)).body as CaseView).timeline.map((e) => e.text);
      return texts.filter((t) => t.startsWith('Datenübermittlung an')).length >= rows.length && texts;
    }, 'the internal timeline entries of the deliveries', 30_000);
    for (const row of rows) expect(internal.filter((t) => t.startsWith('Datenübermittlung an') && t.includes(row.messageId))).toHaveLength(1);

    // The raw Temporal history (no codec) of the whole case — input, activity inputs and results,
    // the receipt letter, the § 14 messages — holds none of the owner's personal data in clear.
    const history = await rawHistoryBytes(caseId);
    const owner = body.owner;
    const personal = [owner.givenName, owner.familyName, owner.birthDate, owner.birthPlace, owner.address.street, 'Lychener', owner.address.postalCode, email, email.split('@')[0]!];
    expect(personal.filter((v) => history.bytes.includes(Buffer.from(v, 'utf8')))).toEqual([]);
    // the check has teeth: what Temporal must see in clear is there
    expect(history.eventCount).toBeGreaterThan(20);
    for (const clear of ['gewerbeanmeldung', 'deliverRecipientMessage', 'paymentStart', caseWorkflowId(caseId)]) expect(history.bytes.includes(Buffer.from(clear, 'utf8'))).toBe(true);
  });

  it('withdrawal while the payment is open, then the citizen pays in the tab left open: the payment is refunded at the provider and the citizen told', async () => {
    const email = `erika.${run}.late@example.org`;
    const submitted = await post('erika', '/applications/gewerbeanmeldung', anmeldung(email, { name: 'Kiosk Mustermann' })).set('Idempotency-Key', `ga-${run}-late`);
    expect(submitted.status).toBe(201);
    const { caseId } = submitted.body as { caseId: string };
    await caseWhen('erika', caseId, (c) => c.status === 'ACTION_REQUIRED', 'the fee request');
    const payment = await post('erika', `/cases/${caseId}/payment`);
    expect(payment.status).toBe(200);

    expect((await post('erika', `/cases/${caseId}/withdraw`)).body).toEqual({ status: 'WITHDRAWN' });
    expect((await post('erika', `/cases/${caseId}/payment`)).status).toBe(409); // no link for a withdrawn case
    // the provider's page is still open in the citizen's browser: they pay
    const paid = await fetch(payment.body.redirectUrl as string, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ outcome: 'paid' }) });
    expect(paid.status).toBe(200);

    type SandboxState = { payments: Array<{ paymentId: string; status: string }>; refunds: Array<{ paymentId: string; amount: string }> };
    const state = await eventually(async () => {
      const st = (await (await fetch(`${stack.sandbox.url}/sandbox/state`)).json()) as SandboxState;
      return st.refunds.some((r) => r.paymentId === payment.body.paymentId) && st;
    }, 'the refund of the late payment', 30_000);
    expect(state.refunds.filter((r) => r.paymentId === payment.body.paymentId)).toEqual([expect.objectContaining({ amount: '15.00' })]);
    expect(state.payments.find((p) => p.paymentId === payment.body.paymentId)?.status).toBe('refunded');

    const view = await caseWhen('erika', caseId, (c) => c.timeline.some((e) => e.text.includes('nachdem das Verfahren bereits beendet war')), 'the citizen told of the refund');
    expect(view.status).toBe('WITHDRAWN');
    const told = await waitForMails((m) => mailsTo(email)(m) && (m.text ?? '').includes('erstatten'), { timeoutMs: 15_000 });
    expect(told).toHaveLength(1);
    // the case's only payment is settled: the workflow ends without waiting out the link lifetime
    expect((await rawHistoryBytes(caseId)).eventCount).toBeGreaterThan(0);
  });

  it('regulated trade: the caseworker of group gewerbe approves, and the registration continues', async () => {
    const email = `erika.${run}.makler@example.org`;
    const body = anmeldung(email, { regulatedActivity: '34c', activity: 'Vermittlung von Wohnimmobilien', wzCode: '68310', name: 'Mustermann Immobilien' });
    const { caseId, caseNumber } = await submitAndPay(email, body, `ga-${run}-regulated`);

    const taskId = await eventually(async () => {
      const inbox = await get('gewerbe', `/tasks?scope=unassigned&caseId=${caseId}`);
      expect(inbox.status).toBe(200);
      return (inbox.body as { items: Array<{ taskId: string; type: string }> }).items.find((t) => t.type === 'gewerbe.review')?.taskId;
    }, 'the review task', 30_000);
    const task = await get('gewerbe', `/tasks/${taskId}`);
    expect(task.body).toMatchObject({ caseId, caseNumber, group: 'gewerbe', outcomes: ['approve', 'request_permit_proof', 'reject'], caseData: { grounds: expect.arrayContaining([expect.objectContaining({ code: '34c' })]) } });
    expect((await get('erika', `/cases/${caseId}`)).body.status).toBe('PROCESSING'); // waiting for the caseworker
    expect((await post('gewerbe', `/tasks/${taskId}/claim`)).status).toBe(200);
    expect((await post('gewerbe', `/tasks/${taskId}/complete`, { outcome: 'approve', data: { note: 'Erlaubnis nach § 34c liegt vor' } })).status).toBe(200);

    const view = await caseWhen('erika', caseId, (c) => c.status === 'COMPLETED', 'the registration');
    expect(view.decision).toMatchObject({ outcome: 'registered' });
    expect(view.documents.map((d) => d.name)).toContain(`Empfangsbescheinigung-${caseNumber}.pdf`);
    await eventually(async () => {
      const rows = await listDeliveries(stack.db.pool, caseId);
      return rows.length > 0 && rows.every((d) => d.status === 'delivered') && rows;
    }, 'the deliveries', 30_000);
  });

  it('a recipient failing three times then recovering, while the others are delivered first', async () => {
    stack.sandbox.addFault({ adapter: 'gewo14', recipient: 'finanzamt', fail: 'technical-3' });
    try {
      const email = `erika.${run}.flaky@example.org`;
      const { caseId } = await submitAndPay(email, anmeldung(email, { name: 'Buchbinderei Mustermann' }), `ga-${run}-flaky`);
      const rows = await eventually(async () => {
        const r = await listDeliveries(stack.db.pool, caseId);
        return r.length > 1 && r.every((d) => d.status === 'delivered') && r;
      }, 'all deliveries, the Finanzamt after its outage', 60_000);
      const fa = rows.find((r) => r.recipient === 'finanzamt')!;
      const others = rows.filter((r) => r.recipient !== 'finanzamt');
      expect(fa.attempts).toBe(4);
      for (const o of others) {
        expect(o.attempts).toBe(1);
        expect(Date.parse(o.deliveredAt!)).toBeLessThan(Date.parse(fa.deliveredAt!));
      }
      // one message at the Finanzamt despite four attempts
      expect(stack.sandbox.deliveries.filter((d) => d.caseId === caseId && d.recipient === 'finanzamt')).toHaveLength(1);
    } finally {
      stack.sandbox.clearFaults();
    }
  });

  it('registration failing for good: the fee is refunded at the provider and the citizen is told why', async () => {
    stack.sandbox.addFault({ adapter: 'gewerberegister', operation: 'submit', fail: 'business:INVALID_WZ_CODE' });
    try {
      const email = `erika.${run}.refund@example.org`;
      const { caseId, paymentId } = await submitAndPay(email, anmeldung(email, { name: 'Antiquariat Mustermann' }), `ga-${run}-refund`);
      const view = await caseWhen('erika', caseId, (c) => c.status === 'COMPLETED', 'the closing');
      expect(view.decision).toMatchObject({ outcome: 'registration_failed', refunded: true });
      expect(view.statusText).toContain('Wirtschaftszweig');
      expect(view.statusText).toContain('erstatten');
      expect(view.documents).toEqual([]); // no receipt

      const state = (await (await fetch(`${stack.sandbox.url}/sandbox/state`)).json()) as { payments: Array<{ paymentId: string; status: string }>; refunds: Array<{ paymentId: string; amount: string }> };
      expect(state.refunds.filter((r) => r.paymentId === paymentId)).toEqual([expect.objectContaining({ amount: '15.00' })]);
      expect(state.payments.find((p) => p.paymentId === paymentId)?.status).toBe('refunded');
      const told = await waitForMails((m) => mailsTo(email)(m) && (m.text ?? '').includes('nicht eingetragen'), { timeoutMs: 15_000 });
      expect(told).toHaveLength(1);
      expect(await listDeliveries(stack.db.pool, caseId)).toEqual([]);
    } finally {
      stack.sandbox.clearFaults();
    }
  });

  it('validates the body per field (422) before anything starts', async () => {
    const bad = await post('erika', '/applications/gewerbeanmeldung', { ...anmeldung('erika@example.org'), reason: 'weil' });
    expect(bad.status).toBe(422);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(bad.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ message: expect.any(String) })]));
    expect((await post('gewerbe', '/applications/gewerbeanmeldung', anmeldung('x@example.org'))).status).toBe(403);
  });
});
