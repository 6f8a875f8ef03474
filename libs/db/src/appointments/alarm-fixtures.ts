import { randomUUID } from 'node:crypto';
import type { CreateAlarmInput } from './alarms';
import { hashAppointmentToken, newAppointmentToken } from './secrets';

/** Test fixtures of the alarm specs (not used by production code). */

/** The Berlin calendar date `days` from now, `YYYY-MM-DD`. */
export const berlinDateIn = (days: number): string => new Date(Date.now() + days * 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Europe/Berlin' });

/** A standing wish for `serviceId` at any office over the next 30 days, with a fresh id and token. */
export function alarmInput(serviceId: string, over: Partial<CreateAlarmInput> = {}): CreateAlarmInput {
  const alarmId = randomUUID();
  return {
    alarmId,
    workflowId: `alarm-${alarmId}`,
    serviceId,
    officeIds: [],
    fromDate: berlinDateIn(0),
    toDate: berlinDateIn(30),
    weekdays: [],
    timeFrom: null,
    timeTo: null,
    email: `p-${alarmId}@example.org`,
    name: 'Erika Mustermann',
    tokenHash: hashAppointmentToken(newAppointmentToken()),
    lifetime: 'P30D',
    ...over,
  };
}
