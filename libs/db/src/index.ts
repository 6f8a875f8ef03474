export * from './pool';
export * from './migrate';
export * from './cases';
export * from './idempotency';
