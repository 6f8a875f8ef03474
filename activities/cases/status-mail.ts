import { createHash } from 'node:crypto';
import { CASE_TYPES, STATUS_TEXT_DE, STATUS_TEXT_EN } from '../../libs/domain/src/cases';
import type { CaseType, ExternalStatus } from '../../libs/domain/src/cases';

const CASE_TYPE_EN: Record<CaseType, string> = {
  wohngeld: 'housing benefit (Wohngeld)',
  gewerbeanmeldung: 'business registration (Gewerbeanmeldung)',
  bewohnerparken: 'residents’ parking permit (Bewohnerparkausweis)',
};

/**
 * The Message-ID of the status mail for one timeline event: derived from caseId and eventKey only
 * (no personal data, no time), so every retry of the activity names the same logical message and
 * sendMailOnce delivers it once. Keys that are not a valid dot-atom are hashed.
 */
export function caseEventMessageId(caseId: string, eventKey: string): string {
  const readable = /^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*$/.test(eventKey) && eventKey.length <= 120;
  const part = readable ? eventKey : `h-${createHash('sha256').update(eventKey).digest('hex').slice(0, 32)}`;
  return `<case-${caseId}.${part}@amtsweg>`;
}

/** Where the citizen reads the case (the API's case endpoint until a citizen portal exists). */
export function caseLink(publicBaseUrl: string, caseId: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/api/v1/cases/${caseId}`;
}

export interface StatusMailInput {
  caseId: string;
  caseNumber: string;
  type: CaseType;
  status: ExternalStatus | null;
  /** The timeline text (German). */
  text: string;
  /** Optional English version of `text`. */
  textEn?: string;
  publicBaseUrl: string;
}

/**
 * Subject and plain text of a citizen status mail: German first, then English, in one mail. The
 * subject names the case number only (no name, no address); the body quotes the timeline text and
 * links to the case.
 */
export function statusMail(m: StatusMailInput): { subject: string; text: string } {
  const title = CASE_TYPES[m.type].title;
  const link = caseLink(m.publicBaseUrl, m.caseId);
  const de = [
    'Guten Tag,',
    '',
    `zu Ihrem Antrag ${m.caseNumber} (${title}) gibt es Neuigkeiten:`,
    '',
    m.text,
    ...(m.status ? ['', `Aktueller Stand: ${STATUS_TEXT_DE[m.status]}`] : []),
    '',
    'Den Stand Ihres Antrags und alle Nachrichten finden Sie hier (Anmeldung mit Ihrem Servicekonto):',
    link,
    '',
    'Diese Nachricht wurde automatisch erstellt. Bitte antworten Sie nicht darauf.',
  ];
  const en = [
    'Hello,',
    '',
    `there is news about your application ${m.caseNumber} (${CASE_TYPE_EN[m.type]}):`,
    '',
    m.textEn ?? (m.status ? STATUS_TEXT_EN[m.status] : 'Please see the German text above.'),
    ...(m.status && m.textEn ? ['', `Current status: ${STATUS_TEXT_EN[m.status]}`] : []),
    '',
    'You can see the status of your application and all messages here (sign in with your service account):',
    link,
    '',
    'This message was generated automatically. Please do not reply.',
  ];
  return {
    subject: `Ihr Antrag ${m.caseNumber}: Neuigkeiten / Your application ${m.caseNumber}: update`,
    text: [...de, '', '— English version —', '', ...en, ''].join('\n'),
  };
}
