/** Gewerbeanmeldung (GewO § 14, GewAnzV): form schema, classification, § 14 recipients, messages. */
export * from './schema';
export * from './regulated-activities';
export * from './classification';
export * from './recipients';
export * from './anlage1-fields';
export * from './message';
export * from './wz2008';
export * from './countries';
export { addMonths, anniversary, isRealIsoDate } from './iso-date';
