import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { Transporter } from 'nodemailer';
import { createTestDatabase } from '../../../test/support/db';
import { listMails, waitForMails } from '../../../test/support/mail';
import type { SinkMail } from '../../../test/support/mail';
import { InvalidMailError, MAIL_SEND_LEASE_RENEW_MS, MailInFlightError, MailTransientError, normalizeMessageId, sendMailOnce } from './send-mail';
import { createMailTransport } from './transport';

// Integration test: real PostgreSQL (a fresh, migrated database) and the real SMTP sink of
// test/global-setup.ts, checked through its maildev-style REST API.
const smtpUrl = process.env.SMTP_URL;
if (!smtpUrl) throw new Error('SMTP_URL is not set (test/global-setup.ts starts the mail sink)');

const from = 'amtsweg Test <noreply@amtsweg.test>';

/** The Message-ID as the sink saw it, with angle brackets (maildev strips them in `messageId`). */
function messageIdOf(m: SinkMail): string | undefined {
  const header = m.headers?.['message-id'];
  if (typeof header === 'string') return header.trim();
  return m.messageId ? `<${m.messageId.replace(/^<|>$/g, '')}>` : undefined;
}

/** Every mail at the sink carrying this Message-ID (to count duplicates). */
async function mailsWithId(id: string): Promise<SinkMail[]> {
  return (await listMails()).filter((m) => messageIdOf(m) === id);
}

/** Waits until the mail arrived, then gives a duplicate time to show up before counting. */
async function deliveredCount(id: string): Promise<number> {
  await waitForMails((m) => messageIdOf(m) === id, { count: 1, timeoutMs: 10_000 });
  await new Promise((r) => setTimeout(r, 750));
  return (await mailsWithId(id)).length;
}

const uniqueId = (what: string) => `<test-${randomUUID()}.${what}@amtsweg>`;

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: Pool;
let transport: Transporter;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = db.pool;
  transport = createMailTransport(smtpUrl);
});

afterAll(async () => {
  transport?.close();
  await db?.drop();
});

async function logRow(id: string) {
  const r = await pool.query('SELECT status, attempts, claimed_until, last_error, sent_at FROM mail_log WHERE message_id = $1', [id]);
  return r.rows[0] as { status: string; attempts: number; claimed_until: Date | null; last_error: string | null; sent_at: Date | null } | undefined;
}

describe('sendMailOnce', () => {
  it('sends a message once, however often it is asked to, and keeps the Message-ID', async () => {
    const id = uniqueId('status-received');
    const msg = { messageId: id, to: 'buerger@example.org', subject: 'Ihr Antrag ist eingegangen', text: 'Guten Tag, …' };

    const first = await sendMailOnce({ transport, pool, from }, msg);
    const second = await sendMailOnce({ transport, pool, from }, msg);

    expect(first).toEqual({ messageId: id, status: 'sent', attempts: 1, recorded: true });
    expect(second).toEqual({ messageId: id, status: 'already-sent', attempts: 1, recorded: true });
    expect(await deliveredCount(id)).toBe(1);

    const [mail] = await mailsWithId(id);
    expect(mail?.headers?.['auto-submitted']).toBe('auto-generated');
    expect(await logRow(id)).toMatchObject({ status: 'sent', attempts: 1, claimed_until: null, last_error: null, sent_at: expect.any(Date) });
  });

  it('sends once when retries race each other', async () => {
    const id = uniqueId('race');
    const msg = { messageId: id, to: 'buerger@example.org', subject: 'Race', text: 'x' };

    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => sendMailOnce({ transport, pool, from }, msg)));

    const sent = outcomes.filter((o) => o.status === 'fulfilled' && o.value.status === 'sent');
    expect(sent).toHaveLength(1);
    for (const o of outcomes) {
      // the losers either saw the finished row or the winner's live lease (retryable)
      if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(MailInFlightError);
    }
    expect(await deliveredCount(id)).toBe(1);
  });

  it('records a failed attempt, releases its lease and lets the retry deliver exactly once', async () => {
    const id = uniqueId('smtp-down');
    const msg = { messageId: id, to: 'buerger@example.org', subject: 'Retry', text: 'x' };
    const deadTransport = createMailTransport('smtp://127.0.0.1:1'); // nothing listens on port 1

    await expect(sendMailOnce({ transport: deadTransport, pool, from }, msg)).rejects.toBeInstanceOf(MailTransientError);
    deadTransport.close();
    expect(await logRow(id)).toMatchObject({ status: 'pending', attempts: 1, claimed_until: null, last_error: expect.stringMatching(/ECONNREFUSED|ESOCKET|ECONNECTION/) });
    expect(await mailsWithId(id)).toHaveLength(0);

    await expect(sendMailOnce({ transport, pool, from }, msg)).resolves.toMatchObject({ status: 'sent', attempts: 2 });
    expect(await deliveredCount(id)).toBe(1);
  });

  it('waits for a live lease and takes over a lapsed one (an attempt that died mid-send)', async () => {
    const live = uniqueId('live-lease');
    await pool.query("INSERT INTO mail_log (message_id, attempts, claimed_until) VALUES ($1, 1, now() + interval '20 seconds')", [live]);
    const err = await sendMailOnce({ transport, pool, from }, { messageId: live, to: 'a@example.org', subject: 's', text: 't' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailInFlightError);
    expect((err as MailInFlightError).retryAfterMs).toBeGreaterThan(15_000);
    expect(await mailsWithId(live)).toHaveLength(0);

    const lapsed = uniqueId('lapsed-lease');
    await pool.query("INSERT INTO mail_log (message_id, attempts, claimed_until) VALUES ($1, 1, now() - interval '1 second')", [lapsed]);
    await expect(sendMailOnce({ transport, pool, from }, { messageId: lapsed, to: 'a@example.org', subject: 's', text: 't' })).resolves.toMatchObject({
      status: 'sent',
      attempts: 2,
    });
    expect(await deliveredCount(lapsed)).toBe(1);
  });

  it('renews the lease of a slow but live attempt, so a concurrent retry does not overtake it', async () => {
    const id = uniqueId('slow-smtp');
    const msg = { messageId: id, to: 'buerger@example.org', subject: 'Slow', text: 'x' };
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const slowTransport = { sendMail: async (m: Parameters<Transporter['sendMail']>[0]) => (await held, transport.sendMail(m)) };

    const slow = sendMailOnce({ transport: slowTransport, pool, from }, msg);
    const claimedUntil = async () => (await logRow(id))?.claimed_until?.getTime() ?? 0;
    let first = 0;
    for (let i = 0; i < 100 && first === 0; i++) {
      first = await claimedUntil();
      if (first === 0) await new Promise((r) => setTimeout(r, 20));
    }
    // one renewal interval later the claim reaches further than the first one did
    const deadline = Date.now() + MAIL_SEND_LEASE_RENEW_MS * 2;
    while ((await claimedUntil()) <= first && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await claimedUntil()).toBeGreaterThan(first);
    await expect(sendMailOnce({ transport, pool, from }, msg)).rejects.toBeInstanceOf(MailInFlightError);

    release();
    await expect(slow).resolves.toMatchObject({ status: 'sent', attempts: 1 });
    expect(await logRow(id)).toMatchObject({ status: 'sent', claimed_until: null });
    expect(await deliveredCount(id)).toBe(1);
  });

  it('refuses a message without a usable Message-ID before touching the database', async () => {
    await expect(sendMailOnce({ transport, pool, from }, { messageId: 'no at sign', to: 'a@example.org', subject: 's', text: 't' })).rejects.toBeInstanceOf(
      InvalidMailError,
    );
    expect(normalizeMessageId('case-1.status@amtsweg')).toBe('<case-1.status@amtsweg>');
    expect(() => normalizeMessageId('<a@b>\r\nBcc: x@y')).toThrow(InvalidMailError);
    const r = await pool.query("SELECT count(*)::int AS n FROM mail_log WHERE message_id LIKE '%no at sign%'");
    expect(r.rows[0]).toEqual({ n: 0 });
  });
});
