import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';

/**
 * Upper bounds for one SMTP conversation (connect, greeting, idle socket). sendMailOnce() keeps its
 * claim on the message renewed for as long as the conversation lasts (see MAIL_SEND_LEASE_SECONDS),
 * so a concurrent retry does not send while an earlier attempt may still be talking to the server.
 */
export const SMTP_TIMEOUTS_MS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } as const;

/**
 * An SMTP transport from a URL such as smtp://localhost:1025 or smtps://user:pass@host:465
 * (nodemailer's URL syntax; query parameters such as ?requireTLS=true are honoured and win over
 * the timeouts above).
 */
export function createMailTransport(smtpUrl: string): Transporter {
  return nodemailer.createTransport({ url: smtpUrl, ...SMTP_TIMEOUTS_MS });
}
