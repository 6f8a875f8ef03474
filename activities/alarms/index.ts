import { randomUUID } from 'node:crypto';
import { ApplicationFailure, getClient, log } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Pool } from 'pg';
import { acceptOffer, closeAlarm, extendAlarm, findAlarm, findOffer, resolveOffer, routeSlot } from '../../libs/db/src/appointments/alarms';
import type { AlarmStatus, MatchedOffer, OfferRecord } from '../../libs/db/src/appointments/alarms';
import type { FreedSlot } from '../../libs/db/src/appointments/booking';
import { DomainError } from '../../libs/domain/src/errors';
import { sendMailOnce } from '../../libs/mail/src/send-mail';
import { mailFailure } from '../mail-failure';
import { offerSignal } from '../../workflows/appointment-alarm/appointment-alarm.contract';
import type { OfferNotice } from '../../workflows/appointment-alarm/appointment-alarm.contract';
import type { ActivityDeps } from '../deps';
import type { NotificationResult } from '../notify';
import type { FreedSlotEvent } from '../appointments';
import { alarmLinks, alarmMail, alarmMessageId } from './mails';
import type { AlarmMailKind } from './mails';

export type { AlarmMailKind } from './mails';

/**
 * Activities of the Terminalarm (workflows/appointment-alarm) and the matcher the appointment
 * workflow's onSlotFreed runs. Every seat change goes through libs/db/src/appointments/alarms.ts,
 * one transaction each, idempotent. Offers reach the alarm's workflow as a signal sent by the
 * worker's client right after the match committed; a retry re-sends it (the workflow ignores an
 * offer it knows).
 */
export function toOfferNotice(o: OfferRecord): OfferNotice {
  return { offerId: o.offerId, slotId: o.slotId, officeId: o.officeId, start: o.start.toISOString(), end: o.end.toISOString(), expiresAt: o.expiresAt.toISOString() };
}

/** Signals the offer to its alarm's workflow through the worker's client. */
async function signalFromActivity(offer: MatchedOffer): Promise<'delivered' | 'gone'> {
  try {
    await getClient().workflow.getHandle(offer.workflowId).signal(offerSignal, toOfferNotice(offer));
    return 'delivered';
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) {
      log.warn('alarm workflow gone; offer lapses', { workflowId: offer.workflowId, offerId: offer.offerId });
      return 'gone';
    }
    throw e;
  }
}

/** Offers one freed seat to the queue; the shared body of onSlotFreed and of a declined/lapsed offer. */
export async function offerSeatToQueue(pool: Pool, offerHold: string, slotId: string, sourceKey: string): Promise<MatchedOffer | null> {
  const [offer] = await routeSlot(pool, { slotId, offerHold, sourceKey, maxOffers: 1, newOfferId: randomUUID }, signalFromActivity);
  return offer ?? null;
}

/** The old seat of a swap as the event onSlotFreed takes (reason `swapped`). */
function swappedSeat(f: FreedSlot, appointmentId: string): FreedSlotEvent {
  return {
    slotId: f.slotId,
    officeId: f.officeId,
    start: f.start.toISOString(),
    end: f.end.toISOString(),
    serviceIds: f.serviceIds,
    publicAt: f.publicAt ? f.publicAt.toISOString() : null,
    withheld: f.withheld,
    reason: 'swapped',
    appointmentId,
  };
}

function asFailure(e: unknown): unknown {
  if (e instanceof DomainError) {
    return ApplicationFailure.create({ type: e.code, message: e.message, nonRetryable: true, details: [{ ...(e.details?.reason && { reason: e.details.reason }) }] });
  }
  return e;
}

export interface ResolveAlarmOfferInput {
  offerId: string;
  to: 'declined' | 'lapsed';
}
export interface ResolveAlarmOfferResult {
  changed: boolean;
  status: string;
  /** The offer the seat went to next, if any. */
  nextOfferId: string | null;
}

export interface AcceptAlarmOfferResult {
  appointmentId: string;
  slotId: string;
  officeId: string;
  serviceId: string;
  start: string;
  end: string;
  /** An "earlier slot" alarm: the replaced appointment (cancelled in the same transaction) and its freed seat, for onSlotFreed. */
  swapped: { appointmentId: string; workflowId: string; freed: FreedSlotEvent } | null;
}

export interface AlarmMailInput {
  alarmId: string;
  kind: AlarmMailKind;
  /** offer: the offer id; expiring: the extension count; expired: 0. */
  key: string | number;
  token: string;
}

export function createAlarmActivities(deps: ActivityDeps) {
  const c = deps.config;
  return {
    /** Declined / lapsed: seat back, alarm waits again, then the seat goes to the next matching alarm. */
    async resolveAlarmOffer(input: ResolveAlarmOfferInput): Promise<ResolveAlarmOfferResult> {
      try {
        const r = await resolveOffer(deps.pool, input);
        // also on a retry (changed = false): the re-match is idempotent by its source key
        const next = r.status === input.to ? await offerSeatToQueue(deps.pool, c.ALARM_OFFER_HOLD, r.slotId, `after:${input.offerId}`) : null;
        log.info('alarm offer resolved', { offerId: input.offerId, status: r.status, changed: r.changed, nextOfferId: next?.offerId ?? null });
        return { changed: r.changed, status: r.status, nextOfferId: next?.offerId ?? null };
      } catch (e) {
        throw asFailure(e);
      }
    },

    /** Accept: the held seat becomes a confirmed appointment (id = offer id), alarm `booked`. GONE when no longer open. */
    async acceptAlarmOffer(input: { offerId: string }): Promise<AcceptAlarmOfferResult> {
      try {
        const r = await acceptOffer(deps.pool, input.offerId, { block: c.SLOT_RELEASE_BLOCK });
        log.info('alarm offer accepted', { offerId: input.offerId, appointmentId: r.appointmentId, changed: r.changed, swappedAppointmentId: r.swapped?.appointmentId ?? null });
        return {
          appointmentId: r.appointmentId,
          slotId: r.slotId,
          officeId: r.officeId,
          serviceId: r.serviceId,
          start: r.start.toISOString(),
          end: r.end.toISOString(),
          swapped: r.swapped ? { appointmentId: r.swapped.appointmentId, workflowId: r.swapped.workflowId, freed: swappedSeat(r.swapped.freed, r.swapped.appointmentId) } : null,
        };
      } catch (e) {
        throw asFailure(e);
      }
    },

    /** expired / cancelled while waiting; an offered alarm stays and its open offer is returned. */
    async closeAlarm(input: { alarmId: string; to: 'expired' | 'cancelled' }): Promise<{ changed: boolean; status: AlarmStatus; openOffer: OfferNotice | null }> {
      try {
        const r = await closeAlarm(deps.pool, input.alarmId, input.to);
        log.info('alarm closed', { alarmId: input.alarmId, status: r.status, changed: r.changed });
        return { changed: r.changed, status: r.status, openOffer: r.openOffer ? toOfferNotice(r.openOffer) : null };
      } catch (e) {
        throw asFailure(e);
      }
    },

    async extendAlarm(input: { alarmId: string }): Promise<{ expiresAt: string | null; extendedCount: number }> {
      const r = await extendAlarm(deps.pool, input.alarmId, c.ALARM_LIFETIME);
      return { expiresAt: r.expiresAt ? r.expiresAt.toISOString() : null, extendedCount: r.extendedCount };
    },

    /** One alarm mail, once per Message-ID (alarmMessageId). */
    async sendAlarmMail(input: AlarmMailInput): Promise<NotificationResult> {
      const a = await findAlarm(deps.pool, input.alarmId);
      if (!a) throw ApplicationFailure.create({ type: 'NOT_FOUND', message: `alarm ${input.alarmId} not found`, nonRetryable: true });
      const svc = await deps.pool.query<{ name: string }>('SELECT name FROM services WHERE id = $1', [a.serviceId]);
      let offer: { officeName: string; officeAddress: string; start: Date; expiresAt: Date } | undefined;
      let offerId: string | undefined;
      if (input.kind === 'offer') {
        offerId = String(input.key);
        const o = await findOffer(deps.pool, offerId);
        if (!o) throw ApplicationFailure.create({ type: 'NOT_FOUND', message: `offer ${offerId} not found`, nonRetryable: true });
        const office = await deps.pool.query<{ name: string; address: string }>('SELECT name, address FROM offices WHERE id = $1', [o.officeId]);
        offer = { officeName: office.rows[0]?.name ?? o.officeId, officeAddress: office.rows[0]?.address ?? '', start: o.start, expiresAt: o.expiresAt };
      }
      const mail = alarmMail({
        kind: input.kind,
        name: a.name,
        serviceName: svc.rows[0]?.name ?? a.serviceId,
        links: alarmLinks(c.PUBLIC_BASE_URL, a.alarmId, input.token, offerId),
        offer,
        expiresAt: a.expiresAt,
      });
      try {
        const result = await sendMailOnce(
          { transport: deps.mail.transport, pool: deps.pool, from: deps.mail.from },
          { messageId: alarmMessageId(a.alarmId, input.kind, input.key), to: a.email, ...mail },
        );
        log.info('alarm mail', { messageId: result.messageId, status: result.status });
        return result;
      } catch (e) {
        throw mailFailure(e);
      }
    },
  };
}

export type AlarmActivities = ReturnType<typeof createAlarmActivities>;
