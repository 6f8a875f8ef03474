import { log } from '@temporalio/activity';
import { sendMailOnce } from '../../libs/mail/src/send-mail';
import { mailFailure } from '../mail-failure';
import type { SendMailResult } from '../../libs/mail/src/send-mail';
import type { ActivityDeps } from '../deps';

export interface NotificationInput {
  /**
   * Stable id of the logical message, derived from the process, never random or time-based, e.g.
   * `<case-WG-2026-000123.status-received@amtsweg>`. The same id is never mailed twice.
   * Must not contain personal data (it is logged and stored in mail_log).
   */
  messageId: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export type NotificationResult = SendMailResult;

/** Business-level failure types of this group (stable: workflows may branch on them). */
export const NOTIFY_FAILURES = {
  invalid: 'MAIL_INVALID',
  rejected: 'MAIL_REJECTED',
} as const;

export function createNotifyActivities(deps: ActivityDeps) {
  return {
    /**
     * Mails the citizen (or staff) once per messageId. Retried by Temporal on transient SMTP or
     * database faults; a permanently invalid or rejected mail fails non-retryably with type
     * MAIL_INVALID / MAIL_REJECTED. Logs the Message-ID only, never address or text.
     */
    async sendNotification(input: NotificationInput): Promise<NotificationResult> {
      try {
        const result = await sendMailOnce({ transport: deps.mail.transport, pool: deps.pool, from: deps.mail.from }, input);
        log.info('notification', { messageId: result.messageId, status: result.status, attempts: result.attempts });
        if (!result.recorded) log.warn('notification sent but not recorded in mail_log', { messageId: result.messageId });
        return result;
      } catch (e) {
        throw mailFailure(e);
      }
    },
  };
}
