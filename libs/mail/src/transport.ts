import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';

/** An SMTP transport from a URL such as smtp://localhost:1025 or smtps://user:pass@host:465. */
export function createMailTransport(smtpUrl: string): Transporter {
  return nodemailer.createTransport(smtpUrl);
}
