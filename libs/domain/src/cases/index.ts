export * from './case-status';
export * from './case-types';
