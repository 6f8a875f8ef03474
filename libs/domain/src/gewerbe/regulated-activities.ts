/**
 * The trades that need a caseworker's decision before the Anmeldung is complete (reference
 * "Trades that need a decision by a caseworker"): permit trades of the GewO (§ 29 Abs. 1 list),
 * the Reisegewerbekarte (§ 55 GewO), serving alcohol (GastG), crafts that need an entry in the
 * Handwerksrolle (HwO Anlage A), and the § 38 GewO trades (no permit, but a reliability check).
 *
 * The keys are what `business.regulatedActivity` accepts (API.md): the GewO paragraph as the
 * applicant names it, or "gastg" / "hwo_a". One entry for all of § 38: which number of § 38 Abs. 1
 * applies changes nothing in the check (certificate of good conduct and central trade register
 * extract, § 38 Abs. 1 Satz 2 GewO).
 */
export interface RegulatedActivityInfo {
  /** German title, as the caseworker reads it. */
  readonly title: string;
  readonly legalBasis: string;
  /** permit: the trade may not start without it; reliability: § 38 check after the Anzeige. */
  readonly kind: 'permit' | 'reliability';
}

export const REGULATED_ACTIVITIES = {
  '30': { title: 'Privatkranken- und Privatentbindungsanstalten, Privatkliniken', legalBasis: '§ 30 GewO', kind: 'permit' },
  '31': { title: 'Bewachung von Seeschiffen', legalBasis: '§ 31 GewO', kind: 'permit' },
  '33a': { title: 'Schaustellungen von Personen', legalBasis: '§ 33a GewO', kind: 'permit' },
  '33c': { title: 'Aufstellung von Spielgeräten mit Gewinnmöglichkeit', legalBasis: '§ 33c GewO', kind: 'permit' },
  '33d': { title: 'Andere Spiele mit Gewinnmöglichkeit', legalBasis: '§ 33d GewO', kind: 'permit' },
  '33i': { title: 'Spielhallen und ähnliche Unternehmen', legalBasis: '§ 33i GewO', kind: 'permit' },
  '34': { title: 'Pfandleihgewerbe', legalBasis: '§ 34 GewO', kind: 'permit' },
  '34a': { title: 'Bewachungsgewerbe', legalBasis: '§ 34a GewO', kind: 'permit' },
  '34b': { title: 'Versteigerergewerbe', legalBasis: '§ 34b GewO', kind: 'permit' },
  '34c': {
    title: 'Makler, Darlehensvermittler, Bauträger, Baubetreuer, Wohnimmobilienverwalter',
    legalBasis: '§ 34c GewO',
    kind: 'permit',
  },
  '34d': { title: 'Versicherungsvermittler und -berater', legalBasis: '§ 34d GewO', kind: 'permit' },
  '34f': { title: 'Finanzanlagenvermittler', legalBasis: '§ 34f GewO', kind: 'permit' },
  '34h': { title: 'Honorar-Finanzanlagenberater', legalBasis: '§ 34h GewO', kind: 'permit' },
  '34i': { title: 'Immobiliardarlehensvermittler', legalBasis: '§ 34i GewO', kind: 'permit' },
  '55': { title: 'Reisegewerbe (Reisegewerbekarte)', legalBasis: '§ 55 GewO', kind: 'permit' },
  gastg: { title: 'Ausschank alkoholischer Getränke (Gaststättenerlaubnis)', legalBasis: '§ 2 GastG', kind: 'permit' },
  hwo_a: {
    title: 'Zulassungspflichtiges Handwerk (Eintragung in die Handwerksrolle)',
    legalBasis: '§ 1 HwO i. V. m. Anlage A',
    kind: 'permit',
  },
  '38': {
    title: 'Überwachungsbedürftiges Gewerbe (Zuverlässigkeitsprüfung)',
    legalBasis: '§ 38 GewO',
    kind: 'reliability',
  },
} as const satisfies Record<string, RegulatedActivityInfo>;

export type RegulatedActivity = keyof typeof REGULATED_ACTIVITIES;
export const REGULATED_ACTIVITY_CODES = Object.keys(REGULATED_ACTIVITIES) as [RegulatedActivity, ...RegulatedActivity[]];
