/**
 * The Terminalarm as a durable process — docs/appointments.md "Terminalarm".
 *
 *   active ──offer signal (seat already held)──▶ offered ──accept──▶ booked (confirmed appointment, its own workflow)
 *     ▲  │                                          │
 *     │  │                                          ├─decline──▶ active (seat to the next matching alarm)
 *     │  │                                          └─ALARM_OFFER_HOLD lapses──▶ active (seat to the next matching alarm)
 *     │  └─expires_at (mail "extend by link" before)──▶ expired       cancel (any time while waiting) ──▶ cancelled
 *     └─extend: expires_at = now + ALARM_LIFETIME
 *
 * - Matching is NOT done here: the matcher (libs/db alarms.ts, run when a seat is freed or slots are
 *   published) takes the seat for the longest-waiting matching alarm in one transaction and
 *   signals this workflow. The workflow only mails the offer, waits for the decision and gives the
 *   seat back (which runs the matcher for the next alarm) when it is declined or lapses.
 * - One change at a time (`op`), mails through an outbox drained by the main loop, durable timers
 *   for the offer lapse, the expiry warning and the expiry — as in workflows/appointment.
 * - Accept creates the appointment row `confirmed` (same transaction as offer → accepted, alarm →
 *   booked) and starts the appointment workflow as an abandoned child in its confirmed-at-once
 *   mode (`preconfirmed`): it mails the confirmation and runs reminder and attendance as usual.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  setHandler,
  startChild,
} from '@temporalio/workflow';
import { defineSearchAttributeKey } from '@temporalio/common';
import type { Activities, FreedSlotEvent } from '../../activities';
import type { AlarmStatus } from '../../libs/domain/src/appointments/alarm';
import { addDuration } from '../../libs/domain/src/duration';
import { isDomainErrorCode } from '../../libs/domain/src/errors';
import type { DomainErrorCode } from '../../libs/domain/src/errors';
import { APPOINTMENT_TASK_QUEUE, APPOINTMENT_WORKFLOW_TYPE, appointmentWorkflowId, swappedSignal } from '../appointment/appointment.contract';
import type { appointmentWorkflow } from '../appointment/appointment.workflow';
import { acceptOfferUpdate, alarmStateQuery, cancelAlarmUpdate, declineOfferUpdate, extendAlarmUpdate, offerSignal, offerWithdrawnSignal } from './appointment-alarm.contract';
import type { AcceptResult, AlarmWorkflowInput, AlarmWorkflowResult, OfferDecision, OfferNotice, TokenProof } from './appointment-alarm.contract';

const { resolveAlarmOffer, acceptAlarmOffer, closeAlarm, extendAlarm, onSlotFreed } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
const { sendAlarmMail } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', nonRetryableErrorTypes: ['MAIL_INVALID', 'MAIL_REJECTED', 'NOT_FOUND'] },
});

const PROCESS_KEY = defineSearchAttributeKey('AmtswegProcess', 'KEYWORD');
const OFFICE_KEY = defineSearchAttributeKey('AmtswegOfficeId', 'KEYWORD');
const FINAL: readonly AlarmStatus[] = ['booked', 'expired', 'cancelled'];

type Mail =
  | { kind: 'offer'; offerId: string }
  | { kind: 'expiring'; extension: number }
  | { kind: 'withdrawn'; offerId: string }
  // an "earlier slot" swap: tell the replaced appointment's workflow, then route its freed seat (queue first)
  | { kind: 'swapped'; workflowId: string; byAppointmentId: string }
  | { kind: 'freed'; event: FreedSlotEvent };

function reject(type: DomainErrorCode, message: string, reason?: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true, details: [{ ...(reason && { reason }) }] });
}

function domainFailure(e: unknown): ApplicationFailure | undefined {
  const cause = e instanceof ActivityFailure ? e.cause : e;
  if (cause instanceof ApplicationFailure && isDomainErrorCode(cause.type)) {
    return ApplicationFailure.create({ type: cause.type, message: cause.message, nonRetryable: true, details: cause.details ?? undefined });
  }
  return undefined;
}

const ms = (iso: string): number => addDuration(new Date(0), iso).getTime();

export async function appointmentAlarm(input: AlarmWorkflowInput): Promise<AlarmWorkflowResult> {
  const { alarmId } = input;
  const warnMs = ms(input.timing.expiryWarning);
  let status: AlarmStatus = 'active';
  let expiresAt = Date.parse(input.expiresAt);
  let extensions = 0;
  let warnedFor = -1;
  let offer: OfferNotice | null = null;
  /** An offer that arrived while the previous one was still being resolved here (see adopt). */
  let deferred: OfferNotice | null = null;
  const seen = new Set<string>();
  let appointmentId: string | null = null;
  let acceptedOfferId: string | null = null;
  let op: string | null = null;
  let version = 0;
  const outbox: Mail[] = [];
  const changed = () => void version++;

  setHandler(alarmStateQuery, () => ({ alarmId, status, expiresAt: new Date(expiresAt).toISOString(), offer, appointmentId }));

  const take = (n: OfferNotice): void => {
    offer = n;
    status = 'offered';
    outbox.push({ kind: 'offer', offerId: n.offerId });
    changed();
  };
  const adopt = (n: OfferNotice): void => {
    if (seen.has(n.offerId)) return;
    seen.add(n.offerId);
    if (offer && !FINAL.includes(status) && patched('alarm-offer-during-resolve')) {
      // The matcher offers only to alarms that are `active` in PostgreSQL, so the previous offer is
      // resolved there already: its lapse/decline activity committed, but its result has not reached
      // this workflow yet (a worker killed after the commit widens that window to the activity's
      // timeout). Dropping the new offer would leave it open with its seat held and nobody to mail
      // or lapse it; it is taken as soon as the old one is cleared here.
      deferred = n;
      changed();
      return;
    }
    if (FINAL.includes(status) || offer) {
      // cannot happen while the matcher only picks `active` alarms; never mail an offer we cannot honour
      log.warn('offer for an alarm that is not waiting; ignored', { alarmId, offerId: n.offerId, status });
      return;
    }
    take(n);
  };
  setHandler(offerSignal, adopt);
  /** The open offer PostgreSQL withdrew (office closed that day); the main loop clears it at once. */
  let withdrawn: string | null = null;
  // A new signal: histories without it replay unchanged (its commands exist only after it arrived).
  setHandler(offerWithdrawnSignal, (w) => {
    if (offer && w?.offerId === offer.offerId && withdrawn !== w.offerId) {
      withdrawn = w.offerId;
      changed();
    }
  });

  // ---- validators: synchronous, no side effects ----
  const requireToken = (proof: TokenProof | undefined): void => {
    if (typeof proof?.tokenHash !== 'string' || proof.tokenHash !== input.tokenHash) reject('NOT_FOUND', 'This alarm does not exist.');
  };
  const requireIdle = (): void => {
    if (op !== null) reject('CONFLICT', 'Another change to this alarm is in progress. Please try again in a moment.');
  };
  const requireOpenOffer = (req: OfferDecision): void => {
    if (!offer || offer.offerId !== req.offerId) reject('NOT_FOUND', 'This offer does not exist or is no longer open.');
    if (Date.now() >= Date.parse(offer.expiresAt)) reject('GONE', 'This offer has lapsed.', 'offer_lapsed');
  };

  setHandler(
    acceptOfferUpdate,
    async (req: OfferDecision): Promise<AcceptResult> => {
      if (acceptedOfferId === req.offerId && appointmentId) return { appointmentId, status: 'confirmed' };
      op = 'accept';
      try {
        const r = await acceptAlarmOffer({ offerId: req.offerId });
        status = 'booked';
        offer = null;
        acceptedOfferId = req.offerId;
        appointmentId = r.appointmentId;
        if (r.swapped) {
          outbox.push({ kind: 'swapped', workflowId: r.swapped.workflowId, byAppointmentId: r.appointmentId });
          outbox.push({ kind: 'freed', event: r.swapped.freed });
        }
        await startChild<typeof appointmentWorkflow>(APPOINTMENT_WORKFLOW_TYPE, {
          workflowId: appointmentWorkflowId(r.appointmentId),
          taskQueue: APPOINTMENT_TASK_QUEUE,
          parentClosePolicy: ParentClosePolicy.ABANDON,
          typedSearchAttributes: [
            { key: PROCESS_KEY, value: 'appointment' },
            { key: OFFICE_KEY, value: r.officeId },
          ],
          args: [
            {
              appointmentId: r.appointmentId,
              slotId: r.slotId,
              serviceId: r.serviceId,
              email: input.email,
              name: input.name,
              // the alarm's link token also manages the appointment it booked
              token: input.token,
              tokenHash: input.tokenHash,
              timing: input.timing.appointment,
              preconfirmed: { slotId: r.slotId, officeId: r.officeId, start: r.start, end: r.end },
            },
          ],
        });
        return { appointmentId: r.appointmentId, status: 'confirmed' };
      } catch (e) {
        throw domainFailure(e) ?? e;
      } finally {
        op = null;
        changed();
      }
    },
    {
      validator: (req: OfferDecision) => {
        requireToken(req);
        if (acceptedOfferId === req.offerId) return;
        requireIdle();
        requireOpenOffer(req);
      },
      description: 'The citizen accepts the offer (email link): a confirmed appointment at once.',
    },
  );

  setHandler(
    declineOfferUpdate,
    async (req: OfferDecision) => {
      op = 'decline';
      try {
        await resolveAlarmOffer({ offerId: req.offerId, to: 'declined' });
        offer = null;
        status = 'active';
      } catch (e) {
        throw domainFailure(e) ?? e;
      } finally {
        op = null;
        changed();
      }
      return { status: 'active' as const };
    },
    {
      validator: (req: OfferDecision) => {
        requireToken(req);
        requireIdle();
        if (!offer || offer.offerId !== req.offerId) reject('NOT_FOUND', 'This offer does not exist or is no longer open.');
      },
      description: 'The citizen declines the offer; the alarm keeps waiting, the seat goes to the next alarm.',
    },
  );

  setHandler(
    cancelAlarmUpdate,
    async () => {
      if (status === 'cancelled') return { status: 'cancelled' as const };
      op = 'cancel';
      try {
        if (offer) {
          await resolveAlarmOffer({ offerId: offer.offerId, to: 'declined' });
          offer = null;
          status = 'active';
        }
        const r = await closeAlarm({ alarmId, to: 'cancelled' });
        status = r.status;
        if (r.status !== 'cancelled') reject('CONFLICT', `This alarm is ${r.status}.`);
      } catch (e) {
        throw domainFailure(e) ?? e;
      } finally {
        op = null;
        changed();
      }
      return { status: 'cancelled' as const };
    },
    {
      validator: (proof: TokenProof) => {
        requireToken(proof);
        if (status === 'cancelled') return;
        requireIdle();
        if (FINAL.includes(status)) reject('CONFLICT', `This alarm is ${status}.`);
      },
      description: 'The citizen ends the alarm.',
    },
  );

  setHandler(
    extendAlarmUpdate,
    async () => {
      op = 'extend';
      try {
        const r = await extendAlarm({ alarmId });
        if (r.expiresAt) {
          expiresAt = Date.parse(r.expiresAt);
          extensions = r.extendedCount;
        }
      } finally {
        op = null;
        changed();
      }
      return { expiresAt: new Date(expiresAt).toISOString() };
    },
    {
      validator: (proof: TokenProof) => {
        requireToken(proof);
        requireIdle();
        if (FINAL.includes(status)) reject('CONFLICT', `This alarm is ${status}.`);
      },
      description: 'The citizen extends the alarm by ALARM_LIFETIME (link in the expiry mail).',
    },
  );

  const drain = async (): Promise<void> => {
    while (outbox.length > 0) {
      const m = outbox[0]!;
      if (m.kind === 'freed') {
        await onSlotFreed(m.event); // retried until it succeeds: the seat must reach the queue
        outbox.shift();
        continue;
      }
      if (m.kind === 'swapped') {
        try {
          await getExternalWorkflowHandle(m.workflowId).signal(swappedSignal, { byAppointmentId: m.byAppointmentId });
        } catch (e) {
          // it has ended already (cancelled by the citizen meanwhile): PostgreSQL holds the truth
          log.warn('replaced appointment workflow not signalled', { alarmId, workflowId: m.workflowId, error: e instanceof Error ? e.message : String(e) });
        }
        outbox.shift();
        continue;
      }
      try {
        if (m.kind === 'offer') await sendAlarmMail({ alarmId, kind: 'offer', key: m.offerId, token: input.token });
        else if (m.kind === 'withdrawn') await sendAlarmMail({ alarmId, kind: 'withdrawn', key: m.offerId, token: input.token });
        else await sendAlarmMail({ alarmId, kind: 'expiring', key: m.extension, token: input.token });
      } catch (e) {
        log.warn('alarm mail not delivered', { alarmId, kind: m.kind, error: e instanceof Error ? e.message : String(e) });
      }
      outbox.shift();
    }
  };
  const wake = (v: number) => () => version !== v || op !== null;

  for (;;) {
    await condition(() => op === null);
    if (outbox.length > 0) {
      await drain();
      continue;
    }
    const next = deferred as OfferNotice | null; // (set by the signal handler)
    if (next && !offer) {
      deferred = null;
      if (FINAL.includes(status)) log.warn('deferred offer for an alarm that is no longer waiting', { alarmId, offerId: next.offerId, status });
      else take(next);
      continue;
    }
    if (FINAL.includes(status)) break;
    const v = version;
    const now = Date.now();
    const open = offer as OfferNotice | null; // (set by handlers: no narrowing across awaits)
    if (open) {
      const until = Date.parse(open.expiresAt);
      const pulled = withdrawn === open.offerId;
      if (now < until && !pulled) {
        await condition(wake(v), until - now);
        continue;
      }
      op = 'lapse';
      try {
        // a withdrawn offer is lapsed in PostgreSQL already: this is a no-op there, and clears it here
        await resolveAlarmOffer({ offerId: open.offerId, to: 'lapsed' });
        offer = null;
        status = 'active';
        if (pulled) outbox.push({ kind: 'withdrawn', offerId: open.offerId });
      } finally {
        op = null;
        changed();
      }
      continue;
    }
    if (now >= expiresAt) {
      op = 'expire';
      try {
        const r = await closeAlarm({ alarmId, to: 'expired' });
        if (r.openOffer) adopt(r.openOffer); // the matcher was faster than its signal
        else status = r.status;
      } finally {
        op = null;
        changed();
      }
      continue;
    }
    const warnAt = expiresAt - warnMs;
    if (warnedFor < extensions) {
      if (now >= warnAt) {
        warnedFor = extensions;
        outbox.push({ kind: 'expiring', extension: extensions });
        continue;
      }
      await condition(wake(v), warnAt - now);
      continue;
    }
    await condition(wake(v), expiresAt - now);
  }

  await condition(allHandlersFinished);
  const booked = appointmentId as string | null;
  return { alarmId, status, ...(booked ? { appointmentId: booked } : {}) };
}
