export * from './task-queues';
