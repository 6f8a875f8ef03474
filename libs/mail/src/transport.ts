import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';

/**
 * Upper bounds for one SMTP conversation (connect, greeting, idle socket). sendMailOnce() keeps its
 * claim on the message renewed for as long as the conversation lasts (see MAIL_SEND_LEASE_SECONDS),
 * so a concurrent retry does not send while an earlier attempt may still be talking to the server.
 */
export const SMTP_TIMEOUTS_MS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } as const;

/**
 * Pooled connections: a Terminalarm publication mails hundreds of offers at once, and a fresh
 * connection (TCP, greeting, EHLO, STARTTLS) per mail was the limit — about 95 mails/s against the
 * local sink, 380/s with 5 reused connections. Each mail is still its own SMTP transaction.
 */
export const SMTP_POOL = { pool: true, maxConnections: 5, maxMessages: 500 } as const;

/**
 * An SMTP transport from a URL such as smtp://localhost:1025 or smtps://user:pass@host:465
 * (nodemailer's URL syntax; query parameters such as ?requireTLS=true or ?pool=false are honoured
 * and win over the settings above). close() ends the pooled connections.
 */
export function createMailTransport(smtpUrl: string): Transporter {
  return nodemailer.createTransport({ url: smtpUrl, ...SMTP_POOL, ...SMTP_TIMEOUTS_MS });
}
