import { formatBerlinDateTime } from '../../libs/domain/src/berlin-time';

/** What an appointment mail is about; part of its Message-ID (workflows/appointment/appointment.contract.ts). */
export const APPOINTMENT_MAIL_KINDS = ['confirmation', 'confirmed', 'reminder', 'rescheduled', 'cancelled', 'expired', 'closed'] as const;
export type AppointmentMailKind = (typeof APPOINTMENT_MAIL_KINDS)[number];

export interface AppointmentLinks {
  confirm: string;
  cancel: string;
  /** View the appointment, reschedule it. */
  manage: string;
}

/**
 * The citizen's links. They lead to the citizen portal's pages under PUBLIC_BASE_URL/termine,
 * which show the appointment and call the API (POST …/confirm, …/cancel, …/reschedule) when the
 * citizen presses the button: a GET link must never change anything, mail scanners follow links.
 * The token is the only credential, so it is in the link and nowhere else (not in PostgreSQL,
 * which keeps its hash; logs redact `token` query parameters).
 */
export function appointmentLinks(publicBaseUrl: string, appointmentId: string, token: string): AppointmentLinks {
  const base = `${publicBaseUrl.replace(/\/+$/, '')}/termine/${appointmentId}`;
  const t = encodeURIComponent(token);
  return { confirm: `${base}/bestaetigen?token=${t}`, cancel: `${base}/absagen?token=${t}`, manage: `${base}?token=${t}` };
}

export interface AppointmentMailFacts {
  kind: AppointmentMailKind;
  name: string;
  serviceName: string;
  officeName: string;
  officeAddress: string;
  start: Date;
  /** For `confirmation` (and `rescheduled` while unconfirmed): until when the link works. */
  holdExpiresAt?: Date | null;
  /** Whether the appointment still needs confirming (rescheduled before confirmation). */
  needsConfirmation?: boolean;
  links?: AppointmentLinks;
}

const FOOTER_DE = 'Diese Nachricht wurde automatisch erstellt. Bitte antworten Sie nicht darauf.';
const FOOTER_EN = 'This message was generated automatically. Please do not reply.';

/** Subject and plain text, German first, a short English part after it. No personal data in the subject. */
export function appointmentMail(f: AppointmentMailFacts): { subject: string; text: string } {
  const when = formatBerlinDateTime(f.start);
  const where = `${f.officeName}, ${f.officeAddress}`;
  const details = [`Anliegen: ${f.serviceName}`, `Termin:   ${when}`, `Ort:      ${where}`];
  const until = f.holdExpiresAt ? formatBerlinDateTime(f.holdExpiresAt) : undefined;
  const l = f.links;
  const hello = `Guten Tag ${f.name},`;
  const confirmBlock = l
    ? ['', `Bitte bestätigen Sie den Termin${until ? ` bis ${until}` : ''}, sonst wird er wieder freigegeben:`, l.confirm]
    : [];
  const manageBlock = l ? ['', 'Termin ansehen oder verschieben:', l.manage, '', 'Termin absagen:', l.cancel] : [];
  const bring = ['', 'Bitte bringen Sie Ihren Personalausweis oder Reisepass und die nötigen Unterlagen mit.'];

  let subject: string;
  let de: string[];
  let en: string[];
  switch (f.kind) {
    case 'confirmation':
      subject = `Bitte bestätigen: Ihr Termin am ${when}`;
      de = [hello, '', 'wir haben diesen Termin für Sie reserviert:', '', ...details, ...confirmBlock, ...manageBlock];
      en = [`We have reserved this appointment for you (${when}). Please confirm it${until ? ` by ${until}` : ''} using the first link above, otherwise it is released.`];
      break;
    case 'confirmed':
      subject = `Termin bestätigt: ${when}`;
      de = [hello, '', 'Ihr Termin ist bestätigt:', '', ...details, ...bring, ...manageBlock];
      en = [`Your appointment on ${when} is confirmed. Use the links above to view, reschedule or cancel it.`];
      break;
    case 'reminder':
      subject = `Erinnerung: Ihr Termin am ${when}`;
      de = [hello, '', 'wir erinnern Sie an Ihren Termin:', '', ...details, ...bring, '', 'Wenn Sie nicht kommen können, sagen Sie bitte ab, damit jemand anderes den Termin bekommt.', ...manageBlock];
      en = [`A reminder of your appointment on ${when}. If you cannot come, please cancel it so that someone else can have it.`];
      break;
    case 'rescheduled':
      subject = `Termin verschoben: ${when}`;
      de = [hello, '', 'Ihr Termin wurde verschoben. Der neue Termin:', '', ...details, ...(f.needsConfirmation ? confirmBlock : bring), ...manageBlock];
      en = [`Your appointment has been moved to ${when}.${f.needsConfirmation ? ' Please confirm it using the first link above.' : ''}`];
      break;
    case 'cancelled':
      subject = `Termin abgesagt: ${when}`;
      de = [hello, '', 'Ihr Termin wurde abgesagt:', '', ...details, '', 'Einen neuen Termin können Sie jederzeit buchen.'];
      en = [`Your appointment on ${when} has been cancelled. You can book a new one at any time.`];
      break;
    case 'closed':
      subject = `Termin abgesagt – Bürgeramt geschlossen: ${when}`;
      de = [
        hello,
        '',
        'das Bürgeramt ist an diesem Tag leider geschlossen. Ihr Termin findet deshalb nicht statt:',
        '',
        ...details,
        '',
        'Bitte buchen Sie einen neuen Termin. Ein Terminalarm meldet sich, sobald ein passender Termin frei wird.',
      ];
      en = [`The office is closed on ${when}, so your appointment has been cancelled. Please book a new one; an appointment alarm tells you when a matching slot becomes free.`];
      break;
    case 'expired':
      subject = `Reservierung abgelaufen: ${when}`;
      de = [hello, '', 'Sie haben die Reservierung nicht rechtzeitig bestätigt. Der Termin wurde wieder freigegeben:', '', ...details, '', 'Einen neuen Termin können Sie jederzeit buchen.'];
      en = [`You did not confirm the reservation for ${when} in time, so it has been released. You can book a new appointment at any time.`];
      break;
  }
  return { subject: `${subject} – Bürgeramt`, text: [...de, '', FOOTER_DE, '', '---', '', ...en, '', FOOTER_EN, ''].join('\n') };
}

/**
 * The Message-ID of one logical appointment mail: appointment id (a UUID, no personal data) +
 * kind (+ the reschedule generation for mails that exist once per slot), never time or
 * randomness, so every retry names the same message and sendMailOnce delivers it once.
 */
export function appointmentMessageId(appointmentId: string, kind: AppointmentMailKind, generation = 0): string {
  const perSlot = kind === 'reminder' || kind === 'rescheduled';
  return `<appointment-${appointmentId}.${kind}${perSlot ? `-${generation}` : ''}@amtsweg>`;
}
