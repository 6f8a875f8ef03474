/**
 * Nationalities as ISO 3166-1 alpha-2 codes — the full list of officially assigned codes (249),
 * plus "XK" (Kosovo: a user-assigned code, but the one the EU and German authorities use for a
 * state Germany recognises). Stateless applicants and unclear nationality are not covered by the
 * online form; they file with a caseworker.
 */
const ISO_3166_1_ALPHA2 =
  'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
  'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR ' +
  'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP ' +
  'KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT ' +
  'MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW ' +
  'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG ' +
  'UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW';

export const COUNTRY_CODES: ReadonlySet<string> = new Set([...ISO_3166_1_ALPHA2.split(' '), 'XK']);

/** The 27 EU member states (since 1 February 2020). */
export const EU_COUNTRIES: ReadonlySet<string> = new Set(
  'AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK'.split(' '),
);

/**
 * Nationals who may set up a business in Germany without a residence title: EU (Art. 49 AEUV,
 * FreizügG/EU), the other EEA states (Iceland, Liechtenstein, Norway: § 12 FreizügG/EU) and
 * Switzerland (Freizügigkeitsabkommen EU–CH). Everyone else needs a residence title that allows
 * self-employment (§ 21 AufenthG), which is why the immigration authority is informed.
 */
export const FREE_MOVEMENT_COUNTRIES: ReadonlySet<string> = new Set([...EU_COUNTRIES, 'IS', 'LI', 'NO', 'CH']);
