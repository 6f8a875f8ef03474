// The case file repository (plain SQL). Tables: migrations/1764360000000_case_file.sql.
export * from './types';
export * from './tx';
export * from './audit';
export * from './open-case';
export * from './events';
export * from './media-type';
export * from './documents';
export * from './cursor';
export * from './read';
export * from './requests';
export * from './erasure';
