import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../../../../libs/auth/src/principal';
import { CurrentPrincipal, Roles } from '../auth/decorators';
import { ApiProblemResponses } from '../docs/problem-responses';
import { ApiZodBody, ApiZodResponse } from '../docs/zod-openapi';
import { IdempotencyKeyHeader } from '../idempotency/idempotent-upload.decorator';
import { ZodValidationPipe } from '../validation/zod-validation.pipe';
import { attendanceBodySchema, attendanceResponseSchema, closeOfficeDayResponseSchema, closeOfficeDaySchema, publishSlotsResponseSchema, publishSlotsSchema } from './appointments.schemas';
import type { AttendanceBody, AttendanceResponse, CloseOfficeDayBody, CloseOfficeDayResponse, PublishSlotsBody, PublishSlotsResponse } from './appointments.schemas';
import { AppointmentsService } from './appointments.service';
import { OfficeClosuresService } from './office-closures.service';

/** Office administration: role `admin` (every office) or `caseworker` of that office (`office` claim). */
@ApiTags('office administration')
@Roles('admin', 'caseworker')
@Controller('admin')
export class AppointmentsAdminController {
  constructor(
    private readonly appointments: AppointmentsService,
    private readonly closures: OfficeClosuresService,
  ) {}

  @Post('offices/:officeId/slots')
  @HttpCode(201)
  @IdempotencyKeyHeader()
  @ApiOperation({
    summary: 'Publish capacity',
    description:
      'Creates slots of slotMinutes from start to end inside the office’s opening hours (Berlin time), never in a closure (public holidays, office ' +
      'closures) or the past, each with `capacity` seats for the services. Idempotent per office, start and service set. New slots are public at ' +
      'now + SLOT_PUBLISH_WITHHOLD and go through the publication seam first, so the Terminalarm queue can be served before the public.',
  })
  @ApiParam({ name: 'officeId' })
  @ApiZodBody(publishSlotsSchema)
  @ApiZodResponse(201, publishSlotsResponseSchema, 'Published')
  @ApiProblemResponses(404)
  async publish(@CurrentPrincipal() p: Principal, @Param('officeId') officeId: string, @Body(new ZodValidationPipe(publishSlotsSchema)) body: PublishSlotsBody): Promise<PublishSlotsResponse> {
    return this.appointments.publishSlots(p, officeId, body);
  }

  @Post('offices/:officeId/closures')
  @HttpCode(201)
  @IdempotencyKeyHeader()
  @ApiOperation({
    summary: 'Close an office for a day',
    description:
      'Records the closure (no slots are published for that day any more), cancels the day’s appointments that have not started (each citizen gets ' +
      'a mail saying the office is closed), withdraws open Terminalarm offers for that day (the alarms wait again in their old place; an ' +
      '"earlier slot" alarm of a cancelled appointment now takes any matching slot) and takes the day’s seats off the market. Today or later; ' +
      'repeating it changes nothing and reports the same figures. 503 when a workflow could not be told: repeat the request.',
  })
  @ApiParam({ name: 'officeId' })
  @ApiZodBody(closeOfficeDaySchema)
  @ApiZodResponse(201, closeOfficeDayResponseSchema, 'Closed')
  @ApiProblemResponses(404, 503)
  async close(@CurrentPrincipal() p: Principal, @Param('officeId') officeId: string, @Body(new ZodValidationPipe(closeOfficeDaySchema)) body: CloseOfficeDayBody): Promise<CloseOfficeDayResponse> {
    return this.closures.close(p, officeId, body);
  }

  @Post('appointments/:appointmentId/attendance')
  @HttpCode(200)
  @IdempotencyKeyHeader()
  @ApiOperation({
    summary: 'Record attendance',
    description:
      'attended true → completed, false → missed (the no-show figure). From the appointment’s day on, once (the same answer again is fine); after ' +
      'the end of that day an unrecorded appointment is closed as completed with attendance unknown and this answers 409 `attendance_closed`.',
  })
  @ApiParam({ name: 'appointmentId', format: 'uuid' })
  @ApiZodBody(attendanceBodySchema)
  @ApiZodResponse(200, attendanceResponseSchema)
  @ApiProblemResponses(404, 409, 503)
  async attendance(@CurrentPrincipal() p: Principal, @Param('appointmentId') appointmentId: string, @Body(new ZodValidationPipe(attendanceBodySchema)) body: AttendanceBody): Promise<AttendanceResponse> {
    return this.appointments.recordAttendance(p, appointmentId, body);
  }
}
