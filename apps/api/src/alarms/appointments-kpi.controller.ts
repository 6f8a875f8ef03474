import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Pool } from 'pg';
import { z } from 'zod';
import { appointmentKpi } from '../../../../libs/db/src/appointments/kpi';
import type { AppointmentKpi } from '../../../../libs/db/src/appointments/kpi';
import { DomainError } from '../../../../libs/domain/src/errors';
import { Roles } from '../auth/decorators';
import { ApiProblemResponses } from '../docs/problem-responses';
import { ApiZodQuery, ApiZodResponse } from '../docs/zod-openapi';
import { PG_POOL } from '../tokens';
import { ZodValidationPipe } from '../validation/zod-validation.pipe';

const instant = z.union([z.iso.date(), z.iso.datetime({ offset: true })]).describe('YYYY-MM-DD (UTC midnight) or ISO 8601 date-time with offset');
export const kpiQuerySchema = z.object({ from: instant.optional(), to: instant.optional() });
type KpiQuery = z.infer<typeof kpiQuerySchema>;
const ratio = z.number().nullable();
export const kpiResponseSchema = z.object({
  bookings: z.number().int(),
  withinDays14Share: ratio,
  averageWaitDays: ratio,
  noShowShare: ratio,
  alarmsActive: z.number().int(),
  alarmsServed: z.number().int(),
  medianAlarmWaitHours: ratio,
});

/** The 14-day goal's figures (admins only). */
@ApiTags('office administration')
@Roles('admin')
@Controller('admin/kpi')
export class AppointmentsKpiController {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  @Get('appointments')
  @ApiOperation({
    summary: 'Appointment figures for the 14-day goal',
    description:
      'Bookings made in [from, to) (default: the last 30 days), their share within 14 days and average wait; no-show share of the recorded ' +
      'appointments in the range; alarms active now, served in the range, and the median hours they waited.',
  })
  @ApiZodQuery(kpiQuerySchema)
  @ApiZodResponse(200, kpiResponseSchema)
  @ApiProblemResponses(422)
  async appointments(@Query(new ZodValidationPipe(kpiQuerySchema)) q: KpiQuery): Promise<AppointmentKpi> {
    const to = q.to ? new Date(q.to) : new Date();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * 86_400_000);
    if (!(from < to)) throw new DomainError('INVALID', 'The range is empty.', { errors: [{ path: '/from', message: 'must be before to' }] });
    return appointmentKpi(this.pool, from, to);
  }
}
