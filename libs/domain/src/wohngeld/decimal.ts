/**
 * Decimal arithmetic for the Wohngeld calculation. A private decimal.js constructor so that no
 * global configuration is touched (other code in the same bundle may use decimal.js too).
 * 40 significant digits keep every product of the calculation exact before it is rounded.
 */
import { Decimal } from 'decimal.js';

import { WOHNGELD_FIXED_POINT_PLACES } from './tables';

export const Dec = Decimal.clone({
  precision: 40,
  rounding: Decimal.ROUND_HALF_UP,
  toExpNeg: -40,
  toExpPos: 40,
});
export type Dec = Decimal;

export const ZERO: Dec = new Dec(0);

/** A number or decimal string as an exact decimal (numbers via their shortest decimal string). */
export function dec(value: Decimal.Value): Dec {
  return new Dec(value);
}

/**
 * Anlage 3 Nr. 2 WoGG: fixed-point decimal with ten places; the eleventh place is rounded
 * commercially (half away from zero).
 */
export function fixed10(value: Dec): Dec {
  return value.toDecimalPlaces(WOHNGELD_FIXED_POINT_PLACES, Decimal.ROUND_HALF_UP);
}

/**
 * Anlage 3 Nr. 3 WoGG: commercial rounding to whole euros — below 0.50 down, from 0.50 up
 * (half away from zero, which for the non-negative amounts paid is "half up").
 */
export function roundToWholeEuros(value: Dec): Dec {
  return value.toDecimalPlaces(0, Decimal.ROUND_HALF_UP);
}

/** Money for output: a number with (at most) two decimals, rounded commercially. */
export function toMoney(value: Dec): number {
  return value.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toNumber();
}

/** A fixed-point value for the breakdown: string with exactly ten decimals ("123.4500000000"). */
export function toFixed10String(value: Dec): string {
  return fixed10(value).toFixed(WOHNGELD_FIXED_POINT_PLACES);
}

export function maxDec(a: Dec, b: Dec): Dec {
  return a.greaterThan(b) ? a : b;
}

export function minDec(a: Dec, b: Dec): Dec {
  return a.lessThan(b) ? a : b;
}
