import { Module } from '@nestjs/common';
import { TasksController } from './tasks.controller';
import { TasksService } from './tasks.service';

/** GET/POST /api/v1/tasks… — the caseworkers' inbox of human tasks (workflows/shared/human-task.ts). */
@Module({
  controllers: [TasksController],
  providers: [TasksService],
})
export class TasksModule {}
