import { z } from 'zod';
import { ALARM_STATUSES } from '../../../../libs/domain/src/appointments/alarm';

const catalogueId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a catalogue id (lower-case letters, digits, -)');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD (Berlin calendar day)');
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (Berlin wall-clock time)');
/** The email-link token; any string is accepted here, a wrong one answers 404. */
const token = z.string().min(1).max(200).describe('The token from the email link');

export const createAlarmSchema = z.strictObject({
  serviceId: catalogueId,
  officeIds: z.array(catalogueId).max(50).default([]).describe('Empty = any office'),
  from: isoDate,
  to: isoDate,
  weekdays: z.array(z.number().int().min(1).max(7)).max(7).optional().describe('ISO weekdays, 1 = Monday … 7 = Sunday; none = any'),
  timeWindow: z.strictObject({ from: hhmm, to: hhmm }).optional(),
  email: z.email().max(254),
  name: z.string().trim().min(1).max(200),
  appointmentId: z.uuid().optional().describe('"Earlier slot": an appointment the citizen holds (same service); only earlier slots match, accepting swaps the bookings'),
  appointmentToken: token.optional().describe("With appointmentId: that appointment's link token (proves it is the citizen's)"),
});
export type CreateAlarmBody = z.infer<typeof createAlarmSchema>;

export const createAlarmResponseSchema = z.object({ alarmId: z.uuid(), token: z.string(), status: z.literal('active'), expiresAt: z.string() });
export type CreateAlarmResponse = z.infer<typeof createAlarmResponseSchema>;

export const alarmOfferSchema = z.object({ offerId: z.uuid(), slotId: z.uuid(), start: z.string(), officeId: z.string(), expiresAt: z.string() });
export const alarmDetailSchema = z.object({
  alarmId: z.uuid(),
  status: z.enum(ALARM_STATUSES),
  expiresAt: z.string(),
  position: z.number().int().optional().describe('Place among the waiting alarms of the same service'),
  offer: alarmOfferSchema.optional(),
});
export type AlarmDetail = z.infer<typeof alarmDetailSchema>;

export const alarmTokenBodySchema = z.strictObject({ token });
export type AlarmTokenBody = z.infer<typeof alarmTokenBodySchema>;

export const alarmStatusSchema = z.object({ alarmId: z.uuid(), status: z.enum(ALARM_STATUSES) });
export type AlarmStatusResponse = z.infer<typeof alarmStatusSchema>;

export const acceptResponseSchema = z.object({ appointmentId: z.uuid(), status: z.literal('confirmed') });
export type AcceptResponse = z.infer<typeof acceptResponseSchema>;

export const extendResponseSchema = z.object({ alarmId: z.uuid(), expiresAt: z.string() });
export type ExtendResponse = z.infer<typeof extendResponseSchema>;
