import { createServer } from 'node:net';
import type { AdapterKind, PaymentStart } from '../adapter';
import { SUBMISSION_KINDS } from '../adapter';
import { AdapterTechnicalError } from '../errors';
import { HttpPaymentAdapter, HttpSubmissionAdapter } from '../http-adapter';
import type { HttpAdapterConfig } from '../http-adapter';
import type { ContractFixture } from './types';

/** Header the sandbox (and any test environment of a protocol-v1 remote) reads to inject faults. */
export const SANDBOX_FAIL_HEADER = 'X-Sandbox-Fail';

/** A port on 127.0.0.1 that nothing listens on (bound and released a moment ago). */
async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * The contract fixture of the reference HTTP adapter. It provokes rejections and faults through
 * the sandbox's `X-Sandbox-Fail` header (`business:REJECTED`, `technical`, `technical-2`,
 * `timeout`), plus a connection to a closed port. A Fachverfahren that implements protocol v1
 * passes the kit when its test environment honours the same header.
 */
export function httpContractFixture(cfg: Omit<HttpAdapterConfig, 'kind'> & { kind: AdapterKind }): ContractFixture {
  const withFail = (fail: string, extra: Partial<HttpAdapterConfig> = {}) => ({ ...cfg, ...extra, headers: { ...cfg.headers, [SANDBOX_FAIL_HEADER]: fail } });
  const unreachable = async () => ({ ...cfg, baseUrl: `http://127.0.0.1:${await closedPort()}/fv/${cfg.name}`, timeoutMs: 2_000 });

  if (cfg.kind === 'payment') {
    return {
      kind: 'payment',
      adapter: new HttpPaymentAdapter(cfg),
      validPayment: () => ({ amount: '15.00', purpose: 'Contract test payment', returnUrl: 'http://localhost:3000/contract-test/return' }),
      businessRejection: async () => ({
        adapter: new HttpPaymentAdapter(withFail('business:REJECTED')),
        request: { amount: '15.00', purpose: 'Contract test rejection', returnUrl: 'http://localhost:3000/contract-test/return' },
        expectedCode: 'REJECTED',
      }),
      technicalFaults: async () => [
        { adapter: new HttpPaymentAdapter(await unreachable()), description: 'connection refused' },
        { adapter: new HttpPaymentAdapter(withFail('technical')), description: 'HTTP 503' },
        { adapter: new HttpPaymentAdapter(withFail('timeout', { timeoutMs: 300 })), description: 'timeout' },
      ],
      transientFault: async () => ({ adapter: new HttpPaymentAdapter(withFail('technical-2')), failures: 2 }),
      pay: async (payment: PaymentStart) => {
        // The citizen presses "pay" on the sandbox's payment page.
        const res = await fetch(payment.redirectUrl, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: 'outcome=paid',
          redirect: 'manual',
          signal: AbortSignal.timeout(10_000),
        });
        if (res.status >= 400) throw new AdapterTechnicalError(`paying on ${payment.redirectUrl} answered ${res.status}`);
        await res.arrayBuffer();
      },
    };
  }
  return {
    kind: 'submission',
    adapter: new HttpSubmissionAdapter(cfg),
    validSubmission: () => ({ kind: SUBMISSION_KINDS.contractProbe, payload: { note: 'contract test' } }),
    businessRejection: async () => ({
      adapter: new HttpSubmissionAdapter(withFail('business:REJECTED')),
      request: { kind: SUBMISSION_KINDS.contractProbe, payload: { note: 'contract test rejection' } },
      expectedCode: 'REJECTED',
    }),
    technicalFaults: async () => [
      { adapter: new HttpSubmissionAdapter(await unreachable()), description: 'connection refused' },
      { adapter: new HttpSubmissionAdapter(withFail('technical')), description: 'HTTP 503' },
      { adapter: new HttpSubmissionAdapter(withFail('timeout', { timeoutMs: 300 })), description: 'timeout' },
    ],
    transientFault: async () => ({ adapter: new HttpSubmissionAdapter(withFail('technical-2')), failures: 2 }),
  };
}
