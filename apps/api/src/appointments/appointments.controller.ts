import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/decorators';
import { ApiProblemResponses } from '../docs/problem-responses';
import { ApiZodBody, ApiZodQuery, ApiZodResponse } from '../docs/zod-openapi';
import { IdempotencyKeyHeader } from '../idempotency/idempotent-upload.decorator';
import { ZodValidationPipe } from '../validation/zod-validation.pipe';
import {
  appointmentDetailSchema,
  availabilityQuerySchema,
  availabilityResponseSchema,
  createAppointmentResponseSchema,
  createAppointmentSchema,
  officeListSchema,
  rescheduleBodySchema,
  rescheduleResponseSchema,
  serviceListSchema,
  statusResponseSchema,
  tokenBodySchema,
} from './appointments.schemas';
import type {
  AppointmentDetail,
  AvailabilityQuery,
  AvailabilityResponse,
  CreateAppointmentBody,
  CreateAppointmentResponse,
  OfficeResponse,
  RescheduleBody,
  RescheduleResponse,
  ServiceResponse,
  StatusResponse,
  TokenBody,
} from './appointments.schemas';
import { AppointmentsService } from './appointments.service';

/**
 * Appointments (Termine): no login; public endpoints, rate-limited per client IP
 * (RATE_LIMIT_PUBLIC_PER_MINUTE, 429 with Retry-After). The email-link token authorises
 * everything about one appointment; a wrong token answers 404 like an unknown id.
 */
@ApiTags('appointments')
@Public()
@Controller()
export class AppointmentsController {
  constructor(private readonly appointments: AppointmentsService) {}

  @Get('offices')
  @ApiOperation({ summary: 'Berlin’s Bürgerämter', description: 'Active offices by district and name, with their opening hours.' })
  @ApiZodResponse(200, officeListSchema)
  async offices(): Promise<OfficeResponse[]> {
    return this.appointments.offices();
  }

  @Get('services')
  @ApiOperation({ summary: 'Services that can be booked', description: 'With the typical time at the counter and whether the service needs the citizen in person.' })
  @ApiZodResponse(200, serviceListSchema)
  async services(): Promise<ServiceResponse[]> {
    return this.appointments.services();
  }

  @Get('availability')
  @ApiOperation({
    summary: 'Free slots of a service, earliest first',
    description:
      'Across the given offices (officeId repeatable; none = every office offering the service). Only slots the public may book now ' +
      '(not withheld for the Terminalarm queue), from now on and within the booking horizon (APPOINTMENT_BOOKING_HORIZON, 60 days).',
  })
  @ApiZodQuery(availabilityQuerySchema)
  @ApiQuery({ name: 'officeId', required: false, isArray: true, schema: { type: 'array', items: { type: 'string' } }, style: 'form', explode: true })
  @ApiZodResponse(200, availabilityResponseSchema)
  async availability(@Query(new ZodValidationPipe(availabilityQuerySchema)) q: AvailabilityQuery): Promise<AvailabilityResponse> {
    return this.appointments.availability(q);
  }

  @Post('appointments')
  @HttpCode(201)
  @IdempotencyKeyHeader()
  @ApiOperation({
    summary: 'Book a slot (held until confirmed by the email link)',
    description:
      'Holds the slot at once (201 with holdExpiresAt) and sends an email with confirm and cancel links. 409 `slot_taken` when the slot has no free ' +
      'seat, 409 `email_limit_reached` when the address already holds APPOINTMENTS_PER_EMAIL_LIMIT active appointments, 422 for an unknown slot or a ' +
      'slot that does not offer the service.',
  })
  @ApiZodBody(createAppointmentSchema)
  @ApiZodResponse(201, createAppointmentResponseSchema, 'Held')
  @ApiProblemResponses(409, 429, 503)
  async book(@Body(new ZodValidationPipe(createAppointmentSchema)) body: CreateAppointmentBody, @Res({ passthrough: true }) res: Response): Promise<CreateAppointmentResponse> {
    const held = await this.appointments.book(body);
    res.setHeader('Location', `/api/v1/appointments/${held.appointmentId}`);
    return held;
  }

  @Get('appointments/:appointmentId')
  @ApiOperation({ summary: 'One appointment (email link)', description: '404 for an unknown id or a wrong token.' })
  @ApiParam({ name: 'appointmentId', format: 'uuid' })
  @ApiQuery({ name: 'token', required: true, description: 'The token from the email link' })
  @ApiZodResponse(200, appointmentDetailSchema)
  @ApiProblemResponses(404)
  async detail(@Param('appointmentId') appointmentId: string, @Query('token') token: unknown): Promise<AppointmentDetail> {
    return this.appointments.detail(appointmentId, token);
  }

  @Post('appointments/:appointmentId/confirm')
  @HttpCode(200)
  @IdempotencyKeyHeader()
  @ApiOperation({ summary: 'Confirm the reservation (email link)', description: 'Idempotent. 410 `hold_expired` after the hold lapsed; 404 for a wrong token.' })
  @ApiParam({ name: 'appointmentId', format: 'uuid' })
  @ApiZodBody(tokenBodySchema)
  @ApiZodResponse(200, statusResponseSchema)
  @ApiProblemResponses(404, 409, 410, 503)
  async confirm(@Param('appointmentId') appointmentId: string, @Body(new ZodValidationPipe(tokenBodySchema)) body: TokenBody): Promise<StatusResponse> {
    return this.appointments.confirm(appointmentId, body.token);
  }

  @Post('appointments/:appointmentId/cancel')
  @HttpCode(200)
  @IdempotencyKeyHeader()
  @ApiOperation({
    summary: 'Cancel the appointment (email link)',
    description: 'Idempotent. The seat is offered to the Terminalarm queue first and becomes public after SLOT_RELEASE_BLOCK. 409 once the appointment has started.',
  })
  @ApiParam({ name: 'appointmentId', format: 'uuid' })
  @ApiZodBody(tokenBodySchema)
  @ApiZodResponse(200, statusResponseSchema)
  @ApiProblemResponses(404, 409, 410, 503)
  async cancel(@Param('appointmentId') appointmentId: string, @Body(new ZodValidationPipe(tokenBodySchema)) body: TokenBody): Promise<StatusResponse> {
    return this.appointments.cancel(appointmentId, body.token);
  }

  @Post('appointments/:appointmentId/reschedule')
  @HttpCode(200)
  @IdempotencyKeyHeader()
  @ApiOperation({
    summary: 'Move the appointment to another free slot (email link)',
    description: 'The new seat is taken before the old one is given back, in one transaction: never both, never none. 409 `slot_taken`; the status stays as it was.',
  })
  @ApiParam({ name: 'appointmentId', format: 'uuid' })
  @ApiZodBody(rescheduleBodySchema)
  @ApiZodResponse(200, rescheduleResponseSchema)
  @ApiProblemResponses(404, 409, 410, 503)
  async reschedule(@Param('appointmentId') appointmentId: string, @Body(new ZodValidationPipe(rescheduleBodySchema)) body: RescheduleBody): Promise<RescheduleResponse> {
    return this.appointments.reschedule(appointmentId, body);
  }
}
