import { createHash, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { DocumentMediaType } from '../../../domain/src/cases';
import { DomainError } from '../../../domain/src/errors';
import { writeAudit } from './audit';
import { safeDocumentName, sniffMediaType } from './media-type';
import { isUuid, withTransaction } from './tx';
import type { DocumentMeta } from './types';

export interface AddDocumentInput {
  caseId: string;
  /** The open request (Nachforderung) this upload answers; it must belong to the case. */
  requestId?: string | null;
  /** The client's file name (sanitised here). */
  name?: string;
  bytes: Uint8Array;
  /** The uploader's sub, or `system` for generated documents. */
  uploadedBy: string;
  /**
   * Idempotency key within the case. Generated documents pass their own (e.g. `notice`); uploads
   * default to `upload:<requestId|->:<sha256>`, so the same file uploaded again for the same
   * request (a retry) is stored once and answered with the first document.
   */
  docKey?: string;
  /** DOCUMENT_MAX_BYTES. */
  maxBytes: number;
}

export interface AddDocumentResult {
  document: DocumentMeta;
  /** False when the document existed already under the same key. */
  created: boolean;
}

interface DocumentRow {
  id: string;
  case_id: string;
  request_id: string | null;
  name: string;
  media_type: DocumentMediaType;
  size: number;
  sha256: string;
  created_at: Date;
  uploaded_by: string;
}

const META_COLUMNS = 'id, case_id, request_id, name, media_type, size, sha256, created_at, uploaded_by';

function toMeta(r: DocumentRow): DocumentMeta {
  return {
    documentId: r.id,
    caseId: r.case_id,
    requestId: r.request_id,
    name: r.name,
    mediaType: r.media_type,
    size: r.size,
    sha256: r.sha256,
    createdAt: r.created_at,
    uploadedBy: r.uploaded_by,
  };
}

/**
 * Stores a document in the case file: checks size (DOCUMENT_MAX_BYTES) and media type (magic
 * bytes: PDF, JPEG, PNG), computes the SHA-256 itself, checks that a named request is open and
 * belongs to the case, and writes an audit row. Idempotent by (caseId, docKey).
 *
 * Errors: INVALID (empty, too large, unsupported type, unknown request), NOT_FOUND (no such case),
 * CONFLICT (the request is no longer open).
 */
export async function addDocument(pool: Pool, input: AddDocumentInput): Promise<AddDocumentResult> {
  if (!isUuid(input.caseId)) throw new DomainError('NOT_FOUND', 'The case does not exist.', { reason: 'case_not_found' });
  if (input.requestId !== undefined && input.requestId !== null && !isUuid(input.requestId)) {
    throw new DomainError('INVALID', 'The request id is not valid.', { reason: 'unknown_request', errors: [{ path: '/requestId', message: 'must be a UUID' }] });
  }
  const size = input.bytes.byteLength;
  if (size === 0) throw new DomainError('INVALID', 'The file is empty.', { reason: 'empty_document', errors: [{ path: '/file', message: 'empty' }] });
  if (size > input.maxBytes) {
    throw new DomainError('INVALID', `The file is larger than ${input.maxBytes} bytes.`, { reason: 'document_too_large', errors: [{ path: '/file', message: 'too large' }] });
  }
  const mediaType = sniffMediaType(input.bytes);
  if (!mediaType) {
    throw new DomainError('INVALID', 'Only PDF, JPEG and PNG files are accepted.', {
      reason: 'unsupported_media_type',
      errors: [{ path: '/file', message: 'not a PDF, JPEG or PNG file' }],
    });
  }
  const sha256 = createHash('sha256').update(input.bytes).digest('hex');
  const requestId = input.requestId ?? null;
  const docKey = input.docKey ?? `upload:${requestId ?? '-'}:${sha256}`;
  const name = safeDocumentName(input.name, mediaType);

  return withTransaction(pool, async (c) => {
    // Share-lock the case: it must exist, and it cannot vanish under us.
    const found = await c.query('SELECT 1 FROM cases WHERE id = $1 FOR KEY SHARE', [input.caseId]);
    if (found.rowCount === 0) throw new DomainError('NOT_FOUND', 'The case does not exist.', { reason: 'case_not_found' });

    const existing = await c.query<DocumentRow>(`SELECT ${META_COLUMNS} FROM case_documents WHERE case_id = $1 AND doc_key = $2`, [input.caseId, docKey]);
    if (existing.rows[0]) return { document: toMeta(existing.rows[0]), created: false };

    if (requestId) {
      const req = await c.query<{ status: string }>('SELECT status FROM case_requests WHERE id = $1 AND case_id = $2', [requestId, input.caseId]);
      const r = req.rows[0];
      if (!r) throw new DomainError('INVALID', 'This case has no such request.', { reason: 'unknown_request', errors: [{ path: '/requestId', message: 'unknown request' }] });
      if (r.status !== 'open') throw new DomainError('CONFLICT', 'This request is no longer open.', { reason: 'request_not_open' });
    }

    const inserted = await c.query<DocumentRow>(
      `INSERT INTO case_documents (id, case_id, request_id, doc_key, name, media_type, size, sha256, bytes, uploaded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (case_id, doc_key) DO NOTHING
       RETURNING ${META_COLUMNS}`,
      [randomUUID(), input.caseId, requestId, docKey, name, mediaType, size, sha256, Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength), input.uploadedBy],
    );
    const row = inserted.rows[0];
    if (!row) {
      // A concurrent call with the same key won (and has committed: ON CONFLICT waited for it).
      const again = await c.query<DocumentRow>(`SELECT ${META_COLUMNS} FROM case_documents WHERE case_id = $1 AND doc_key = $2`, [input.caseId, docKey]);
      return { document: toMeta(again.rows[0]!), created: false };
    }
    await writeAudit(c, {
      actor: input.uploadedBy,
      action: 'document.added',
      caseId: input.caseId,
      after: { documentId: row.id, requestId, mediaType, size, sha256 },
    });
    return { document: toMeta(row), created: true };
  });
}

export interface StoredDocument extends DocumentMeta {
  bytes: Buffer;
}

/** A document with its bytes, only if it belongs to the case (undefined otherwise). */
export async function getDocument(pool: Pick<Pool, 'query'>, caseId: string, documentId: string): Promise<StoredDocument | undefined> {
  if (!isUuid(caseId) || !isUuid(documentId)) return undefined;
  const r = await pool.query<DocumentRow & { bytes: Buffer }>(`SELECT ${META_COLUMNS}, bytes FROM case_documents WHERE id = $1 AND case_id = $2`, [documentId, caseId]);
  const row = r.rows[0];
  return row ? { ...toMeta(row), bytes: row.bytes } : undefined;
}

/** Every document of a case (metadata only), oldest first. */
export async function listDocuments(pool: Pick<Pool, 'query'>, caseId: string): Promise<DocumentMeta[]> {
  if (!isUuid(caseId)) return [];
  const r = await pool.query<DocumentRow>(`SELECT ${META_COLUMNS} FROM case_documents WHERE case_id = $1 ORDER BY created_at, id`, [caseId]);
  return r.rows.map(toMeta);
}
