export * from './task-queues';
export * from './errors';
export * from './identity';
export * from './wohngeld';
export * from './cases';
export * from './gewerbe';
