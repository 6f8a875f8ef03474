export * from './case-status';
export * from './case-types';
export * from './case-file';
