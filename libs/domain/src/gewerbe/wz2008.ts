/**
 * WZ 2008 — Klassifikation der Wirtschaftszweige, Ausgabe 2008 (Statistisches Bundesamt, based on
 * NACE Rev. 2). The GewA 1 form asks for the activity; the statistics office and the chambers key
 * everything on the WZ code, so the online form asks for it directly (field 32, see
 * anlage1-fields.ts).
 *
 * The full list (21 sections, 88 divisions, 615 classes, 839 subclasses) is published by Destatis
 * ("Klassifikation der Wirtschaftszweige 2008", Klassifikationsserver / Verzeichnis der
 * Wirtschaftszweige). This file holds a checked subset:
 * - every one of the 88 two-digit divisions, so every code is checked at least for its division;
 * - the complete subclass lists of the divisions in STRICT_DIVISIONS — the ones the classification
 *   (classification.ts) keys on and the common trades in Berlin (construction trades, motor
 *   vehicles, gastronomy, IT, financial/insurance auxiliaries, real estate, travel, security). A
 *   code of such a division must be one of the listed subclasses;
 * - further single subclasses that the classification or the recipient rules name.
 * A code of another division is accepted when its division exists; the Gewerberegister's own
 * plausibility check (full list) catches a wrong subclass there. Replacing WZ_SUBCLASSES with the
 * full Destatis list and STRICT_DIVISIONS with all divisions makes the check complete.
 */

export const WZ_DIVISIONS: Readonly<Record<string, string>> = {
  '01': 'Landwirtschaft, Jagd und damit verbundene Tätigkeiten',
  '02': 'Forstwirtschaft und Holzeinschlag',
  '03': 'Fischerei und Aquakultur',
  '05': 'Kohlenbergbau',
  '06': 'Gewinnung von Erdöl und Erdgas',
  '07': 'Erzbergbau',
  '08': 'Gewinnung von Steinen und Erden, sonstiger Bergbau',
  '09': 'Erbringung von Dienstleistungen für den Bergbau und für die Gewinnung von Steinen und Erden',
  '10': 'Herstellung von Nahrungs- und Futtermitteln',
  '11': 'Getränkeherstellung',
  '12': 'Tabakverarbeitung',
  '13': 'Herstellung von Textilien',
  '14': 'Herstellung von Bekleidung',
  '15': 'Herstellung von Leder, Lederwaren und Schuhen',
  '16': 'Herstellung von Holz-, Flecht-, Korb- und Korkwaren (ohne Möbel)',
  '17': 'Herstellung von Papier, Pappe und Waren daraus',
  '18': 'Herstellung von Druckerzeugnissen; Vervielfältigung von bespielten Ton-, Bild- und Datenträgern',
  '19': 'Kokerei und Mineralölverarbeitung',
  '20': 'Herstellung von chemischen Erzeugnissen',
  '21': 'Herstellung von pharmazeutischen Erzeugnissen',
  '22': 'Herstellung von Gummi- und Kunststoffwaren',
  '23': 'Herstellung von Glas und Glaswaren, Keramik, Verarbeitung von Steinen und Erden',
  '24': 'Metallerzeugung und -bearbeitung',
  '25': 'Herstellung von Metallerzeugnissen',
  '26': 'Herstellung von Datenverarbeitungsgeräten, elektronischen und optischen Erzeugnissen',
  '27': 'Herstellung von elektrischen Ausrüstungen',
  '28': 'Maschinenbau',
  '29': 'Herstellung von Kraftwagen und Kraftwagenteilen',
  '30': 'Sonstiger Fahrzeugbau',
  '31': 'Herstellung von Möbeln',
  '32': 'Herstellung von sonstigen Waren',
  '33': 'Reparatur und Installation von Maschinen und Ausrüstungen',
  '35': 'Energieversorgung',
  '36': 'Wasserversorgung',
  '37': 'Abwasserentsorgung',
  '38': 'Sammlung, Behandlung und Beseitigung von Abfällen; Rückgewinnung',
  '39': 'Beseitigung von Umweltverschmutzungen und sonstige Entsorgung',
  '41': 'Hochbau',
  '42': 'Tiefbau',
  '43': 'Vorbereitende Baustellenarbeiten, Bauinstallation und sonstiges Ausbaugewerbe',
  '45': 'Handel mit Kraftfahrzeugen; Instandhaltung und Reparatur von Kraftfahrzeugen',
  '46': 'Großhandel (ohne Handel mit Kraftfahrzeugen)',
  '47': 'Einzelhandel (ohne Handel mit Kraftfahrzeugen)',
  '49': 'Landverkehr und Transport in Rohrfernleitungen',
  '50': 'Schifffahrt',
  '51': 'Luftfahrt',
  '52': 'Lagerei sowie Erbringung von sonstigen Dienstleistungen für den Verkehr',
  '53': 'Post-, Kurier- und Expressdienste',
  '55': 'Beherbergung',
  '56': 'Gastronomie',
  '58': 'Verlagswesen',
  '59': 'Herstellung, Verleih und Vertrieb von Filmen und Fernsehprogrammen; Kinos; Tonstudios und Verlegen von Musik',
  '60': 'Rundfunkveranstalter',
  '61': 'Telekommunikation',
  '62': 'Erbringung von Dienstleistungen der Informationstechnologie',
  '63': 'Informationsdienstleistungen',
  '64': 'Erbringung von Finanzdienstleistungen',
  '65': 'Versicherungen, Rückversicherungen und Pensionskassen (ohne Sozialversicherung)',
  '66': 'Mit Finanz- und Versicherungsdienstleistungen verbundene Tätigkeiten',
  '68': 'Grundstücks- und Wohnungswesen',
  '69': 'Rechts- und Steuerberatung, Wirtschaftsprüfung',
  '70': 'Verwaltung und Führung von Unternehmen und Betrieben; Unternehmensberatung',
  '71': 'Architektur- und Ingenieurbüros; technische, physikalische und chemische Untersuchung',
  '72': 'Forschung und Entwicklung',
  '73': 'Werbung und Marktforschung',
  '74': 'Sonstige freiberufliche, wissenschaftliche und technische Tätigkeiten',
  '75': 'Veterinärwesen',
  '77': 'Vermietung von beweglichen Sachen',
  '78': 'Vermittlung und Überlassung von Arbeitskräften',
  '79': 'Reisebüros, Reiseveranstalter und Erbringung sonstiger Reservierungsdienstleistungen',
  '80': 'Wach- und Sicherheitsdienste sowie Detekteien',
  '81': 'Gebäudebetreuung; Garten- und Landschaftsbau',
  '82': 'Erbringung von wirtschaftlichen Dienstleistungen für Unternehmen und Privatpersonen a. n. g.',
  '84': 'Öffentliche Verwaltung, Verteidigung; Sozialversicherung',
  '85': 'Erziehung und Unterricht',
  '86': 'Gesundheitswesen',
  '87': 'Heime (ohne Erholungs- und Ferienheime)',
  '88': 'Sozialwesen (ohne Heime)',
  '90': 'Kreative, künstlerische und unterhaltende Tätigkeiten',
  '91': 'Bibliotheken, Archive, Museen, botanische und zoologische Gärten',
  '92': 'Spiel-, Wett- und Lotteriewesen',
  '93': 'Erbringung von Dienstleistungen des Sports, der Unterhaltung und der Erholung',
  '94': 'Interessenvertretungen sowie kirchliche und sonstige religiöse Vereinigungen (ohne Sozialwesen und Sport)',
  '95': 'Reparatur von Datenverarbeitungsgeräten und Gebrauchsgütern',
  '96': 'Erbringung von sonstigen überwiegend persönlichen Dienstleistungen',
  '97': 'Private Haushalte mit Hauspersonal',
  '98': 'Herstellung von Waren und Erbringung von Dienstleistungen durch private Haushalte für den Eigenbedarf ohne ausgeprägten Schwerpunkt',
  '99': 'Exterritoriale Organisationen und Körperschaften',
};

/** Subclasses (5 digits, without dots) with their Destatis titles. */
export const WZ_SUBCLASSES: Readonly<Record<string, string>> = {
  // 43 — complete
  '43110': 'Abbrucharbeiten',
  '43120': 'Vorbereitende Baustellenarbeiten',
  '43130': 'Test- und Suchbohrung',
  '43210': 'Elektroinstallation',
  '43220': 'Gas-, Wasser-, Heizungs- sowie Lüftungs- und Klimainstallation',
  '43291': 'Dämmung gegen Kälte, Wärme, Schall und Erschütterung',
  '43299': 'Sonstige Bauinstallation a. n. g.',
  '43310': 'Stuckateurgewerbe, Gipserei und Verputzerei',
  '43320': 'Bautischlerei und -schlosserei',
  '43330': 'Fußboden-, Fliesen- und Plattenlegerei, Tapeziererei',
  '43341': 'Malergewerbe',
  '43342': 'Glasergewerbe',
  '43390': 'Sonstiger Ausbau a. n. g.',
  '43911': 'Dachdeckerei und Bauspenglerei',
  '43912': 'Zimmerei und Ingenieurholzbau',
  '43991': 'Gerüstbau',
  '43992': 'Schornstein-, Feuerungs- und Industrieofenbau',
  '43999': 'Baugewerbe a. n. g.',
  // 45 — complete
  '45110': 'Handel mit Kraftwagen mit einem Gesamtgewicht von 3,5 t oder weniger',
  '45190': 'Handel mit Kraftwagen mit einem Gesamtgewicht von mehr als 3,5 t',
  '45201': 'Instandhaltung und Reparatur von Kraftwagen mit einem Gesamtgewicht von 3,5 t oder weniger (ohne Lackierung und Autowäsche)',
  '45202': 'Instandhaltung und Reparatur von Kraftwagen mit einem Gesamtgewicht von mehr als 3,5 t (ohne Lackierung und Autowäsche)',
  '45203': 'Lackieren von Kraftwagen',
  '45204': 'Autowaschanlagen',
  '45310': 'Großhandel mit Kraftwagenteilen und -zubehör',
  '45320': 'Einzelhandel mit Kraftwagenteilen und -zubehör',
  '45400': 'Handel mit Krafträdern, Kraftradteilen und -zubehör; Instandhaltung und Reparatur von Krafträdern',
  // 56 — complete
  '56101': 'Restaurants mit herkömmlicher Bedienung',
  '56102': 'Restaurants mit Selbstbedienung',
  '56103': 'Imbissstuben u. Ä.',
  '56104': 'Cafés',
  '56105': 'Eissalons',
  '56210': 'Caterer und Erbringung von Verpflegungsdienstleistungen',
  '56290': 'Erbringung sonstiger Verpflegungsdienstleistungen',
  '56301': 'Schankwirtschaften',
  '56302': 'Diskotheken und Tanzlokale',
  '56303': 'Bars',
  '56304': 'Vergnügungslokale',
  '56309': 'Sonstige getränkegeprägte Gastronomie',
  // 62 — complete
  '62011': 'Entwicklung und Programmierung von Internetpräsentationen',
  '62019': 'Sonstige Softwareentwicklung',
  '62020': 'Erbringung von Beratungsleistungen auf dem Gebiet der Informationstechnologie',
  '62030': 'Betrieb von Datenverarbeitungseinrichtungen für Dritte',
  '62090': 'Erbringung von sonstigen Dienstleistungen der Informationstechnologie',
  // 66 — complete
  '66110': 'Effekten- und Warenbörsen',
  '66120': 'Effekten- und Warenhandel',
  '66190': 'Sonstige mit Finanzdienstleistungen verbundene Tätigkeiten',
  '66210': 'Risiko- und Schadensbewertung',
  '66220': 'Tätigkeit von Versicherungsmaklerinnen und -maklern',
  '66290': 'Sonstige mit Versicherungsdienstleistungen und Pensionskassen verbundene Tätigkeiten',
  '66300': 'Fondsmanagement',
  // 68 — complete
  '68100': 'Kauf und Verkauf von eigenen Grundstücken, Gebäuden und Wohnungen',
  '68201': 'Vermietung, Verpachtung von eigenen oder geleasten Wohngrundstücken, Wohngebäuden und Wohnungen',
  '68202': 'Vermietung, Verpachtung von eigenen oder geleasten Nichtwohngrundstücken und Nichtwohngebäuden',
  '68310': 'Vermittlung von Grundstücken, Gebäuden und Wohnungen für Dritte',
  '68320': 'Verwaltung von Grundstücken, Gebäuden und Wohnungen für Dritte',
  // 79 — complete
  '79110': 'Reisebüros',
  '79120': 'Reiseveranstalter',
  '79900': 'Erbringung sonstiger Reservierungsdienstleistungen',
  // 80 — complete
  '80100': 'Private Wach- und Sicherheitsdienste',
  '80200': 'Sicherheitsdienste mithilfe von Überwachungs- und Alarmsystemen',
  '80300': 'Detekteien',
  // further single subclasses (their divisions are not checked at subclass level)
  '47770': 'Einzelhandel mit Uhren und Schmuck',
  '47910': 'Versand- und Internet-Einzelhandel',
  '49320': 'Betrieb von Taxis',
  '96021': 'Frisörsalons',
  '96022': 'Kosmetiksalons',
};

/** Divisions whose subclasses are all in WZ_SUBCLASSES: a code there must be one of them. */
export const STRICT_DIVISIONS: ReadonlySet<string> = new Set(['43', '45', '56', '62', '66', '68', '79', '80']);

const WZ_FORMAT = /^(\d{2})\.?(\d{2})\.?(\d)$/;

/** "47.91.0", "4791.0" or "47910" → "47910"; anything else → undefined. */
export function normaliseWzCode(raw: string): string | undefined {
  const m = WZ_FORMAT.exec(raw.trim());
  return m ? `${m[1]}${m[2]}${m[3]}` : undefined;
}

/** "47910" → "47.91.0" (the way Destatis writes it). */
export function formatWzCode(code: string): string {
  return `${code.slice(0, 2)}.${code.slice(2, 4)}.${code.slice(4)}`;
}

/** Why a normalised 5-digit code is not a WZ 2008 subclass, in German; undefined when it is valid. */
export function wzCodeProblem(code: string): string | undefined {
  const division = code.slice(0, 2);
  if (WZ_DIVISIONS[division] === undefined) {
    return `${formatWzCode(code)} ist kein WZ-2008-Schlüssel: die Abteilung ${division} gibt es nicht`;
  }
  if (STRICT_DIVISIONS.has(division) && WZ_SUBCLASSES[code] === undefined) {
    return `${formatWzCode(code)} ist kein WZ-2008-Schlüssel der Abteilung ${division} (${WZ_DIVISIONS[division]})`;
  }
  return undefined;
}

/** The subclass title if listed, else the division title. */
export function wzTitle(code: string): string | undefined {
  return WZ_SUBCLASSES[code] ?? WZ_DIVISIONS[code.slice(0, 2)];
}
