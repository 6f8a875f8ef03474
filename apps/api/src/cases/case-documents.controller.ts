import { BadRequestException, Body, Controller, Get, HttpCode, Inject, Param, Post, Res, UploadedFile } from '@nestjs/common';
import type { StreamableFile } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Response } from 'express';
import { Pool } from 'pg';
import type { AppConfig } from '../../../../libs/config/src/config';
import type { Principal } from '../../../../libs/auth/src/principal';
import { addDocument, findCase, findCaseForOwner, getDocument } from '../../../../libs/db/src/cases';
import { FINAL_STATUSES } from '../../../../libs/domain/src/cases';
import { DomainError } from '../../../../libs/domain/src/errors';
import { documentUploadedSignal } from '../../../../workflows/shared/case.contract';
import { CurrentPrincipal, Roles } from '../auth/decorators';
import { ApiProblemResponses } from '../docs/problem-responses';
import { ApiZodResponse } from '../docs/zod-openapi';
import { IdempotentUpload } from '../idempotency/idempotent-upload.decorator';
import { TemporalClientHolder } from '../infrastructure/temporal-client.holder';
import { APP_CONFIG, PG_POOL } from '../tokens';
import { validationProblem } from '../validation/zod-validation.pipe';
import { caseNotFound, documentNotFound, readsAsStaff } from './case-access';
import { documentDownload } from './document-file';
import { uploadFieldsSchema, uploadResponseSchema } from './cases.schemas';
import type { UploadResponse } from './cases.schemas';

/** What multer's memory storage hands us (multer ships no types of its own). */
interface UploadedDocument {
  fieldname: string;
  originalname: string;
  mimetype: string;
  size: number;
  buffer: Buffer;
}

@ApiTags('cases')
@Controller('cases/:caseId/documents')
export class CaseDocumentsController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly temporal: TemporalClientHolder,
  ) {}

  @Post()
  @Roles('citizen')
  @HttpCode(201)
  @IdempotentUpload('file')
  @ApiOperation({
    summary: 'Upload a document to my case',
    description:
      'multipart/form-data with one `file` (PDF, JPEG or PNG — recognised by content, not by name or declared type; at most DOCUMENT_MAX_BYTES, ' +
      'default 10 MiB) and optionally the `requestId` of an open request of this case, whose process is then notified. ' +
      'The SHA-256 is computed by the server. The same file again for the same request answers with the first document.',
  })
  @ApiParam({ name: 'caseId', format: 'uuid' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary' }, requestId: { type: 'string', format: 'uuid', description: 'An open request of this case' } },
    },
  })
  @ApiZodResponse(201, uploadResponseSchema, 'Stored')
  @ApiProblemResponses(400, 404, 409, 413, 422, 503)
  async upload(
    @CurrentPrincipal() p: Principal,
    @Param('caseId') caseId: string,
    @UploadedFile() file: UploadedDocument | undefined,
    @Body() fields: unknown,
  ): Promise<UploadResponse> {
    const c = await findCaseForOwner(this.pool, caseId, p.sub);
    if (!c) throw caseNotFound();
    if (!file?.buffer) throw new BadRequestException('Send multipart/form-data with the document in the field "file".');
    const parsed = uploadFieldsSchema.safeParse(fields ?? {});
    if (!parsed.success) throw validationProblem(parsed.error.issues, fields, 'body');
    if (FINAL_STATUSES.includes(c.status)) throw new DomainError('CONFLICT', 'This case is closed; documents can no longer be added.', { reason: 'case_closed' });

    const requestId = parsed.data.requestId ?? null;
    const { document } = await addDocument(this.pool, {
      caseId: c.caseId,
      requestId,
      name: file.originalname,
      bytes: file.buffer,
      uploadedBy: p.sub,
      maxBytes: this.config.DOCUMENT_MAX_BYTES,
    });
    if (requestId) {
      // Sent again on a retried upload (the workflow dedupes by documentId), so a signal lost to an
      // outage is delivered by the retry: the document itself is stored once.
      try {
        await this.temporal.get().workflow.getHandle(c.workflowId).signal(documentUploadedSignal, { requestId, documentId: document.documentId });
      } catch (e) {
        if (e instanceof WorkflowNotFoundError) throw new DomainError('CONFLICT', 'This case is closed; its process no longer waits for documents.', { reason: 'case_closed' });
        throw e;
      }
    }
    return { documentId: document.documentId, sha256: document.sha256, name: document.name, mediaType: document.mediaType, size: document.size, requestId: document.requestId };
  }

  @Get(':documentId')
  @Roles('citizen', 'admin')
  @ApiOperation({ summary: 'Download a document of my case', description: 'The bytes as stored, as an attachment with the detected media type.' })
  @ApiParam({ name: 'caseId', format: 'uuid' })
  @ApiParam({ name: 'documentId', format: 'uuid' })
  @ApiProduces('application/pdf', 'image/jpeg', 'image/png')
  @ApiResponse({ status: 200, description: 'The file', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } })
  @ApiProblemResponses(404)
  async download(
    @CurrentPrincipal() p: Principal,
    @Param('caseId') caseId: string,
    @Param('documentId') documentId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const c = readsAsStaff(p) ? await findCase(this.pool, caseId) : await findCaseForOwner(this.pool, caseId, p.sub);
    if (!c) throw caseNotFound();
    const doc = await getDocument(this.pool, c.caseId, documentId);
    if (!doc) throw documentNotFound();
    return documentDownload(res, doc);
  }
}
