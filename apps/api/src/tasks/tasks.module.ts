import { Module } from '@nestjs/common';
import { TaskDocumentsController } from './task-documents.controller';
import { TasksController } from './tasks.controller';
import { TasksService } from './tasks.service';

/** GET/POST /api/v1/tasks… — the caseworkers' inbox of human tasks (workflows/shared/human-task.ts) and the documents of a task's case. */
@Module({
  controllers: [TasksController, TaskDocumentsController],
  providers: [TasksService],
})
export class TasksModule {}
