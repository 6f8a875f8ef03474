/**
 * Which trades of an Anmeldung need a caseworker (reference "Trades that need a decision by a
 * caseworker"): grounds the applicant declared (`business.regulatedActivity`) and grounds derived
 * from the WZ 2008 code. A derived ground is a reason to look, not a finding: the WZ classes are
 * broader than the legal terms (45.11 is all car trade, § 38 only covers used cars), so the
 * caseworker confirms or dismisses each ground. Erring towards a check is the safe side — an
 * unlicensed § 34c broker is worse than one extra look.
 *
 * Deliberately no ground (the Gewerbeamt neither grants nor checks these licences; the Anzeige is
 * still required and the business may be registered):
 * - 49.32 Taxis and 49.39 other passenger transport: the licence is under the PBefG (§ 2 PBefG),
 *   granted in Berlin by the LABO, outside the GewO; the Gewerbeamt only registers.
 * - 49.41 road haulage: GüKG licence (§ 3 GüKG), outside the GewO.
 * - 78.20 / 78.30 temporary work agencies: AÜG licence from the Bundesagentur für Arbeit (§ 1 AÜG),
 *   which receives every Anmeldung anyway (recipients.ts).
 * - 82.91 debt collection: registration under the RDG, outside the GewO (the credit-agency part of
 *   82.91 is § 38, below).
 * Pure code, safe in workflows.
 */
import { REGULATED_ACTIVITIES } from './regulated-activities';
import type { RegulatedActivity } from './regulated-activities';
import type { GewerbeanmeldungRequest } from './schema';

export interface RegulatedGround {
  /** '34c', '38', 'gastg', 'hwo_a', … — the keys of REGULATED_ACTIVITIES. */
  code: string;
  /** declared: the applicant named it; wz: derived from the WZ code. */
  source: 'declared' | 'wz';
  /** German, for the caseworker. */
  title: string;
  /** e.g. '§ 34c GewO'. */
  legalBasis: string;
  kind: 'permit' | 'reliability';
}

interface WzRule {
  /** Prefix of the 5-digit WZ code: a class ("5630") or a subclass ("43341"). */
  readonly prefix: string;
  readonly code: RegulatedActivity;
  readonly title: string;
  readonly legalBasis: string;
  /** Only for businesses registered as this kind (crafts: kind "handwerk"). */
  readonly onlyKind?: GewerbeanmeldungRequest['business']['kind'];
}

const S38 = '§ 38 Abs. 1 Satz 1';

/** WZ 2008 → permit or § 38 ground, each with its legal source. */
export const WZ_GROUND_RULES: readonly WzRule[] = [
  // GastG: serving alcohol needs a licence (§ 2 Abs. 1 GastG; the federal GastG still applies in
  // Berlin, Art. 125a Abs. 1 GG). 56.30 is the drink-led gastronomy; restaurants (56.10) may or may
  // not serve alcohol, so there only the declaration counts.
  { prefix: '5630', code: 'gastg', title: 'Ausschank alkoholischer Getränke (getränkegeprägte Gastronomie)', legalBasis: '§ 2 GastG' },
  // § 30 GewO: private hospitals (86.10 Krankenhäuser).
  { prefix: '8610', code: '30', title: 'Privatkrankenanstalt', legalBasis: '§ 30 GewO' },
  // §§ 33c, 33i GewO: gaming halls and gaming machines (92.00; lotteries and betting in the same
  // class fall under the GlüStV 2021 — the caseworker sorts that out).
  { prefix: '9200', code: '33i', title: 'Spielhalle / Spielgeräte mit Gewinnmöglichkeit', legalBasis: '§§ 33c, 33i GewO' },
  // § 34c GewO Abs. 1 Satz 1 Nr. 1: brokers of real estate and loans; Nr. 3: property developers;
  // Nr. 4: managers of residential property (since 2018).
  { prefix: '6831', code: '34c', title: 'Immobilienmakler', legalBasis: '§ 34c Abs. 1 Satz 1 Nr. 1 GewO' },
  { prefix: '6832', code: '34c', title: 'Wohnimmobilienverwalter', legalBasis: '§ 34c Abs. 1 Satz 1 Nr. 4 GewO' },
  { prefix: '4110', code: '34c', title: 'Bauträger', legalBasis: '§ 34c Abs. 1 Satz 1 Nr. 3 GewO' },
  // 64.92 other credit granting and 66.19 other financial auxiliaries: the loan brokers among them
  // need § 34c (pawnbrokers in 64.92 need § 34 instead — the caseworker decides).
  { prefix: '6492', code: '34c', title: 'Darlehensvermittlung / Kreditgewährung', legalBasis: '§ 34c Abs. 1 Satz 1 Nr. 2 GewO' },
  { prefix: '6619', code: '34c', title: 'Darlehensvermittlung', legalBasis: '§ 34c Abs. 1 Satz 1 Nr. 2 GewO' },
  // 66.12 securities brokerage: investment brokers need § 34f (not § 34c, which covers loans and
  // real estate only).
  { prefix: '6612', code: '34f', title: 'Finanzanlagenvermittlung', legalBasis: '§ 34f GewO' },
  // 66.22 insurance brokers: § 34d GewO.
  { prefix: '6622', code: '34d', title: 'Versicherungsvermittlung', legalBasis: '§ 34d GewO' },
  // § 34a GewO: guarding the life or property of others (80.10), and alarm monitoring with
  // intervention (80.20).
  { prefix: '8010', code: '34a', title: 'Bewachungsgewerbe', legalBasis: '§ 34a GewO' },
  { prefix: '8020', code: '34a', title: 'Bewachung mithilfe von Alarmsystemen', legalBasis: '§ 34a GewO' },
  // § 38 GewO Abs. 1 Satz 1 — reliability check, no permit:
  // Nr. 1 b: trade in (used) motor vehicles and bicycles.
  { prefix: '4511', code: '38', title: 'An- und Verkauf von Kraftfahrzeugen', legalBasis: `${S38} Nr. 1 Buchst. b GewO` },
  { prefix: '4519', code: '38', title: 'An- und Verkauf von Kraftfahrzeugen', legalBasis: `${S38} Nr. 1 Buchst. b GewO` },
  { prefix: '4540', code: '38', title: 'An- und Verkauf von Krafträdern', legalBasis: `${S38} Nr. 1 Buchst. b GewO` },
  // Nr. 1 c, d: precious metals, precious stones, pearls and jewellery (47.77 watches and jewellery).
  { prefix: '4777', code: '38', title: 'An- und Verkauf von Edelmetallen und Schmuck', legalBasis: `${S38} Nr. 1 Buchst. c, d GewO` },
  // Nr. 1 a: high-value second-hand consumer goods (47.79 antiques and second-hand goods).
  { prefix: '4779', code: '38', title: 'An- und Verkauf hochwertiger Gebrauchtwaren', legalBasis: `${S38} Nr. 1 Buchst. a GewO` },
  // Nr. 1 e: scrap metal (46.77 wholesale of waste and scrap).
  { prefix: '4677', code: '38', title: 'An- und Verkauf von Altmetallen', legalBasis: `${S38} Nr. 1 Buchst. e GewO` },
  // Nr. 2: credit agencies and detectives.
  { prefix: '8030', code: '38', title: 'Detektei', legalBasis: `${S38} Nr. 2 GewO` },
  { prefix: '8291', code: '38', title: 'Auskunftei', legalBasis: `${S38} Nr. 2 GewO` },
  // Nr. 4: travel agencies and accommodation brokers (79.90 reservation services).
  { prefix: '7911', code: '38', title: 'Reisebüro', legalBasis: `${S38} Nr. 4 GewO` },
  { prefix: '7990', code: '38', title: 'Vermittlung von Unterkünften', legalBasis: `${S38} Nr. 4 GewO` },
  // HwO Anlage A (crafts requiring entry in the Handwerksrolle, § 1 HwO), only when the business is
  // registered as a craft: a shop selling electrical goods is 47.xx, but an electrical contractor
  // registered as "Handel" still gets the declaration route. Minor or simple activities (§ 1 Abs. 2
  // HwO) need no entry — the caseworker decides with the Handwerkskammer.
  ...(
    [
      ['4120', 'Maurer und Betonbauer'],
      ['4211', 'Straßenbauer'],
      ['43210', 'Elektrotechniker'],
      ['43220', 'Installateur und Heizungsbauer'],
      ['43291', 'Wärme-, Kälte- und Schallschutzisolierer'],
      ['43310', 'Stuckateure'],
      ['43320', 'Tischler / Metallbauer'],
      ['43330', 'Fliesen-, Platten- und Mosaikleger, Estrichleger, Parkettleger, Raumausstatter'],
      ['43341', 'Maler und Lackierer'],
      ['43342', 'Glaser'],
      ['43911', 'Dachdecker / Klempner'],
      ['43912', 'Zimmerer'],
      ['43991', 'Gerüstbauer'],
      ['43992', 'Ofen- und Luftheizungsbauer'],
      ['45201', 'Kraftfahrzeugtechniker'],
      ['45202', 'Kraftfahrzeugtechniker'],
      ['45203', 'Maler und Lackierer (Fahrzeuglackierer)'],
      ['4540', 'Zweiradmechaniker'],
      ['1071', 'Bäcker / Konditoren'],
      ['1011', 'Fleischer'],
      ['1013', 'Fleischer'],
      ['2511', 'Metallbauer'],
      ['2512', 'Metallbauer'],
      ['3250', 'Zahntechniker, Orthopädietechniker, Augenoptiker, Hörakustiker'],
      ['9511', 'Informationstechniker'],
      ['9512', 'Informationstechniker'],
      ['96021', 'Friseure'],
    ] as const
  ).map(
    ([prefix, trade]): WzRule => ({
      prefix,
      code: 'hwo_a',
      title: `Zulassungspflichtiges Handwerk: ${trade}`,
      legalBasis: '§ 1 HwO i. V. m. Anlage A',
      onlyKind: 'handwerk',
    }),
  ),
];

/** The grounds the WZ code of a business of that kind points to (one per ground code). */
export function groundsFromWz(wzCode: string, kind: GewerbeanmeldungRequest['business']['kind']): RegulatedGround[] {
  const grounds: RegulatedGround[] = [];
  for (const rule of WZ_GROUND_RULES) {
    if (!wzCode.startsWith(rule.prefix)) continue;
    if (rule.onlyKind !== undefined && rule.onlyKind !== kind) continue;
    if (grounds.some((g) => g.code === rule.code)) continue;
    grounds.push({
      code: rule.code,
      source: 'wz',
      title: rule.title,
      legalBasis: rule.legalBasis,
      kind: REGULATED_ACTIVITIES[rule.code].kind,
    });
  }
  return grounds;
}

/**
 * Regulated or not, and why. The declared ground comes first; a WZ ground with the same code is
 * left out (the applicant already named it), a different one is added.
 */
export function classifyGewerbe(req: GewerbeanmeldungRequest): { regulated: boolean; grounds: RegulatedGround[] } {
  const grounds: RegulatedGround[] = [];
  const declared = req.business.regulatedActivity;
  if (declared !== null) {
    const info = REGULATED_ACTIVITIES[declared];
    grounds.push({ code: declared, source: 'declared', title: info.title, legalBasis: info.legalBasis, kind: info.kind });
  }
  for (const ground of groundsFromWz(req.business.wzCode, req.business.kind)) {
    if (!grounds.some((g) => g.code === ground.code)) grounds.push(ground);
  }
  return { regulated: grounds.length > 0, grounds };
}
