import type { Audience, CaseDecision, CaseType, DocumentMediaType, ExternalStatus } from '../../../domain/src/cases';

/** The case row as the API and activities need it (no document bytes, no timeline). */
export interface CaseRecord {
  caseId: string;
  caseNumber: string;
  type: CaseType;
  ownerSub: string;
  ownerEmail: string | null;
  workflowId: string;
  status: ExternalStatus;
  statusText: string;
  submittedAt: Date;
  updatedAt: Date;
  dueBy: Date | null;
  decision: CaseDecision | null;
}

export interface CaseListItem {
  caseId: string;
  caseNumber: string;
  type: CaseType;
  status: ExternalStatus;
  statusText: string;
  updatedAt: Date;
}

export interface TimelineEntry {
  at: Date;
  status: ExternalStatus | null;
  text: string;
  audience: Audience;
}

export interface OpenRequest {
  requestId: string;
  kind: string;
  text: string;
  dueBy: Date | null;
}

export interface DocumentMeta {
  documentId: string;
  caseId: string;
  requestId: string | null;
  name: string;
  mediaType: DocumentMediaType;
  size: number;
  sha256: string;
  createdAt: Date;
  uploadedBy: string;
}

/** GET /cases/{id}: the case with its timeline, open requests and documents (metadata). */
export interface CaseDetail {
  caseId: string;
  caseNumber: string;
  type: CaseType;
  status: ExternalStatus;
  statusText: string;
  submittedAt: Date;
  updatedAt: Date;
  dueBy: Date | null;
  decision: CaseDecision | null;
  timeline: TimelineEntry[];
  openRequests: OpenRequest[];
  documents: Array<Omit<DocumentMeta, 'caseId' | 'uploadedBy' | 'requestId'> & { requestId: string | null }>;
}

export interface CaseRow {
  id: string;
  case_number: string;
  type: CaseType;
  owner_sub: string;
  owner_email: string | null;
  workflow_id: string;
  status: ExternalStatus;
  status_text: string;
  submitted_at: Date;
  updated_at: Date;
  due_by: Date | null;
  decision: CaseDecision | null;
}

export const CASE_COLUMNS =
  'id, case_number, type, owner_sub, owner_email, workflow_id, status, status_text, submitted_at, updated_at, due_by, decision';

export function toCaseRecord(r: CaseRow): CaseRecord {
  return {
    caseId: r.id,
    caseNumber: r.case_number,
    type: r.type,
    ownerSub: r.owner_sub,
    ownerEmail: r.owner_email,
    workflowId: r.workflow_id,
    status: r.status,
    statusText: r.status_text,
    submittedAt: r.submitted_at,
    updatedAt: r.updated_at,
    dueBy: r.due_by,
    decision: r.decision,
  };
}
