export * from './status';
export * from './slot-plan';
