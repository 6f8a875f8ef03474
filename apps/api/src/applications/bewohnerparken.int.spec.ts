import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { Principal } from '../../../../libs/auth/src/principal';
import { listRequests } from '../../../../libs/db/src/requests';
import { TASK_QUEUES } from '../../../../libs/domain/src/task-queues';
import { createTemporalClient } from '../../../../libs/temporal/src/connection';
import { fetchRawRecord, leaksIn } from '../../../../test/support/raw-history';
import { ENCODING_ENCRYPTED } from '../../../../libs/temporal/src/encryption-codec';
import { listMails, waitForMails } from '../../../../test/support/mail';
import type { SinkMail } from '../../../../test/support/mail';
import { testPayloadCodec } from '../../../../test/support/temporal';
import { caseWorkflowId } from '../../../../workflows/shared/case.contract';
import { TEST_PDF, startApplicationsStack } from '../testing/applications-stack';
import type { ApplicationsStack, CaseView } from '../testing/applications-stack';

// The Bewohnerparkausweis process end to end through the API: supertest on the in-process API,
// the run's Temporal dev server, in-process workers with the production wiring (createWorkers, real
// activities, encrypted payloads) on the platform queue, a fresh PostgreSQL database, the SMTP sink
// and the sandbox Fachverfahren (the permit register) over real HTTP.
/** Same server, no codec: sees what Temporal stores. */
let raw: Client;
let stack: ApplicationsStack<Who>;

const run = randomUUID().slice(0, 8);
const people = {
  erika: { sub: `citizen-erika-${run}`, roles: ['citizen'], trustLevel: 'basis', groups: [] },
  erikaEid: { sub: `citizen-erika-${run}`, roles: ['citizen'], trustLevel: 'substantiell', groups: [] },
  max: { sub: `citizen-max-${run}`, roles: ['citizen'], trustLevel: 'hoch', groups: [] },
  parken: { sub: `cw-parken-${run}`, roles: ['caseworker'], trustLevel: 'hoch', groups: ['parken'], office: 'ba-pankow' },
  wohngeld: { sub: `cw-wohngeld-${run}`, roles: ['caseworker'], trustLevel: 'hoch', groups: ['wohngeld-1'], office: 'ba-pankow' },
} satisfies Record<string, Principal>;
type Who = keyof typeof people;

beforeAll(async () => {
  stack = await startApplicationsStack({ dbPrefix: 'bewohnerparken', taskQueues: [TASK_QUEUES.platform], people });
  raw = await createTemporalClient(stack.temporal); // no codec
}, 180_000);

afterAll(async () => {
  await raw?.connection.close();
  await stack?.stop();
});

const http = () => stack.http();
const get = (who: Who, path: string) => stack.get(who, path);
const post = (who: Who, path: string, body?: object) => stack.post(who, path, body);

function application(email: string, overrides: Record<string, unknown> = {}) {
  return {
    applicant: { givenName: 'Erika', familyName: 'Mustermann', email, address: { street: 'Lychener Straße 12', postalCode: '10437', city: 'Berlin' } },
    vehicle: { licensePlate: 'b em 1961', registeredToApplicant: true },
    zone: 'Zone 31',
    ...overrides,
  };
}


const caseWhen = (who: Who, caseId: string, predicate: (c: CaseView) => boolean, what: string, timeoutMs?: number) => stack.caseWhen(who, caseId, predicate, what, timeoutMs);

const mailsTo = (to: string) => (m: SinkMail) => (m.to ?? []).some((t) => t.address === to);

describe('Bewohnerparkausweis through the API (real Temporal, PostgreSQL, SMTP and sandbox)', () => {
  it('submit with a basis login → eID identification → document request → upload → caseworker approves → permit issued', async () => {
    const email = `erika.${run}@example.org`;

    // --- submission: case number at once --------------------------------------------------------
    const submitted = await post('erika', '/applications/bewohnerparken', application(email)).set('Idempotency-Key', `bp-${run}-1`);
    expect(submitted.status).toBe(201);
    expect(submitted.body).toEqual({ caseId: expect.any(String), caseNumber: expect.stringMatching(new RegExp(`^BP-${new Date().getFullYear()}-\\d{6}$`)), status: 'SUBMITTED' });
    const { caseId, caseNumber } = submitted.body as { caseId: string; caseNumber: string };
    expect(caseNumber).toMatch(/-000001$/); // the first Bewohnerparken case of this database
    expect(submitted.headers.location).toBe(`/api/v1/cases/${caseId}`);
    // the same submission again (a retry): the same case, no second one
    const again = await post('erika', '/applications/bewohnerparken', application(email)).set('Idempotency-Key', `bp-${run}-1`);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(submitted.body);
    expect(again.headers['idempotent-replayed']).toBe('true');

    // --- identification: basis is not enough ------------------------------------------------------
    let view = await caseWhen('erika', caseId, (c) => c.status === 'ACTION_REQUIRED' && c.openRequests.some((r) => r.kind === 'identification'), 'the identification request');
    expect(view).toMatchObject({ caseNumber, type: 'bewohnerparken', status: 'ACTION_REQUIRED' });
    expect(view.statusText).toMatch(/^Bitte identifizieren Sie sich mit der eID-Funktion/);
    expect((await post('max', `/cases/${caseId}/identity`)).status).toBe(404); // not theirs
    const tooLow = await post('erika', `/cases/${caseId}/identity`);
    expect(tooLow.status).toBe(422);
    expect(tooLow.body).toMatchObject({ reason: 'trust_level_too_low', errors: [{ path: '/trust_level' }] });
    const identified = await post('erikaEid', `/cases/${caseId}/identity`);
    expect(identified.status).toBe(202);
    expect(identified.body).toEqual({ status: 'accepted', trustLevel: 'substantiell', requestId: view.openRequests[0]!.requestId });

    // --- the document request (Nachforderung) --------------------------------------------------------
    view = await caseWhen('erika', caseId, (c) => c.status === 'ACTION_REQUIRED' && c.openRequests.some((r) => r.kind === 'vehicle-registration'), 'the document request');
    expect(view.status).toBe('ACTION_REQUIRED');
    expect(view.openRequests).toEqual([{ requestId: expect.any(String), kind: 'vehicle-registration', text: expect.stringContaining('Zulassungsbescheinigung Teil I'), dueBy: expect.any(String) }]);
    const request = view.openRequests[0]!;
    const dueInDays = (Date.parse(request.dueBy!) - Date.now()) / 86_400_000;
    expect(dueInDays).toBeGreaterThan(13.99); // P14D, to the end of that day in Berlin
    expect(dueInDays).toBeLessThan(15.01);
    expect(view.statusText).toContain('Zulassungsbescheinigung Teil I');
    expect(view.statusText).toMatch(/bis zum \d{1,2}\. [A-ZÄa-zä]+ \d{4}/);
    expect((await post('erika', `/cases/${caseId}/identity`)).status).toBe(409); // nothing to identify any more

    const upload = await http()
      .post(`/api/v1/cases/${caseId}/documents`)
      .set('Authorization', `Bearer ${stack.tokens.erika}`)
      .field('requestId', request.requestId)
      .attach('file', TEST_PDF, { filename: 'Fahrzeugschein.pdf', contentType: 'application/pdf' });
    expect(upload.status).toBe(201);
    view = await caseWhen('erika', caseId, (c) => c.openRequests.length === 0 && c.status === 'PROCESSING', 'the request to be fulfilled');
    expect(view.documents).toEqual([expect.objectContaining({ documentId: upload.body.documentId, name: 'Fahrzeugschein.pdf', mediaType: 'application/pdf', requestId: request.requestId })]);

    // --- the caseworker of group parken --------------------------------------------------------------
    let taskId: string | undefined;
    for (let i = 0; i < 200 && !taskId; i++) {
      const inbox = await get('parken', `/tasks?scope=unassigned&caseId=${caseId}`);
      expect(inbox.status).toBe(200);
      taskId = (inbox.body as { items: Array<{ taskId: string }> }).items[0]?.taskId;
      if (!taskId) await new Promise((r) => setTimeout(r, 100));
    }
    expect(taskId).toBeDefined();
    expect((await get('wohngeld', `/tasks?scope=unassigned&caseId=${caseId}`)).body.items).toEqual([]); // another group's inbox
    const task = await get('parken', `/tasks/${taskId}`);
    expect(task.status).toBe(200);
    expect(task.body).toMatchObject({
      caseId,
      caseNumber,
      type: 'bewohnerparken.review',
      group: 'parken',
      outcomes: ['approve', 'reject'],
      formSchema: { type: 'object', properties: { reason: { type: 'string' } } },
      caseData: { zone: 'Zone 31', trustLevel: 'substantiell', documentsComplete: true, vehicle: { licensePlate: 'B-EM 1961' }, applicant: { familyName: 'Mustermann' } },
    });
    expect((await post('parken', `/tasks/${taskId}/claim`)).status).toBe(200);
    const done = await post('parken', `/tasks/${taskId}/complete`, { outcome: 'approve', data: { note: 'Meldeadresse in Zone 31 bestätigt' } });
    expect(done.status).toBe(200);

    // --- decided: the permit register got it, the case is COMPLETED --------------------------------
    view = await caseWhen('erika', caseId, (c) => c.status === 'COMPLETED', 'completion');
    expect(view.decision).toMatchObject({ outcome: 'approved', zone: 'Zone 31', permitNumber: expect.stringMatching(/^BPA-\d{4}-[0-9A-F]{8}$/), validFrom: expect.any(String), validUntil: expect.any(String) });
    const state = (await (await fetch(`${stack.sandbox.url}/sandbox/state`)).json()) as { submissions: Array<{ adapter: string; caseId: string; step: string; kind: string; status: string; externalId: string }> };
    expect(state.submissions.filter((s) => s.caseId === caseId)).toEqual([
      expect.objectContaining({ adapter: 'parkausweis', step: 'permit', kind: 'bewohnerparkausweis', status: 'completed', externalId: view.decision!.permitNumber }),
    ]);
    // withdrawing after the decision is refused
    expect((await post('erika', `/cases/${caseId}/withdraw`)).status).toBe(409);

    // --- what the citizen reads ------------------------------------------------------------------------
    expect(view.timeline.map((e) => e.status)).toEqual(['SUBMITTED', 'RECEIVED', 'ACTION_REQUIRED', 'PROCESSING', 'ACTION_REQUIRED', 'PROCESSING', 'COMPLETED']);
    const texts = view.timeline.map((e) => e.text);
    expect(texts[0]).toBe('Ihr Antrag ist bei uns eingegangen.');
    expect(texts[1]).toBe(`Ihr Antrag auf einen Bewohnerparkausweis für die Zone 31 ist eingegangen (Aktenzeichen ${caseNumber}). Wir prüfen ihn jetzt.`);
    expect(texts[2]).toMatch(/^Bitte identifizieren Sie sich mit der eID-Funktion .*Vertrauensniveau „substantiell“ nötig; Ihre bisherige Anmeldung hat das Vertrauensniveau „basis“/);
    expect(texts[3]).toBe('Vielen Dank, Sie haben sich erfolgreich identifiziert (Vertrauensniveau „substantiell“). Wir bearbeiten Ihren Antrag weiter.');
    expect(texts[4]).toMatch(/^Für die weitere Bearbeitung Ihres Antrags benötigen wir noch folgende Unterlage:\n– Zulassungsbescheinigung Teil I/);
    expect(texts[5]).toBe('Vielen Dank, Ihre Unterlagen sind eingegangen. Wir bearbeiten Ihren Antrag weiter.');
    expect(texts[6]).toMatch(new RegExp(`^Ihr Bewohnerparkausweis für die Zone 31 ist erteilt \\(Ausweisnummer ${String(view.decision!.permitNumber)}, gültig vom \\d{1,2}\\. \\S+ \\d{4} bis \\d{1,2}\\. \\S+ \\d{4}\\)`));
    expect(texts.join('\n')).not.toMatch(/Ausweisregister|Meldeadresse|Frist zum/); // internal entries and notes stay internal

    // --- the mails: receipt, identification, documents, decision — once each -----------------------
    const mails = await waitForMails(mailsTo(email), { count: 4 });
    await new Promise((r) => setTimeout(r, 1000));
    const all = (await listMails()).filter(mailsTo(email));
    expect(all).toHaveLength(4);
    expect(new Set(all.map((m) => m.messageId)).size).toBe(4);
    expect(mails.every((m) => m.subject === `Ihr Antrag ${caseNumber}: Neuigkeiten / Your application ${caseNumber}: update`)).toBe(true);
    const bodies = all.map((m) => m.text ?? '');
    expect(bodies.filter((t) => t.includes('Ihr Antrag auf einen Bewohnerparkausweis für die Zone 31 ist eingegangen'))).toHaveLength(1);
    expect(bodies.filter((t) => t.includes('Bitte identifizieren Sie sich'))).toHaveLength(1);
    expect(bodies.filter((t) => t.includes('Zulassungsbescheinigung Teil I') && t.includes('bis zum'))).toHaveLength(1);
    expect(bodies.filter((t) => t.includes('Ihr Bewohnerparkausweis für die Zone 31 ist erteilt'))).toHaveLength(1);

    // --- requests and audit trail in PostgreSQL ------------------------------------------------------
    const requests = await listRequests(stack.db.pool, caseId);
    expect(requests.map((r) => [r.key, r.kind, r.status])).toEqual([
      ['identification', 'identification', 'fulfilled'],
      ['vehicle-documents', 'vehicle-registration', 'fulfilled'],
    ]);

    // --- the raw Temporal history carries no personal data in clear text -----------------------------
    const history = await fetchRawRecord(raw, stack.temporal.namespace, caseWorkflowId(caseId));
    expect(history.bytes.includes(Buffer.from('bewohnerparkenWorkflow'))).toBe(true); // the search works on these bytes
    expect(history.payloads.length).toBeGreaterThan(10);
    expect(history.payloads.filter((p) => Buffer.from(p.metadata?.encoding ?? []).toString('utf8') !== ENCODING_ENCRYPTED)).toEqual([]);
    const personal = ['Erika', 'Mustermann', 'Lychener Straße', 'Lychener Stra', email, people.erika.sub, 'B-EM 1961'];
    expect(leaksIn(history.bytes, personal)).toEqual([]);
    // ... although they are in there, encrypted: decoded with the key, the payloads hold them all
    const decoded = Buffer.concat((await testPayloadCodec().decode(history.payloads as Payload[])).map((p) => Buffer.from(p.data ?? [])));
    expect(leaksIn(decoded, personal)).toEqual(expect.arrayContaining(personal));
  });

  it('validates the body per field, and only citizens apply', async () => {
    const bad = await post('max', '/applications/bewohnerparken', {
      applicant: { givenName: 'Max', familyName: '', email: 'not-an-email', address: { street: 'Hauptstraße 1', postalCode: '80331', city: 'München' } },
      vehicle: { licensePlate: 'XYZ', registeredToApplicant: true },
      zone: 'Nordstadt',
    });
    expect(bad.status).toBe(422);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((bad.body as { errors: Array<{ path: string }> }).errors.map((e) => e.path).sort()).toEqual(
      ['/applicant/address/city', '/applicant/address/postalCode', '/applicant/email', '/applicant/familyName', '/vehicle/licensePlate', '/zone'].sort(),
    );
    expect((await post('max', '/applications/bewohnerparken', { ...application('max@example.org'), vehicle: { licensePlate: 'B-MM 1', registeredToApplicant: 'ja' } })).status).toBe(400);
    expect((await post('parken', '/applications/bewohnerparken', application('x@example.org'))).status).toBe(403);
    expect((await http().post('/api/v1/applications/bewohnerparken').send(application('x@example.org'))).status).toBe(401);
  });

  it('withdrawal while documents are requested: WITHDRAWN, the request cancelled, the process ended', async () => {
    const email = `max.${run}@example.org`;
    const submitted = await post('max', '/applications/bewohnerparken', application(email, { vehicle: { licensePlate: 'B-MM 2024E', registeredToApplicant: false } }));
    expect(submitted.status).toBe(201);
    const { caseId } = submitted.body as { caseId: string };
    // hoch login: no identification; car not registered to the applicant: two documents
    const view = await caseWhen('max', caseId, (c) => c.status === 'ACTION_REQUIRED' && c.openRequests.length === 2, 'the document requests');
    expect(view.openRequests.map((r) => r.kind).sort()).toEqual(['vehicle-registration', 'vehicle-use-permission']);
    expect((await post('erika', `/cases/${caseId}/withdraw`)).status).toBe(404);

    const withdrawn = await post('max', `/cases/${caseId}/withdraw`);
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toEqual({ status: 'WITHDRAWN' });
    const after = await caseWhen('max', caseId, (c) => c.status === 'WITHDRAWN' && c.openRequests.length === 0, 'withdrawal');
    expect(after.timeline.filter((e) => e.status === 'WITHDRAWN')).toHaveLength(1);
    const handle = raw.workflow.getHandle(caseWorkflowId(caseId));
    for (let i = 0; i < 100 && (await handle.describe()).status.name === 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    expect((await listRequests(stack.db.pool, caseId)).map((r) => r.status)).toEqual(['cancelled', 'cancelled']);
    // the upload endpoint refuses a closed case
    const late = await http()
      .post(`/api/v1/cases/${caseId}/documents`)
      .set('Authorization', `Bearer ${stack.tokens.max}`)
      .field('requestId', view.openRequests[0]!.requestId)
      .attach('file', TEST_PDF, { filename: 'spaet.pdf', contentType: 'application/pdf' });
    expect(late.status).toBe(409);
    await waitForMails(mailsTo(email), { count: 3 }); // receipt, documents, withdrawal
  });
});
