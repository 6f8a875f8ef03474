import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signatureHeadersOf, verifySignature } from '../../../libs/fachverfahren/src/callback-signature';
import { httpContractFixture } from '../../../libs/fachverfahren/src/contract-kit/http-fixture';
import { formatReport } from '../../../libs/fachverfahren/src/contract-kit/report';
import { runContractSuite } from '../../../libs/fachverfahren/src/contract-kit/suite';
import { AdapterBusinessError, AdapterTechnicalError } from '../../../libs/fachverfahren/src/errors';
import { HttpPaymentAdapter, HttpSubmissionAdapter } from '../../../libs/fachverfahren/src/http-adapter';
import { inboundCallbackSchema } from '../../../libs/fachverfahren/src/inbound';
import { startSandbox } from './sandbox';
import type { RunningSandbox } from './sandbox';

const SECRET = 'sandbox-test-secret-0123456789-abcdefghij';

/** Plays the amtsweg API's callback endpoint: verifies signatures, records bodies, answers `status()`. */
let receiver: Server;
let receiverUrl: string;
let receiverStatus: () => number = () => 202;
const received: { body: Record<string, unknown>; signatureOk: boolean; url: string }[] = [];

let sandbox: RunningSandbox;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const { timestamp, signature } = signatureHeadersOf(req.headers);
      received.push({ body: JSON.parse(raw.toString('utf8')) as Record<string, unknown>, signatureOk: verifySignature({ secrets: [SECRET], rawBody: raw, timestamp, signature }).ok, url: req.url! });
      res.writeHead(receiverStatus()).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  sandbox = await startSandbox({ port: 0, defaultSecret: SECRET, callbackUrl: receiverUrl, delayMs: [0, 5], completionDelayMs: 100 });
});
afterAll(async () => {
  await sandbox?.stop();
  receiver?.closeAllConnections();
  await new Promise((r) => receiver?.close(r));
});

const cfg = (name: string) => ({ name, baseUrl: `${sandbox.url}/fv/${name}`, secret: SECRET, timeoutMs: 3_000 });
const submissions = (name = 'wohngeld') => new HttpSubmissionAdapter(cfg(name));
const payments = () => new HttpPaymentAdapter(cfg('epayment'));

async function until<T>(fn: () => T | undefined, ms = 5_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the contract kit against the reference HTTP adapter and the sandbox', () => {
  it('passes for a submission adapter', async () => {
    const report = await runContractSuite(httpContractFixture({ ...cfg('gewo14'), kind: 'submission' }));
    expect(report.checks.filter((c) => c.status !== 'passed')).toEqual([]);
    expect(report.passed).toBe(true);
    expect(formatReport(report)).toMatch(/^PASSED: 11 of 11 checks passed/m);
  });

  it('passes for the payment adapter', async () => {
    const report = await runContractSuite(httpContractFixture({ ...cfg('epayment'), kind: 'payment' }));
    expect(report.checks.filter((c) => c.status !== 'passed')).toEqual([]);
  });

  it('fails when the adapter talks to the sandbox with the wrong secret', async () => {
    const report = await runContractSuite(httpContractFixture({ ...cfg('gewo14'), secret: 'not-the-sandbox-secret-0123456789abcdef', kind: 'submission' }));
    expect(report.passed).toBe(false);
    expect(report.checks.find((c) => c.name.startsWith('submit() returns'))?.detail).toMatch(/AdapterTechnicalError: gewo14: POST \/submissions answered 401/);
  });
});

describe('sandbox Fachverfahren simulator', () => {
  it('says it is a simulator in every answer', async () => {
    const res = await fetch(`${sandbox.url}/health`);
    expect(res.headers.get('x-simulator')).toBe('amtsweg-sandbox');
    expect(await res.json()).toMatchObject({ simulator: true, notice: expect.stringMatching(/SIMULATOR/) });
  });

  it('rejects a Wohngeld payment instruction with an invalid IBAN as a business error', async () => {
    const e = await submissions()
      .submit({ caseId: 'WG-2026-000001', step: 'payment-instruction', kind: 'wohngeld-payment-instruction', payload: { iban: 'DE00370400440532013000', monthlyAmount: 120 } })
      .catch((err: unknown) => err);
    expect(e).toBeInstanceOf(AdapterBusinessError);
    expect(e).toMatchObject({ code: 'INVALID_IBAN' });
  });

  it('books a valid payment instruction later and sends a signed submission.completed callback', async () => {
    const a = submissions();
    const r = await a.submit({
      caseId: 'WG-2026-000002',
      step: 'payment-instruction',
      kind: 'wohngeld-payment-instruction',
      payload: { iban: 'DE89 3704 0044 0532 0130 00', monthlyAmount: 183, approvalFrom: '2026-03-01', approvalTo: '2027-02-28' },
    });
    expect(r.status).toBe('accepted');
    const cb = await until(() => received.find((c) => c.body.externalId === r.externalId));
    expect(cb.signatureOk).toBe(true);
    expect(cb.url).toBe('/api/v1/integrations/wohngeld/callbacks');
    expect(inboundCallbackSchema.safeParse(cb.body).success).toBe(true);
    expect(cb.body).toMatchObject({ event: 'submission.completed', caseId: 'WG-2026-000002', step: 'payment-instruction', simulator: true, data: { result: { kassenzeichen: expect.any(String) } } });
    expect(await a.status(r.externalId)).toMatchObject({ status: 'completed' });
    await expect(a.cancel({ caseId: 'WG-2026-000002', step: 'payment-instruction', externalId: r.externalId })).rejects.toMatchObject({ code: 'NOT_CANCELLABLE' });
  });

  it('registers a business in the Gewerberegister at once', async () => {
    const r = await submissions('gewerberegister').submit({
      caseId: 'GA-2026-000001',
      step: 'registration',
      kind: 'gewerberegister-registration',
      payload: { business: { name: 'Bücherstube Mitte', wzCode: '47610' } },
    });
    expect(r).toMatchObject({ status: 'completed', externalId: expect.stringMatching(/^GR-\d{4}-/) });
  });

  it('refuses another request under an idempotency key already used', async () => {
    const a = submissions('gewo14');
    const ref = { caseId: 'GA-2026-000002', step: 'gewo14-delivery:finanzamt', kind: 'gewo14-delivery' };
    await a.submit({ ...ref, payload: { recipient: 'finanzamt', message: '<a/>' } });
    await expect(a.submit({ ...ref, payload: { recipient: 'finanzamt', message: '<b/>' } })).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('fails one § 14 recipient three times by rule, then recovers; other recipients are unaffected', async () => {
    sandbox.addFault({ adapter: 'gewo14', recipient: 'ihk', fail: 'technical-3' });
    try {
      const a = submissions('gewo14');
      const deliver = (recipient: string) =>
        a.submit({ caseId: 'GA-2026-000003', step: `gewo14-delivery:${recipient}`, kind: 'gewo14-delivery', payload: { recipient, message: '<GewerbeAnzeige/>' } });
      await expect(deliver('finanzamt')).resolves.toMatchObject({ status: 'completed' });
      for (let i = 0; i < 3; i++) await expect(deliver('ihk')).rejects.toBeInstanceOf(AdapterTechnicalError);
      await expect(deliver('ihk')).resolves.toMatchObject({ status: 'completed' });
    } finally {
      sandbox.clearFaults();
    }
  });

  it('refuses unsigned requests', async () => {
    const res = await fetch(`${sandbox.url}/fv/wohngeld/submissions`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'k' }, body: '{}' });
    expect(res.status).toBe(401);
  });

  it('plays the payment provider: redirect page, pay, one signed callback, return to amtsweg, refund', async () => {
    const p = payments();
    const start = await p.startPayment({ caseId: 'GA-2026-000004', step: 'fee', amount: '15.00', purpose: 'Gewerbeanmeldung GA-2026-000004', returnUrl: 'http://localhost:3000/return?x=1' });
    const page = await fetch(start.redirectUrl);
    const html = await page.text();
    expect(html).toMatch(/SIMULATOR/);
    expect(html).toMatch(/15,00 €/);

    const pay = () => fetch(start.redirectUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'outcome=paid', redirect: 'manual' });
    const res = await pay();
    expect(res.status).toBe(303);
    const back = new URL(res.headers.get('location')!);
    expect(back.origin + back.pathname).toBe('http://localhost:3000/return');
    expect(back.searchParams.get('paymentId')).toBe(start.paymentId);
    expect(back.searchParams.get('status')).toBe('paid');
    await pay(); // pressed twice

    await sandbox.idle();
    const paid = received.filter((c) => c.body.externalId === start.paymentId && c.body.event === 'payment.paid');
    expect(paid).toHaveLength(1);
    expect(paid[0]).toMatchObject({ signatureOk: true, url: '/api/v1/integrations/epayment/callbacks', body: { caseId: 'GA-2026-000004', step: 'fee', data: { amount: '15.00' } } });

    expect(await p.status(start.paymentId)).toMatchObject({ status: 'paid', amount: '15.00' });
    const refund = await p.refund({ caseId: 'GA-2026-000004', step: 'fee-refund', paymentId: start.paymentId, reason: 'registration failed' });
    expect(refund).toMatchObject({ status: 'refunded', amount: '15.00' });
    expect(await p.status(start.paymentId)).toMatchObject({ status: 'refunded', refunded: '15.00' });
    await expect(p.refund({ caseId: 'GA-2026-000004', step: 'fee-refund-2', paymentId: start.paymentId, reason: 'again' })).rejects.toMatchObject({ code: 'ALREADY_REFUNDED' });
  });

  it('retries a callback amtsweg does not accept yet, with the same callbackId', async () => {
    let calls = 0;
    receiverStatus = () => (++calls <= 2 ? 503 : 202);
    try {
      const r = await submissions().submit({ caseId: 'WG-2026-000003', step: 'payment-instruction', kind: 'wohngeld-payment-instruction', payload: { iban: 'DE89370400440532013000', monthlyAmount: 50 } });
      await until(() => sandbox.callbacks.find((c) => c.externalId === r.externalId && c.outcome === 'delivered'), 10_000);
      const bodies = received.filter((c) => c.body.externalId === r.externalId);
      expect(bodies).toHaveLength(3);
      expect(new Set(bodies.map((b) => b.body.callbackId)).size).toBe(1);
    } finally {
      receiverStatus = () => 202;
    }
  });
});
