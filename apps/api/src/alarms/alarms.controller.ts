import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/decorators';
import { ApiProblemResponses } from '../docs/problem-responses';
import { ApiZodBody, ApiZodResponse } from '../docs/zod-openapi';
import { ZodValidationPipe } from '../validation/zod-validation.pipe';
import { acceptResponseSchema, alarmDetailSchema, alarmStatusSchema, alarmTokenBodySchema, createAlarmResponseSchema, createAlarmSchema, extendResponseSchema } from './alarms.schemas';
import type { AcceptResponse, AlarmDetail, AlarmStatusResponse, AlarmTokenBody, CreateAlarmBody, CreateAlarmResponse, ExtendResponse } from './alarms.schemas';
import { AlarmsService } from './alarms.service';

/**
 * Terminalarm: no login; public endpoints, rate-limited per client IP like all public ones. The
 * token returned at creation (and in every mail link) authorises everything about one alarm; a
 * wrong token answers 404 like an unknown id.
 */
@ApiTags('alarms')
@Public()
@Controller('alarms')
export class AlarmsController {
  constructor(private readonly alarms: AlarmsService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Create a Terminalarm',
    description:
      'A standing wish (service, offices or any, date range, weekdays, time window). 409 `alarm_exists` when the address has an active alarm for the service. ' +
      'With `appointmentId` + `appointmentToken` (an appointment the citizen holds, same service): only slots earlier than it match, and accepting an offer swaps the bookings ' +
      '(the old appointment is cancelled, its seat goes to the queue first); 404 for a wrong token, 409 `appointment_not_active`.',
  })
  @ApiZodBody(createAlarmSchema)
  @ApiZodResponse(201, createAlarmResponseSchema)
  @ApiProblemResponses(404, 409, 422, 429, 503)
  async create(@Body(new ZodValidationPipe(createAlarmSchema)) body: CreateAlarmBody): Promise<CreateAlarmResponse> {
    return this.alarms.create(body);
  }

  @Get(':alarmId')
  @ApiOperation({ summary: 'The alarm behind a link', description: 'Status, place in the queue while waiting, the open offer while offered.' })
  @ApiParam({ name: 'alarmId', format: 'uuid' })
  @ApiQuery({ name: 'token', required: true, description: 'The token from the email link' })
  @ApiZodResponse(200, alarmDetailSchema)
  @ApiProblemResponses(404)
  async detail(@Param('alarmId') alarmId: string, @Query('token') token: unknown): Promise<AlarmDetail> {
    return this.alarms.detail(alarmId, token);
  }

  @Delete(':alarmId')
  @HttpCode(200)
  @ApiOperation({ summary: 'End the alarm', description: 'An open offer is declined first (its seat goes to the next alarm). Idempotent.' })
  @ApiParam({ name: 'alarmId', format: 'uuid' })
  @ApiQuery({ name: 'token', required: true, description: 'The token from the email link' })
  @ApiZodResponse(200, alarmStatusSchema)
  @ApiProblemResponses(404, 409, 503)
  async cancel(@Param('alarmId') alarmId: string, @Query('token') token: unknown): Promise<AlarmStatusResponse> {
    return this.alarms.cancel(alarmId, token);
  }

  @Post(':alarmId/offers/:offerId/accept')
  @HttpCode(201)
  @ApiOperation({ summary: 'Accept the offer', description: 'The held seat becomes a confirmed appointment at once. 410 when the offer has lapsed.' })
  @ApiParam({ name: 'alarmId', format: 'uuid' })
  @ApiParam({ name: 'offerId', format: 'uuid' })
  @ApiZodBody(alarmTokenBodySchema)
  @ApiZodResponse(201, acceptResponseSchema)
  @ApiProblemResponses(404, 409, 410, 503)
  async accept(@Param('alarmId') alarmId: string, @Param('offerId') offerId: string, @Body(new ZodValidationPipe(alarmTokenBodySchema)) body: AlarmTokenBody): Promise<AcceptResponse> {
    return this.alarms.accept(alarmId, offerId, body.token);
  }

  @Post(':alarmId/offers/:offerId/decline')
  @HttpCode(200)
  @ApiOperation({ summary: 'Decline the offer', description: 'The seat goes to the next matching alarm; this alarm keeps waiting.' })
  @ApiParam({ name: 'alarmId', format: 'uuid' })
  @ApiParam({ name: 'offerId', format: 'uuid' })
  @ApiZodBody(alarmTokenBodySchema)
  @ApiZodResponse(200, alarmStatusSchema)
  @ApiProblemResponses(404, 409, 503)
  async decline(@Param('alarmId') alarmId: string, @Param('offerId') offerId: string, @Body(new ZodValidationPipe(alarmTokenBodySchema)) body: AlarmTokenBody): Promise<AlarmStatusResponse> {
    return this.alarms.decline(alarmId, offerId, body.token);
  }

  @Post(':alarmId/extend')
  @HttpCode(200)
  @ApiOperation({ summary: 'Extend the alarm (link in the expiry mail)', description: 'Expiry = now + ALARM_LIFETIME.' })
  @ApiParam({ name: 'alarmId', format: 'uuid' })
  @ApiZodBody(alarmTokenBodySchema)
  @ApiZodResponse(200, extendResponseSchema)
  @ApiProblemResponses(404, 409, 503)
  async extend(@Param('alarmId') alarmId: string, @Body(new ZodValidationPipe(alarmTokenBodySchema)) body: AlarmTokenBody): Promise<ExtendResponse> {
    return this.alarms.extend(alarmId, body.token);
  }
}
