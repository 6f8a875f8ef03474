import { randomBytes } from 'node:crypto';
import { PAYMENT_STATUSES, SUBMISSION_STATUSES } from '../adapter';
import type { CallRef, PaymentAdapter, PaymentStart, SubmissionAdapter } from '../adapter';
import { AdapterBusinessError, AdapterTechnicalError, BUSINESS_CODE } from '../errors';
import type { ContractCheckResult, ContractFixture, ContractReport, FaultyAdapter, PaymentContractFixture, SubmissionContractFixture } from './types';

/**
 * The adapter contract, as runnable checks. Each check states one promise of the SPI
 * (libs/fachverfahren/src/adapter.ts) and exercises the adapter against its real remote:
 * idempotency by (caseId, step), status after a call, business rejections as AdapterBusinessError
 * with a stable code, technical faults as AdapterTechnicalError, a retry after transient faults
 * landing on the same id, health(), cancel/refund idempotency.
 *
 * Every run uses a fresh caseId, so runs against a remote that keeps its data do not interfere.
 */
export interface RunOptions {
  /** Defaults to `contract-<random>`. */
  caseId?: string;
  /** Per check; default 30 s. */
  checkTimeoutMs?: number;
  /** Called after each check (live progress in the CLI). */
  onResult?: (r: ContractCheckResult) => void;
}

class CheckFailed extends Error {}
class Skip extends Error {}

function expect(cond: unknown, message: string): asserts cond {
  if (!cond) throw new CheckFailed(message);
}

function describe(e: unknown): string {
  if (e instanceof AdapterBusinessError) return `AdapterBusinessError ${e.code}: ${e.message}`;
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

/** Runs `fn` and returns the error it throws (fails the check when it does not throw). */
async function failure(fn: () => Promise<unknown>, what: string): Promise<unknown> {
  try {
    const result = await fn();
    throw new CheckFailed(`${what} succeeded (${JSON.stringify(result)?.slice(0, 200)}) but was expected to fail`);
  } catch (e) {
    if (e instanceof CheckFailed) throw e;
    return e;
  }
}

async function expectBusiness(fn: () => Promise<unknown>, what: string, code?: string): Promise<AdapterBusinessError> {
  const e = await failure(fn, what);
  expect(e instanceof AdapterBusinessError, `${what} should throw AdapterBusinessError, got ${describe(e)}`);
  expect(BUSINESS_CODE.test(e.code), `business code "${e.code}" is not UPPER_SNAKE_CASE`);
  if (code) expect(e.code === code, `${what} should have code ${code}, got ${e.code}`);
  return e;
}

async function expectTechnical(fn: () => Promise<unknown>, what: string): Promise<AdapterTechnicalError> {
  const e = await failure(fn, what);
  expect(e instanceof AdapterTechnicalError, `${what} should throw AdapterTechnicalError, got ${describe(e)}`);
  return e;
}

type Check = { name: string; run: () => Promise<void> };

async function runChecks(adapter: string, kind: ContractReport['kind'], checks: Check[], opts: RunOptions): Promise<ContractReport> {
  const started = Date.now();
  const results: ContractCheckResult[] = [];
  const timeoutMs = opts.checkTimeoutMs ?? 30_000;
  for (const check of checks) {
    const t = Date.now();
    let timer: NodeJS.Timeout | undefined;
    let result: ContractCheckResult;
    try {
      await Promise.race([
        check.run(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new CheckFailed(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      result = { name: check.name, status: 'passed', ms: Date.now() - t };
    } catch (e) {
      result =
        e instanceof Skip
          ? { name: check.name, status: 'skipped', ms: Date.now() - t, detail: e.message }
          : { name: check.name, status: 'failed', ms: Date.now() - t, detail: e instanceof CheckFailed ? e.message : `unexpected ${describe(e)}` };
    } finally {
      clearTimeout(timer);
    }
    results.push(result);
    opts.onResult?.(result);
  }
  return { adapter, kind, passed: results.every((r) => r.status !== 'failed'), checks: results, durationMs: Date.now() - started };
}

/** What the checks shared by every adapter kind need to know about its creating call (submit / startPayment). */
interface CreatingCall<A extends { status(id: string): Promise<unknown> }, Req> {
  /** `submission` / `payment`, for messages. */
  noun: string;
  idName: 'externalId' | 'paymentId';
  /** `submit()` / `startPayment()`, for messages. */
  call: string;
  /** Steps of these checks are `<stepPrefix>-rejected`, `-technical`, `-transient`. */
  stepPrefix: string;
  adapter: A;
  fixture: {
    valid(): Req;
    businessRejection(): Promise<{ adapter: A; request: Req; expectedCode?: string }>;
    technicalFaults(): Promise<FaultyAdapter<A>[]>;
    transientFault?(): Promise<{ adapter: A; failures: number }>;
  };
  /** Makes the call on `adapter` for `step`, returning the id it created. */
  create(adapter: A, step: string, request: Req): Promise<string>;
}

/** The fixture's methods as calls (a fixture may be a class: its methods must keep their `this`). */
function fixtureCalls<A, Req>(
  f: Omit<CreatingCall<{ status(id: string): Promise<unknown> } & A, Req>['fixture'], 'valid'>,
  valid: () => Req,
): CreatingCall<{ status(id: string): Promise<unknown> } & A, Req>['fixture'] {
  return {
    valid,
    businessRejection: () => f.businessRejection(),
    technicalFaults: () => f.technicalFaults(),
    ...(f.transientFault && { transientFault: () => f.transientFault!() }),
  };
}

/** Unknown ids, business rejections, technical faults and a retry after transient faults — the same promise for every kind. */
function failureChecks<A extends { status(id: string): Promise<unknown> }, Req>(c: CreatingCall<A, Req>): Check[] {
  const { fixture: f } = c;
  return [
    {
      name: `status() of an unknown ${c.idName} → AdapterBusinessError NOT_FOUND`,
      run: async () => {
        await expectBusiness(() => c.adapter.status(`unknown-${randomBytes(6).toString('hex')}`), 'status() of an unknown id', 'NOT_FOUND');
      },
    },
    {
      name: 'business rejection → AdapterBusinessError with a stable code (twice the same)',
      run: async () => {
        const { adapter, request, expectedCode } = await f.businessRejection();
        const step = `${c.stepPrefix}-rejected`;
        const e1 = await expectBusiness(() => c.create(adapter, step, request), `the rejected ${c.noun}`, expectedCode);
        const e2 = await expectBusiness(() => c.create(adapter, step, request), `the rejected ${c.noun}, repeated`, expectedCode);
        expect(e1.code === e2.code, `the same rejected call gave ${e1.code}, then ${e2.code}`);
      },
    },
    {
      name: 'technical faults → AdapterTechnicalError (retryable), never a business error',
      run: async () => {
        const faults = await f.technicalFaults();
        expect(faults.length > 0, 'the fixture offers no technical fault');
        for (const { adapter, description } of faults) {
          await expectTechnical(() => c.create(adapter, `${c.stepPrefix}-technical`, f.valid()), `${c.call} with ${description}`);
        }
      },
    },
    {
      name: `a retry after transient technical faults lands on one ${c.idName}`,
      run: async () => {
        if (!f.transientFault) throw new Skip('the fixture offers no transient fault');
        const { adapter, failures } = await f.transientFault();
        const step = `${c.stepPrefix}-transient`;
        for (let i = 1; i <= failures; i++) await expectTechnical(() => c.create(adapter, step, f.valid()), `attempt ${i}`);
        const ok = await c.create(adapter, step, f.valid());
        const again = await c.create(c.adapter, step, f.valid());
        expect(ok === again, `after the faults: ${ok}, repeated: ${again}`);
      },
    },
  ];
}

function healthCheck(adapter: { health(): Promise<{ healthy: boolean; lastError?: string }> }): Check {
  return {
    name: 'health() answers {healthy: true} without throwing',
    run: async () => {
      let h: { healthy: boolean; lastError?: string };
      try {
        h = await adapter.health();
      } catch (e) {
        throw new CheckFailed(`health() threw ${describe(e)}; it must report problems, not throw`);
      }
      expect(typeof h?.healthy === 'boolean', `health() returned ${JSON.stringify(h)}, expected {healthy: boolean}`);
      expect(h.healthy, `the remote reports unhealthy: ${h.lastError ?? 'no lastError'}`);
    },
  };
}

function submissionChecks(f: SubmissionContractFixture, caseId: string): Check[] {
  const a: SubmissionAdapter = f.adapter;
  const ref = (step: string): CallRef => ({ caseId, step });
  let first: string | undefined;
  const firstId = (): string => {
    if (!first) throw new Skip('needs the first submission, which failed');
    return first;
  };
  return [
    healthCheck(a),
    {
      name: 'submit() returns an externalId and a known status',
      run: async () => {
        const r = await a.submit({ ...ref('contract-submit'), ...f.validSubmission() });
        expect(typeof r?.externalId === 'string' && r.externalId.length > 0, `no externalId in ${JSON.stringify(r)}`);
        expect(SUBMISSION_STATUSES.includes(r.status), `unknown status "${r.status}"`);
        first = r.externalId;
      },
    },
    {
      name: 'submit() twice with the same (caseId, step) → the same externalId',
      run: async () => {
        const again = await a.submit({ ...ref('contract-submit'), ...f.validSubmission() });
        expect(again.externalId === firstId(), `second submit gave ${again.externalId}, first gave ${firstId()}: not idempotent`);
      },
    },
    {
      name: 'concurrent submits with the same (caseId, step) → one externalId',
      run: async () => {
        const rs = await Promise.all([1, 2, 3].map(() => a.submit({ ...ref('contract-concurrent'), ...f.validSubmission() })));
        const ids = new Set(rs.map((r) => r.externalId));
        expect(ids.size === 1, `three concurrent submits gave ${ids.size} externalIds: ${[...ids].join(', ')}`);
      },
    },
    {
      name: 'another step of the same case → another externalId',
      run: async () => {
        const other = await a.submit({ ...ref('contract-submit-other'), ...f.validSubmission() });
        expect(other.externalId !== firstId(), 'a different step returned the same externalId');
      },
    },
    {
      name: 'status(externalId) after submit → that submission with a known status',
      run: async () => {
        const s = await a.status(firstId());
        expect(s.externalId === firstId(), `status() answered for ${s.externalId}`);
        expect(SUBMISSION_STATUSES.includes(s.status), `unknown status "${s.status}"`);
      },
    },
    ...failureChecks({
      noun: 'submission',
      idName: 'externalId',
      call: 'submit()',
      stepPrefix: 'contract',
      adapter: a,
      fixture: fixtureCalls(f, () => f.validSubmission()),
      create: async (adapter, step, request) => (await adapter.submit({ ...ref(step), ...request })).externalId,
    }),
    {
      name: 'cancel() → cancelled; cancel() again → cancelled (idempotent); status → cancelled',
      run: async () => {
        const id = firstId();
        const c1 = await a.cancel({ ...ref('contract-submit'), externalId: id, reason: 'contract test' });
        expect(c1.status === 'cancelled' && c1.externalId === id, `cancel() answered ${JSON.stringify(c1)}`);
        const c2 = await a.cancel({ ...ref('contract-submit'), externalId: id, reason: 'contract test' });
        expect(c2.status === 'cancelled' && c2.externalId === id, `second cancel() answered ${JSON.stringify(c2)}`);
        const s = await a.status(id);
        expect(s.status === 'cancelled', `status after cancel is ${s.status}`);
      },
    },
  ];
}

function paymentChecks(f: PaymentContractFixture, caseId: string): Check[] {
  const a: PaymentAdapter = f.adapter;
  const ref = (step: string): CallRef => ({ caseId, step });
  let first: PaymentStart | undefined;
  const firstPayment = (): PaymentStart => {
    if (!first) throw new Skip('needs the first payment, which failed');
    return first;
  };
  return [
    healthCheck(a),
    {
      name: 'startPayment() returns a paymentId, a redirect URL and status created',
      run: async () => {
        const p = await a.startPayment({ ...ref('contract-fee'), ...f.validPayment() });
        expect(typeof p?.paymentId === 'string' && p.paymentId.length > 0, `no paymentId in ${JSON.stringify(p)}`);
        expect(URL.canParse(p.redirectUrl), `redirectUrl "${p.redirectUrl}" is not a URL`);
        expect(p.status === 'created', `status is ${p.status}, expected created`);
        first = p;
      },
    },
    {
      name: 'startPayment() twice with the same (caseId, step) → the same payment',
      run: async () => {
        const again = await a.startPayment({ ...ref('contract-fee'), ...f.validPayment() });
        expect(again.paymentId === firstPayment().paymentId, `second start gave ${again.paymentId}, first ${firstPayment().paymentId}: not idempotent`);
        expect(again.redirectUrl === firstPayment().redirectUrl, 'the same payment has another redirect URL');
      },
    },
    {
      name: 'concurrent starts with the same (caseId, step) → one paymentId',
      run: async () => {
        const ps = await Promise.all([1, 2, 3].map(() => a.startPayment({ ...ref('contract-fee-concurrent'), ...f.validPayment() })));
        const ids = new Set(ps.map((p) => p.paymentId));
        expect(ids.size === 1, `three concurrent starts gave ${ids.size} paymentIds`);
      },
    },
    {
      name: 'another step of the same case → another paymentId',
      run: async () => {
        const other = await a.startPayment({ ...ref('contract-fee-other'), ...f.validPayment() });
        expect(other.paymentId !== firstPayment().paymentId, 'a different step returned the same paymentId');
      },
    },
    {
      name: 'status(paymentId) after start → created, with the amount',
      run: async () => {
        const s = await a.status(firstPayment().paymentId);
        expect(s.paymentId === firstPayment().paymentId, `status() answered for ${s.paymentId}`);
        expect(PAYMENT_STATUSES.includes(s.status), `unknown status "${s.status}"`);
        expect(s.amount === f.validPayment().amount, `amount ${s.amount}, expected ${f.validPayment().amount}`);
      },
    },
    ...failureChecks({
      noun: 'payment',
      idName: 'paymentId',
      call: 'startPayment()',
      stepPrefix: 'contract-fee',
      adapter: a,
      fixture: fixtureCalls(f, () => f.validPayment()),
      create: async (adapter, step, request) => (await adapter.startPayment({ ...ref(step), ...request })).paymentId,
    }),
    {
      name: 'refund() of a paid payment → refunded; again with the same step → the same refund',
      run: async () => {
        const p = firstPayment();
        if (!f.pay) {
          // Without a way to pay, the provider must at least refuse the refund the same way twice.
          const e1 = await expectBusiness(() => a.refund({ ...ref('contract-refund'), paymentId: p.paymentId, reason: 'contract test' }), 'refund of an unpaid payment');
          const e2 = await expectBusiness(() => a.refund({ ...ref('contract-refund'), paymentId: p.paymentId, reason: 'contract test' }), 'refund of an unpaid payment, repeated');
          expect(e1.code === e2.code, `the same refund gave ${e1.code}, then ${e2.code}`);
          return;
        }
        await expectBusiness(() => a.refund({ ...ref('contract-refund-early'), paymentId: p.paymentId, reason: 'contract test' }), 'refund before paying');
        await f.pay(p);
        const paid = await a.status(p.paymentId);
        expect(paid.status === 'paid', `after paying the status is ${paid.status}`);
        const r1 = await a.refund({ ...ref('contract-refund'), paymentId: p.paymentId, reason: 'contract test' });
        expect(r1.paymentId === p.paymentId && (r1.status === 'refunded' || r1.status === 'pending'), `refund() answered ${JSON.stringify(r1)}`);
        const r2 = await a.refund({ ...ref('contract-refund'), paymentId: p.paymentId, reason: 'contract test' });
        expect(r2.refundId === r1.refundId, `second refund() gave ${r2.refundId}, first ${r1.refundId}: not idempotent`);
        const s = await a.status(p.paymentId);
        expect(s.status === 'refunded' || r1.status === 'pending', `status after the refund is ${s.status}`);
      },
    },
  ];
}

/** Runs the contract checks against the fixture's adapter and its remote. Never throws. */
export async function runContractSuite(fixture: ContractFixture, opts: RunOptions = {}): Promise<ContractReport> {
  const caseId = opts.caseId ?? `contract-${randomBytes(8).toString('hex')}`;
  try {
    return fixture.kind === 'payment'
      ? await runChecks(fixture.adapter.name, 'payment', paymentChecks(fixture, caseId), opts)
      : await runChecks(fixture.adapter.name, 'submission', submissionChecks(fixture, caseId), opts);
  } finally {
    await fixture.close?.().catch(() => undefined);
  }
}
