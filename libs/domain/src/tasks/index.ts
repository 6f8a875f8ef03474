export * from './task-status';
export * from './form-schema';
