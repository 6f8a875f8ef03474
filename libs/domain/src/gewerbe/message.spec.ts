import { create } from 'xmlbuilder2';

import {
  ANLAGE1_FIELDS,
  GEWERBEMELDUNG_NAMESPACE,
  RECIPIENTS,
  RECIPIENT_IDS,
  anlage1Fields,
  buildGewerbeMessage,
  buildRecipientMessage,
  fieldsAllowedFor,
  parseGewerbeanmeldung,
} from './index';
import type { GewerbeMessageMeta } from './index';
import { SPEC_TODAY, validAnmeldung } from './test-request';

const meta: GewerbeMessageMeta = {
  caseNumber: 'GEW-2026-000123',
  registeredAt: '2026-12-01T09:15:00.000Z',
  messageId: '3f2b8c1e-7a4d-4e2b-9c1a-5d6e7f8a9b0c',
  createdAt: '2026-12-01T09:20:00.000Z',
  authorityKey: '11000000',
};

const req = parseGewerbeanmeldung(validAnmeldung(), { today: SPEC_TODAY });

/** Every field of Anlage 1 filled in, so a filter that lets anything through shows it. */
const everyField: Record<number, unknown> = Object.fromEntries(ANLAGE1_FIELDS.map((f) => [f.no, `Wert ${f.no}`]));

function fieldNumbers(xml: string): number[] {
  return [...xml.matchAll(/ feld="(\d+)"/g)].map((m) => Number(m[1]));
}

type Json = Record<string, unknown>;
function parse(xml: string): Json {
  return create(xml).end({ format: 'object' }) as Json;
}

describe('recipient messages', () => {
  it('has the header and one anmeldung record', () => {
    const xml = buildRecipientMessage(RECIPIENTS.statistik, req, meta);
    const doc = parse(xml);
    const root = doc['sta.gewerbemeldung.0100'] as Json;
    expect(root['@xmlns']).toBe(GEWERBEMELDUNG_NAMESPACE);
    expect(root['nachrichtenkopf']).toEqual({
      nachrichtUUID: meta.messageId,
      nachrichtentyp: 'sta.gewerbemeldung.0100',
      erstellungszeitpunkt: meta.createdAt,
      leser: { kennung: 'statistik', name: 'Amt für Statistik Berlin-Brandenburg' },
      autor: { behoerdenschluessel: '11000000' },
    });
    expect(root['anmeldung']).toMatchObject({ '@aktenzeichen': meta.caseNumber, '@eingegangenAm': meta.registeredAt });
  });

  it('gives the Finanzamt no element for field 6 even when the record has one, nor 12, 13, 19, 21, 22, 27–31, 33', () => {
    const xml = buildGewerbeMessage(RECIPIENTS.finanzamt, { form: 'anmeldung', fields: everyField, fieldInfo: ANLAGE1_FIELDS }, meta);
    expect(fieldNumbers(xml)).not.toContain(6);
    expect(xml).not.toContain('<geschlecht');
    expect(fieldNumbers(xml)).toEqual([1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 14, 15, 16, 17, 18, 20, 23, 24, 25, 26, 32]);
  });

  it('gives statistics exactly its fields, the auxiliary ones marked', () => {
    const xml = buildGewerbeMessage(RECIPIENTS.statistik, { form: 'anmeldung', fields: everyField, fieldInfo: ANLAGE1_FIELDS }, meta);
    expect(fieldNumbers(xml)).toEqual([1, 2, 3, 4, 5, 6, 10, 12, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 29, 32]);
    const auxiliary = [...xml.matchAll(/ feld="(\d+)" hilfsmerkmal="true"/g)].map((m) => Number(m[1]));
    expect(auxiliary).toEqual([1, 2, 3, 4, 5, 12, 15, 16, 17]);
  });

  it.each(RECIPIENT_IDS.filter((id) => id !== 'registergericht'))(
    'sends %s only allowed fields of a real Anmeldung, and every allowed field it has',
    (id) => {
      const xml = buildRecipientMessage(RECIPIENTS[id], req, meta);
      const present = Object.keys(anlage1Fields(req, meta)).map(Number);
      const allowed = fieldsAllowedFor(id);
      expect(fieldNumbers(xml)).toEqual(present.filter((n) => allowed.has(n)).sort((a, b) => a - b));
    },
  );

  it('carries the values of a real Anmeldung as named elements', () => {
    const doc = parse(buildRecipientMessage(RECIPIENTS.ihk, req, meta));
    const record = (doc['ihk.gewerbemeldung.0200'] as Json)['anmeldung'] as Json;
    expect(record['taetigkeit']).toEqual({ '@feld': '18', '#': 'Online-Handel mit Büchern' });
    expect(record['beschaeftigte']).toEqual({ '@feld': '22', vollzeit: '0', teilzeit: '1' });
    expect(record['wirtschaftszweig']).toEqual({ '@feld': '32', schluessel: '47.91.0', bezeichnung: 'Versand- und Internet-Einzelhandel' });
    expect(record['staatsangehoerigkeiten']).toEqual({ '@feld': '10', staatsangehoerigkeit: 'DE' });
    expect(record['betriebsstaette']).toEqual({
      '@feld': '15',
      strasseHausnummer: 'Karl-Marx-Allee 1',
      postleitzahl: '10178',
      ort: 'Berlin',
    });
    expect(record['unterschrift']).toBeUndefined();
  });

  it('keeps the Eichamt to name, address, activity and start', () => {
    const xml = buildRecipientMessage(RECIPIENTS.eichamt, req, meta);
    expect(fieldNumbers(xml)).toEqual([1, 3, 4, 11, 14, 15, 18, 20]);
    expect(xml).not.toContain(req.owner.email);
    expect(xml).not.toContain(req.owner.birthDate);
  });

  it('escapes text so a business name cannot break the XML', () => {
    const tricky = parseGewerbeanmeldung(
      { ...validAnmeldung(), business: { ...validAnmeldung().business, name: 'Müller & Söhne <GmbH> "Bücher"' } },
      { today: SPEC_TODAY },
    );
    const xml = buildRecipientMessage(RECIPIENTS.ihk, tricky, meta);
    expect(xml).toContain('Müller &amp; Söhne &lt;GmbH&gt;');
    // Read back through a DOM: the text is the name as given, and the element is still field 14.
    const root = create(xml).root().node as unknown as { getElementsByTagName(name: string): ArrayLike<{ textContent: string | null; getAttribute(name: string): string | null }> };
    const element = root.getElementsByTagName('geschaeftsbezeichnung')[0];
    expect(element?.textContent).toBe('Müller & Söhne <GmbH> "Bücher"');
    expect(element?.getAttribute('feld')).toBe('14');
  });

  it('refuses a recipient without Anlage 1 fields and a message id that is not a UUID', () => {
    expect(() => buildRecipientMessage(RECIPIENTS.registergericht, req, meta)).toThrow('no field of the anmeldung form');
    expect(() => buildRecipientMessage(RECIPIENTS.ihk, req, { ...meta, messageId: 'GEW-1' })).toThrow('UUID');
  });

  it('adds the declared permit as field 26 for recipients that may see it', () => {
    const declared = parseGewerbeanmeldung(
      { ...validAnmeldung(), business: { ...validAnmeldung().business, regulatedActivity: '34c' } },
      { today: SPEC_TODAY },
    );
    expect(fieldNumbers(buildRecipientMessage(RECIPIENTS.erlaubnisbehoerde, declared, meta))).toContain(26);
    expect(fieldNumbers(buildRecipientMessage(RECIPIENTS.statistik, declared, meta))).not.toContain(26);
  });
});
