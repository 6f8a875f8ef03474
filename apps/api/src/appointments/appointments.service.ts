import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { WithStartWorkflowOperation } from '@temporalio/client';
import type { WorkflowHandle } from '@temporalio/client';
import { WorkflowNotFoundError, defineSearchAttributeKey } from '@temporalio/common';
import { Pool } from 'pg';
import type { AppConfig } from '../../../../libs/config/src/config';
import type { Principal } from '../../../../libs/auth/src/principal';
import { assertBookable, countActiveAppointments, findAppointment } from '../../../../libs/db/src/appointments/booking';
import type { AppointmentRecord } from '../../../../libs/db/src/appointments/booking';
import { closuresOf, findAvailableSlots, getOffice, getService, getSlot, listOffices, listServices, officesOffering, servicesOfOffice } from '../../../../libs/db/src/appointments/catalogue';
import { appointmentTokenMatches, hashAppointmentToken, newAppointmentToken } from '../../../../libs/db/src/appointments/secrets';
import { insertSlots } from '../../../../libs/db/src/appointments/slots';
import { isUuid } from '../../../../libs/db/src/cases/tx';
import { APPOINTMENT_REJECTIONS, TooManySlotsError, planSlots, toBerlinIso } from '../../../../libs/domain/src/appointments';
import type { AppointmentStatus } from '../../../../libs/domain/src/appointments';
import { addDuration } from '../../../../libs/domain/src/duration';
import { DomainError } from '../../../../libs/domain/src/errors';
import {
  APPOINTMENT_TASK_QUEUE,
  APPOINTMENT_WORKFLOW_TYPE,
  appointmentWorkflowId,
  attendanceUpdate,
  cancelUpdate,
  confirmUpdate,
  holdUpdate,
  rescheduleUpdate,
} from '../../../../workflows/appointment/appointment.contract';
import type { AppointmentWorkflowInput } from '../../../../workflows/appointment/appointment.contract';
import { TemporalClientHolder } from '../infrastructure/temporal-client.holder';
import { APP_CONFIG, PG_POOL } from '../tokens';
import type {
  AppointmentDetail,
  AttendanceBody,
  AttendanceResponse,
  AvailabilityQuery,
  AvailabilityResponse,
  CreateAppointmentBody,
  CreateAppointmentResponse,
  OfficeResponse,
  PublishSlotsBody,
  PublishSlotsResponse,
  RescheduleBody,
  RescheduleResponse,
  ServiceResponse,
  StatusResponse,
} from './appointments.schemas';
import { SLOT_EVENTS } from './slot-events';
import type { SlotEvents } from './slot-events';

const PROCESS_KEY = defineSearchAttributeKey('AmtswegProcess', 'KEYWORD');
const OFFICE_KEY = defineSearchAttributeKey('AmtswegOfficeId', 'KEYWORD');
/** Upper bound of slots one publication may create (a quarter at 10-minute slots is ~3,500 per office). */
const MAX_SLOTS_PER_PUBLICATION = 20_000;

const notFound = () => new DomainError('NOT_FOUND', 'This appointment does not exist, or the link is not valid.');
const slotTaken = () => new DomainError('CONFLICT', 'This slot has just been taken. Please choose another one.', { reason: APPOINTMENT_REJECTIONS.slotTaken });

function causes(e: unknown): unknown[] {
  const out: unknown[] = [];
  for (let c: unknown = e, i = 0; c && i < 8; c = (c as { cause?: unknown }).cause, i++) out.push(c);
  return out;
}

/** Why an appointment in this final status cannot be confirmed / cancelled / moved. */
function notActive(status: AppointmentStatus): DomainError {
  if (status === 'expired') return new DomainError('GONE', 'The reservation has expired. Please book a new appointment.', { reason: APPOINTMENT_REJECTIONS.holdExpired });
  return new DomainError('CONFLICT', `This appointment is ${status} and can no longer be changed.`, { reason: APPOINTMENT_REJECTIONS.notActive });
}

const isStaffOfAnyOffice = (p: Principal) => p.roles.includes('admin');

/**
 * The appointment API's logic (controllers stay thin). Reads answer from PostgreSQL; every change
 * goes to the appointment's workflow as an Update, after the link token was checked against
 * PostgreSQL (see workflows/appointment/appointment.contract.ts for the split).
 */
@Injectable()
export class AppointmentsService {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly temporal: TemporalClientHolder,
    @Inject(SLOT_EVENTS) private readonly slotEvents: SlotEvents,
  ) {}

  // ---- catalogue ----
  async offices(): Promise<OfficeResponse[]> {
    return (await listOffices(this.pool)).map((o) => ({ id: o.id, name: o.name, district: o.district, address: o.address, openingHours: o.openingHours as OfficeResponse['openingHours'] }));
  }

  async services(): Promise<ServiceResponse[]> {
    return listServices(this.pool);
  }

  async availability(q: AvailabilityQuery): Promise<AvailabilityResponse> {
    if (!(await getService(this.pool, q.serviceId))) {
      throw new DomainError('INVALID', 'Unknown service.', { errors: [{ path: '/serviceId', message: 'unknown service' }] });
    }
    const offering = await officesOffering(this.pool, q.serviceId);
    let officeIds = offering;
    if (q.officeId !== undefined) {
      const asked = [...new Set(Array.isArray(q.officeId) ? q.officeId : [q.officeId])];
      const unknown = asked.filter((id) => !offering.includes(id));
      if (unknown.length > 0) {
        const known = new Set((await listOffices(this.pool)).map((o) => o.id));
        const missing = unknown.filter((id) => !known.has(id));
        if (missing.length > 0) throw new DomainError('INVALID', 'Unknown office.', { errors: missing.map((id) => ({ path: '/officeId', message: `unknown office ${id}` })) });
      }
      officeIds = asked.filter((id) => offering.includes(id)); // offices without the service simply have nothing
    }
    const slots = await findAvailableSlots(this.pool, {
      serviceId: q.serviceId,
      officeIds,
      from: q.from ? new Date(q.from) : new Date(0),
      to: q.to ? new Date(q.to) : new Date(8.64e15),
      horizon: this.config.APPOINTMENT_BOOKING_HORIZON,
      limit: q.limit ?? 100,
    });
    return { slots: slots.map((s) => ({ slotId: s.slotId, officeId: s.officeId, start: toBerlinIso(s.start), end: toBerlinIso(s.end), free: s.free })) };
  }

  // ---- booking ----
  async book(body: CreateAppointmentBody): Promise<CreateAppointmentResponse> {
    if (!(await getService(this.pool, body.serviceId))) {
      throw new DomainError('INVALID', 'Unknown service.', { errors: [{ path: '/serviceId', message: 'unknown service' }] });
    }
    // Cheap early answers; the workflow's hold decides atomically (these may pass and it still say 409).
    const slot = await getSlot(this.pool, body.slotId, this.config.APPOINTMENT_BOOKING_HORIZON);
    assertBookable(slot, body.serviceId);
    if (!slot.isPublic || slot.booked >= slot.capacity) throw slotTaken();
    if ((await countActiveAppointments(this.pool, body.email)) >= this.config.APPOINTMENTS_PER_EMAIL_LIMIT) {
      throw new DomainError('CONFLICT', `This email address already holds ${this.config.APPOINTMENTS_PER_EMAIL_LIMIT} appointment(s). Cancel one before booking another.`, {
        reason: APPOINTMENT_REJECTIONS.emailLimit,
      });
    }

    const appointmentId = randomUUID();
    const token = newAppointmentToken();
    const input: AppointmentWorkflowInput = {
      appointmentId,
      slotId: slot.slotId,
      serviceId: body.serviceId,
      email: body.email,
      name: body.name,
      token,
      tokenHash: hashAppointmentToken(token),
      timing: { hold: this.config.APPOINTMENT_HOLD, confirmWindow: this.config.APPOINTMENT_CONFIRM_WINDOW, reminderLead: this.config.APPOINTMENT_REMINDER_LEAD },
    };
    const start = new WithStartWorkflowOperation(APPOINTMENT_WORKFLOW_TYPE, {
      workflowId: appointmentWorkflowId(appointmentId),
      taskQueue: APPOINTMENT_TASK_QUEUE,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: PROCESS_KEY, value: 'appointment' },
        { key: OFFICE_KEY, value: slot.officeId },
      ],
    });
    const held = await this.temporal.get().workflow.executeUpdateWithStart(holdUpdate, { startWorkflowOperation: start });
    return {
      appointmentId: held.appointmentId,
      status: 'reserved',
      holdExpiresAt: toBerlinIso(new Date(held.holdExpiresAt)),
      slotId: held.slotId,
      officeId: held.officeId,
      serviceId: held.serviceId,
      start: toBerlinIso(new Date(held.start)),
      end: toBerlinIso(new Date(held.end)),
    };
  }

  /** The appointment behind a link, or 404 for an unknown id or a wrong token (never tell which). */
  private async authenticate(appointmentId: string, token: unknown): Promise<AppointmentRecord> {
    if (!isUuid(appointmentId)) throw notFound();
    const a = await findAppointment(this.pool, appointmentId);
    if (!a || !appointmentTokenMatches(token, a.tokenHash)) throw notFound();
    return a;
  }

  /** Runs an Update; when the process has ended meanwhile, PostgreSQL says why. */
  private async update<R>(a: AppointmentRecord, fn: (h: WorkflowHandle) => Promise<R>, closed: (now: AppointmentRecord) => DomainError): Promise<R> {
    try {
      return await fn(this.temporal.get().workflow.getHandle(a.workflowId));
    } catch (e) {
      if (causes(e).some((c) => c instanceof WorkflowNotFoundError)) {
        const now = await findAppointment(this.pool, a.appointmentId);
        throw closed(now ?? a);
      }
      throw e;
    }
  }

  async detail(appointmentId: string, token: unknown): Promise<AppointmentDetail> {
    const a = await this.authenticate(appointmentId, token);
    const facts = await this.pool.query<{ office_name: string; address: string; service_name: string }>(
      'SELECT o.name AS office_name, o.address, s.name AS service_name FROM offices o, services s WHERE o.id = $1 AND s.id = $2',
      [a.officeId, a.serviceId],
    );
    const f = facts.rows[0];
    return {
      appointmentId: a.appointmentId,
      status: a.status,
      slotId: a.slotId,
      serviceId: a.serviceId,
      serviceName: f?.service_name ?? a.serviceId,
      officeId: a.officeId,
      officeName: f?.office_name ?? a.officeId,
      officeAddress: f?.address ?? '',
      start: toBerlinIso(a.start),
      end: toBerlinIso(a.end),
      name: a.name,
      holdExpiresAt: a.status === 'reserved' && a.holdExpiresAt ? toBerlinIso(a.holdExpiresAt) : null,
      createdAt: toBerlinIso(a.createdAt),
      confirmedAt: a.confirmedAt ? toBerlinIso(a.confirmedAt) : null,
      cancelledAt: a.cancelledAt ? toBerlinIso(a.cancelledAt) : null,
    };
  }

  async confirm(appointmentId: string, token: string): Promise<StatusResponse> {
    const a = await this.authenticate(appointmentId, token);
    if (a.status === 'confirmed') return { appointmentId, status: 'confirmed' };
    if (a.status !== 'reserved') throw notActive(a.status);
    await this.update(
      a,
      (h) => h.executeUpdate(confirmUpdate, { args: [{ tokenHash: a.tokenHash }] }),
      (now) => (now.status === 'confirmed' ? new DomainError('CONFLICT', 'Already confirmed.') : notActive(now.status)),
    );
    return { appointmentId, status: 'confirmed' };
  }

  async cancel(appointmentId: string, token: string): Promise<StatusResponse> {
    const a = await this.authenticate(appointmentId, token);
    if (a.status === 'cancelled') return { appointmentId, status: 'cancelled' };
    if (a.status !== 'reserved' && a.status !== 'confirmed') throw notActive(a.status);
    await this.update(a, (h) => h.executeUpdate(cancelUpdate, { args: [{ tokenHash: a.tokenHash }] }), (now) => notActive(now.status));
    return { appointmentId, status: 'cancelled' };
  }

  async reschedule(appointmentId: string, body: RescheduleBody): Promise<RescheduleResponse> {
    const a = await this.authenticate(appointmentId, body.token);
    if (a.status !== 'reserved' && a.status !== 'confirmed') throw notActive(a.status);
    if (body.slotId.toLowerCase() === a.slotId) {
      throw new DomainError('INVALID', 'The appointment already has this slot.', { reason: APPOINTMENT_REJECTIONS.sameSlot, errors: [{ path: '/slotId', message: 'same slot as now' }] });
    }
    const slot = await getSlot(this.pool, body.slotId, this.config.APPOINTMENT_BOOKING_HORIZON);
    assertBookable(slot, a.serviceId, { slot: '/slotId', service: '/slotId' });
    if (!slot.isPublic || slot.booked >= slot.capacity) throw slotTaken();
    const r = await this.update(a, (h) => h.executeUpdate(rescheduleUpdate, { args: [{ tokenHash: a.tokenHash, slotId: slot.slotId }] }), (now) => notActive(now.status));
    return { appointmentId, status: r.status, slotId: r.slotId, officeId: r.officeId, serviceId: a.serviceId, start: toBerlinIso(new Date(r.start)), end: toBerlinIso(new Date(r.end)) };
  }

  // ---- administration ----
  async publishSlots(principal: Principal, officeId: string, body: PublishSlotsBody): Promise<PublishSlotsResponse> {
    if (!isStaffOfAnyOffice(principal) && principal.office !== officeId) {
      throw new DomainError('FORBIDDEN', 'Caseworkers publish capacity only for their own office.');
    }
    const office = await getOffice(this.pool, officeId);
    if (!office) throw new DomainError('NOT_FOUND', 'This office does not exist.');
    const offered = new Set(await servicesOfOffice(this.pool, officeId));
    const errors = body.serviceIds.flatMap((id, i) => (offered.has(id) ? [] : [{ path: `/serviceIds/${i}`, message: `service ${id} is not offered at this office` }]));
    if (errors.length > 0) throw new DomainError('INVALID', 'Some services are not offered at this office.', { errors });

    const from = new Date(body.start);
    const to = new Date(body.end);
    const slotMinutes = body.slotMinutes ?? Math.round(addDuration(new Date(0), this.config.APPOINTMENT_SLOT_LENGTH).getTime() / 60_000);
    let planned;
    try {
      planned = planSlots({ openingHours: office.openingHours, closures: await closuresOf(this.pool, officeId, from, to), from, to, slotMinutes, notBefore: new Date(), maxSlots: MAX_SLOTS_PER_PUBLICATION });
    } catch (e) {
      if (e instanceof TooManySlotsError) {
        throw new DomainError('INVALID', `This would create more than ${e.limit} slots; publish a shorter range.`, { errors: [{ path: '/end', message: 'range too large' }] });
      }
      throw e;
    }
    const withhold = addDuration(new Date(0), this.config.SLOT_PUBLISH_WITHHOLD).getTime();
    const publicAt = withhold > 0 ? new Date(Date.now() + withhold) : null;
    const slotIds = await insertSlots(this.pool, { officeId, serviceIds: body.serviceIds, capacity: body.capacity, slots: planned, publicAt });
    if (slotIds.length > 0) await this.slotEvents.onSlotsPublished({ officeId, serviceIds: body.serviceIds, slotIds, publicAt });
    return { officeId, created: slotIds.length, planned: planned.length, publicAt: publicAt ? toBerlinIso(publicAt) : null };
  }

  async recordAttendance(principal: Principal, appointmentId: string, body: AttendanceBody): Promise<AttendanceResponse> {
    const a = isUuid(appointmentId) ? await findAppointment(this.pool, appointmentId) : null;
    // another office's appointment is "not yours": 404, never a hint that it exists
    if (!a || (!isStaffOfAnyOffice(principal) && principal.office !== a.officeId)) throw new DomainError('NOT_FOUND', 'This appointment does not exist.');
    const wanted = body.attended ? 'completed' : 'missed';
    if (a.status === wanted && a.attended === body.attended) return { appointmentId, status: wanted, attended: body.attended };
    if (a.status === 'completed' || a.status === 'missed') {
      throw new DomainError('CONFLICT', a.attended === null ? 'The appointment day is over; attendance can no longer be recorded.' : 'Attendance has already been recorded for this appointment.', {
        reason: a.attended === null ? APPOINTMENT_REJECTIONS.attendanceClosed : APPOINTMENT_REJECTIONS.attendanceRecorded,
      });
    }
    if (a.status !== 'confirmed') throw new DomainError('CONFLICT', `This appointment is ${a.status}; only confirmed appointments are attended or missed.`, { reason: APPOINTMENT_REJECTIONS.notActive });
    const r = await this.update(
      a,
      (h) => h.executeUpdate(attendanceUpdate, { args: [{ attended: body.attended, by: { sub: principal.sub, roles: [...principal.roles] } }] }),
      () => new DomainError('CONFLICT', 'The appointment day is over; attendance can no longer be recorded.', { reason: APPOINTMENT_REJECTIONS.attendanceClosed }),
    );
    return { appointmentId, status: r.status, attended: r.attended };
  }
}
