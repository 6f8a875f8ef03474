import { ApplicationFailure } from '@temporalio/activity';
import { MailError, MailInFlightError } from '../libs/mail/src/send-mail';

/**
 * What a failed sendMailOnce means to Temporal, the same for every activity that mails:
 * - another attempt owns the message right now (MailInFlightError): retry when its lease ends;
 * - a permanently invalid or rejected mail: fail without retry (MAIL_INVALID / MAIL_REJECTED);
 * - anything else is a technical fault: returned as it is, for the activity's retry policy.
 * Returns the error to throw.
 */
export function mailFailure(e: unknown): unknown {
  if (e instanceof MailInFlightError) return ApplicationFailure.create({ message: e.message, type: e.code, nonRetryable: false, nextRetryDelay: e.retryAfterMs });
  if (e instanceof MailError && !e.retryable) return ApplicationFailure.create({ message: e.message, type: e.code, nonRetryable: true });
  return e;
}
