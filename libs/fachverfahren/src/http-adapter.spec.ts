import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../config/src/config';
import { signatureHeadersOf, verifySignature } from './callback-signature';
import { AdapterBusinessError, AdapterTechnicalError } from './errors';
import { HttpPaymentAdapter, HttpSubmissionAdapter, parseRetryAfter } from './http-adapter';
import { idempotencyKey } from './idempotency';
import { AdapterKindError, UnknownAdapterError, createAdapterRegistry } from './registry';

const SECRET = 'http-adapter-test-secret-0123456789abcdef';

/** A scripted remote on 127.0.0.1: each test sets `reply`; every request is recorded. */
let server: Server;
let base: string;
let reply: (req: IncomingMessage, body: string, res: ServerResponse) => void;
const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string; signatureOk: boolean }[] = [];

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const { timestamp, signature } = signatureHeadersOf(req.headers);
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body, signatureOk: verifySignature({ secrets: [SECRET], rawBody: body, timestamp, signature }).ok });
      reply(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fv/test`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  seen.length = 0;
});

const submission = (extra: Partial<ConstructorParameters<typeof HttpSubmissionAdapter>[0]> = {}) => new HttpSubmissionAdapter({ name: 'test', baseUrl: base, secret: SECRET, timeoutMs: 2_000, ...extra });
const req = { caseId: 'WG-2026-000123', step: 'payment-instruction', kind: 'wohngeld-payment-instruction', payload: { iban: 'DE89370400440532013000' } };

async function thrown(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    (v) => {
      throw new Error(`expected a failure, got ${JSON.stringify(v)}`);
    },
    (e: unknown) => e,
  );
}

describe('reference HTTP adapter', () => {
  it('posts the submission as signed JSON with the idempotency key of (caseId, step)', async () => {
    reply = (_q, _b, res) => json(res, 201, { externalId: 'ZA-1', status: 'accepted', simulator: true });
    await expect(submission().submit(req)).resolves.toEqual({ externalId: 'ZA-1', status: 'accepted' });
    const [r] = seen;
    expect(r).toMatchObject({ method: 'POST', url: '/fv/test/submissions', signatureOk: true });
    expect(r!.headers['idempotency-key']).toBe(idempotencyKey(req.caseId, req.step));
    expect(r!.headers['idempotency-key']).toMatch(/^aw1-[0-9a-f]{64}$/);
    expect(JSON.parse(r!.body)).toEqual({ caseId: req.caseId, step: req.step, kind: req.kind, payload: req.payload });
  });

  it('maps 4xx answers to AdapterBusinessError with the remote code (or a fallback per status)', async () => {
    reply = (_q, _b, res) => json(res, 422, { code: 'INVALID_IBAN', message: 'The IBAN is not valid.' });
    const e1 = await thrown(submission().submit(req));
    expect(e1).toBeInstanceOf(AdapterBusinessError);
    expect(e1).toMatchObject({ code: 'INVALID_IBAN', message: 'The IBAN is not valid.', retryable: false });

    reply = (_q, _b, res) => json(res, 404, undefined);
    expect(await thrown(submission().status('nope'))).toMatchObject({ name: 'AdapterBusinessError', code: 'NOT_FOUND' });
    reply = (_q, _b, res) => json(res, 409, { message: 'completed' });
    expect(await thrown(submission().cancel({ ...req, externalId: 'ZA-1' }))).toMatchObject({ name: 'AdapterBusinessError', code: 'CONFLICT' });
    reply = (_q, _b, res) => json(res, 400, { code: 'bad request!' });
    expect(await thrown(submission().submit(req))).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('maps 5xx, 429, 401 and unreadable answers to AdapterTechnicalError, keeping Retry-After', async () => {
    reply = (_q, _b, res) => json(res, 503, { code: 'DOWN' }, { 'Retry-After': '7' });
    const e = await thrown(submission().submit(req));
    expect(e).toBeInstanceOf(AdapterTechnicalError);
    expect(e).toMatchObject({ status: 503, retryAfterMs: 7000, reason: 'HTTP_5XX', retryable: true });

    reply = (_q, _b, res) => json(res, 429, {});
    expect(await thrown(submission().submit(req))).toMatchObject({ name: 'AdapterTechnicalError', reason: 'RATE_LIMITED' });
    reply = (_q, _b, res) => json(res, 401, { code: 'UNAUTHENTICATED' });
    expect(await thrown(submission().submit(req))).toMatchObject({ name: 'AdapterTechnicalError', reason: 'AUTH' });
    reply = (_q, _b, res) => json(res, 200, { nonsense: true });
    expect(await thrown(submission().submit(req))).toMatchObject({ name: 'AdapterTechnicalError', reason: 'PROTOCOL' });
    reply = (_q, _b, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html>gateway login</html>');
    };
    expect(await thrown(submission().submit(req))).toMatchObject({ name: 'AdapterTechnicalError', reason: 'PROTOCOL' });
  });

  it('maps a timeout and a refused connection to AdapterTechnicalError, and health() reports them', async () => {
    reply = () => undefined; // never answers
    const slow = submission({ timeoutMs: 150 });
    const t = Date.now();
    expect(await thrown(slow.submit(req))).toMatchObject({ name: 'AdapterTechnicalError', reason: 'TIMEOUT' });
    expect(Date.now() - t).toBeLessThan(2_000);
    expect(await slow.health()).toEqual({ healthy: false, lastError: 'test: GET /health timed out' });

    const refused = submission({ baseUrl: 'http://127.0.0.1:1/fv/test' });
    expect(await thrown(refused.submit(req))).toMatchObject({ name: 'AdapterTechnicalError', reason: 'NETWORK' });
    expect((await refused.health()).healthy).toBe(false);

    reply = (_q, _b, res) => json(res, 200, { status: 'ok' });
    const ok = await slow.health();
    expect(ok.healthy).toBe(true);
    expect(ok.lastError).toMatch(/^test: GET \/health timed out/); // the last error stays visible until a call succeeds
  });

  it('speaks the payment capability: start, status, refund', async () => {
    const pay = new HttpPaymentAdapter({ name: 'test', baseUrl: base, secret: SECRET });
    reply = (q, _b, res) => {
      if (q.url === '/fv/test/payments') return json(res, 201, { paymentId: 'pay_1', redirectUrl: 'http://127.0.0.1:1/pay/pay_1', status: 'created' });
      if (q.url === '/fv/test/payments/pay_1') return json(res, 200, { paymentId: 'pay_1', status: 'paid', amount: '15.00', paidAt: '2026-01-01T10:00:00Z' });
      return json(res, 201, { refundId: 're_1', paymentId: 'pay_1', status: 'refunded', amount: '15.00' });
    };
    await expect(pay.startPayment({ caseId: 'GA-2026-000007', step: 'fee', amount: '15.00', purpose: 'Gewerbeanmeldung', returnUrl: 'http://localhost:3000/x' })).resolves.toMatchObject({
      paymentId: 'pay_1',
    });
    expect(JSON.parse(seen[0]!.body)).toMatchObject({ amount: '15.00', currency: 'EUR' });
    await expect(pay.status('pay_1')).resolves.toMatchObject({ status: 'paid' });
    await expect(pay.refund({ caseId: 'GA-2026-000007', step: 'fee-refund', paymentId: 'pay_1', reason: 'registration failed' })).resolves.toMatchObject({ refundId: 're_1' });
    expect(seen[2]!.headers['idempotency-key']).toBe(idempotencyKey('GA-2026-000007', 'fee-refund'));
    await expect(pay.startPayment({ caseId: 'GA-2026-000007', step: 'fee', amount: '15', purpose: 'x', returnUrl: 'http://x' })).rejects.toThrow(TypeError);
  });

  it('refuses malformed case references before calling anyone', async () => {
    await expect(submission().submit({ ...req, step: 'has spaces' })).rejects.toThrow(TypeError);
    await expect(submission().submit({ ...req, caseId: '' })).rejects.toThrow(TypeError);
    expect(seen).toHaveLength(0);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe('adapter registry', () => {
  it('defaults to the sandbox adapters on SANDBOX_PORT', () => {
    const registry = createAdapterRegistry(loadConfig({ SANDBOX_PORT: '4999' }));
    expect(registry.names()).toEqual(['wohngeld', 'gewerberegister', 'gewo14', 'parkausweis', 'epayment']);
    expect(registry.payment('epayment').kind).toBe('payment');
    expect(registry.configOf('wohngeld')?.baseUrl).toBe('http://127.0.0.1:4999/fv/wohngeld');
    expect(() => registry.submission('epayment')).toThrow(AdapterKindError);
    expect(() => registry.get('nope')).toThrow(UnknownAdapterError);
  });

  it('builds adapters from FACHVERFAHREN_ADAPTERS and lists their health', async () => {
    reply = (_q, _b, res) => json(res, 200, { status: 'ok' });
    const adapters = [
      { name: 'register', kind: 'submission', baseUrl: base, secret: SECRET, previousSecret: `${SECRET}-old` },
      { name: 'broken', kind: 'payment', type: 'http', baseUrl: 'http://127.0.0.1:1/x', secret: SECRET },
    ];
    const registry = createAdapterRegistry(loadConfig({ FACHVERFAHREN_ADAPTERS: JSON.stringify(adapters) }));
    expect(registry.secretsOf('register')).toEqual([SECRET, `${SECRET}-old`]);
    expect(registry.secretsOf('nope')).toBeUndefined();
    const list = await registry.list(2_000);
    expect(list).toEqual([
      { name: 'register', kind: 'submission', healthy: true },
      { name: 'broken', kind: 'payment', healthy: false, lastError: expect.stringMatching(/^broken: GET \/health failed/) },
    ]);
  });

  it('refuses bad configuration at boot', () => {
    expect(() => loadConfig({ FACHVERFAHREN_ADAPTERS: '[{' })).toThrow(/FACHVERFAHREN_ADAPTERS: must be a JSON array/);
    expect(() => loadConfig({ FACHVERFAHREN_ADAPTERS: JSON.stringify([{ name: 'x', kind: 'submission', baseUrl: base, secret: 'short' }]) })).toThrow(/FACHVERFAHREN_ADAPTERS\.0\.secret/);
    expect(() => loadConfig({ FACHVERFAHREN_ADAPTERS: JSON.stringify([{ name: 'x', kind: 'submission', baseUrl: base, secret: SECRET, typo: 1 }]) })).toThrow(/typo/);
    const dup = { name: 'x', kind: 'submission', baseUrl: base, secret: SECRET };
    expect(() => loadConfig({ FACHVERFAHREN_ADAPTERS: JSON.stringify([dup, dup]) })).toThrow(/unique/);
    expect(() => createAdapterRegistry(loadConfig({ FACHVERFAHREN_ADAPTERS: JSON.stringify([{ ...dup, type: 'xta' }]) }))).toThrow(/unknown type "xta"/);
    expect(() => createAdapterRegistry(loadConfig({ FACHVERFAHREN_ADAPTERS: JSON.stringify([{ name: 'x', kind: 'submission', secret: SECRET }]) }))).toThrow(/needs a baseUrl/);
    expect(() => loadConfig({ NODE_ENV: 'production', AUTH_MODE: 'oidc', OIDC_ISSUER: 'https://id.example', OIDC_AUDIENCE: 'a', PAYLOAD_KEYS: 'k:x' })).toThrow(
      /FACHVERFAHREN_ADAPTERS: required in production/,
    );
  });
});
