import { randomUUID } from 'node:crypto';
import type { CancelRequest, SubmissionAdapter, SubmissionRequest, SubmissionState } from '../adapter';
import { AdapterBusinessError, AdapterTechnicalError } from '../errors';
import { formatReport } from './report';
import { runContractSuite } from './suite';
import type { ContractReport, SubmissionContractFixture } from './types';

/**
 * In-memory fakes: a correct adapter passes the kit; each broken variant fails it on the check
 * that states the broken promise. (The kit against the reference HTTP adapter and the sandbox runs
 * in apps/sandbox/src/sandbox.spec.ts.)
 */
interface FakeOptions {
  /** Forgets submissions: every submit makes a new id (not idempotent). */
  forgetful?: boolean;
  /** Rejections come as plain Errors instead of AdapterBusinessError. */
  plainRejections?: boolean;
  /** Technical faults are reported as business errors. */
  faultsAsBusiness?: boolean;
  /** cancel() of a cancelled submission fails. */
  cancelOnce?: boolean;
}

class FakeSubmissionAdapter implements SubmissionAdapter {
  readonly kind = 'submission' as const;
  private readonly byKey = new Map<string, SubmissionState>();
  private readonly byId = new Map<string, SubmissionState>();

  constructor(
    readonly name: string,
    private readonly opts: FakeOptions = {},
    private readonly mode: 'ok' | 'reject' | 'fault' = 'ok',
  ) {}

  async health() {
    return { healthy: true };
  }

  async submit(req: SubmissionRequest) {
    await new Promise((r) => setImmediate(r));
    if (this.mode === 'reject') {
      if (this.opts.plainRejections) throw new Error('rejected');
      throw new AdapterBusinessError('REJECTED', 'no');
    }
    if (this.mode === 'fault') {
      if (this.opts.faultsAsBusiness) throw new AdapterBusinessError('UNAVAILABLE', 'down');
      throw new AdapterTechnicalError('down', { reason: 'HTTP_5XX', status: 503 });
    }
    const key = `${req.caseId}\n${req.step}`;
    const known = this.opts.forgetful ? undefined : this.byKey.get(key);
    if (known) return { externalId: known.externalId, status: known.status };
    const s: SubmissionState = { externalId: randomUUID(), status: 'accepted' };
    this.byKey.set(key, s);
    this.byId.set(s.externalId, s);
    return { externalId: s.externalId, status: s.status };
  }

  async status(externalId: string) {
    const s = this.byId.get(externalId);
    if (!s) throw new AdapterBusinessError('NOT_FOUND', 'unknown');
    return { ...s };
  }

  async cancel(req: CancelRequest) {
    const s = this.byId.get(req.externalId);
    if (!s) throw new AdapterBusinessError('NOT_FOUND', 'unknown');
    if (s.status === 'cancelled' && this.opts.cancelOnce) throw new AdapterBusinessError('NOT_CANCELLABLE', 'already cancelled');
    s.status = 'cancelled';
    return { externalId: s.externalId, status: 'cancelled' as const };
  }
}

function fixture(opts: FakeOptions = {}): SubmissionContractFixture {
  const adapter = new FakeSubmissionAdapter('fake', opts);
  return {
    kind: 'submission',
    adapter,
    validSubmission: () => ({ kind: 'contract-probe', payload: {} }),
    businessRejection: async () => ({ adapter: new FakeSubmissionAdapter('fake', opts, 'reject'), request: { kind: 'contract-probe', payload: {} }, expectedCode: 'REJECTED' }),
    technicalFaults: async () => [{ adapter: new FakeSubmissionAdapter('fake', opts, 'fault'), description: 'HTTP 503' }],
  };
}

const failedChecks = (r: ContractReport) => r.checks.filter((c) => c.status === 'failed').map((c) => c.name);

describe('adapter contract kit', () => {
  it('passes a correct adapter (the transient-fault check is skipped without a fixture for it)', async () => {
    const report = await runContractSuite(fixture());
    expect(failedChecks(report)).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.checks.find((c) => c.name.includes('transient'))?.status).toBe('skipped');
    expect(formatReport(report)).toMatch(/^PASSED: 10 of 11 checks passed, 1 skipped/m);
  });

  it('fails a non-idempotent adapter on the idempotency checks', async () => {
    const report = await runContractSuite(fixture({ forgetful: true }));
    expect(report.passed).toBe(false);
    expect(failedChecks(report)).toEqual([
      'submit() twice with the same (caseId, step) → the same externalId',
      'concurrent submits with the same (caseId, step) → one externalId',
    ]);
    const text = formatReport(report);
    expect(text).toMatch(/FAIL {2}submit\(\) twice with the same \(caseId, step\)/);
    expect(text).toMatch(/not idempotent/);
    expect(text).toMatch(/^FAILED: 2 of 11 checks failed/m);
  });

  it('fails an adapter whose rejections are plain errors', async () => {
    const report = await runContractSuite(fixture({ plainRejections: true }));
    expect(failedChecks(report)).toEqual(['business rejection → AdapterBusinessError with a stable code (twice the same)']);
    expect(report.checks.find((c) => c.status === 'failed')?.detail).toMatch(/should throw AdapterBusinessError, got Error: rejected/);
  });

  it('fails an adapter that reports technical faults as business rejections', async () => {
    const report = await runContractSuite(fixture({ faultsAsBusiness: true }));
    expect(failedChecks(report)).toEqual(['technical faults → AdapterTechnicalError (retryable), never a business error']);
  });

  it('fails an adapter whose cancel is not idempotent', async () => {
    const report = await runContractSuite(fixture({ cancelOnce: true }));
    expect(failedChecks(report)).toEqual(['cancel() → cancelled; cancel() again → cancelled (idempotent); status → cancelled']);
  });

  it('fails an adapter whose health() throws, and a check that never answers', async () => {
    const f = fixture();
    f.adapter.health = () => Promise.reject(new Error('boom'));
    f.adapter.status = () => new Promise(() => undefined);
    const report = await runContractSuite(f, { checkTimeoutMs: 200 });
    expect(failedChecks(report)).toEqual([
      'health() answers {healthy: true} without throwing',
      'status(externalId) after submit → that submission with a known status',
      'status() of an unknown externalId → AdapterBusinessError NOT_FOUND',
      'cancel() → cancelled; cancel() again → cancelled (idempotent); status → cancelled',
    ]);
    expect(report.checks.find((c) => c.name.startsWith('status(externalId)'))?.detail).toBe('no answer within 200 ms');
  });
});
