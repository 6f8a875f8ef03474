export * from './connection';
export * from './search-attributes';
export * from './task-queues';
