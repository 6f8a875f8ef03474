import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { startSandbox } from '../../apps/sandbox/src/sandbox';
import type { RunningSandbox } from '../../apps/sandbox/src/sandbox';
import type { SubmissionAdapter } from '../../libs/fachverfahren/src/adapter';
import { AdapterBusinessError, AdapterTechnicalError, FV_FAILURE_PREFIX, FV_TECHNICAL_FAILURE_TYPE } from '../../libs/fachverfahren/src/errors';
import { HttpPaymentAdapter, HttpSubmissionAdapter } from '../../libs/fachverfahren/src/http-adapter';
import { idempotencyKey } from '../../libs/fachverfahren/src/idempotency';
import { AdapterRegistry } from '../../libs/fachverfahren/src/registry';
import { PgAdapterCallStore } from '../../libs/fachverfahren/src/stores';
import { createTestDatabase } from '../../test/support/db';
import type { TestDatabase } from '../../test/support/db';
import * as contract from '../../workflows/shared/fachverfahren.contract';
import { createFachverfahrenActivities, FV_FAILURES } from './index';

const SECRET = 'activities-test-secret-0123456789-abcdef';

/** A submission adapter whose next answer the test decides. */
class ScriptedAdapter implements SubmissionAdapter {
  readonly kind = 'submission' as const;
  next: () => Promise<{ externalId: string; status: 'accepted' }> = async () => ({ externalId: 'EXT-1', status: 'accepted' });
  constructor(readonly name: string) {}
  async health() {
    return { healthy: true };
  }
  submit() {
    return this.next();
  }
  async status(externalId: string) {
    return { externalId, status: 'completed' as const };
  }
  async cancel(req: { externalId: string }) {
    return { externalId: req.externalId, status: 'cancelled' as const };
  }
}

let db: TestDatabase;
let sandbox: RunningSandbox;
const scripted = new ScriptedAdapter('scripted');
let activities: ReturnType<typeof createFachverfahrenActivities>;
const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
/** Runs activities as if called by `workflowId`, attempt `attempt`. */
const env = (workflowId = 'wohngeld-wf-1', attempt = 1) => {
  const mock = new MockActivityEnvironment({ workflowExecution: { workflowId, runId: 'run-1' }, attempt, activityType: 'fvSubmit' } as never, { logger: quiet });
  return { run: <I, R>(fn: (input: I) => Promise<R>, input: I): Promise<R> => mock.run(fn, input) as Promise<R> };
};

beforeAll(async () => {
  db = await createTestDatabase('fv_activities');
  sandbox = await startSandbox({ port: 0, defaultSecret: SECRET, delayMs: [0, 2], completionDelayMs: 10_000 });
  const registry = new AdapterRegistry()
    .register(scripted, [SECRET])
    .register(new HttpSubmissionAdapter({ name: 'wohngeld', baseUrl: `${sandbox.url}/fv/wohngeld`, secret: SECRET, timeoutMs: 2_000 }), [SECRET])
    .register(new HttpPaymentAdapter({ name: 'epayment', baseUrl: `${sandbox.url}/fv/epayment`, secret: SECRET, timeoutMs: 2_000 }), [SECRET]);
  activities = createFachverfahrenActivities({ registry, calls: new PgAdapterCallStore(db.pool) });
});
afterAll(async () => {
  await sandbox?.stop();
  await db?.drop();
});

async function failureOf(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    (v) => {
      throw new Error(`expected a failure, got ${JSON.stringify(v)}`);
    },
    (e: unknown) => e,
  );
}

const submitInput = (step: string, adapter = 'scripted') => ({ adapter, caseId: 'WG-2026-000042', step, kind: 'wohngeld-payment-instruction', payload: { iban: 'DE89370400440532013000', monthlyAmount: 183 } });

describe('Fachverfahren activities', () => {
  it('turns a business rejection into a non-retryable ApplicationFailure FV_<CODE>', async () => {
    scripted.next = () => Promise.reject(new AdapterBusinessError('INVALID_IBAN', 'The IBAN is not valid.', { field: 'iban' }));
    const e = await failureOf(env().run(activities.fvSubmit, submitInput('business')));
    expect(e).toBeInstanceOf(ApplicationFailure);
    expect(e).toMatchObject({ type: 'FV_INVALID_IBAN', nonRetryable: true, message: 'The IBAN is not valid.', details: [{ adapter: 'scripted', code: 'INVALID_IBAN', details: { field: 'iban' } }] });
  });

  it('leaves a technical fault a plain (retryable) error of type AdapterTechnicalError', async () => {
    scripted.next = () => Promise.reject(new AdapterTechnicalError('scripted: POST /submissions answered 503', { status: 503, reason: 'HTTP_5XX' }));
    const e = await failureOf(env().run(activities.fvSubmit, submitInput('technical')));
    expect(e).toBeInstanceOf(AdapterTechnicalError);
    expect(e).not.toBeInstanceOf(ApplicationFailure);
    expect((e as Error).constructor.name).toBe(FV_TECHNICAL_FAILURE_TYPE); // the failure type Temporal records
  });

  it('passes the remote’s Retry-After on as nextRetryDelay, still retryable', async () => {
    scripted.next = () => Promise.reject(new AdapterTechnicalError('scripted: answered 429', { status: 429, reason: 'RATE_LIMITED', retryAfterMs: 30_000 }));
    const e = await failureOf(env().run(activities.fvSubmit, submitInput('rate-limited')));
    expect(e).toBeInstanceOf(ApplicationFailure);
    expect(e).toMatchObject({ type: FV_TECHNICAL_FAILURE_TYPE, nonRetryable: false, nextRetryDelay: 30_000 });
  });

  it('fails non-retryably for an unknown adapter, the wrong kind and a malformed step', async () => {
    expect(await failureOf(env().run(activities.fvSubmit, submitInput('x', 'nope')))).toMatchObject({ type: FV_FAILURES.unknownAdapter, nonRetryable: true });
    expect(await failureOf(env().run(activities.fvSubmit, submitInput('x', 'epayment')))).toMatchObject({ type: FV_FAILURES.wrongKind, nonRetryable: true });
    expect(await failureOf(env().run(activities.fvSubmit, submitInput('not a step')))).toMatchObject({ type: FV_FAILURES.invalidRequest, nonRetryable: true });
  });

  it('records each call with its workflow id (routing of callbacks), attempts and outcome', async () => {
    scripted.next = () => Promise.reject(new AdapterTechnicalError('down', { reason: 'TIMEOUT' }));
    await failureOf(env('wohngeld-wf-7', 1).run(activities.fvSubmit, submitInput('recorded')));
    scripted.next = async () => ({ externalId: 'EXT-7', status: 'accepted' });
    await expect(env('wohngeld-wf-7', 2).run(activities.fvSubmit, submitInput('recorded'))).resolves.toEqual({ externalId: 'EXT-7', status: 'accepted' });
    const row = (await db.pool.query('SELECT * FROM adapter_calls WHERE adapter = $1 AND step = $2', ['scripted', 'recorded'])).rows[0];
    expect(row).toMatchObject({
      case_id: 'WG-2026-000042',
      operation: 'submit',
      workflow_id: 'wohngeld-wf-7',
      external_id: 'EXT-7',
      status: 'accepted',
      attempts: 2,
      last_error: null,
      idempotency_key: idempotencyKey('WG-2026-000042', 'recorded'),
    });
    await expect(new PgAdapterCallStore(db.pool).findRoute({ adapter: 'scripted', externalId: 'EXT-7' })).resolves.toMatchObject({ workflowId: 'wohngeld-wf-7', step: 'recorded' });

    scripted.next = () => Promise.reject(new AdapterBusinessError('REJECTED', 'no'));
    await failureOf(env('wohngeld-wf-8').run(activities.fvSubmit, submitInput('recorded-rejected')));
    const failed = (await db.pool.query('SELECT last_error, external_id FROM adapter_calls WHERE step = $1', ['recorded-rejected'])).rows[0];
    expect(failed).toEqual({ last_error: 'REJECTED', external_id: null });
  });

  it('submits, reads status and cancels through the reference adapter and the sandbox', async () => {
    const r = await env().run(activities.fvSubmit, submitInput('payment-instruction', 'wohngeld'));
    expect(r.status).toBe('accepted');
    const again = await env().run(activities.fvSubmit, submitInput('payment-instruction', 'wohngeld'));
    expect(again.externalId).toBe(r.externalId);
    await expect(env().run(activities.fvStatus, { adapter: 'wohngeld', externalId: r.externalId })).resolves.toMatchObject({ externalId: r.externalId, status: 'accepted' });
    const cancel = { adapter: 'wohngeld', caseId: 'WG-2026-000042', step: 'payment-instruction', externalId: r.externalId, reason: 'withdrawn' };
    await expect(env().run(activities.fvCancel, cancel)).resolves.toEqual({ externalId: r.externalId, status: 'cancelled' });
    await expect(env().run(activities.fvCancel, cancel)).resolves.toEqual({ externalId: r.externalId, status: 'cancelled' });
    expect((await db.pool.query('SELECT status FROM adapter_calls WHERE adapter = $1 AND external_id = $2', ['wohngeld', r.externalId])).rows).toEqual([{ status: 'cancelled' }]);
    const e = await failureOf(env().run(activities.fvSubmit, { ...submitInput('payment-instruction-2', 'wohngeld'), payload: { iban: 'DE00', monthlyAmount: 1 } }));
    expect(e).toMatchObject({ type: 'FV_INVALID_IBAN', nonRetryable: true });
    expect(await failureOf(env().run(activities.fvStatus, { adapter: 'wohngeld', externalId: 'ZA-unknown' }))).toMatchObject({ type: 'FV_NOT_FOUND' });
  });

  it('starts a payment and refunds it through the sandbox', async () => {
    const start = await env('gewerbe-wf-1').run(activities.paymentStart, { adapter: 'epayment', caseId: 'GA-2026-000042', step: 'fee', amount: '15.00', purpose: 'Gewerbeanmeldung', returnUrl: 'http://localhost:3000/r' });
    expect(start).toMatchObject({ status: 'created', paymentId: expect.stringMatching(/^pay_/) });
    const early = await failureOf(env('gewerbe-wf-1').run(activities.paymentRefund, { adapter: 'epayment', caseId: 'GA-2026-000042', step: 'fee-refund', paymentId: start.paymentId, reason: 'test' }));
    expect(early).toMatchObject({ type: 'FV_NOT_PAID', nonRetryable: true });
    await fetch(`${sandbox.url}/pay/${start.paymentId}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"outcome":"paid"}' });
    await expect(env('gewerbe-wf-1').run(activities.paymentStatus, { adapter: 'epayment', paymentId: start.paymentId })).resolves.toMatchObject({ status: 'paid' });
    await expect(env('gewerbe-wf-1').run(activities.paymentRefund, { adapter: 'epayment', caseId: 'GA-2026-000042', step: 'fee-refund', paymentId: start.paymentId, reason: 'test' })).resolves.toMatchObject({
      status: 'refunded',
      amount: '15.00',
    });
  });

  it('keeps the workflow contract’s failure types equal to the library’s', () => {
    expect(contract.FV_FAILURE_PREFIX).toBe(FV_FAILURE_PREFIX);
    expect(contract.FV_TECHNICAL_FAILURE_TYPE).toBe(FV_TECHNICAL_FAILURE_TYPE);
    const business = ApplicationFailure.create({ type: 'FV_INVALID_IBAN', message: 'bad', nonRetryable: true });
    expect(contract.fachverfahrenFailure(new Error('wrapper', { cause: business }))).toEqual({ kind: 'business', code: 'INVALID_IBAN', type: 'FV_INVALID_IBAN', message: 'bad' });
    expect(contract.fachverfahrenFailure(ApplicationFailure.create({ type: FV_TECHNICAL_FAILURE_TYPE, message: 'down' }))).toEqual({ kind: 'technical', message: 'down' });
    expect(contract.fachverfahrenFailure(new Error('other'))).toBeUndefined();
  });
});
