/**
 * The payment attempts of one fee (`fee`, `fee-2`, … — a new one after each aborted payment) and
 * what the provider's callbacks say about them. Workflow-side state only, no I/O.
 *
 * Why every attempt is watched and not only the current one: a payment link the citizen was given
 * stays payable at the provider until it expires, and a "failed" (abort in one browser tab) is not
 * final — the same payment may still be paid in another tab or settle late. So:
 * - while the fee is open, a "paid" for ANY attempt is the fee (never a second charge: the other
 *   attempts are then strays), see waitForPaidOrFailed;
 * - once the fee is taken, or the case ended without it, every other "paid" is a stray and goes
 *   back (the workflow refunds it, see gewerbeanmeldung.workflow.ts).
 * An attempt is `handled` when it was taken as the fee or its refund has begun; the rest are
 * `unsettled`: the provider may still take money for them.
 */
import { condition } from '@temporalio/workflow';
import type { FachverfahrenCallbackInbox } from '../shared/fachverfahren';
import { CALLBACK_EVENTS } from '../shared/fachverfahren.contract';

export interface FeeAttempt {
  /** The idempotency step at the provider: `fee`, `fee-2`, … (also the callbacks' step). */
  step: string;
  paymentId: string;
}

export interface FeeAttempts {
  readonly all: readonly FeeAttempt[];
  add(attempt: FeeAttempt): void;
  /**
   * The first "paid" for any attempt not yet handled (whichever attempt the citizen paid), else a
   * "failed" for `current`; undefined after `timeoutMs`. Already received callbacks count.
   */
  waitForPaidOrFailed(current: string, timeoutMs: number): Promise<{ attempt: FeeAttempt; paid: boolean } | undefined>;
  /** Marks an attempt as taken as the fee or as being refunded, so it is never refunded (again). */
  claim(step: string): void;
  isHandled(step: string): boolean;
  /** A paid attempt that is neither the fee nor refunded yet. */
  nextPaidUnhandled(): FeeAttempt | undefined;
  unsettled(): FeeAttempt[];
}

export function feeAttempts(callbacks: FachverfahrenCallbackInbox, adapter: string): FeeAttempts {
  const all: FeeAttempt[] = [];
  const handled = new Set<string>();
  const said = (step: string, event: string) => callbacks.received.some((cb) => cb.adapter === adapter && cb.step === step && cb.event === event);
  const nextPaidUnhandled = () => all.find((a) => !handled.has(a.step) && said(a.step, CALLBACK_EVENTS.paymentPaid));
  return {
    all,
    add: (attempt) => {
      all.push(attempt);
    },
    async waitForPaidOrFailed(current, timeoutMs) {
      const find = (): { attempt: FeeAttempt; paid: boolean } | undefined => {
        const paid = nextPaidUnhandled();
        if (paid) return { attempt: paid, paid: true };
        const cur = all.find((a) => a.step === current);
        return cur && said(current, CALLBACK_EVENTS.paymentFailed) ? { attempt: cur, paid: false } : undefined;
      };
      if (!(await condition(() => find() !== undefined, timeoutMs))) return undefined;
      return find();
    },
    claim: (step) => {
      handled.add(step);
    },
    isHandled: (step) => handled.has(step),
    nextPaidUnhandled,
    unsettled: () => all.filter((a) => !handled.has(a.step)),
  };
}
