export * from './connection';
export * from './data-converter';
export * from './search-attributes';
export * from './encryption-codec';
export * from './payload-keys';
export * from './pii-guard';
// worker-runtime.ts is imported by path from the worker only: it loads @temporalio/worker (native
// Core), which the API process does not need.
