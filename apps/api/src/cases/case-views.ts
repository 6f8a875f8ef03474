import type { CaseDetail, CasePage } from '../../../../libs/db/src/cases';
import type { CaseDetailResponse, CaseListResponse } from './cases.schemas';

export function toListResponse(page: CasePage): CaseListResponse {
  return {
    items: page.items.map((c) => ({ caseId: c.caseId, caseNumber: c.caseNumber, type: c.type, status: c.status, statusText: c.statusText, updatedAt: c.updatedAt.toISOString() })),
    nextCursor: page.nextCursor,
  };
}

/** The case as API.md describes it; `staff` adds each timeline entry's audience. */
export function toDetailResponse(d: CaseDetail, staff: boolean): CaseDetailResponse {
  return {
    caseId: d.caseId,
    caseNumber: d.caseNumber,
    type: d.type,
    status: d.status,
    statusText: d.statusText,
    submittedAt: d.submittedAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
    ...(d.dueBy && { dueBy: d.dueBy.toISOString() }),
    timeline: d.timeline.map((e) => ({ at: e.at.toISOString(), status: e.status, text: e.text, ...(staff && { audience: e.audience }) })),
    openRequests: d.openRequests.map((r) => ({ requestId: r.requestId, kind: r.kind, text: r.text, dueBy: r.dueBy ? r.dueBy.toISOString() : null })),
    documents: d.documents.map((doc) => ({
      documentId: doc.documentId,
      name: doc.name,
      mediaType: doc.mediaType,
      size: doc.size,
      sha256: doc.sha256,
      createdAt: doc.createdAt.toISOString(),
      requestId: doc.requestId,
    })),
    ...(d.decision && { decision: d.decision }),
  };
}
