import { z } from 'zod';
import { CASE_TYPES, DOCUMENT_MEDIA_TYPES, EXTERNAL_STATUSES } from '../../../../libs/domain/src/cases';
import { CASE_LIST_MAX_LIMIT } from '../../../../libs/db/src/cases/read';

const caseTypes = Object.keys(CASE_TYPES) as [keyof typeof CASE_TYPES, ...Array<keyof typeof CASE_TYPES>];
const isoTime = z.string().describe('ISO 8601 with offset');

export const caseListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(CASE_LIST_MAX_LIMIT).optional().describe(`Page size, 1–${CASE_LIST_MAX_LIMIT} (default 20)`),
  cursor: z.string().min(1).max(200).optional().describe('nextCursor of the previous page'),
});
export type CaseListQuery = z.infer<typeof caseListQuerySchema>;

export const caseListResponseSchema = z.object({
  items: z.array(
    z.object({
      caseId: z.uuid(),
      caseNumber: z.string().describe('e.g. WG-2026-000123'),
      type: z.enum(caseTypes),
      status: z.enum(EXTERNAL_STATUSES),
      statusText: z.string(),
      updatedAt: isoTime,
    }),
  ),
  nextCursor: z.string().nullable().describe('Opaque; null on the last page'),
});
export type CaseListResponse = z.infer<typeof caseListResponseSchema>;

export const documentMetaSchema = z.object({
  documentId: z.uuid(),
  name: z.string(),
  mediaType: z.enum(DOCUMENT_MEDIA_TYPES),
  size: z.number().int(),
  sha256: z.string().describe('hex SHA-256 of the bytes, computed by the server'),
  createdAt: isoTime,
  requestId: z.uuid().nullable().describe('The request this upload answered, if any'),
});

export const caseDetailResponseSchema = z.object({
  caseId: z.uuid(),
  caseNumber: z.string(),
  type: z.enum(caseTypes),
  status: z.enum(EXTERNAL_STATUSES),
  statusText: z.string(),
  submittedAt: isoTime,
  updatedAt: isoTime,
  dueBy: isoTime.optional(),
  timeline: z
    .array(
      z.object({
        at: isoTime,
        status: z.enum(EXTERNAL_STATUSES).nullable().describe('The status this entry moved the case to; null for entries without a status change'),
        text: z.string(),
        audience: z.enum(['citizen', 'internal']).optional().describe('Staff view only; citizens see citizen entries only'),
      }),
    )
    .describe('Oldest first'),
  openRequests: z.array(z.object({ requestId: z.uuid(), kind: z.string(), text: z.string(), dueBy: isoTime.nullable() })),
  documents: z.array(documentMetaSchema),
  decision: z.object({ outcome: z.string(), decidedAt: isoTime }).catchall(z.unknown()).optional(),
});
export type CaseDetailResponse = z.infer<typeof caseDetailResponseSchema>;

export const uploadFieldsSchema = z.object({
  requestId: z.uuid().optional(),
});

export const uploadResponseSchema = z.object({
  documentId: z.uuid(),
  sha256: z.string(),
  name: z.string(),
  mediaType: z.enum(DOCUMENT_MEDIA_TYPES),
  size: z.number().int(),
  requestId: z.uuid().nullable(),
});
export type UploadResponse = z.infer<typeof uploadResponseSchema>;

export const withdrawResponseSchema = z.object({ status: z.literal('WITHDRAWN') });
export type WithdrawResponse = z.infer<typeof withdrawResponseSchema>;
