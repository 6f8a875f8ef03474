/**
 * A test-only workflow (bundled by integrations.spec.ts, never registered in production): it calls
 * a Fachverfahren through the activities and waits for the routed callback, exactly as a process
 * would — so the test proves activity → adapter_calls → sandbox → signed callback → API → signal.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { FachverfahrenActivities } from '../../../../../activities/fachverfahren';
import { fachverfahrenCallbacks } from '../../../../../workflows/shared/fachverfahren';
import { FACHVERFAHREN_ACTIVITY_OPTIONS } from '../../../../../workflows/shared/fachverfahren.contract';
import type { FachverfahrenCallback } from '../../../../../workflows/shared/fachverfahren.contract';

const fv = proxyActivities<FachverfahrenActivities>({ ...FACHVERFAHREN_ACTIVITY_OPTIONS, retry: { ...FACHVERFAHREN_ACTIVITY_OPTIONS.retry, initialInterval: '200 ms', maximumAttempts: 3 } });

export interface ProbeInput {
  caseId: string;
  mode: 'submission' | 'payment';
}

export interface ProbeResult {
  externalId: string;
  callback?: FachverfahrenCallback;
  distinctCallbacks: number;
}

export async function fachverfahrenProbeWorkflow(input: ProbeInput): Promise<ProbeResult> {
  const callbacks = fachverfahrenCallbacks();
  if (input.mode === 'submission') {
    const r = await fv.fvSubmit({
      adapter: 'wohngeld',
      caseId: input.caseId,
      step: 'payment-instruction',
      kind: 'wohngeld-payment-instruction',
      payload: { iban: 'DE89370400440532013000', monthlyAmount: 183 },
    });
    const callback = await callbacks.waitFor({ step: 'payment-instruction', events: ['submission.completed'] }, '1 minute');
    return { externalId: r.externalId, callback, distinctCallbacks: callbacks.received.length };
  }
  const p = await fv.paymentStart({ adapter: 'epayment', caseId: input.caseId, step: 'fee', amount: '15.00', purpose: 'Gewerbeanmeldung (test)', returnUrl: 'http://localhost:3000/return' });
  const callback = await callbacks.waitFor({ externalId: p.paymentId, events: ['payment.paid', 'payment.failed'] }, '1 minute');
  return { externalId: p.paymentId, callback, distinctCallbacks: callbacks.received.length };
}
