import { ApplicationFailure, log } from '@temporalio/activity';
import { addDocument, findCase, getDocument } from '../../libs/db/src/cases';
import { renderLetterPdf } from '../../libs/documents/src';
import type { Letter } from '../../libs/documents/src';
import { DomainError } from '../../libs/domain/src/errors';
import { sendMailOnce } from '../../libs/mail/src/send-mail';
import { mailFailure } from '../mail-failure';
import { caseEventMessageId, caseLink } from '../cases/status-mail';
import type { ActivityDeps } from '../deps';

export interface IssueLetterInput {
  caseId: string;
  /** Idempotency key within the case, e.g. `notice-1` or `receipt`: the letter is stored and mailed once per key. */
  key: string;
  /** The file name in the case file and the mail, e.g. `Wohngeldbescheid-WG-2026-000042.pdf`. */
  fileName: string;
  letter: Letter;
  /** Mail the letter as PDF attachment to the case owner (German text written by the process). */
  mail?: { subject: string; text: string };
}

export interface IssueLetterResult {
  documentId: string;
  sha256: string;
  size: number;
  /** False when a retry found the letter already in the case file. */
  created: boolean;
  /** `sent` / `already-sent`, or `skipped` with the reason, when a mail was asked for. */
  mail?: { status: 'sent' | 'already-sent' | 'skipped'; messageId?: string; reason?: string };
}

export type LetterMailStatus = NonNullable<IssueLetterResult['mail']>;

function asFailure(e: unknown): unknown {
  if (e instanceof DomainError) return ApplicationFailure.create({ type: e.code, message: e.message, nonRetryable: true });
  return mailFailure(e);
}

/**
 * Letters to the citizen (notices, receipts): rendered as PDF, stored in the case file, mailed.
 * Each step is idempotent per caseId + key, so a retry after a crash neither stores a second copy
 * nor mails twice; the attachment is always the stored document, so mail and case file agree even
 * if the rendering code changed between attempts.
 */
export function createDocumentActivities(deps: ActivityDeps) {
  return {
    async issueLetter(input: IssueLetterInput): Promise<IssueLetterResult> {
      try {
        const pdf = await renderLetterPdf(input.letter);
        const { document, created } = await addDocument(deps.pool, {
          caseId: input.caseId,
          docKey: `generated:${input.key}`,
          name: input.fileName,
          bytes: pdf,
          uploadedBy: 'system',
          maxBytes: deps.config.DOCUMENT_MAX_BYTES,
        });
        const result: IssueLetterResult = { documentId: document.documentId, sha256: document.sha256, size: document.size, created };
        if (input.mail) result.mail = await mailLetter(deps, input, document.documentId);
        log.info('letter issued', { caseId: input.caseId, key: input.key, documentId: document.documentId, created, mail: result.mail?.status });
        return result;
      } catch (e) {
        throw asFailure(e);
      }
    },
  };
}

async function mailLetter(deps: ActivityDeps, input: IssueLetterInput, documentId: string): Promise<LetterMailStatus> {
  const c = await findCase(deps.pool, input.caseId);
  if (!c?.ownerEmail) return { status: 'skipped', reason: 'no e-mail address on the case' };
  const stored = await getDocument(deps.pool, input.caseId, documentId);
  if (!stored) throw new Error(`letter ${input.key} vanished from case ${input.caseId}`);
  const text = [
    input.mail!.text,
    '',
    `Das Schreiben ist dieser Nachricht als PDF beigefügt und liegt in Ihrer Online-Akte zum Antrag ${c.caseNumber}:`,
    caseLink(deps.config.PUBLIC_BASE_URL, c.caseId),
    '',
    'Diese Nachricht wurde automatisch erstellt. Bitte antworten Sie nicht darauf.',
  ].join('\n');
  const sent = await sendMailOnce(
    { transport: deps.mail.transport, pool: deps.pool, from: deps.mail.from },
    {
      messageId: caseEventMessageId(c.caseId, `letter-${input.key}`),
      to: c.ownerEmail,
      subject: input.mail!.subject,
      text,
      attachments: [{ filename: stored.name, content: stored.bytes, contentType: stored.mediaType }],
    },
  );
  return { status: sent.status, messageId: sent.messageId };
}

export type DocumentActivities = ReturnType<typeof createDocumentActivities>;
