/**
 * The law's numbers for the Wohngeld calculation (Wohngeldgesetz, WoGG, as in force since
 * 1 January 2025 as amended by the Wohngeld-Fortschreibung in BGBl. 2024 I Nr. 314; unchanged
 * in 2026). Source of every value: ../shared/reference/wohngeld-2025.md.
 *
 * All decimal values are kept as strings so they enter decimal.js exactly (no binary floating point).
 * Pure data and lookups: no I/O, safe for Temporal's workflow sandbox.
 */

/** Mietstufe (rent level) I..VII as 1..7 (§ 12 Abs. 1 to 5 WoGG). */
export type Mietstufe = 1 | 2 | 3 | 4 | 5 | 6 | 7;
export const MIETSTUFEN: readonly Mietstufe[] = [1, 2, 3, 4, 5, 6, 7];
export const MIETSTUFE_ROMAN: Readonly<Record<Mietstufe, string>> = {
  1: 'I',
  2: 'II',
  3: 'III',
  4: 'IV',
  5: 'V',
  6: 'VI',
  7: 'VII',
};

/**
 * § 12 Abs. 1 WoGG with Anlage 1 (BGBl. 2024 I Nr. 314) — Höchstbeträge für Miete und Belastung,
 * €/month, by number of household members (1..5) and Mietstufe I..VII (index 0..6).
 */
export const HOECHSTBETRAEGE: Readonly<Record<1 | 2 | 3 | 4 | 5, readonly string[]>> = {
  //   I      II     III    IV     V       VI      VII
  1: ['361', '408', '456', '511', '562', '615', '677'],
  2: ['437', '493', '551', '619', '680', '745', '820'],
  3: ['521', '587', '657', '737', '809', '887', '975'],
  4: ['608', '686', '766', '858', '946', '1035', '1139'],
  5: ['694', '782', '875', '982', '1080', '1183', '1302'],
};

/**
 * § 12 Abs. 1 WoGG with Anlage 1 (BGBl. 2024 I Nr. 314) — Mehrbetrag für jedes weitere
 * Haushaltsmitglied (the 6th and each further member), €/month, by Mietstufe I..VII.
 */
export const HOECHSTBETRAG_EACH_FURTHER: readonly string[] = ['82', '94', '106', '119', '129', '149', '163'];

/**
 * § 12 Abs. 6 WoGG — Beträge zur Entlastung bei den Heizkosten (heating relief), €/month,
 * by number of household members 1..5; each further member adds HEATING_RELIEF_EACH_FURTHER.
 */
export const HEATING_RELIEF: Readonly<Record<1 | 2 | 3 | 4 | 5, string>> = {
  1: '110.40',
  2: '142.60',
  3: '170.20',
  4: '197.80',
  5: '225.40',
};
/** § 12 Abs. 6 WoGG — heating relief for each further (6th, 7th, …) member, €/month. */
export const HEATING_RELIEF_EACH_FURTHER = '27.60';

/**
 * § 12 Abs. 7 WoGG — Klimakomponente (added to the Höchstbetrag), €/month,
 * by number of household members 1..5; each further member adds KLIMAKOMPONENTE_EACH_FURTHER.
 */
export const KLIMAKOMPONENTE: Readonly<Record<1 | 2 | 3 | 4 | 5, string>> = {
  1: '19.20',
  2: '24.80',
  3: '29.60',
  4: '34.40',
  5: '39.20',
};
/** § 12 Abs. 7 WoGG — Klimakomponente for each further (6th, 7th, …) member, €/month. */
export const KLIMAKOMPONENTE_EACH_FURTHER = '4.80';

export interface WohngeldCoefficients {
  readonly a: string;
  readonly b: string;
  readonly c: string;
}

/**
 * § 19 Abs. 1 WoGG with Anlage 2 (BGBl. 2024 I Nr. 314) — the values a, b, c by number of
 * household members taken into account (1..12).
 */
export const WOHNGELD_COEFFICIENTS: Readonly<Record<number, WohngeldCoefficients>> = {
  1: { a: '0.04', b: '0.0004797', c: '0.0000408' },
  2: { a: '0.03', b: '0.0003571', c: '0.0000304' },
  3: { a: '0.02', b: '0.0002917', c: '0.0000245' },
  4: { a: '0.01', b: '0.0002163', c: '0.0000176' },
  5: { a: '0', b: '0.0001907', c: '0.0000172' },
  6: { a: '-0.01', b: '0.0001722', c: '0.0000166' },
  7: { a: '-0.02', b: '0.0001592', c: '0.0000165' },
  8: { a: '-0.03', b: '0.0001583', c: '0.0000165' },
  9: { a: '-0.04', b: '0.0001376', c: '0.0000166' },
  10: { a: '-0.06', b: '0.0001249', c: '0.0000166' },
  11: { a: '-0.09', b: '0.0001141', c: '0.0000196' },
  12: { a: '-0.12', b: '0.0001107', c: '0.0000221' },
};

export interface WohngeldMinimumValues {
  /** Minimum rent or burden M, €/month. */
  readonly m: string;
  /** Minimum monthly total income Y, €/month. */
  readonly y: string;
}

/**
 * § 19 Abs. 2 WoGG with Anlage 3 Nr. 1 (BGBl. 2024 I Nr. 314) — values of M and Y below these
 * are replaced by them, by number of household members taken into account (1..12).
 */
export const WOHNGELD_MINIMUM_VALUES: Readonly<Record<number, WohngeldMinimumValues>> = {
  1: { m: '54', y: '396' },
  2: { m: '67', y: '679' },
  3: { m: '79', y: '906' },
  4: { m: '92', y: '1132' },
  5: { m: '103', y: '1358' },
  6: { m: '103', y: '1585' },
  7: { m: '115', y: '1811' },
  8: { m: '128', y: '2037' },
  9: { m: '140', y: '2264' },
  10: { m: '152', y: '2490' },
  11: { m: '187', y: '2717' },
  12: { m: '298', y: '2943' },
};

/** § 19 Abs. 1 WoGG — the formula covers up to this many members taken into account. */
export const WOHNGELD_MAX_FORMULA_MEMBERS = 12;
/** § 19 Abs. 1 WoGG / Anlage 3 Nr. 2 — z4 = 1.15 · z3. */
export const WOHNGELD_FORMULA_FACTOR = '1.15';
/** Anlage 3 Nr. 2 WoGG — the decimals are fixed-point numbers with ten decimal places. */
export const WOHNGELD_FIXED_POINT_PLACES = 10;
/** § 19 Abs. 3 WoGG — increase for the 13th and each further member taken into account, €/month. */
export const WOHNGELD_INCREASE_PER_FURTHER_MEMBER = '65';
/** § 21 Nr. 1 WoGG — no entitlement when the monthly Wohngeld would be below this amount, €. */
export const WOHNGELD_MINIMUM_AMOUNT = 10;

/**
 * §§ 14, 16–18 WoGG (with § 9a EStG) — yearly flat amounts and allowances, €/year.
 */
export const WOHNGELD_INCOME_RULES = {
  /** § 14 Abs. 1 WoGG with § 9a Satz 1 Nr. 1 Buchst. a EStG: Arbeitnehmer-Pauschbetrag (Werbungskosten). */
  employmentFlatDeductionYearly: '1230',
  /** § 14 Abs. 1 WoGG with § 9a Satz 1 Nr. 3 EStG: Werbungskosten-Pauschbetrag for pensions. */
  pensionFlatDeductionYearly: '102',
  /** § 16 Abs. 1 WoGG: 10 % each for taxes, health/care insurance, pension insurance. */
  section16RatePerItem: '0.10',
  /** § 17 Nr. 1 WoGG: per severely disabled member (GdB 100, or lower with care need). */
  severelyDisabledYearly: '1800',
  /** § 17 Nr. 2 WoGG: per member who is a victim of Nazi persecution (or treated as such, BEG). */
  nsPersecutionVictimYearly: '750',
  /** § 17 Nr. 3 WoGG: single parent. */
  singleParentYearly: '1320',
  /** § 17 Nr. 4 WoGG: a child's own earnings, at most this much per child. */
  childEarningsCapYearly: '1200',
} as const;

/**
 * Municipality → Mietstufe (§ 12 Abs. 2–5 WoGG; the assignment of every municipality is in the
 * Anlage to § 1 Abs. 3 WoGV, fortgeschrieben by BGBl. 2024 I Nr. 314). Keys are normalised names
 * (see normalizeMunicipalityName); `ags` is the Amtlicher Gemeindeschlüssel, also accepted as a key.
 * Add municipalities here — each with its Mietstufe from the WoGV list.
 */
export interface MietstufeMunicipality {
  readonly name: string;
  readonly ags: string;
  readonly mietstufe: Mietstufe;
  readonly aliases?: readonly string[];
}

export const MIETSTUFE_MUNICIPALITIES: readonly MietstufeMunicipality[] = [
  // WoGV Anlage (Land Berlin): Berlin, Mietstufe IV (reference file: "Berlin is Mietstufe IV").
  { name: 'Berlin', ags: '11000000', mietstufe: 4, aliases: ['Land Berlin', 'Berlin, Stadt'] },
];

/** Lower-case, trimmed, inner whitespace collapsed; umlauts and ß kept as they are. */
export function normalizeMunicipalityName(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

const MIETSTUFE_MUNICIPALITY_INDEX: ReadonlyMap<string, MietstufeMunicipality> = new Map(
  MIETSTUFE_MUNICIPALITIES.flatMap((entry) =>
    [entry.name, entry.ags, ...(entry.aliases ?? [])].map((key) => [normalizeMunicipalityName(key), entry] as const),
  ),
);

/** The municipality's entry (name or AGS), or undefined when it is not (yet) in the table. */
export function findMietstufeMunicipality(name: string): MietstufeMunicipality | undefined {
  return MIETSTUFE_MUNICIPALITY_INDEX.get(normalizeMunicipalityName(name));
}

export function mietstufeOfMunicipality(name: string): Mietstufe | undefined {
  return findMietstufeMunicipality(name)?.mietstufe;
}
