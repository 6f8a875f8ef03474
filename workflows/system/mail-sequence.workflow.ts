import { ApplicationFailure, log, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { MAIL_SEQUENCE_DEFAULTS, MAIL_SEQUENCE_INVALID_INPUT, MAIL_SEQUENCE_LIMITS, mailSequenceMessageId, mailSequenceProgressQuery } from './mail-sequence.contract';
import type { MailSequenceInput, MailSequenceResult } from './mail-sequence.contract';

const { sendNotification } = proxyActivities<Activities>({
  // Also how soon Temporal notices an attempt whose worker died (no heartbeat for a single SMTP
  // call), so it is short. A retry cannot overtake a slower attempt that is still alive:
  // sendMailOnce leases the message, and the retry gets MAIL_IN_FLIGHT until that attempt is done.
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 20 },
});

/**
 * System diagnostic: sends `mails` notifications (distinct stable Message-IDs) with a durable timer
 * of `pauseMs` between them. Timers are seconds on purpose — this process exists to have many
 * runs mid-flight at once (see mail-sequence.contract.ts), not to model a real deadline.
 */
export async function mailSequenceWorkflow(input: MailSequenceInput): Promise<MailSequenceResult> {
  const mails = input.mails ?? MAIL_SEQUENCE_DEFAULTS.mails;
  const pauseMs = input.pauseMs ?? MAIL_SEQUENCE_DEFAULTS.pauseMs;
  if (!Number.isInteger(mails) || mails < 1 || mails > MAIL_SEQUENCE_LIMITS.maxMails) {
    throw ApplicationFailure.create({ type: MAIL_SEQUENCE_INVALID_INPUT, message: `mails must be 1..${MAIL_SEQUENCE_LIMITS.maxMails}`, nonRetryable: true });
  }
  if (!Number.isInteger(pauseMs) || pauseMs < 0 || pauseMs > MAIL_SEQUENCE_LIMITS.maxPauseMs) {
    throw ApplicationFailure.create({ type: MAIL_SEQUENCE_INVALID_INPUT, message: `pauseMs must be 0..${MAIL_SEQUENCE_LIMITS.maxPauseMs}`, nonRetryable: true });
  }

  const { workflowId } = workflowInfo();
  const result: MailSequenceResult = { workflowId, mails: [] };
  setHandler(mailSequenceProgressQuery, () => result.mails.length);

  for (let step = 1; step <= mails; step++) {
    if (step > 1 && pauseMs > 0) await sleep(pauseMs);
    const sent = await sendNotification({
      messageId: mailSequenceMessageId(workflowId, step),
      to: input.notifyTo,
      subject: `amtsweg: Systemtest ${step}/${mails} / system check ${step} of ${mails}`,
      text:
        `Systemtest: Nachricht ${step} von ${mails}. Sie bestätigt, dass amtsweg Vorgänge fortsetzt und jede E-Mail genau einmal versendet.\n` +
        `Vorgang: ${workflowId}\n\n` +
        `System check: message ${step} of ${mails}. It confirms that amtsweg resumes processes and sends every mail once.\n`,
    });
    result.mails.push({ step, messageId: sent.messageId, status: sent.status });
  }
  log.info('mail sequence finished', { mails: result.mails.length });
  return result;
}
