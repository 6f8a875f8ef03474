import { APPOINTMENT_MAIL_KINDS, appointmentLinks, appointmentMail, appointmentMessageId } from './mails';

const id = '6f1c2c5e-3a43-4c4e-9a55-2d8f0c6f1e11';
const token = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde';
const links = appointmentLinks('https://termine.example.berlin/', id, token);
const facts = {
  name: 'Erika Mustermann',
  serviceName: 'Personalausweis beantragen',
  officeName: 'Bürgeramt Rathaus Neukölln',
  officeAddress: 'Donaustraße 29, 12043 Berlin',
  start: new Date('2026-12-07T08:30:00Z'),
  holdExpiresAt: new Date('2026-11-30T10:15:00Z'),
};

describe('appointment mails', () => {
  it('derive a stable Message-ID from appointment id and purpose (per slot for reminders and reschedules)', () => {
    expect(appointmentMessageId(id, 'confirmation')).toBe(`<appointment-${id}.confirmation@amtsweg>`);
    expect(appointmentMessageId(id, 'reminder', 2)).toBe(`<appointment-${id}.reminder-2@amtsweg>`);
    expect(appointmentMessageId(id, 'cancelled', 3)).toBe(`<appointment-${id}.cancelled@amtsweg>`);
  });

  it('put the token in the links only, the details in Berlin time, no name in the subject', () => {
    expect(links).toEqual({
      confirm: `https://termine.example.berlin/termine/${id}/bestaetigen?token=${token}`,
      cancel: `https://termine.example.berlin/termine/${id}/absagen?token=${token}`,
      manage: `https://termine.example.berlin/termine/${id}?token=${token}`,
    });
    const m = appointmentMail({ kind: 'confirmation', ...facts, links });
    expect(m.subject).toBe('Bitte bestätigen: Ihr Termin am 7. Dezember 2026, 09:30 Uhr – Bürgeramt');
    expect(m.text).toContain('Guten Tag Erika Mustermann,');
    expect(m.text).toContain('bis 30. November 2026, 11:15 Uhr');
    expect(m.text).toContain(links.confirm);
    expect(m.text).toContain('Donaustraße 29, 12043 Berlin');
    for (const kind of APPOINTMENT_MAIL_KINDS) {
      const mail = appointmentMail({ kind, ...facts, links: kind === 'cancelled' || kind === 'expired' ? undefined : links });
      expect(mail.subject).not.toContain('Erika');
      expect(mail.text).toMatch(/automatisch erstellt[\s\S]*generated automatically/);
      if (kind === 'cancelled' || kind === 'expired') expect(mail.text).not.toContain('token=');
    }
  });
});
