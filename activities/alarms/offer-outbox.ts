import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import { OFFER_OUTBOX_CHANNEL, claimQueuedOffers, deleteQueuedOffers } from '../../libs/db/src/appointments/alarm-outbox';
import type { QueuedOffer } from '../../libs/db/src/appointments/alarm-outbox';
import { matchSlot, resolveOffer } from '../../libs/db/src/appointments/alarms';
import { openAlarmToken } from '../../libs/db/src/appointments/secrets';
import type { SealingKey } from '../../libs/db/src/appointments/secrets';
import { withTransaction } from '../../libs/db/src/cases/tx';
import { MailInFlightError, sendMailOnce } from '../../libs/mail/src/send-mail';
import { offerSignal } from '../../workflows/appointment-alarm/appointment-alarm.contract';
import type { OfferNotice } from '../../workflows/appointment-alarm/appointment-alarm.contract';
import type { ActivityDeps } from '../deps';
import { alarmLinks, alarmMail, alarmMessageId } from './mails';

/**
 * THE OFFER OUTBOX DRAINER (docs/appointments.md "Offer outbox"), run by the worker process next to
 * its Temporal workers. The matcher queues every offer in alarm_offer_outbox in its own transaction
 * and NOTIFYs; this drainer LISTENs, and for each queued offer
 *   1. signals `offer` to the alarm's workflow (the workflow ignores an offer id it knows, so a
 *      repeat after a crash is harmless); a workflow that is gone lets the offer lapse and the seat
 *      go to the next alarm (queued again by that match);
 *   2. at the same time (not after the signal) mails the offer with the Message-ID the workflow uses, through sendMailOnce, so
 *      it goes out once whoever is first. The workflow still runs its own sendAlarmMail for the
 *      offer (then `already-sent`): it is the guarantee when this mail fails, and the only sender
 *      for alarms without a sealed token. This keeps the mail off the Temporal round trips (signal →
 *      workflow task → activity task → SMTP), which on a busy server take seconds per offer;
 *   3. deletes the row, in the transaction that claimed it (FOR UPDATE SKIP LOCKED: several workers
 *      share the queue; a drainer that dies releases its rows with its connection).
 * Event-driven: a NOTIFY wakes it; at start and after every reconnect of the LISTEN connection it
 * sweeps what is left (rows of a crashed API or worker). The slow periodic sweep is only a
 * backstop for rows a live peer left behind when it died without a later NOTIFY.
 */
export interface OfferOutboxDrainerDeps {
  pool: Pool;
  /** A client with the workers' data converter (payload encryption). */
  client: Pick<Client, 'workflow'>;
  mail: ActivityDeps['mail'];
  config: { ALARM_OFFER_HOLD: string; PUBLIC_BASE_URL: string };
  /** The payload keys: they open alarms.token_sealed. */
  keys: readonly SealingKey[];
  logger?: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  /** Offers signalled, and offers mailed, at once per lane (default 12 each). */
  concurrency?: number;
  /** Offers claimed per transaction (default 50). */
  batchSize?: number;
  /** Claiming transactions at once (default 3; mind the pool: each holds a connection). */
  lanes?: number;
  /** Backstop sweep interval, ms (default 5 minutes; 0 = none). */
  sweepEveryMs?: number;
}

export interface OfferOutboxDrainer {
  /** Drains now (what a NOTIFY does); resolves when the queue was empty or a failure was scheduled for retry. */
  kick(): Promise<void>;
  stop(): Promise<void>;
}

export function toNotice(q: Pick<QueuedOffer, 'offerId' | 'slotId' | 'officeId' | 'start' | 'end' | 'expiresAt'>): OfferNotice {
  return { offerId: q.offerId, slotId: q.slotId, officeId: q.officeId, start: q.start.toISOString(), end: q.end.toISOString(), expiresAt: q.expiresAt.toISOString() };
}

async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) await fn(items[i]!);
    }),
  );
}

export function startOfferOutboxDrainer(deps: OfferOutboxDrainerDeps): OfferOutboxDrainer {
  const log = deps.logger;
  const concurrency = deps.concurrency ?? 12;
  const batchSize = deps.batchSize ?? 50;
  let stopped = false;
  let listener: PoolClient | undefined;
  const lanes = deps.lanes ?? 3;
  const active = new Set<Promise<void>>();
  let again = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let failures = 0;

  async function signal(q: QueuedOffer): Promise<boolean> {
    try {
      await deps.client.workflow.getHandle(q.workflowId).signal(offerSignal, toNotice(q));
      return true;
    } catch (e) {
      if (!(e instanceof WorkflowNotFoundError)) {
        log?.warn({ offerId: q.offerId, err: e instanceof Error ? e.message : String(e) }, 'offer signal failed; retried');
        return false;
      }
    }
    // no workflow listens (terminated by an operator): the offer lapses, the alarm ends, the seat
    // goes to the next alarm (queued by that match); a mail already out leads to "offer closed"
    log?.warn({ workflowId: q.workflowId, offerId: q.offerId }, 'alarm workflow gone; offer lapses');
    await resolveOffer(deps.pool, { offerId: q.offerId, to: 'lapsed' });
    await deps.pool.query(`UPDATE alarms SET status = 'cancelled', updated_at = now() WHERE id = $1 AND status = 'active'`, [q.alarmId]);
    await matchSlot(deps.pool, { slotId: q.slotId, offerId: randomUUID(), offerHold: deps.config.ALARM_OFFER_HOLD, sourceKey: `after:${q.offerId}` });
    return true;
  }

  async function mail(q: QueuedOffer): Promise<void> {
    const token = openAlarmToken(deps.keys, q.alarmId, q.tokenSealed);
    if (!token) return; // the workflow mails it
    const m = alarmMail({
      kind: 'offer',
      name: q.name,
      serviceName: q.serviceName,
      links: alarmLinks(deps.config.PUBLIC_BASE_URL, q.alarmId, token, q.offerId),
      offer: { officeName: q.officeName, officeAddress: q.officeAddress, start: q.start, expiresAt: q.expiresAt },
      expiresAt: q.alarmExpiresAt,
    });
    try {
      await sendMailOnce({ transport: deps.mail.transport, pool: deps.pool, from: deps.mail.from }, { messageId: alarmMessageId(q.alarmId, 'offer', q.offerId), to: q.email, ...m });
    } catch (e) {
      // the workflow's own sendAlarmMail (same Message-ID, with Temporal's retries) delivers it
      if (!(e instanceof MailInFlightError)) log?.warn({ offerId: q.offerId, err: e instanceof Error ? e.message : String(e) }, 'offer mail from the outbox failed; the workflow sends it');
    }
  }

  /** One claimed batch: returns how many rows were claimed and whether any must be retried. */
  async function drainBatch(): Promise<{ claimed: number; failed: number }> {
    return withTransaction(deps.pool, async (tx) => {
      const rows = await claimQueuedOffers(tx, batchSize);
      const done: string[] = [];
      let failed = 0;
      // only open offers are told and mailed (one resolved meanwhile: nothing to tell). Signals and
      // mails run side by side, not one after the other: on a busy Temporal server a signal is a
      // queued persistence write, and the mails would inherit that queue. A click that beats the
      // signal is covered by the API, which signals an offer PostgreSQL holds open before the decision.
      const open = rows.filter((q) => q.status === 'open');
      for (const q of rows) if (q.status !== 'open') done.push(q.offerId);
      await Promise.all([
        forEachLimited(open, concurrency, async (q) => {
          let ok = false;
          try {
            ok = await signal(q);
          } catch (e) {
            log?.warn({ offerId: q.offerId, err: e instanceof Error ? e.message : String(e) }, 'queued offer not handled; retried');
          }
          if (ok) done.push(q.offerId);
          else failed++;
        }),
        forEachLimited(open, concurrency, mail),
      ]);
      await deleteQueuedOffers(tx, done);
      return { claimed: rows.length, failed };
    });
  }

  function scheduleRetry(): void {
    if (stopped || retryTimer) return;
    const delay = Math.min(30_000, 500 * 2 ** Math.min(failures, 6));
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void kick();
    }, delay);
    retryTimer.unref?.();
  }

  /**
   * Up to `lanes` batches at once, each its own claiming transaction (SKIP LOCKED keeps them apart):
   * offers committed while a batch waits for its signals (a queued write on a busy server) are
   * taken by another lane at once instead of waiting behind it.
   */
  function kick(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (active.size >= lanes) {
      again = true;
      return Promise.all(active).then(() => undefined);
    }
    again = false;
    const lane: Promise<void> = (async () => {
      for (;;) {
        if (stopped) return;
        const r = await drainBatch();
        if (r.failed > 0) {
          failures++;
          scheduleRetry();
          return;
        }
        failures = 0;
        if (r.claimed === 0) return;
        if (again && active.size < lanes) void kick();
      }
    })()
      .catch((e: unknown) => {
        failures++;
        log?.warn({ err: e instanceof Error ? e.message : String(e) }, 'offer outbox drain failed; retried');
        scheduleRetry();
      })
      .finally(() => {
        active.delete(lane);
        if (again && !stopped) void kick();
      });
    active.add(lane);
    return lane;
  }

  async function listen(): Promise<void> {
    if (stopped) return;
    try {
      const c = await deps.pool.connect();
      c.on('notification', (n) => {
        if (n.channel === OFFER_OUTBOX_CHANNEL) void kick();
      });
      c.on('error', (e) => {
        log?.warn({ err: e.message }, 'offer outbox LISTEN connection lost; reconnecting');
        if (listener === c) listener = undefined;
        c.release(e);
        scheduleListen();
      });
      await c.query(`LISTEN ${OFFER_OUTBOX_CHANNEL}`);
      if (stopped) {
        c.release();
        return;
      }
      listener = c;
      log?.debug({ channel: OFFER_OUTBOX_CHANNEL }, 'offer outbox listening');
      void kick(); // the sweep: rows queued while nobody listened
    } catch (e) {
      log?.warn({ err: e instanceof Error ? e.message : String(e) }, 'offer outbox LISTEN failed; retrying');
      scheduleListen();
    }
  }
  function scheduleListen(): void {
    if (stopped || reconnectTimer) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      void listen();
    }, 1_000);
    reconnectTimer.unref?.();
  }

  const sweepEvery = deps.sweepEveryMs ?? 300_000;
  const sweep = sweepEvery > 0 ? setInterval(() => void kick(), sweepEvery) : undefined;
  sweep?.unref?.();
  void listen();

  return {
    kick,
    async stop() {
      stopped = true;
      if (sweep) clearInterval(sweep);
      if (retryTimer) clearTimeout(retryTimer);
      if (reconnectTimer) clearTimeout(reconnectTimer);
      await Promise.all(active);
      if (listener) {
        const c = listener;
        listener = undefined;
        await c.query(`UNLISTEN ${OFFER_OUTBOX_CHANNEL}`).catch(() => undefined);
        c.release();
      }
    },
  };
}
