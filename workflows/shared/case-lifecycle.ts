/**
 * The life of a case every application process shares, so it is written once: the submission's
 * Update (update-with-start) answered with the case number as soon as the case is open, and the
 * citizen's withdrawal until the decision — the Update with its validator (owner, already
 * withdrawn, already decided, not ready), cancelling the process's main scope and recording
 * WITHDRAWN — and the end of the run either way.
 *
 *   const life = caseLifecycle({ ownerSub, caseId, recordCaseEvent, onWithdraw: () => (stage = 'withdrawn') });
 *   …                                       // handlers are registered: call before the first await
 *   life.opened({ caseId, caseNumber, status });
 *   …  life.decided();                      // from here on a withdrawal is refused
 *   return life.run(process, { withdrawn: () => ({ caseId, caseNumber, outcome: 'withdrawn' }) });
 *
 * The commands are exactly those the processes issued before this block existed (the withdrawal's
 * recordCaseEvent, then the process's own), so their histories replay.
 */
import { ApplicationFailure, CancellationScope, allHandlersFinished, condition, isCancellation, setHandler } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { CASE_EVENT_KEYS, STATUS_TEXT_DE } from '../../libs/domain/src/cases';
import { submissionReceiptUpdate, withdrawUpdate } from './case.contract';
import type { SubmissionReceipt } from './case.contract';

/** The citizen-facing refusals; a process may name its own thing ("Anzeige" instead of "Antrag"). */
export interface WithdrawalTexts {
  alreadyWithdrawn: string;
  alreadyDecided: string;
  notReady: string;
}

export const APPLICATION_WITHDRAWAL_TEXTS: WithdrawalTexts = {
  alreadyWithdrawn: 'Der Antrag ist bereits zurückgenommen.',
  alreadyDecided: 'Über Ihren Antrag ist bereits entschieden; er kann nicht mehr zurückgenommen werden.',
  notReady: 'Ihr Antrag wird gerade angelegt. Bitte versuchen Sie es gleich noch einmal.',
};

export interface CaseLifecycleOptions {
  caseId: string;
  /** Only the owner may withdraw; anyone else is told there is no such case. */
  ownerSub: string;
  /** The workflow's own proxy (its timeouts and retry policy), used to record WITHDRAWN. */
  recordCaseEvent: Activities['recordCaseEvent'];
  texts?: WithdrawalTexts;
  /** Shown to Temporal users (UI, CLI) for the withdraw Update. */
  withdrawDescription?: string;
  /** Runs in the withdraw handler before the main scope is cancelled (e.g. the stage, an open payment link). */
  onWithdraw?: () => void;
}

export interface CaseLifecycle {
  /** The process runs in this scope; a withdrawal cancels it. */
  readonly main: CancellationScope;
  readonly withdrawn: boolean;
  readonly receipt: SubmissionReceipt | undefined;
  /** The case is open: the submission's Update answers with this receipt, withdrawal is possible. */
  opened(receipt: SubmissionReceipt): void;
  /**
   * From now on a withdrawal is refused as already decided — with `message` instead of the
   * default text when given (the last call's message wins).
   */
  decided(message?: string): void;
  /**
   * Runs `process` in the main scope and returns its result once every handler has finished. On a
   * withdrawal, `ends.withdrawn` gives the result instead; it is also the place for the process's
   * own withdrawal work (a refund), which must not be cancellable: wrap it in
   * CancellationScope.nonCancellable. `ends.beforeEnd` runs after a process that ended normally.
   */
  run<R>(process: () => Promise<R>, ends: { withdrawn: () => R | Promise<R>; beforeEnd?: () => Promise<void> }): Promise<R>;
}

/** Registers the submission and withdraw Updates; call it before the workflow's first await. */
export function caseLifecycle(opts: CaseLifecycleOptions): CaseLifecycle {
  const texts = opts.texts ?? APPLICATION_WITHDRAWAL_TEXTS;
  const main = new CancellationScope();
  let receipt: SubmissionReceipt | undefined = undefined;
  let decided: string | undefined = undefined;
  let withdrawn = false;

  const conflict = (message: string, reason: string): never => {
    throw ApplicationFailure.create({ type: 'CONFLICT', message, nonRetryable: true, details: [{ reason }] });
  };

  // The submission's Update arrives with the start (update-with-start): it waits for the case.
  setHandler(
    submissionReceiptUpdate,
    async () => {
      await condition(() => receipt !== undefined);
      return receipt!;
    },
    { description: 'The case number, as soon as the case is open.' },
  );
  setHandler(
    withdrawUpdate,
    async () => {
      withdrawn = true;
      opts.onWithdraw?.();
      main.cancel();
      await opts.recordCaseEvent({ caseId: opts.caseId, eventKey: CASE_EVENT_KEYS.withdrawn, status: 'WITHDRAWN', audience: 'citizen', text: STATUS_TEXT_DE.WITHDRAWN, notify: true });
      return { status: 'WITHDRAWN' as const };
    },
    {
      validator: ({ by }) => {
        if (by?.sub !== opts.ownerSub) throw ApplicationFailure.create({ type: 'NOT_FOUND', message: 'There is no such case, or it is not yours.', nonRetryable: true });
        if (withdrawn) conflict(texts.alreadyWithdrawn, 'already_withdrawn');
        if (decided !== undefined) conflict(decided, 'already_decided');
        if (!receipt) conflict(texts.notReady, 'not_ready');
      },
      description: opts.withdrawDescription ?? 'The citizen withdraws the application (possible until the decision).',
    },
  );

  return {
    main,
    get withdrawn() {
      return withdrawn;
    },
    get receipt() {
      return receipt;
    },
    opened(r) {
      receipt = r;
    },
    decided(message) {
      decided = message ?? texts.alreadyDecided;
    },
    async run(process, ends) {
      try {
        const result = await main.run(process);
        if (ends.beforeEnd) await ends.beforeEnd();
        await condition(allHandlersFinished);
        return result;
      } catch (e) {
        if (withdrawn && isCancellation(e)) {
          const result = await ends.withdrawn();
          await condition(allHandlersFinished); // the withdraw handler records WITHDRAWN
          return result;
        }
        throw e;
      }
    },
  };
}
