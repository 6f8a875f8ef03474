/**
 * Building block: receive Fachverfahren callbacks in a workflow.
 *
 *   const callbacks = fachverfahrenCallbacks();            // first thing in the workflow
 *   const { paymentId, redirectUrl } = await paymentStart({ adapter: 'epayment', caseId, step: 'fee', … });
 *   const paid = await callbacks.waitFor({ step: 'fee', events: ['payment.paid', 'payment.failed'] }, '7 days');
 *
 * Waits on recorded state (condition), so a callback that arrived before the wait started is not
 * missed; duplicates (same callbackId) are dropped.
 */
import { condition, setHandler } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import { fachverfahrenCallbackSignal } from './fachverfahren.contract';
import type { FachverfahrenCallback } from './fachverfahren.contract';

export interface CallbackMatch {
  adapter?: string;
  step?: string;
  externalId?: string;
  /** Any of these events; default any event. */
  events?: readonly string[];
}

export interface FachverfahrenCallbackInbox {
  /** Every distinct callback received so far, in arrival order. */
  readonly received: readonly FachverfahrenCallback[];
  /** The first callback matching (already received or still to come); undefined after `timeout`. */
  waitFor(match: CallbackMatch, timeout?: Duration): Promise<FachverfahrenCallback | undefined>;
}

const matches = (cb: FachverfahrenCallback, m: CallbackMatch): boolean =>
  (m.adapter === undefined || cb.adapter === m.adapter) &&
  (m.step === undefined || cb.step === m.step) &&
  (m.externalId === undefined || cb.externalId === m.externalId) &&
  (m.events === undefined || m.events.includes(cb.event));

export function fachverfahrenCallbacks(): FachverfahrenCallbackInbox {
  const received: FachverfahrenCallback[] = [];
  const seen = new Set<string>();
  setHandler(fachverfahrenCallbackSignal, (cb) => {
    if (seen.has(cb.callbackId)) return;
    seen.add(cb.callbackId);
    received.push(cb);
  });
  return {
    received,
    async waitFor(match, timeout) {
      const find = () => received.find((cb) => matches(cb, match));
      if (timeout === undefined) await condition(() => find() !== undefined);
      else if (!(await condition(() => find() !== undefined, timeout))) return undefined;
      return find();
    },
  };
}
