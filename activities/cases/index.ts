import { ApplicationFailure, activityInfo, log } from '@temporalio/activity';
import { addDocument, findCase, openCase, recordEvent, setDecision } from '../../libs/db/src/cases';
import type { CaseDecision, CaseType, ExternalStatus, Audience } from '../../libs/domain/src/cases';
import { DomainError } from '../../libs/domain/src/errors';
import { sendMailOnce } from '../../libs/mail/src/send-mail';
import { mailFailure } from '../mail-failure';
import type { ActivityDeps } from '../deps';
import { caseEventMessageId, statusMail } from './status-mail';

export { caseEventMessageId, caseLink, statusMail } from './status-mail';

export interface OpenCaseActivityInput {
  caseId: string;
  type: CaseType;
  ownerSub: string;
  /** For status mails; omit when the citizen gave none. */
  ownerEmail?: string | null;
  workflowId: string;
}

export interface OpenCaseActivityResult {
  caseId: string;
  caseNumber: string;
  status: ExternalStatus;
  /** ISO 8601. */
  submittedAt: string;
  /** False on a retry that found the case already open. */
  created: boolean;
}

export interface RecordCaseEventInput {
  caseId: string;
  /** Stable per logical event, e.g. `received`, `request-<id>`, `decision`: the same key is written once. */
  eventKey: string;
  status?: ExternalStatus;
  audience: Audience;
  /** German; for `citizen` entries written for the citizen. */
  text: string;
  /** English version for the mail (optional; the status's default English text otherwise). */
  textEn?: string;
  /** Mail the owner about this entry (citizen entries only; once per caseId + eventKey). */
  notify?: boolean;
}

export interface RecordCaseEventResult {
  /** False when the entry existed already (a retry). */
  recorded: boolean;
  /** `sent` / `already-sent`, or `skipped` with the reason, when notify was asked for. */
  mail?: { status: 'sent' | 'already-sent' | 'skipped'; messageId?: string; reason?: string };
}

export interface StoreCaseDocumentInput {
  caseId: string;
  /** Idempotency key within the case, e.g. `notice` or `receipt`: a retry stores nothing new. */
  key: string;
  name: string;
  contentBase64: string;
}

export interface StoreCaseDocumentResult {
  documentId: string;
  sha256: string;
  size: number;
  created: boolean;
}

export interface SetCaseDecisionInput {
  caseId: string;
  decision: CaseDecision;
}

/** DomainErrors are business rejections: retrying cannot help. */
function asFailure(e: unknown): unknown {
  if (e instanceof DomainError) {
    return ApplicationFailure.create({ type: e.code, message: e.message, nonRetryable: true, details: e.details ? [e.details] : undefined });
  }
  return mailFailure(e); // mail outcomes; anything else is a technical fault, retried by the policy
}

/** The workflow that runs the activity, as the audit trail's actor. */
function workflowActor(): string {
  try {
    const id = activityInfo().workflowExecution?.workflowId;
    return id ? `workflow:${id}` : 'system';
  } catch {
    return 'system';
  }
}

/**
 * The case-file activities (DESIGN.md "Case file"). Each is idempotent: a retry after a crash or
 * timeout writes nothing twice and mails nothing twice.
 */
export function createCaseActivities(deps: ActivityDeps) {
  return {
    /** Opens the case (case number allocated gap-free); a retry returns the same case and number. */
    async openCase(input: OpenCaseActivityInput): Promise<OpenCaseActivityResult> {
      try {
        const { case: c, created } = await openCase(deps.pool, { ...input, actor: workflowActor() });
        log.info('case opened', { caseId: c.caseId, caseNumber: c.caseNumber, created });
        return { caseId: c.caseId, caseNumber: c.caseNumber, status: c.status, submittedAt: c.submittedAt.toISOString(), created };
      } catch (e) {
        throw asFailure(e);
      }
    },

    /**
     * Appends a timeline entry (moving the status when given) once per caseId + eventKey and, with
     * `notify` on a citizen entry, mails the owner once (Message-ID from caseId + eventKey). A retry
     * after the entry was written but before the mail went out sends the mail then.
     */
    async recordCaseEvent(input: RecordCaseEventInput): Promise<RecordCaseEventResult> {
      try {
        const event = await recordEvent(deps.pool, { ...input, actor: workflowActor(), retention: deps.config.CASE_RETENTION });
        const result: RecordCaseEventResult = { recorded: event.recorded };
        if (input.notify) {
          if (input.audience !== 'citizen') {
            result.mail = { status: 'skipped', reason: 'internal entries are never mailed' };
          } else {
            const c = await findCase(deps.pool, input.caseId);
            if (!c?.ownerEmail) {
              result.mail = { status: 'skipped', reason: 'no e-mail address on the case' };
            } else {
              const messageId = caseEventMessageId(c.caseId, input.eventKey);
              const mail = statusMail({
                caseId: c.caseId,
                caseNumber: c.caseNumber,
                type: c.type,
                status: event.status,
                text: input.text,
                textEn: input.textEn,
                publicBaseUrl: deps.config.PUBLIC_BASE_URL,
              });
              const sent = await sendMailOnce({ transport: deps.mail.transport, pool: deps.pool, from: deps.mail.from }, { messageId, to: c.ownerEmail, ...mail });
              result.mail = { status: sent.status, messageId: sent.messageId };
            }
          }
        }
        log.info('case event', { caseId: input.caseId, eventKey: input.eventKey, recorded: event.recorded, mail: result.mail?.status });
        return result;
      } catch (e) {
        throw asFailure(e);
      }
    },

    /** Stores a generated document (notice, receipt) once per caseId + key. */
    async storeCaseDocument(input: StoreCaseDocumentInput): Promise<StoreCaseDocumentResult> {
      try {
        const bytes = Buffer.from(input.contentBase64, 'base64');
        const { document, created } = await addDocument(deps.pool, {
          caseId: input.caseId,
          docKey: `generated:${input.key}`,
          name: input.name,
          bytes,
          uploadedBy: 'system',
          maxBytes: deps.config.DOCUMENT_MAX_BYTES,
        });
        return { documentId: document.documentId, sha256: document.sha256, size: document.size, created };
      } catch (e) {
        throw asFailure(e);
      }
    },

    /** Stores the decision the citizen sees (idempotent: the same decision again changes nothing). */
    async setCaseDecision(input: SetCaseDecisionInput): Promise<{ changed: boolean }> {
      try {
        return await setDecision(deps.pool, { ...input, actor: workflowActor() });
      } catch (e) {
        throw asFailure(e);
      }
    },
  };
}

export type CaseActivities = ReturnType<typeof createCaseActivities>;
