/** Wohngeld (WoGG 2025): the pure estimate calculation, its tables and the request schema. */
export * from './tables';
export * from './schema';
export * from './income';
export * from './rent';
export * from './formula';
export * from './estimate';
export { fixed10, roundToWholeEuros } from './decimal';
export * from './proofs';
export * from './approval';
export * from './notice';
