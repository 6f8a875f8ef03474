/**
 * The § 14 Abs. 8 GewO recipients of an Anmeldung, when each one applies, and which GewA 1 fields
 * GewAnzV § 3 lets each receive (reference "Recipients … and what each may receive").
 *
 * FIELD_MATRIX mirrors the reference table row by row ("all except …" / "only …") so a reviewer can
 * hold one against the other; fieldsAllowedFor expands a row into the set of field numbers. The
 * field numbers are those of anlage1-fields.ts.
 *
 * Form kind: the rows of the reference are for Anlage 1 (Anmeldung), except the register court's,
 * which is for Anlage 3 (Abmeldung). The matrix is keyed by form so Ummeldung (Anlage 2) and
 * Abmeldung (Anlage 3) add their rows without touching the Anmeldung's. Pure code, safe in
 * workflows.
 */
import type { RegulatedGround } from './classification';
import { FREE_MOVEMENT_COUNTRIES } from './countries';
import type { GewerbeanmeldungRequest } from './schema';

/** Which GewAnzV form a message carries: Anlage 1, 2 or 3. Also the XML record's name. */
export type GewerbeFormKind = 'anmeldung' | 'ummeldung' | 'abmeldung';

export type RecipientId =
  | 'ihk'
  | 'hwk'
  | 'immission'
  | 'arbeitsschutz'
  | 'eichamt'
  | 'ba'
  | 'dguv'
  | 'zoll'
  | 'registergericht'
  | 'statistik'
  | 'lebensmittel'
  | 'kbs'
  | 'auslaenderbehoerde'
  | 'finanzamt'
  | 'erlaubnisbehoerde';

export interface Recipient {
  id: RecipientId;
  name: string;
  legalBasis: string;
  /** XGewerbeanzeige-style message name `<recipient>.gewerbemeldung.<nnnn>`. */
  messageType: string;
}

const BASIS = '§ 14 Abs. 8 GewO, § 3 GewAnzV';

/**
 * Message types: `sta.…0100` (statistics), `abh.…0500` (immigration authority) and `ea.…0220`
 * (read as the Eichamt) are the reference's; the other prefixes and numbers are ours, in the same
 * pattern, until the XGewerbeanzeige code list is wired in. One type per recipient for all three
 * forms: the record inside (`anmeldung` / `ummeldung` / `abmeldung`) says which form it is.
 */
export const RECIPIENTS: Readonly<Record<RecipientId, Recipient>> = {
  ihk: { id: 'ihk', name: 'Industrie- und Handelskammer zu Berlin', legalBasis: BASIS, messageType: 'ihk.gewerbemeldung.0200' },
  hwk: { id: 'hwk', name: 'Handwerkskammer Berlin', legalBasis: BASIS, messageType: 'hwk.gewerbemeldung.0210' },
  immission: {
    id: 'immission',
    name: 'Immissionsschutzbehörde (Bezirksamt, Umwelt- und Naturschutzamt)',
    legalBasis: BASIS,
    messageType: 'isb.gewerbemeldung.0600',
  },
  arbeitsschutz: {
    id: 'arbeitsschutz',
    name: 'Landesamt für Arbeitsschutz, Gesundheitsschutz und technische Sicherheit Berlin (LAGetSi)',
    legalBasis: BASIS,
    messageType: 'asb.gewerbemeldung.0610',
  },
  eichamt: {
    id: 'eichamt',
    name: 'Landesamt für Mess- und Eichwesen Berlin-Brandenburg',
    legalBasis: BASIS,
    messageType: 'ea.gewerbemeldung.0220',
  },
  ba: { id: 'ba', name: 'Bundesagentur für Arbeit', legalBasis: BASIS, messageType: 'ba.gewerbemeldung.0300' },
  dguv: {
    id: 'dguv',
    name: 'Deutsche Gesetzliche Unfallversicherung (Weiterleitung an die Berufsgenossenschaft)',
    legalBasis: BASIS,
    messageType: 'dguv.gewerbemeldung.0230',
  },
  zoll: { id: 'zoll', name: 'Zollverwaltung (Finanzkontrolle Schwarzarbeit)', legalBasis: BASIS, messageType: 'zoll.gewerbemeldung.0310' },
  registergericht: {
    id: 'registergericht',
    name: 'Amtsgericht Charlottenburg (Registergericht)',
    legalBasis: BASIS,
    messageType: 'rg.gewerbemeldung.0410',
  },
  statistik: { id: 'statistik', name: 'Amt für Statistik Berlin-Brandenburg', legalBasis: BASIS, messageType: 'sta.gewerbemeldung.0100' },
  lebensmittel: {
    id: 'lebensmittel',
    name: 'Lebensmittel-, Futtermittel- und Veterinäraufsicht (Bezirksamt)',
    legalBasis: BASIS,
    messageType: 'lmb.gewerbemeldung.0620',
  },
  kbs: {
    id: 'kbs',
    name: 'Deutsche Rentenversicherung Knappschaft-Bahn-See (Minijob-Zentrale)',
    legalBasis: BASIS,
    messageType: 'kbs.gewerbemeldung.0320',
  },
  auslaenderbehoerde: {
    id: 'auslaenderbehoerde',
    name: 'Landesamt für Einwanderung Berlin',
    legalBasis: BASIS,
    messageType: 'abh.gewerbemeldung.0500',
  },
  finanzamt: { id: 'finanzamt', name: 'Finanzamt des Betriebssitzes', legalBasis: BASIS, messageType: 'fa.gewerbemeldung.0400' },
  erlaubnisbehoerde: {
    id: 'erlaubnisbehoerde',
    name: 'Erlaubnisbehörde nach der Gewerbeordnung (Bezirksamt, Ordnungsamt)',
    legalBasis: BASIS,
    messageType: 'eb.gewerbemeldung.0700',
  },
};

export const RECIPIENT_IDS = Object.keys(RECIPIENTS) as RecipientId[];

/** A field number or an inclusive range [from, to], as the reference writes "29–31". */
type FieldRef = number | readonly [number, number];

/** One row of the reference table. */
export type FieldRule =
  | { readonly allExcept: readonly FieldRef[] }
  /** `auxiliary`: statistics' Hilfsmerkmale (names, addresses for the survey's organisation only). */
  | { readonly only: readonly FieldRef[]; readonly auxiliary?: readonly FieldRef[] };

/** GewAnzV § 3 as the reference states it, per form. */
export const FIELD_MATRIX: Readonly<Record<RecipientId, Partial<Record<GewerbeFormKind, FieldRule>>>> = {
  ihk: { anmeldung: { allExcept: [13, 27, [29, 31], 33] } },
  hwk: { anmeldung: { allExcept: [13, 27, 30, 31, 33] } },
  immission: { anmeldung: { allExcept: [10, 12, 13, [27, 31], 33] } },
  arbeitsschutz: { anmeldung: { allExcept: [10, 12, 13, [27, 31], 33] } },
  eichamt: { anmeldung: { only: [1, [3, 5], 11, 14, 15, 18, 20] } },
  ba: { anmeldung: { allExcept: [13, 27, 33] } },
  dguv: { anmeldung: { allExcept: [12, 28, 30, 31, 33] } },
  zoll: { anmeldung: { allExcept: [13, 27, 33] } },
  // Anlage 3 only: the register court learns of deregistrations of registered establishments.
  registergericht: { abmeldung: { allExcept: [[8, 10], [12, 14], 16, 21, 22, 24, [28, 30]] } },
  statistik: { anmeldung: { only: [6, 10, [18, 25], 29, 32], auxiliary: [[1, 5], 12, [15, 17]] } },
  lebensmittel: { anmeldung: { allExcept: [10, 12, 13, [27, 31], 33] } },
  kbs: { anmeldung: { allExcept: [12, 13, 17, 19, [21, 31], 33] } },
  auslaenderbehoerde: { anmeldung: { allExcept: [[12, 14], 17, 19, [22, 29], 33] } },
  finanzamt: { anmeldung: { allExcept: [6, 12, 13, 19, 21, 22, [27, 31], 33] } },
  erlaubnisbehoerde: { anmeldung: { allExcept: [33] } },
};

/**
 * How many numbered fields each form has. Anlage 2 and 3 are numbered when Ummeldung and
 * Abmeldung are built; until then their rows cannot be expanded and fieldsAllowedFor says so.
 */
export const FORM_FIELD_COUNT: Readonly<Partial<Record<GewerbeFormKind, number>>> = { anmeldung: 33 };

function expand(refs: readonly FieldRef[]): number[] {
  return refs.flatMap((ref) => {
    if (typeof ref === 'number') return [ref];
    const [from, to] = ref;
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  });
}

/** The fields of `form` that GewAnzV § 3 allows `id` to receive (empty: none for this form). */
export function fieldsAllowedFor(id: RecipientId, form: GewerbeFormKind = 'anmeldung'): ReadonlySet<number> {
  const rule = FIELD_MATRIX[id][form];
  if (rule === undefined) return new Set();
  if ('only' in rule) return new Set([...expand(rule.only), ...expand(rule.auxiliary ?? [])]);
  const count = FORM_FIELD_COUNT[form];
  if (count === undefined) throw new Error(`the fields of the ${form} form are not numbered yet`);
  const excluded = new Set(expand(rule.allExcept));
  return new Set(Array.from({ length: count }, (_, i) => i + 1).filter((no) => !excluded.has(no)));
}

/** Statistics' auxiliary characteristics (Hilfsmerkmale) among the allowed fields. */
export function auxiliaryFieldsFor(id: RecipientId, form: GewerbeFormKind = 'anmeldung'): ReadonlySet<number> {
  const rule = FIELD_MATRIX[id][form];
  return new Set(rule !== undefined && 'only' in rule ? expand(rule.auxiliary ?? []) : []);
}

function wzStartsWithAny(wzCode: string, prefixes: readonly string[]): boolean {
  return prefixes.some((p) => wzCode.startsWith(p));
}

/**
 * Trades an immission-control authority has to look at: manufacturing, energy, water and waste
 * (divisions 10–39: installations that may need a BImSchG permit), construction (41–43: site
 * noise), vehicle repair and paint shops (45.20), gastronomy (56: noise, smells) — plus every
 * Industrie or Handwerk business. Our data-minimisation filter (Art. 5 Abs. 1 Buchst. c DSGVO):
 * § 14 Abs. 8 GewO allows the data "zur Wahrnehmung ihrer Aufgaben", an office shop is not one.
 */
const IMMISSION_WZ = [
  ...Array.from({ length: 30 }, (_, i) => String(10 + i)),
  '41',
  '42',
  '43',
  '4520',
  '56',
];

/**
 * Trades that use measuring instruments in commerce or fill prepackages (MessEG, MessEV): food and
 * drink production (10, 11), energy and water supply (35, 36: meters), food and fuel wholesale
 * (46.3, 46.71), food retail and filling stations (47.1, 47.2, 47.3: scales, fuel pumps), market
 * stalls with food (47.81), gastronomy (56: serving measures), taxis (49.32: taximeters). An online
 * bookshop weighs nothing it sells.
 */
const EICHAMT_WZ = ['10', '11', '35', '36', '463', '4671', '471', '472', '473', '4781', '56', '4932'];

/**
 * Food, feed and animal-health relevant trades (food law, LFGB; feed; animal health): farming and
 * fishing (01, 03), food and drink production incl. feed (10, 11), food wholesale (46.3), food
 * retail (47.11, 47.2), market stalls with food (47.81), gastronomy (56), veterinary (75).
 */
const LEBENSMITTEL_WZ = ['01', '03', '10', '11', '463', '4711', '472', '4781', '56', '75'];

/**
 * Which recipients get this Anmeldung (in RECIPIENT_IDS order). Each rule says why; the field
 * filter (fieldsAllowedFor) then limits what each one sees.
 */
export function recipientsFor(req: GewerbeanmeldungRequest, grounds: RegulatedGround[]): Recipient[] {
  const b = req.business;
  const wz = b.wzCode;
  const employees = b.employeesFullTime + b.employeesPartTime;
  const applies: Record<RecipientId, boolean> = {
    // IHK: every Gewerbetreibende is a member, except those of the Handwerkskammer (§ 2 Abs. 1, 3 IHKG).
    ihk: b.kind !== 'handwerk',
    // Handwerkskammer: crafts and craft-like trades (§ 1, § 18 HwO), and whoever declared or was
    // classified as an Anlage A craft even under another kind (Mischbetrieb: both chambers).
    hwk: b.kind === 'handwerk' || grounds.some((g) => g.code === 'hwo_a'),
    immission: b.kind === 'industrie' || b.kind === 'handwerk' || wzStartsWithAny(wz, IMMISSION_WZ),
    // Occupational safety protects employees (ArbSchG): only businesses that start with staff.
    arbeitsschutz: employees > 0,
    eichamt: wzStartsWithAny(wz, EICHAMT_WZ),
    // BA (placement, benefits, illegal employment), DGUV (accident insurance of every business,
    // forwarded to the competent Berufsgenossenschaft), statistics (monthly federal statistics)
    // and the Finanzamt (tax registration) receive every Anmeldung.
    ba: true,
    dguv: true,
    statistik: true,
    finanzamt: true,
    // Customs only on indications of illegal work: a caseworker's decision, never automatic.
    zoll: false,
    // The register court only learns of deregistrations (Anlage 3), never of an Anmeldung.
    registergericht: false,
    lebensmittel: wzStartsWithAny(wz, LEBENSMITTEL_WZ),
    // Knappschaft-Bahn-See (Minijob-Zentrale): part-time staff may be marginal employment (§ 8 SGB IV).
    kbs: b.employeesPartTime > 0,
    // Immigration authority: nationals outside the EU/EEA/Switzerland need a residence title that
    // allows self-employment (§ 21 AufenthG).
    auslaenderbehoerde: !FREE_MOVEMENT_COUNTRIES.has(req.owner.nationality),
    // Permit authority: when a GewO or GastG permit is in question. Not for § 38 (the Gewerbeamt
    // checks reliability itself) nor for the Handwerksrolle (the Handwerkskammer's, above).
    erlaubnisbehoerde: grounds.some((g) => g.kind === 'permit' && g.code !== 'hwo_a'),
  };
  return RECIPIENT_IDS.filter((id) => applies[id]).map((id) => RECIPIENTS[id]);
}
