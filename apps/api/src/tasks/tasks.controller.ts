import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../../../../libs/auth/src/principal';
import { CurrentPrincipal, Roles } from '../auth/decorators';
import { ApiProblemResponses } from '../docs/problem-responses';
import { ApiZodBody, ApiZodQuery, ApiZodResponse } from '../docs/zod-openapi';
import { ZodValidationPipe } from '../validation/zod-validation.pipe';
import {
  completeTaskBodySchema,
  completeTaskResponseSchema,
  deferTaskBodySchema,
  taskDetailSchema,
  taskListQuerySchema,
  taskListResponseSchema,
} from './tasks.schemas';
import type { CompleteTaskBody, DeferTaskBody, TaskDetail, TaskListQueryInput, TaskListResponse } from './tasks.schemas';
import { TasksService } from './tasks.service';

const taskIdParam = ApiParam({ name: 'taskId', format: 'uuid', description: 'Unknown ids and tasks of other groups are both 404' });

/** API.md "Human tasks (caseworker)": the inbox, claims, completion and Wiedervorlage. */
@ApiTags('tasks')
@Controller('tasks')
@Roles('caseworker', 'admin')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Get()
  @ApiOperation({
    summary: 'The inbox: tasks of my groups, sorted by due date',
    description:
      'scope=mine: tasks I hold; group: open and claimed tasks of my groups; unassigned: tasks nobody holds. Deferred tasks (follow-up date in the future) are hidden from group and unassigned unless includeDeferred=true. Admins see every group.',
  })
  @ApiZodQuery(taskListQuerySchema)
  @ApiZodResponse(200, taskListResponseSchema)
  list(@CurrentPrincipal() p: Principal, @Query(new ZodValidationPipe(taskListQuerySchema)) q: TaskListQueryInput): Promise<TaskListResponse> {
    return this.tasks.list(p, q);
  }

  @Get(':taskId')
  @taskIdParam
  @ApiOperation({ summary: 'One task with its form schema, outcomes and case data' })
  @ApiZodResponse(200, taskDetailSchema)
  @ApiProblemResponses(404)
  get(@CurrentPrincipal() p: Principal, @Param('taskId') taskId: string): Promise<TaskDetail> {
    return this.tasks.get(p, taskId);
  }

  @Post(':taskId/claim')
  @HttpCode(200)
  @taskIdParam
  @ApiOperation({ summary: 'Claim a task (exclusive); 409 when another caseworker holds it' })
  @ApiZodResponse(200, taskDetailSchema)
  @ApiProblemResponses(404, 409)
  claim(@CurrentPrincipal() p: Principal, @Param('taskId') taskId: string): Promise<TaskDetail> {
    return this.tasks.claim(p, taskId);
  }

  @Post(':taskId/unclaim')
  @HttpCode(200)
  @taskIdParam
  @ApiOperation({ summary: 'Give a claimed task back to the group (the holder; an admin for anyone)' })
  @ApiZodResponse(200, taskDetailSchema)
  @ApiProblemResponses(404, 409)
  unclaim(@CurrentPrincipal() p: Principal, @Param('taskId') taskId: string): Promise<TaskDetail> {
    return this.tasks.unclaim(p, taskId);
  }

  @Post(':taskId/complete')
  @HttpCode(200)
  @taskIdParam
  @ApiOperation({
    summary: 'Complete a task I hold',
    description: 'The task’s process validates outcome and data (against formSchema) and the four-eyes rule: 422 with errors when it refuses; 409 when the caller does not hold the claim.',
  })
  @ApiZodBody(completeTaskBodySchema)
  @ApiZodResponse(200, completeTaskResponseSchema)
  @ApiProblemResponses(404, 409, 503)
  complete(
    @CurrentPrincipal() p: Principal,
    @Param('taskId') taskId: string,
    @Body(new ZodValidationPipe(completeTaskBodySchema)) body: CompleteTaskBody,
  ): Promise<{ taskId: string; outcome: string; status: 'completed' }> {
    return this.tasks.complete(p, taskId, body);
  }

  @Post(':taskId/defer')
  @HttpCode(200)
  @taskIdParam
  @ApiOperation({ summary: 'Wiedervorlage: hide the task from the group inbox until a date (null clears it)' })
  @ApiZodBody(deferTaskBodySchema)
  @ApiZodResponse(200, taskDetailSchema)
  @ApiProblemResponses(404, 409)
  defer(@CurrentPrincipal() p: Principal, @Param('taskId') taskId: string, @Body(new ZodValidationPipe(deferTaskBodySchema)) body: DeferTaskBody): Promise<TaskDetail> {
    return this.tasks.defer(p, taskId, body.until);
  }
}
