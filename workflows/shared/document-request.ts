/**
 * Document requests (Nachforderung) — the building block a process uses when it needs papers from
 * the citizen (issue 3 item 3):
 *
 *   const proof = await requestDocuments({
 *     caseId, key: 'vehicle-documents',
 *     items: [{ kind: 'vehicle-registration', text: 'Zulassungsbescheinigung Teil I (Fahrzeugschein)' }],
 *     deadline: 'P14D', remindAfter: 'P7D',
 *   });
 *   if (proof.outcome === 'deadline_passed') … decide nach Aktenlage …
 *   // proof.documents: [{ requestId, documentId }] — the uploads, in the case file
 *
 * What happens:
 * - One `case_requests` row per item (activity openCaseRequests, idempotent by case + key + kind):
 *   GET /cases/{id} lists them under `openRequests`, and POST /cases/{id}/documents accepts an
 *   upload naming one (`requestId`), then signals `documentUploadedSignal` to this workflow.
 * - A citizen timeline entry with status ACTION_REQUIRED, written like a letter (what is needed,
 *   until when — the date in Europe/Berlin; the deadline ends with that day), mailed to the citizen.
 * - The workflow waits with `condition()` on state fed by ONE signal handler per workflow, which
 *   dispatches uploads by requestId (uploads that arrive before their request is registered here
 *   are kept and claimed later; repeated signals of the same document count once).
 * - Each request is marked fulfilled as soon as a document for it arrives (it leaves the citizen's
 *   open requests). When all are fulfilled: a citizen entry with status PROCESSING again (not mailed:
 *   the upload's answer is the confirmation) and outcome `fulfilled`.
 * - Once at `remindAfter`, if something is still missing: a reminder entry, mailed.
 * - At the deadline: the open requests are marked expired, an internal entry is written, and the
 *   outcome is `deadline_passed` — the process decides what that means (usually: decide nach
 *   Aktenlage, or a caseworker decides). The case stays ACTION_REQUIRED until the process moves it.
 * - Cancelling the enclosing CancellationScope (e.g. the citizen withdraws) marks the still-open
 *   requests cancelled and rethrows the cancellation.
 *
 * Mails are sent by recordCaseEvent (activities/cases) with a Message-ID derived from case and
 * event key, so a retried activity never mails twice.
 */
import { CancellationScope, condition, isCancellation, setHandler } from '@temporalio/workflow';
import { endOfBerlinDay, formatBerlinDate, formatBerlinDateEn } from '../../libs/domain/src/berlin-time';
import { addDuration } from '../../libs/domain/src/duration';
import { documentUploadedSignal } from './case.contract';
import type { DocumentUploaded } from './case.contract';
import { claimRoundKey, recordAnswered, requestActivities, roundClosed, roundOpened } from './citizen-requests';

const { openCaseRequests, closeCaseRequests, recordCaseEvent } = requestActivities;

export interface DocumentRequestItem {
  /** Stable, e.g. `vehicle-registration`; unique within the call. */
  kind: string;
  /** What the citizen has to provide, in German, as it appears in the letter and the open request. */
  text: string;
}

export interface RequestDocumentsOptions {
  caseId: string;
  /** Names this round within the workflow, e.g. `vehicle-documents` (lower case, digits, . _ -). */
  key: string;
  items: readonly DocumentRequestItem[];
  /** ISO 8601 duration (or ms) until the deadline; the deadline ends with that Berlin day. Default P14D. */
  deadline?: string | number;
  /** ISO 8601 duration (or ms) until the one reminder, if still incomplete. Default P7D; none when not before the deadline. */
  remindAfter?: string | number;
  /** The letter's last sentence: what happens if nothing comes. */
  consequence?: string;
}

export interface RequestedDocument {
  requestId: string;
  documentId: string;
}

export interface RequestDocumentsResult {
  outcome: 'fulfilled' | 'deadline_passed';
  /** Every document uploaded for these requests (several per request possible), in arrival order. */
  documents: RequestedDocument[];
  /** Per item, in order: how it ended. */
  requests: Array<{ requestId: string; kind: string; status: 'fulfilled' | 'expired' }>;
  /** ISO 8601: the end of the deadline's day in Berlin. */
  dueBy: string;
  /** Whether the reminder went out. */
  reminded: boolean;
}

export const DOCUMENT_REQUEST_DEFAULTS = { deadline: 'P14D', remindAfter: 'P7D' } as const;

const DEFAULT_CONSEQUENCE = 'Liegen die Unterlagen bis dahin nicht vor, entscheiden wir nach Aktenlage.';

interface RequestState {
  requestId: string;
  kind: string;
  text: string;
  status: 'open' | 'fulfilled' | 'expired' | 'cancelled';
  documents: string[];
}

// Per workflow execution (see citizen-requests.ts).
const byRequestId = new Map<string, RequestState>();
/** Uploads whose request is not registered here yet (signal raced the activity's result). */
const unclaimed: DocumentUploaded[] = [];
const arrivalOrder: RequestedDocument[] = [];
let handlerInstalled = false;

function accept(state: RequestState, documentId: string): void {
  if (state.documents.includes(documentId)) return; // a retried upload signals again
  state.documents.push(documentId);
  arrivalOrder.push({ requestId: state.requestId, documentId });
}

function onUpload(d: DocumentUploaded): void {
  if (typeof d?.requestId !== 'string' || typeof d.documentId !== 'string') return;
  const state = byRequestId.get(d.requestId);
  if (state) accept(state, d.documentId);
  else if (!unclaimed.some((u) => u.requestId === d.requestId && u.documentId === d.documentId)) unclaimed.push(d);
}

function ensureHandler(): void {
  if (handlerInstalled) return;
  setHandler(documentUploadedSignal, onUpload, { description: 'A document was uploaded for a request (workflows/shared/document-request.ts).' });
  handlerInstalled = true;
}

function register(state: RequestState): void {
  byRequestId.set(state.requestId, state);
  for (let i = unclaimed.length - 1; i >= 0; i--) {
    if (unclaimed[i]!.requestId === state.requestId) {
      const [d] = unclaimed.splice(i, 1);
      accept(state, d!.documentId);
    }
  }
}

const bullets = (items: readonly { text: string }[]) => items.map((i) => `– ${i.text}`).join('\n');

/** The citizen-facing letter (German) and its English counterpart for the mail. */
export function documentRequestLetter(items: readonly { text: string }[], dueBy: Date, consequence = DEFAULT_CONSEQUENCE): { text: string; textEn: string } {
  const many = items.length > 1;
  return {
    text:
      `Für die weitere Bearbeitung Ihres Antrags benötigen wir noch ${many ? 'folgende Unterlagen' : 'folgende Unterlage'}:\n` +
      `${bullets(items)}\n` +
      `Bitte laden Sie ${many ? 'diese' : 'sie'} bis zum ${formatBerlinDate(dueBy)} in Ihrem Antrag hoch (PDF, JPEG oder PNG). ` +
      `Bis dahin ruht die Bearbeitung. ${consequence}`,
    textEn:
      `To continue with your application we still need the following document${many ? 's' : ''}:\n` +
      `${bullets(items)}\n` +
      `Please upload ${many ? 'them' : 'it'} to your application by ${formatBerlinDateEn(dueBy)} (PDF, JPEG or PNG). ` +
      'Until then, processing is paused. If we do not receive the documents in time, we will decide on the basis of the information we have.',
  };
}

export function documentReminderLetter(items: readonly { text: string }[], dueBy: Date): { text: string; textEn: string } {
  return {
    text:
      `Erinnerung: Für Ihren Antrag fehlen uns noch folgende Unterlagen:\n${bullets(items)}\n` +
      `Bitte laden Sie sie bis zum ${formatBerlinDate(dueBy)} in Ihrem Antrag hoch.`,
    textEn: `Reminder: we still need the following documents for your application:\n${bullets(items)}\nPlease upload them by ${formatBerlinDateEn(dueBy)}.`,
  };
}

function checkOptions(o: RequestDocumentsOptions): void {
  claimRoundKey(o.key, 'requestDocuments');
  if (o.items.length === 0) throw new Error('requestDocuments: items must not be empty');
  const kinds = new Set(o.items.map((i) => i.kind));
  if (kinds.size !== o.items.length) throw new Error('requestDocuments: each item needs its own kind');
  if (o.items.some((i) => !i.text.trim())) throw new Error('requestDocuments: every item needs a text');
}

/**
 * Asks the citizen for documents and waits until all arrived or the deadline passed. See the module
 * comment. Throws CancelledFailure when the enclosing scope is cancelled (open requests are then
 * marked cancelled).
 */
export async function requestDocuments(options: RequestDocumentsOptions): Promise<RequestDocumentsResult> {
  checkOptions(options);
  ensureHandler();
  const { caseId, key } = options;

  const now = new Date();
  const dueBy = endOfBerlinDay(addDuration(now, options.deadline ?? DOCUMENT_REQUEST_DEFAULTS.deadline));
  const remindAt = addDuration(now, options.remindAfter ?? DOCUMENT_REQUEST_DEFAULTS.remindAfter);
  let reminded = remindAt.getTime() >= dueBy.getTime(); // no reminder that would come with (or after) the deadline

  // The state changes first, the row follows; not cancellable, so a withdrawal in between cannot
  // leave a row open that this workflow believes closed.
  const close = async (which: RequestState[], status: 'fulfilled' | 'expired' | 'cancelled') => {
    if (which.length === 0) return;
    for (const s of which) s.status = status;
    await CancellationScope.nonCancellable(() => closeCaseRequests({ caseId, requestIds: which.map((s) => s.requestId), status }));
  };

  roundOpened(key);
  const states: RequestState[] = [];
  try {
    // Not cancellable: once the rows may exist, this workflow must know their ids to close them.
    const opened = await CancellationScope.nonCancellable(() =>
      openCaseRequests({ caseId, key, items: options.items.map((i) => ({ kind: i.kind, text: i.text })), dueBy: dueBy.toISOString() }),
    );
    for (const r of opened.requests) {
      // On a re-run the rows may be closed already (by an earlier run of this workflow id).
      const state: RequestState = { requestId: r.requestId, kind: r.kind, text: r.text, status: r.status, documents: [] };
      states.push(state);
      register(state);
    }

    const letter = documentRequestLetter(options.items, dueBy, options.consequence);
    await recordCaseEvent({ caseId, eventKey: `request-${key}`, status: 'ACTION_REQUIRED', audience: 'citizen', text: letter.text, textEn: letter.textEn, notify: true });

    const arrived = () => states.filter((s) => s.status === 'open' && s.documents.length > 0);
    const open = () => states.filter((s) => s.status === 'open');
    for (;;) {
      const answered = arrived();
      await close(answered, 'fulfilled');
      if (open().length === 0) break;

      const nowMs = Date.now();
      if (nowMs >= dueBy.getTime()) break;
      if (!reminded && nowMs >= remindAt.getTime()) {
        reminded = true;
        const reminder = documentReminderLetter(open(), dueBy);
        await recordCaseEvent({ caseId, eventKey: `request-${key}-reminder`, audience: 'citizen', text: reminder.text, textEn: reminder.textEn, notify: true });
        continue;
      }
      const wakeAt = reminded ? dueBy.getTime() : Math.min(remindAt.getTime(), dueBy.getTime());
      await condition(() => arrived().length > 0, Math.max(wakeAt - nowMs, 1));
    }

    const missing = open();
    if (missing.length > 0) {
      await close(missing, 'expired');
      await recordCaseEvent({
        caseId,
        eventKey: `request-${key}-expired`,
        audience: 'internal',
        text: `Frist zum ${formatBerlinDate(dueBy)} abgelaufen; nicht eingegangen: ${missing.map((s) => s.text).join('; ')}.`,
      });
    }
    roundClosed(key);
    if (missing.length === 0) {
      await recordAnswered(caseId, key, 'Vielen Dank, Ihre Unterlagen sind eingegangen. Wir bearbeiten Ihren Antrag weiter.');
    }
    return {
      outcome: missing.length === 0 ? 'fulfilled' : 'deadline_passed',
      documents: arrivalOrder.filter((d) => states.some((s) => s.requestId === d.requestId)),
      requests: states.map((s) => ({ requestId: s.requestId, kind: s.kind, status: s.status === 'fulfilled' ? 'fulfilled' : 'expired' })),
      dueBy: dueBy.toISOString(),
      reminded: reminded && remindAt.getTime() < dueBy.getTime(),
    };
  } catch (e) {
    if (isCancellation(e)) {
      const stillOpen = states.filter((s) => s.status === 'open');
      await close(stillOpen, 'cancelled');
    }
    throw e;
  } finally {
    roundClosed(key);
  }
}

/** The document requests this workflow waits for right now (for queries and tests). */
export function openDocumentRequests(): Array<{ requestId: string; kind: string; documents: number }> {
  return [...byRequestId.values()].filter((s) => s.status === 'open').map((s) => ({ requestId: s.requestId, kind: s.kind, documents: s.documents.length }));
}
