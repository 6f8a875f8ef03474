/**
 * The completeness check of a Wohngeld application (§ 60 SGB I: the applicant provides the proofs
 * of what they claim): which proofs the household data call for. Pure and deterministic — the
 * workflow (workflows/wohngeld) asks for exactly these with a deadline.
 *
 * - Housing: the rent contract or a landlord's certificate (Mietbescheinigung) for `miete`; the
 *   burden calculation (Lastenberechnung with loan statements) for `belastung` (§ 10 WoGG).
 * - Income: one proof per member with income (§§ 13–15 WoGG) — one request each, so a household
 *   can upload them person by person and the caseworker sees whose is missing.
 * - Allowances claimed: severe disability (§ 17 Nr. 1), single parent (§ 17 Nr. 3), maintenance
 *   paid (§ 18). Allowances not claimed need no proof.
 * A member whose only income entries are 0 € earns nothing and needs no income proof.
 */
import type { WohngeldEstimateRequest, WohngeldIncomeKind } from './schema';

export interface WohngeldProof {
  /** Stable, unique per application: the document request's kind (`income-member-2`). */
  readonly kind: string;
  /** What the citizen has to provide, in German, as it appears in the letter. */
  readonly text: string;
}

/** Per income kind: what proves it (the usual paper for that kind of income). */
const INCOME_PROOF_DE: Record<WohngeldIncomeKind, string> = {
  employment: 'Lohn- oder Gehaltsabrechnungen der letzten drei Monate',
  pension: 'aktueller Rentenbescheid bzw. Rentenanpassungsmitteilung',
  wage_replacement: 'Bewilligungsbescheid der Leistung (z. B. Arbeitslosengeld, Krankengeld, Elterngeld)',
  maintenance_advance: 'Bescheid über den Unterhaltsvorschuss',
  maintenance: 'Nachweis über den erhaltenen Unterhalt (z. B. Urteil, Vereinbarung oder Kontoauszüge)',
  minijob_flat: 'Arbeitsvertrag oder Verdienstbescheinigung des Minijobs',
  other: 'Nachweise über die sonstigen Einnahmen',
};

export const WOHNGELD_PROOF_KINDS = {
  rentContract: 'rent-contract',
  burdenCalculation: 'burden-calculation',
  disability: 'disability-proof',
  singleParent: 'single-parent-proof',
  maintenancePaid: 'maintenance-paid-proof',
  /** Followed by `-<member number>`. */
  incomePrefix: 'income-member-',
} as const;

/** The proofs the household data call for, in the order of the letter. */
export function requiredWohngeldProofs(household: WohngeldEstimateRequest): WohngeldProof[] {
  const proofs: WohngeldProof[] = [];
  if (household.housing.kind === 'miete') {
    proofs.push({ kind: WOHNGELD_PROOF_KINDS.rentContract, text: 'Mietvertrag oder Mietbescheinigung Ihres Vermieters (mit Höhe der Bruttokaltmiete)' });
  } else {
    proofs.push({ kind: WOHNGELD_PROOF_KINDS.burdenCalculation, text: 'Lastenberechnung für Ihr Eigentum mit den Nachweisen über Zins, Tilgung und Bewirtschaftungskosten' });
  }

  const byMember = new Map<number, Set<WohngeldIncomeKind>>();
  for (const income of household.incomes) {
    if (!(income.monthlyGross > 0)) continue;
    const kinds = byMember.get(income.member) ?? new Set<WohngeldIncomeKind>();
    kinds.add(income.kind);
    byMember.set(income.member, kinds);
  }
  for (const member of [...byMember.keys()].sort((a, b) => a - b)) {
    const what = [...byMember.get(member)!].map((k) => INCOME_PROOF_DE[k]).join('; ');
    const whose = member === 1 ? 'von Ihnen (Haushaltsmitglied 1)' : `von Haushaltsmitglied ${member}`;
    proofs.push({ kind: `${WOHNGELD_PROOF_KINDS.incomePrefix}${member}`, text: `Einkommensnachweise ${whose}: ${what}` });
  }

  const a = household.allowances;
  if (a.severelyDisabledMembers > 0) {
    const many = a.severelyDisabledMembers > 1;
    proofs.push({
      kind: WOHNGELD_PROOF_KINDS.disability,
      text: `Schwerbehindertenausweis oder Feststellungsbescheid ${many ? `für jedes der ${a.severelyDisabledMembers} schwerbehinderten Haushaltsmitglieder` : 'für das schwerbehinderte Haushaltsmitglied'} (Grad der Behinderung bzw. Pflegebedürftigkeit)`,
    });
  }
  if (a.singleParent) {
    proofs.push({ kind: WOHNGELD_PROOF_KINDS.singleParent, text: 'Nachweis, dass Sie alleinerziehend sind (z. B. Geburtsurkunde des Kindes und Kindergeldbescheid)' });
  }
  if (a.maintenancePaidYearly > 0) {
    proofs.push({ kind: WOHNGELD_PROOF_KINDS.maintenancePaid, text: 'Nachweis über den von Ihnen gezahlten Unterhalt (z. B. Urteil oder Vereinbarung und Zahlungsbelege)' });
  }
  return proofs;
}
