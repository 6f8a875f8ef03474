import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import type { StreamableFile } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Pool } from 'pg';
import { z } from 'zod';
import type { Principal } from '../../../../libs/auth/src/principal';
import { getDocument, listDocuments, writeAudit } from '../../../../libs/db/src/cases';
import { CurrentPrincipal, Roles } from '../auth/decorators';
import { documentNotFound } from '../cases/case-access';
import { documentDownload } from '../cases/document-file';
import { ApiProblemResponses } from '../docs/problem-responses';
import { ApiZodResponse } from '../docs/zod-openapi';
import { PG_POOL } from '../tokens';
import { TasksService } from './tasks.service';

const taskDocumentsSchema = z.object({
  items: z.array(
    z.object({
      documentId: z.string(),
      name: z.string(),
      mediaType: z.string(),
      size: z.number().int(),
      sha256: z.string(),
      createdAt: z.string(),
      requestId: z.string().nullable().describe('The document request (Nachforderung) this upload answered'),
      uploadedBy: z.enum(['citizen', 'system']).describe('`system` for notices and receipts the process generated'),
    }),
  ),
});
type TaskDocuments = z.infer<typeof taskDocumentsSchema>;

const taskIdParam = ApiParam({ name: 'taskId', format: 'uuid', description: 'Unknown ids and tasks of other groups are both 404' });

/**
 * The case file's documents as the caseworker deciding a task sees them: the proofs a citizen
 * uploaded and the letters the process issued. Access follows the task (the caller's groups, as
 * for GET /tasks/{taskId}); every download is written to the audit trail, because a caseworker
 * reading a citizen's payslip is exactly what a data-protection audit asks about.
 */
@ApiTags('tasks')
@Controller('tasks/:taskId/documents')
@Roles('caseworker', 'admin')
export class TaskDocumentsController {
  constructor(
    private readonly tasks: TasksService,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  @Get()
  @taskIdParam
  @ApiOperation({ summary: 'The documents of the case this task is about' })
  @ApiZodResponse(200, taskDocumentsSchema)
  @ApiProblemResponses(404)
  async list(@CurrentPrincipal() p: Principal, @Param('taskId') taskId: string): Promise<TaskDocuments> {
    const { caseId } = await this.tasks.caseOfVisibleTask(p, taskId);
    const docs = await listDocuments(this.pool, caseId);
    return {
      items: docs.map((d) => ({
        documentId: d.documentId,
        name: d.name,
        mediaType: d.mediaType,
        size: d.size,
        sha256: d.sha256,
        createdAt: d.createdAt.toISOString(),
        requestId: d.requestId,
        uploadedBy: d.uploadedBy === 'system' ? 'system' : 'citizen',
      })),
    };
  }

  @Get(':documentId')
  @taskIdParam
  @ApiParam({ name: 'documentId', format: 'uuid' })
  @ApiOperation({ summary: 'Download a document of the task’s case (audited)' })
  @ApiProduces('application/pdf', 'image/jpeg', 'image/png')
  @ApiResponse({ status: 200, description: 'The file', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } })
  @ApiProblemResponses(404)
  async download(
    @CurrentPrincipal() p: Principal,
    @Param('taskId') taskId: string,
    @Param('documentId') documentId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const { caseId } = await this.tasks.caseOfVisibleTask(p, taskId);
    const doc = await getDocument(this.pool, caseId, documentId);
    if (!doc) throw documentNotFound();
    await writeAudit(this.pool, { actor: p.sub, action: 'document.read', caseId, after: { documentId: doc.documentId, taskId, sha256: doc.sha256 } });
    return documentDownload(res, doc);
  }
}
