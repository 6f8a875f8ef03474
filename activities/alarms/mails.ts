import { formatBerlinDateTime } from '../../libs/domain/src/berlin-time';

/** What an alarm mail is about; part of its Message-ID. */
export type AlarmMailKind = 'offer' | 'expiring' | 'expired' | 'withdrawn';

/**
 * `<alarm-<id>.<kind>-<n>@amtsweg>`: offer-<offerId>, expiring-<extension count>, expired-0,
 * withdrawn-<offerId>.
 * No personal data.
 */
export function alarmMessageId(alarmId: string, kind: AlarmMailKind, key: string | number): string {
  return `<alarm-${alarmId}.${kind}-${key}@amtsweg>`;
}

/** Portal pages under PUBLIC_BASE_URL/terminalarm; they call the POST endpoints (a GET link changes nothing). */
export function alarmLinks(publicBaseUrl: string, alarmId: string, token: string, offerId?: string) {
  const base = `${publicBaseUrl.replace(/\/+$/, '')}/terminalarm/${alarmId}`;
  const t = encodeURIComponent(token);
  return {
    manage: `${base}?token=${t}`,
    extend: `${base}/verlaengern?token=${t}`,
    ...(offerId && { accept: `${base}/angebote/${offerId}/annehmen?token=${t}`, decline: `${base}/angebote/${offerId}/ablehnen?token=${t}` }),
  };
}

export interface AlarmMailFacts {
  kind: AlarmMailKind;
  name: string;
  serviceName: string;
  links: ReturnType<typeof alarmLinks>;
  offer?: { officeName: string; officeAddress: string; start: Date; expiresAt: Date };
  expiresAt: Date;
}

/** Subject and plain text, German first, English after. No personal data in the subject. */
export function alarmMail(f: AlarmMailFacts): { subject: string; text: string } {
  const de: string[] = [`Guten Tag ${f.name},`, ''];
  const en: string[] = [`Hello ${f.name},`, ''];
  let subject: string;
  if (f.kind === 'offer' && f.offer) {
    const when = formatBerlinDateTime(f.offer.start);
    const until = formatBerlinDateTime(f.offer.expiresAt);
    subject = `Terminalarm: Termin frei am ${when}`;
    de.push(`für „${f.serviceName}“ ist ein Termin frei und für Sie reserviert:`, `${when}, ${f.offer.officeName}, ${f.offer.officeAddress}`, '', `Annehmen bis ${until}: ${f.links.accept}`, `Ablehnen: ${f.links.decline}`);
    en.push(`an appointment for "${f.serviceName}" is free and held for you: ${when}, ${f.offer.officeName}.`, `Accept by ${until}: ${f.links.accept}`, `Decline: ${f.links.decline}`);
  } else if (f.kind === 'withdrawn') {
    subject = 'Terminalarm: Angebot zurückgezogen';
    de.push(
      `das Bürgeramt ist am angebotenen Tag leider geschlossen; das Angebot für „${f.serviceName}“ gilt deshalb nicht mehr.`,
      'Ihr Terminalarm bleibt aktiv, Ihr Platz in der Warteschlange bleibt erhalten.',
    );
    en.push(`The office is closed on the offered day, so the offer for "${f.serviceName}" has been withdrawn. Your alarm stays active and keeps its place in the queue.`);
  } else if (f.kind === 'expiring') {
    const until = formatBerlinDateTime(f.expiresAt);
    subject = 'Terminalarm läuft bald ab';
    de.push(`Ihr Terminalarm für „${f.serviceName}“ endet am ${until}.`, `Verlängern: ${f.links.extend}`);
    en.push(`Your appointment alarm for "${f.serviceName}" ends on ${until}.`, `Extend: ${f.links.extend}`);
  } else {
    subject = 'Terminalarm beendet';
    de.push(`Ihr Terminalarm für „${f.serviceName}“ ist abgelaufen.`);
    en.push(`Your appointment alarm for "${f.serviceName}" has expired.`);
  }
  de.push('', `Terminalarm verwalten: ${f.links.manage}`);
  en.push('', `Manage the alarm: ${f.links.manage}`);
  return { subject: `${subject} – Bürgeramt`, text: [...de, '', '---', '', ...en, ''].join('\n') };
}
