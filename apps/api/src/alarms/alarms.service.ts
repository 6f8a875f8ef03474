import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { WorkflowHandle } from '@temporalio/client';
import { WorkflowNotFoundError, defineSearchAttributeKey } from '@temporalio/common';
import type { Pool } from 'pg';
import type { AppConfig } from '../../../../libs/config/src/config';
import { alarmPosition, createAlarm, findAlarm, findOffer, findOpenOffer } from '../../../../libs/db/src/appointments/alarms';
import type { AlarmRecord } from '../../../../libs/db/src/appointments/alarms';
import { findAppointment } from '../../../../libs/db/src/appointments/booking';
import { getService, officesOffering } from '../../../../libs/db/src/appointments/catalogue';
import { appointmentTokenMatches, hashAppointmentToken, newAppointmentToken, sealAlarmToken } from '../../../../libs/db/src/appointments/secrets';
import type { SealingKey } from '../../../../libs/db/src/appointments/secrets';
import { isUuid } from '../../../../libs/db/src/cases/tx';
import { toBerlinIso } from '../../../../libs/domain/src/appointments/slot-plan';
import { DomainError } from '../../../../libs/domain/src/errors';
import { resolvePayloadKeys } from '../../../../libs/temporal/src/payload-keys';
import {
  ALARM_TASK_QUEUE,
  ALARM_WORKFLOW_TYPE,
  acceptOfferUpdate,
  alarmWorkflowId,
  cancelAlarmUpdate,
  declineOfferUpdate,
  extendAlarmUpdate,
  offerSignal,
} from '../../../../workflows/appointment-alarm/appointment-alarm.contract';
import type { AlarmWorkflowInput } from '../../../../workflows/appointment-alarm/appointment-alarm.contract';
import { TemporalClientHolder } from '../infrastructure/temporal-client.holder';
import { APP_CONFIG, PG_POOL } from '../tokens';
import type { AcceptResponse, AlarmDetail, AlarmStatusResponse, CreateAlarmBody, CreateAlarmResponse, ExtendResponse } from './alarms.schemas';

const PROCESS_KEY = defineSearchAttributeKey('AmtswegProcess', 'KEYWORD');

const notFound = () => new DomainError('NOT_FOUND', 'This alarm does not exist.');

function causes(e: unknown): unknown[] {
  const out: unknown[] = [];
  for (let c: unknown = e; c && out.length < 10; c = (c as { cause?: unknown }).cause) out.push(c);
  return out;
}

/**
 * Terminalarm endpoints (docs/appointments.md "Terminalarm"). The API authenticates the link
 * token against alarms.token_hash (404 for a wrong one, before Temporal is contacted); the
 * workflow authorises each Update with the token hash.
 */
@Injectable()
export class AlarmsService {
  /** The payload keys (as the Temporal client's codec): they seal the token for the offer outbox. */
  private sealingKeys: readonly SealingKey[] | undefined;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly temporal: TemporalClientHolder,
  ) {}

  async create(body: CreateAlarmBody): Promise<CreateAlarmResponse> {
    if (!(await getService(this.pool, body.serviceId))) throw new DomainError('INVALID', 'Unknown service.', { errors: [{ path: '/serviceId', message: 'unknown service' }] });
    const offering = await officesOffering(this.pool, body.serviceId);
    const officeIds = [...new Set(body.officeIds)];
    const unknown = officeIds.filter((id) => !offering.includes(id));
    if (unknown.length > 0) throw new DomainError('INVALID', 'Office does not offer this service.', { errors: unknown.map((id) => ({ path: '/officeIds', message: `${id} does not offer the service` })) });
    if (body.to < body.from) throw new DomainError('INVALID', 'The date range is empty.', { errors: [{ path: '/to', message: 'must not be before from' }] });
    if (body.timeWindow && body.timeWindow.to <= body.timeWindow.from) throw new DomainError('INVALID', 'The time window is empty.', { errors: [{ path: '/timeWindow/to', message: 'must be after from' }] });

    const currentAppointmentId = await this.currentAppointment(body);

    const alarmId = randomUUID();
    const token = newAppointmentToken();
    const tokenHash = hashAppointmentToken(token);
    const workflowId = alarmWorkflowId(alarmId);
    const alarm = await createAlarm(this.pool, {
      alarmId,
      workflowId,
      serviceId: body.serviceId,
      officeIds,
      fromDate: body.from,
      toDate: body.to,
      weekdays: [...new Set(body.weekdays ?? [])].sort(),
      timeFrom: body.timeWindow?.from ?? null,
      timeTo: body.timeWindow?.to ?? null,
      email: body.email.trim(),
      name: body.name,
      tokenHash,
      lifetime: this.config.ALARM_LIFETIME,
      currentAppointmentId,
      tokenSealed: sealAlarmToken((this.sealingKeys ??= resolvePayloadKeys(this.config)), alarmId, token),
    });
    const input: AlarmWorkflowInput = {
      alarmId,
      serviceId: body.serviceId,
      expiresAt: alarm.expiresAt.toISOString(),
      email: alarm.email,
      name: alarm.name,
      token,
      tokenHash,
      timing: {
        lifetime: this.config.ALARM_LIFETIME,
        // ALARM_EXPIRY_WARNING: the "extend by link" mail goes out this long before the expiry
        expiryWarning: this.config.ALARM_EXPIRY_WARNING,
        appointment: { hold: this.config.APPOINTMENT_HOLD, confirmWindow: this.config.APPOINTMENT_CONFIRM_WINDOW, reminderLead: this.config.APPOINTMENT_REMINDER_LEAD },
      },
    };
    try {
      await this.temporal.get().workflow.start(ALARM_WORKFLOW_TYPE, {
        workflowId,
        taskQueue: ALARM_TASK_QUEUE,
        args: [input],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [{ key: PROCESS_KEY, value: 'alarm' }],
      });
    } catch (e) {
      // no workflow, no alarm: the matcher must never pick an alarm nobody listens for
      await this.pool.query(`UPDATE alarms SET status = 'cancelled', updated_at = now() WHERE id = $1 AND status = 'active'`, [alarmId]);
      throw e;
    }
    return { alarmId, token, status: 'active', expiresAt: toBerlinIso(alarm.expiresAt) };
  }

  /**
   * "Earlier slot": the appointment named in the body, authenticated by its link token (404 like an
   * unknown one), for the same service (422) and still active and ahead (409 appointment_not_active).
   */
  private async currentAppointment(body: CreateAlarmBody): Promise<string | null> {
    if (body.appointmentId === undefined && body.appointmentToken === undefined) return null;
    if (body.appointmentId === undefined || body.appointmentToken === undefined) {
      const missing = body.appointmentId === undefined ? '/appointmentId' : '/appointmentToken';
      throw new DomainError('INVALID', 'appointmentId and appointmentToken go together.', { errors: [{ path: missing, message: 'required with the other one' }] });
    }
    const appt = await findAppointment(this.pool, body.appointmentId);
    if (!appt || !appointmentTokenMatches(body.appointmentToken, appt.tokenHash)) throw new DomainError('NOT_FOUND', 'This appointment does not exist.');
    if (appt.serviceId !== body.serviceId) {
      throw new DomainError('INVALID', 'The alarm must be for the service of the appointment.', { errors: [{ path: '/serviceId', message: `must be ${appt.serviceId}` }] });
    }
    if ((appt.status !== 'reserved' && appt.status !== 'confirmed') || appt.start.getTime() <= Date.now()) {
      throw new DomainError('CONFLICT', `This appointment is ${appt.status} and cannot be swapped.`, { reason: 'appointment_not_active' });
    }
    return appt.appointmentId;
  }

  private async authenticate(alarmId: string, token: unknown): Promise<AlarmRecord> {
    if (!isUuid(alarmId)) throw notFound();
    const a = await findAlarm(this.pool, alarmId);
    if (!a || !appointmentTokenMatches(token, a.tokenHash)) throw notFound();
    return a;
  }

  private async update<R>(a: AlarmRecord, fn: (h: WorkflowHandle) => Promise<R>): Promise<R> {
    try {
      return await fn(this.temporal.get().workflow.getHandle(a.workflowId));
    } catch (e) {
      if (causes(e).some((c) => c instanceof WorkflowNotFoundError)) {
        const now = await findAlarm(this.pool, a.alarmId);
        throw new DomainError('CONFLICT', `This alarm is ${now?.status ?? a.status}.`, { reason: 'alarm_closed' });
      }
      throw e;
    }
  }

  async detail(alarmId: string, token: unknown): Promise<AlarmDetail> {
    const a = await this.authenticate(alarmId, token);
    const out: AlarmDetail = { alarmId: a.alarmId, status: a.status, expiresAt: toBerlinIso(a.expiresAt) };
    if (a.status === 'active') out.position = await alarmPosition(this.pool, a);
    if (a.status === 'offered') {
      const o = await findOpenOffer(this.pool, a.alarmId);
      if (o) out.offer = { offerId: o.offerId, slotId: o.slotId, start: toBerlinIso(o.start), officeId: o.officeId, expiresAt: toBerlinIso(o.expiresAt) };
    }
    return out;
  }

  async cancel(alarmId: string, token: unknown): Promise<AlarmStatusResponse> {
    const a = await this.authenticate(alarmId, token);
    if (a.status === 'cancelled') return { alarmId, status: 'cancelled' };
    await this.update(a, (h) => h.executeUpdate(cancelAlarmUpdate, { args: [{ tokenHash: a.tokenHash }] }));
    return { alarmId: a.alarmId, status: 'cancelled' };
  }

  /**
   * The offer mail goes out from the worker's offer outbox at the same time as the `offer` signal
   * (docs/appointments.md "Offer outbox"), so a quick click may reach the workflow before the
   * signal did. An offer PostgreSQL holds open for this alarm is therefore signalled (again) before
   * the citizen's decision; the workflow ignores an offer id it knows.
   */
  private async deliverOpenOffer(a: AlarmRecord, offerId: string): Promise<void> {
    const o = await findOffer(this.pool, offerId);
    if (!o || o.alarmId !== a.alarmId || o.status !== 'open') return;
    const notice = { offerId: o.offerId, slotId: o.slotId, officeId: o.officeId, start: o.start.toISOString(), end: o.end.toISOString(), expiresAt: o.expiresAt.toISOString() };
    await this.update(a, (h) => h.signal(offerSignal, notice));
  }

  async accept(alarmId: string, offerId: string, token: string): Promise<AcceptResponse> {
    const a = await this.authenticate(alarmId, token);
    if (!isUuid(offerId)) throw new DomainError('NOT_FOUND', 'This offer does not exist.');
    await this.deliverOpenOffer(a, offerId.toLowerCase());
    return this.update(a, (h) => h.executeUpdate(acceptOfferUpdate, { args: [{ tokenHash: a.tokenHash, offerId: offerId.toLowerCase() }] }));
  }

  async decline(alarmId: string, offerId: string, token: string): Promise<AlarmStatusResponse> {
    const a = await this.authenticate(alarmId, token);
    if (!isUuid(offerId)) throw new DomainError('NOT_FOUND', 'This offer does not exist.');
    await this.deliverOpenOffer(a, offerId.toLowerCase());
    await this.update(a, (h) => h.executeUpdate(declineOfferUpdate, { args: [{ tokenHash: a.tokenHash, offerId: offerId.toLowerCase() }] }));
    return { alarmId: a.alarmId, status: 'active' };
  }

  async extend(alarmId: string, token: string): Promise<ExtendResponse> {
    const a = await this.authenticate(alarmId, token);
    const r = await this.update(a, (h) => h.executeUpdate(extendAlarmUpdate, { args: [{ tokenHash: a.tokenHash }] }));
    return { alarmId: a.alarmId, expiresAt: toBerlinIso(new Date(r.expiresAt)) };
  }
}
