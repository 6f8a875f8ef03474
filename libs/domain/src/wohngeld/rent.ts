/**
 * M — the rent or burden taken into account (§ 11, § 12 WoGG):
 *   M = min(Bruttokaltmiete or Belastung, Höchstbetrag + Klimakomponente) + Heizkosten-Entlastung
 *
 * § 11 Abs. 3 WoGG (members excluded from Wohngeld, e.g. Bürgergeld recipients): the Höchstbetrag,
 * Klimakomponente and heating relief are looked up for the TOTAL number of household members; of
 * them, and of the rent, only the counted members' per-head share (counted / total) is taken into
 * account. The coefficients and minimum values are then those for the counted members (formula.ts).
 * Decision: each share is a ten-place fixed-point number (as the Anlage 3 decimals), then
 * M = min(rent share, Höchstbetrag share + Klimakomponente share) + heating relief share.
 *
 * More than 5 members: the amount for 5 plus the "each further" amount per member (Anlage 1,
 * § 12 Abs. 6 and 7) — which also covers households of 13 and more (§ 19 Abs. 3 keeps M as it is).
 */
import type { Dec } from './decimal';
import { dec, fixed10, minDec } from './decimal';
import type { WohngeldHousingKind } from './schema';
import type { Mietstufe } from './tables';
import {
  HEATING_RELIEF,
  HEATING_RELIEF_EACH_FURTHER,
  HOECHSTBETRAEGE,
  HOECHSTBETRAG_EACH_FURTHER,
  KLIMAKOMPONENTE,
  KLIMAKOMPONENTE_EACH_FURTHER,
} from './tables';

type UpToFive = 1 | 2 | 3 | 4 | 5;

function tableWithFurther(members: number, base: (m: UpToFive) => string, eachFurther: string): Dec {
  if (!Number.isInteger(members) || members < 1) throw new RangeError(`members must be a positive integer, got ${members}`);
  if (members <= 5) return dec(base(members as UpToFive));
  return dec(base(5)).plus(dec(eachFurther).times(members - 5));
}

/** Anlage 1 WoGG (§ 12 Abs. 1): Höchstbetrag in €/month for the number of members and Mietstufe. */
export function hoechstbetrag(members: number, mietstufe: Mietstufe): Dec {
  const index = mietstufe - 1;
  return tableWithFurther(
    members,
    (m) => HOECHSTBETRAEGE[m][index] as string,
    HOECHSTBETRAG_EACH_FURTHER[index] as string,
  );
}

/** § 12 Abs. 7 WoGG: Klimakomponente in €/month for the number of members. */
export function klimakomponente(members: number): Dec {
  return tableWithFurther(members, (m) => KLIMAKOMPONENTE[m], KLIMAKOMPONENTE_EACH_FURTHER);
}

/** § 12 Abs. 6 WoGG: Entlastung bei den Heizkosten in €/month for the number of members. */
export function heatingRelief(members: number): Dec {
  return tableWithFurther(members, (m) => HEATING_RELIEF[m], HEATING_RELIEF_EACH_FURTHER);
}

export interface WohngeldConsideredRent {
  readonly housingKind: WohngeldHousingKind;
  readonly actualMonthly: Dec;
  readonly householdMembers: number;
  readonly countedMembers: number;
  /** Amounts for the whole household (looked up for householdMembers). */
  readonly hoechstbetrag: Dec;
  readonly klimakomponente: Dec;
  readonly heatingRelief: Dec;
  /** The counted members' shares (equal to the amounts above when nobody is excluded). */
  readonly rentShare: Dec;
  readonly hoechstbetragShare: Dec;
  readonly klimakomponenteShare: Dec;
  readonly heatingReliefShare: Dec;
  /** True when the rent (share) was above Höchstbetrag + Klimakomponente (share). */
  readonly capped: boolean;
  /** M (§ 11, § 12 WoGG), before the Anlage 3 minimum substitution. */
  readonly m: Dec;
}

export function computeConsideredRent(params: {
  readonly housingKind: WohngeldHousingKind;
  readonly monthly: number;
  readonly mietstufe: Mietstufe;
  readonly householdMembers: number;
  readonly countedMembers: number;
}): WohngeldConsideredRent {
  const { householdMembers: total, countedMembers: counted } = params;
  if (!Number.isInteger(counted) || counted < 1 || counted > total) {
    throw new RangeError(`counted members must be 1..${total}, got ${counted}`);
  }
  const share = (amount: Dec): Dec => (counted === total ? amount : fixed10(amount.times(counted).dividedBy(total)));

  const actualMonthly = dec(params.monthly);
  const h = hoechstbetrag(total, params.mietstufe);
  const k = klimakomponente(total);
  const r = heatingRelief(total);
  const rentShare = share(actualMonthly);
  const hoechstbetragShare = share(h);
  const klimakomponenteShare = share(k);
  const heatingReliefShare = share(r);
  const cap = hoechstbetragShare.plus(klimakomponenteShare);
  return {
    housingKind: params.housingKind,
    actualMonthly,
    householdMembers: total,
    countedMembers: counted,
    hoechstbetrag: h,
    klimakomponente: k,
    heatingRelief: r,
    rentShare,
    hoechstbetragShare,
    klimakomponenteShare,
    heatingReliefShare,
    capped: rentShare.greaterThan(cap),
    m: minDec(rentShare, cap).plus(heatingReliefShare),
  };
}
