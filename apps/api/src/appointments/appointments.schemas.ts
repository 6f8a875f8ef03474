import { z } from 'zod';
import { APPOINTMENT_STATUSES, WEEKDAY_KEYS } from '../../../../libs/domain/src/appointments';

const catalogueId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a catalogue id (lower-case letters, digits, -)')
  .describe('Catalogue id, e.g. anmeldung-wohnung / buergeramt-rathaus-neukoelln');
const isoTime = z.string().describe('ISO 8601 with offset (Europe/Berlin)');
const dateTimeInput = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with offset, e.g. 2026-12-01T08:00:00+01:00' });
/** The email-link token; any string is accepted here, a wrong one answers 404 (no oracle for its format). */
const token = z.string().min(1).max(200).describe('The token from the email link');

// ---- catalogue ----
export const officeSchema = z.object({
  id: z.string(),
  name: z.string(),
  district: z.string(),
  address: z.string(),
  openingHours: z
    .partialRecord(z.enum(WEEKDAY_KEYS), z.array(z.tuple([z.string(), z.string()])))
    .describe('Berlin wall-clock opening intervals per weekday, e.g. {"mon": [["08:00","15:00"]]}'),
});
export const officeListSchema = z.array(officeSchema);
export type OfficeResponse = z.infer<typeof officeSchema>;

export const serviceSchema = z.object({
  id: z.string(),
  name: z.string(),
  durationMinutes: z.number().int(),
  inPersonOnly: z.boolean().describe('Cannot be done online or by post'),
});
export const serviceListSchema = z.array(serviceSchema);
export type ServiceResponse = z.infer<typeof serviceSchema>;

export const AVAILABILITY_MAX_LIMIT = 500;

/** In a query string an unencoded `+` arrives as a space: `…T08:00:00 01:00` is read as `+01:00`. */
const queryDateTime = z.preprocess((v) => (typeof v === 'string' ? v.replace(/T(\S+) (\d\d:\d\d)$/, 'T$1+$2') : v), dateTimeInput);

export const availabilityQuerySchema = z.strictObject({
  serviceId: catalogueId,
  officeId: z
    .union([catalogueId, z.array(catalogueId).max(50)])
    .optional()
    .describe('Repeatable (officeId=a&officeId=b); absent = every office offering the service'),
  from: queryDateTime.optional().describe('Earliest start (default: now); encode + as %2B'),
  to: queryDateTime.optional().describe('Latest start, exclusive (default and maximum: now + booking horizon)'),
  limit: z.coerce.number().int().min(1).max(AVAILABILITY_MAX_LIMIT).optional().describe(`At most this many slots, 1–${AVAILABILITY_MAX_LIMIT} (default 100)`),
});
export type AvailabilityQuery = z.infer<typeof availabilityQuerySchema>;

export const availabilityResponseSchema = z.object({
  slots: z
    .array(z.object({ slotId: z.uuid(), officeId: z.string(), start: isoTime, end: isoTime, free: z.number().int().describe('Free seats') }))
    .describe('Earliest first'),
});
export type AvailabilityResponse = z.infer<typeof availabilityResponseSchema>;

// ---- booking ----
export const createAppointmentSchema = z.strictObject({
  serviceId: catalogueId,
  slotId: z.guid(),
  email: z.email().max(254),
  name: z.string().trim().min(1).max(200),
});
export type CreateAppointmentBody = z.infer<typeof createAppointmentSchema>;

const heldFields = {
  appointmentId: z.uuid(),
  slotId: z.uuid(),
  officeId: z.string(),
  serviceId: z.string(),
  start: isoTime,
  end: isoTime,
};

export const createAppointmentResponseSchema = z.object({
  ...heldFields,
  status: z.literal('reserved'),
  holdExpiresAt: isoTime.describe('The slot is released unless confirmed (email link) by then'),
});
export type CreateAppointmentResponse = z.infer<typeof createAppointmentResponseSchema>;

export const tokenBodySchema = z.strictObject({ token });
export type TokenBody = z.infer<typeof tokenBodySchema>;

export const rescheduleBodySchema = z.strictObject({ token, slotId: z.guid() });
export type RescheduleBody = z.infer<typeof rescheduleBodySchema>;

export const statusResponseSchema = z.object({ appointmentId: z.uuid(), status: z.enum(APPOINTMENT_STATUSES) });
export type StatusResponse = z.infer<typeof statusResponseSchema>;

export const rescheduleResponseSchema = z.object({ ...heldFields, status: z.enum(APPOINTMENT_STATUSES) });
export type RescheduleResponse = z.infer<typeof rescheduleResponseSchema>;

export const appointmentDetailSchema = z.object({
  ...heldFields,
  status: z.enum(APPOINTMENT_STATUSES),
  serviceName: z.string(),
  officeName: z.string(),
  officeAddress: z.string(),
  name: z.string(),
  holdExpiresAt: isoTime.nullable().describe('While reserved: when the hold lapses'),
  createdAt: isoTime,
  confirmedAt: isoTime.nullable(),
  cancelledAt: isoTime.nullable(),
});
export type AppointmentDetail = z.infer<typeof appointmentDetailSchema>;

// ---- administration ----
export const publishSlotsSchema = z
  .strictObject({
    serviceIds: z.array(catalogueId).min(1).max(20),
    start: dateTimeInput,
    end: dateTimeInput,
    slotMinutes: z.number().int().min(5).max(240).optional().describe('Default: APPOINTMENT_SLOT_LENGTH (10 minutes)'),
    capacity: z.number().int().min(1).max(100).describe('Seats (counters) per slot'),
  })
  .refine((b) => Date.parse(b.end) > Date.parse(b.start), { path: ['end'], message: 'must be after start' })
  .refine((b) => Date.parse(b.end) - Date.parse(b.start) <= 92 * 86_400_000, { path: ['end'], message: 'at most 92 days per request' })
  .refine((b) => new Set(b.serviceIds).size === b.serviceIds.length, { path: ['serviceIds'], message: 'must not repeat a service' });
export type PublishSlotsBody = z.infer<typeof publishSlotsSchema>;

export const publishSlotsResponseSchema = z.object({
  officeId: z.string(),
  created: z.number().int().describe('Slots created by this request'),
  planned: z.number().int().describe('Slots the range holds within opening hours, outside closures and not in the past (existing ones are not created again)'),
  publicAt: isoTime.nullable().describe('When the new slots become public (null: now); until then only the Terminalarm queue is served'),
});
export type PublishSlotsResponse = z.infer<typeof publishSlotsResponseSchema>;

export const attendanceBodySchema = z.strictObject({ attended: z.boolean() });
export type AttendanceBody = z.infer<typeof attendanceBodySchema>;

export const attendanceResponseSchema = z.object({ appointmentId: z.uuid(), status: z.enum(['completed', 'missed']), attended: z.boolean() });
export type AttendanceResponse = z.infer<typeof attendanceResponseSchema>;

export const closeOfficeDaySchema = z.strictObject({
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD (Berlin calendar day)')
    .refine((d) => !Number.isNaN(Date.parse(`${d}T12:00:00Z`)) && new Date(`${d}T12:00:00Z`).toISOString().startsWith(d), 'must be a real calendar day')
    .describe('The Berlin calendar day the office is closed'),
  reason: z.string().trim().min(1).max(200).describe('Shown to staff; e.g. "Stromausfall", "Personalversammlung"'),
});
export type CloseOfficeDayBody = z.infer<typeof closeOfficeDaySchema>;

export const closeOfficeDayResponseSchema = z.object({
  officeId: z.string(),
  date: z.string(),
  cancelledAppointments: z.number().int().describe('Appointments of that day (not started yet) cancelled; each citizen gets a mail saying why'),
  withdrawnOffers: z.number().int().describe('Terminalarm offers of that day withdrawn; their alarms wait again in their old place'),
});
export type CloseOfficeDayResponse = z.infer<typeof closeOfficeDayResponseSchema>;
