import type { Pool } from 'pg';
import type { Transporter } from 'nodemailer';

/**
 * How long one send attempt's claim on a message lasts without renewal. While the attempt talks to
 * SMTP it renews the claim every MAIL_SEND_LEASE_RENEW_MS, however long the conversation takes
 * (SMTP_TIMEOUTS_MS bound it), so a concurrent retry (e.g. a Temporal retry after a start-to-close
 * timeout, on another worker) never overtakes a live attempt. An attempt that died — a worker
 * killed or crashed mid-send — stops renewing, and its message is free again within this time
 * instead of being blocked for a whole SMTP timeout.
 */
export const MAIL_SEND_LEASE_SECONDS = 15;
/** How often a live send attempt renews its claim; a third of the lease leaves room for two missed renewals. */
export const MAIL_SEND_LEASE_RENEW_MS = 5_000;

if (MAIL_SEND_LEASE_RENEW_MS * 2 >= MAIL_SEND_LEASE_SECONDS * 1000) throw new Error('MAIL_SEND_LEASE_SECONDS must exceed two renewal intervals');

export interface SendMailDeps {
  transport: Pick<Transporter, 'sendMail'>;
  pool: Pick<Pool, 'query'>;
  /** Default sender (MAIL_FROM), e.g. `amtsweg Berlin <noreply@amtsweg.berlin.example>`. */
  from: string;
}

export interface OutgoingMail {
  /**
   * The stable identity of this *logical* message, also used as the RFC 5322 Message-ID header:
   * derive it from what the mail is about, never from time or randomness, e.g.
   * `<case-WG-2026-000123.status-received@amtsweg>`. Angle brackets are added when missing.
   * It ends up in the mail_log table and in logs, so it must carry no personal data.
   */
  messageId: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Files sent with the mail, e.g. a notice as PDF. Same bytes on every retry of the logical message. */
  attachments?: MailAttachment[];
  /** Overrides SendMailDeps.from. */
  from?: string;
}

export interface MailAttachment {
  filename: string;
  content: Buffer;
  contentType: string;
}

export interface SendMailResult {
  messageId: string;
  /** `sent`: this call handed the mail to SMTP. `already-sent`: an earlier call did; nothing was sent now. */
  status: 'sent' | 'already-sent';
  /** Send attempts recorded for this message so far (including this one when status is `sent`). */
  attempts: number;
  /**
   * False only when the mail went out but mail_log could not be marked `sent` (database down right
   * then): the row stays `pending`, and a later call with the same messageId would send again.
   */
  recorded: boolean;
}

/** Base class: `retryable` tells the caller (a Temporal activity) whether trying again can help. */
export abstract class MailError extends Error {
  abstract readonly code: string;
  abstract readonly retryable: boolean;
}

/** The message itself is unusable (bad Message-ID, no recipient): retrying cannot help. */
export class InvalidMailError extends MailError {
  readonly code = 'MAIL_INVALID';
  readonly retryable = false;
  override name = 'InvalidMailError';
}

/** The SMTP server refused the message permanently (5xx): retrying cannot help. */
export class MailRejectedError extends MailError {
  readonly code = 'MAIL_REJECTED';
  readonly retryable = false;
  override name = 'MailRejectedError';
  constructor(
    message: string,
    readonly responseCode: number,
  ) {
    super(message);
  }
}

/** Another attempt holds the lease on this message right now; retry after `retryAfterMs`. */
export class MailInFlightError extends MailError {
  readonly code = 'MAIL_IN_FLIGHT';
  readonly retryable = true;
  override name = 'MailInFlightError';
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/** A transient failure (connection refused, timeout, 4xx): retry. */
export class MailTransientError extends MailError {
  readonly code = 'MAIL_TRANSIENT';
  readonly retryable = true;
  override name = 'MailTransientError';
}

// dot-atom "@" dot-atom, as RFC 5322 msg-id in practice; at most 250 characters.
const MESSAGE_ID = /^<[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*>$/;

/** `<local@domain>` from `local@domain` or `<local@domain>`; throws InvalidMailError otherwise. */
export function normalizeMessageId(id: string): string {
  const trimmed = id.trim();
  const wrapped = trimmed.startsWith('<') ? trimmed : `<${trimmed}>`;
  if (wrapped.length > 250 || !MESSAGE_ID.test(wrapped)) {
    throw new InvalidMailError(`not a valid Message-ID: ${JSON.stringify(id.slice(0, 80))} (expected <local@domain>)`);
  }
  return wrapped;
}

/** SMTP texts can quote addresses; mail_log and logs must not keep personal data. */
function scrub(text: string): string {
  return text.replace(/[^\s<>@"']+@[^\s<>@"']+/g, '[address]').slice(0, 300);
}

interface SmtpError {
  responseCode?: number;
  code?: string;
  message?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Sends a mail at most once per `messageId`, as far as one process can promise that.
 *
 * 1. Claim: insert the mail_log row (status `pending`) or, for a pending row whose lease has
 *    lapsed, take it over — atomically, in one statement. A row already `sent` means an earlier
 *    attempt delivered the mail: return `already-sent` without touching SMTP. A pending row under
 *    someone else's live lease gives MailInFlightError (retry after the lease).
 * 2. Send through SMTP with the same Message-ID header, renewing the lease every
 *    MAIL_SEND_LEASE_RENEW_MS meanwhile (fenced by the attempt number, so a renewal never extends
 *    a later attempt's claim).
 * 3. Mark the row `sent`.
 *
 * The remaining at-least-once window, honestly: if the process dies after the SMTP server accepted
 * the mail but before step 3 committed, or the server's "250 OK" is lost on the wire, the next
 * attempt (once the dead attempt's lease lapses, at most MAIL_SEND_LEASE_SECONDS) finds the row
 * still `pending` and sends again. That duplicate carries the identical Message-ID, so receivers
 * and the mail sink can recognise it (count distinct Message-IDs). No design without a
 * transactional outbox at the SMTP server can close this window; it is kept to the time between
 * the server's accept and the commit of step 3 (milliseconds, unless the database is slow then).
 * The same holds when the database is unreachable for longer than the lease while an attempt is
 * still sending: its claim lapses and a retry may send alongside it.
 */
export async function sendMailOnce(deps: SendMailDeps, msg: OutgoingMail): Promise<SendMailResult> {
  const messageId = normalizeMessageId(msg.messageId);
  if (!msg.to.trim() || !msg.to.includes('@')) throw new InvalidMailError(`mail ${messageId} has no valid recipient`);
  if (!msg.subject.trim()) throw new InvalidMailError(`mail ${messageId} has no subject`);

  const claim = await deps.pool.query<{ attempts: number }>(
    `INSERT INTO mail_log AS m (message_id, status, attempts, claimed_until)
     VALUES ($1, 'pending', 1, now() + make_interval(secs => $2))
     ON CONFLICT (message_id) DO UPDATE
        SET attempts = m.attempts + 1, claimed_until = EXCLUDED.claimed_until, updated_at = now()
      WHERE m.status = 'pending' AND (m.claimed_until IS NULL OR m.claimed_until < now())
     RETURNING attempts`,
    [messageId, MAIL_SEND_LEASE_SECONDS],
  );
  const claimed = claim.rows[0];
  if (!claimed) {
    const existing = await deps.pool.query<{ status: 'pending' | 'sent'; attempts: number; wait_ms: number | null }>(
      `SELECT status, attempts, ceil(extract(epoch FROM (claimed_until - now())) * 1000)::int AS wait_ms
         FROM mail_log WHERE message_id = $1`,
      [messageId],
    );
    const row = existing.rows[0];
    if (row?.status === 'sent') return { messageId, status: 'already-sent', attempts: row.attempts, recorded: true };
    // Pending under another attempt's live lease (or the lease lapsed between the two statements).
    const waitMs = Math.max(row?.wait_ms ?? 0, 0) + 250;
    throw new MailInFlightError(`mail ${messageId} is being sent by another attempt; retry in ${waitMs} ms`, waitMs);
  }

  const lease = keepLeaseAlive(deps.pool, messageId, claimed.attempts);
  try {
    return await sendClaimed(deps, msg, messageId, claimed.attempts, lease);
  } finally {
    await lease.stop();
  }
}

interface LeaseRenewal {
  /** Stops renewing (a renewal in progress may still land; harmless once the row is `sent`). Idempotent. */
  cancel(): void;
  /** Stops renewing and waits for a renewal in progress, so nothing re-extends the lease afterwards. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Renews this attempt's claim every MAIL_SEND_LEASE_RENEW_MS while SMTP takes its time. Fenced by
 * the attempt number: it never extends a later attempt's claim. Best effort: a failed renewal is
 * retried at the next tick; only a database unreachable for the whole lease lets the claim lapse.
 */
function keepLeaseAlive(pool: Pick<Pool, 'query'>, messageId: string, attempt: number): LeaseRenewal {
  let renewing: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    renewing ??= pool
      .query(
        `UPDATE mail_log SET claimed_until = now() + make_interval(secs => $2), updated_at = now()
          WHERE message_id = $1 AND status = 'pending' AND attempts = $3`,
        [messageId, MAIL_SEND_LEASE_SECONDS, attempt],
      )
      .catch(() => undefined)
      .finally(() => (renewing = undefined));
  }, MAIL_SEND_LEASE_RENEW_MS);
  timer.unref();
  return {
    cancel: () => clearInterval(timer),
    async stop() {
      clearInterval(timer);
      await renewing;
    },
  };
}

/** Steps 2 and 3 of sendMailOnce, for a message this attempt has claimed. */
async function sendClaimed(deps: SendMailDeps, msg: OutgoingMail, messageId: string, attempts: number, lease: LeaseRenewal): Promise<SendMailResult> {
  let response: string;
  try {
    const info = (await deps.transport.sendMail({
      from: msg.from ?? deps.from,
      to: msg.to,
      subject: msg.subject,
      text: msg.text,
      html: msg.html,
      attachments: msg.attachments?.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
      messageId,
      // RFC 3834: automatic notification, no out-of-office replies please.
      headers: { 'Auto-Submitted': 'auto-generated' },
    })) as { response?: string };
    response = typeof info.response === 'string' ? info.response : '';
  } catch (e) {
    await lease.stop();
    const err = (e ?? {}) as SmtpError;
    const detail = scrub(`${err.code ?? 'ERROR'}${err.responseCode ? ` ${err.responseCode}` : ''}: ${err.message ?? String(e)}`);
    // Release the lease so the retry can go ahead at once.
    await deps.pool
      .query(`UPDATE mail_log SET claimed_until = NULL, last_error = $2, updated_at = now() WHERE message_id = $1 AND status = 'pending'`, [messageId, detail])
      .catch(() => undefined);
    if (err.responseCode && err.responseCode >= 500 && err.responseCode < 600) {
      throw new MailRejectedError(`SMTP rejected mail ${messageId}: ${detail}`, err.responseCode);
    }
    throw new MailTransientError(`sending mail ${messageId} failed: ${detail}`, { cause: e });
  }

  // The mail is out. A short database hiccup must not turn into a resend, so marking is tried a
  // few times; if it still fails, the call succeeds anyway (the mail *was* accepted) and reports
  // `recorded: false`: failing here would make the activity retry and send a duplicate.
  // Not waiting for a renewal in progress: it only touches a `pending` row, and every millisecond
  // until the row says `sent` is part of the at-least-once window.
  lease.cancel();
  let recorded = false;
  for (let i = 0; i < 3 && !recorded; i++) {
    try {
      await deps.pool.query(
        `UPDATE mail_log SET status = 'sent', sent_at = now(), claimed_until = NULL, smtp_response = $2, last_error = NULL, updated_at = now()
          WHERE message_id = $1`,
        [messageId, scrub(response)],
      );
      recorded = true;
    } catch {
      if (i < 2) await sleep(250 * (i + 1) ** 2);
    }
  }
  return { messageId, status: 'sent', attempts, recorded };
}
