/**
 * The fields of the GewA 1 form (GewAnzV Anlage 1) by number — the numbers GewAnzV § 3 uses to say
 * which recipient may receive what (recipients.ts).
 *
 * | no | field (German, as on the form)                                         | element                      | confirmed | from the request |
 * |----|------------------------------------------------------------------------|------------------------------|-----------|------------------|
 * |  1 | Im Register eingetragener Name mit Rechtsform                          | eingetragenerName            | yes       | business.name, legalForm |
 * |  2 | Ort und Nummer des Registereintrags                                    | registereintrag              | yes       | — (not asked online) |
 * |  3 | Familienname                                                           | familienname                 | no        | owner.familyName |
 * |  4 | Vornamen                                                               | vornamen                     | no        | owner.givenName |
 * |  5 | Geburtsname                                                            | geburtsname                  | no        | — |
 * |  6 | Geschlecht                                                             | geschlecht                   | no        | — |
 * |  7 | Geburtsdatum                                                           | geburtsdatum                 | no        | owner.birthDate |
 * |  8 | Geburtsort                                                             | geburtsort                   | no        | owner.birthPlace |
 * |  9 | Geburtsland                                                            | geburtsland                  | no        | — |
 * | 10 | Staatsangehörigkeit(en)                                                | staatsangehoerigkeiten       | no        | owner.nationality |
 * | 11 | Anschrift der Wohnung                                                  | wohnanschrift                | no        | owner.address |
 * | 12 | Telefon, Telefax, E-Mail, Webseite                                     | kommunikation                | no        | owner.email |
 * | 13 | Gesetzliche Vertreter / vertretungsberechtigte Personen                | gesetzlicheVertreter         | no        | — |
 * | 14 | Geschäftsbezeichnung                                                   | geschaeftsbezeichnung        | no        | business.name |
 * | 15 | Anschrift der Betriebsstätte                                           | betriebsstaette              | no        | business.address |
 * | 16 | Anschrift der Hauptniederlassung (bei Zweigniederlassung/-stelle)      | hauptniederlassung           | no        | — |
 * | 17 | Anschrift der früheren Betriebsstätte                                  | fruehereBetriebsstaette      | no        | — |
 * | 18 | Angemeldete Tätigkeit                                                  | taetigkeit                   | yes       | business.activity |
 * | 19 | Nebenerwerb                                                            | nebenerwerb                  | yes       | business.sideBusiness |
 * | 20 | Beginn der Tätigkeit                                                   | beginn                       | yes       | business.startDate |
 * | 21 | Art des Betriebes (Industrie, Handwerk, Handel, Sonstiges)             | betriebsart                  | yes       | business.kind |
 * | 22 | Zahl der tätigen Personen (Vollzeit, Teilzeit)                         | beschaeftigte                | yes       | business.employees* |
 * | 23 | Anmeldung für Hauptniederlassung, Zweigniederlassung, unselbst. Zweigstelle | niederlassungsart       | yes       | business.establishment |
 * | 24 | Grund der Anmeldung (Neugründung, Übernahme, Zuzug, …)                 | grund                        | see below | reason |
 * | 25 | Name des früheren Gewerbetreibenden / frühere Firma                    | fruehererInhaber             | no        | — |
 * | 26 | Erlaubnispflichtige Tätigkeit (Art der Erlaubnis)                      | erlaubnis                    | no        | business.regulatedActivity |
 * | 27 | Erlaubnis erteilt durch, am                                            | erlaubniserteilung           | no        | — |
 * | 28 | Eintragung in die Handwerksrolle erforderlich                          | handwerksrolle               | no        | — |
 * | 29 | Handwerkskarte ausgestellt durch, am                                   | handwerkskarte               | no        | — |
 * | 30 | Aufenthaltstitel ausgestellt durch, am                                 | aufenthaltstitel             | no        | — |
 * | 31 | Auflagen / Beschränkungen des Aufenthaltstitels                        | aufenthaltstitelAuflagen     | no        | — |
 * | 32 | Wirtschaftszweig (WZ 2008)                                             | wirtschaftszweig             | no        | business.wzCode |
 * | 33 | Unterschrift                                                           | unterschrift                 | yes       | the electronic filing (never delivered) |
 *
 * "confirmed": numbered so by the reference (shared/reference/gewerbeanzeige.md). The reference
 * confirms 23–24 together as the establishment block; we give 23 the establishment kind and 24 the
 * reason, which the form asks in the same box ("Die Anmeldung wird erstattet für … wegen …").
 * The other numbers are ours, ordered as the form's blocks run (register, person, business,
 * activity, permits, WZ) and checked against the GewAnzV § 3 matrix for plausibility: statistics
 * gets 6 and 10 (sex and nationality are survey characteristics) and 32 (WZ); the immigration
 * authority gets 10, 30 and 31 (nationality, residence title); the Handwerkskammer and statistics
 * get 29 (Handwerkskarte), the IHK does not; the Finanzamt does not get 6 (sex).
 * Should the official numbering differ, only this table and ANLAGE1_FIELDS change; the matrix in
 * recipients.ts is the reference's and stays.
 */
import { REGULATED_ACTIVITIES } from './regulated-activities';
import type { GewerbeanmeldungRequest } from './schema';
import { formatWzCode, wzTitle } from './wz2008';

export interface Anlage1FieldInfo {
  readonly no: number;
  /** XML element name in the `anmeldung` record. */
  readonly element: string;
  readonly title: string;
  /** Numbered so by the reference. */
  readonly confirmed: boolean;
}

const FIELDS: ReadonlyArray<readonly [string, string, boolean]> = [
  ['eingetragenerName', 'Im Register eingetragener Name mit Rechtsform', true],
  ['registereintrag', 'Ort und Nummer des Registereintrags', true],
  ['familienname', 'Familienname', false],
  ['vornamen', 'Vornamen', false],
  ['geburtsname', 'Geburtsname', false],
  ['geschlecht', 'Geschlecht', false],
  ['geburtsdatum', 'Geburtsdatum', false],
  ['geburtsort', 'Geburtsort', false],
  ['geburtsland', 'Geburtsland', false],
  ['staatsangehoerigkeiten', 'Staatsangehörigkeit(en)', false],
  ['wohnanschrift', 'Anschrift der Wohnung', false],
  ['kommunikation', 'Telefon, Telefax, E-Mail, Webseite', false],
  ['gesetzlicheVertreter', 'Gesetzliche Vertreter / vertretungsberechtigte Personen', false],
  ['geschaeftsbezeichnung', 'Geschäftsbezeichnung', false],
  ['betriebsstaette', 'Anschrift der Betriebsstätte', false],
  ['hauptniederlassung', 'Anschrift der Hauptniederlassung', false],
  ['fruehereBetriebsstaette', 'Anschrift der früheren Betriebsstätte', false],
  ['taetigkeit', 'Angemeldete Tätigkeit', true],
  ['nebenerwerb', 'Nebenerwerb', true],
  ['beginn', 'Beginn der Tätigkeit', true],
  ['betriebsart', 'Art des Betriebes', true],
  ['beschaeftigte', 'Zahl der tätigen Personen', true],
  ['niederlassungsart', 'Anmeldung für Hauptniederlassung, Zweigniederlassung oder unselbstständige Zweigstelle', true],
  ['grund', 'Grund der Anmeldung', true],
  ['fruehererInhaber', 'Name des früheren Gewerbetreibenden / frühere Firma', false],
  ['erlaubnis', 'Erlaubnispflichtige Tätigkeit', false],
  ['erlaubniserteilung', 'Erlaubnis erteilt durch, am', false],
  ['handwerksrolle', 'Eintragung in die Handwerksrolle erforderlich', false],
  ['handwerkskarte', 'Handwerkskarte ausgestellt durch, am', false],
  ['aufenthaltstitel', 'Aufenthaltstitel ausgestellt durch, am', false],
  ['aufenthaltstitelAuflagen', 'Auflagen und Beschränkungen des Aufenthaltstitels', false],
  ['wirtschaftszweig', 'Wirtschaftszweig (WZ 2008)', false],
  ['unterschrift', 'Unterschrift', true],
];

/** The 33 fields of Anlage 1, index 0 = field 1. */
export const ANLAGE1_FIELDS: readonly Anlage1FieldInfo[] = FIELDS.map(([element, title, confirmed], i) => ({
  no: i + 1,
  element,
  title,
  confirmed,
}));

export const ANLAGE1_FIELD_COUNT = ANLAGE1_FIELDS.length;

export function anlage1Field(no: number): Anlage1FieldInfo {
  const info = ANLAGE1_FIELDS[no - 1];
  if (!info) throw new RangeError(`GewA 1 has no field ${no}`);
  return info;
}

/**
 * The GewA 1 content of a validated Anmeldung by field number. Values are plain data whose object
 * keys become XML child elements (message.ts). Fields the online form does not ask for are absent,
 * never empty. `meta` dates the electronic filing that replaces the signature (field 33, GewAnzV
 * § 2); field 33 is kept for the record and never delivered (no recipient may receive it).
 */
export function anlage1Fields(req: GewerbeanmeldungRequest, meta: { caseNumber: string; registeredAt: string }): Record<number, unknown> {
  const { owner, business } = req;
  const address = (a: { street: string; postalCode: string; city: string }) => ({
    strasseHausnummer: a.street,
    postleitzahl: a.postalCode,
    ort: a.city,
  });
  const fields: Record<number, unknown> = {
    1: { name: business.name, rechtsform: business.legalForm },
    3: owner.familyName,
    4: owner.givenName,
    7: owner.birthDate,
    8: owner.birthPlace,
    10: { staatsangehoerigkeit: [owner.nationality] },
    11: address(owner.address),
    12: { email: owner.email },
    14: business.name,
    15: address(business.address),
    18: business.activity,
    19: business.sideBusiness,
    20: business.startDate,
    21: business.kind,
    22: { vollzeit: business.employeesFullTime, teilzeit: business.employeesPartTime },
    23: business.establishment,
    24: req.reason,
    32: { schluessel: formatWzCode(business.wzCode), bezeichnung: wzTitle(business.wzCode) ?? '' },
    33: { elektronisch: true, eingereichtAm: meta.registeredAt, aktenzeichen: meta.caseNumber },
  };
  if (business.regulatedActivity !== null) {
    const info = REGULATED_ACTIVITIES[business.regulatedActivity];
    fields[26] = { art: info.title, rechtsgrundlage: info.legalBasis };
  }
  return fields;
}
