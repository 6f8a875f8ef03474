/** One task queue per process kind, so Gewerbe and appointment workers scale apart (DESIGN.md). */
export const TASK_QUEUES = {
  platform: 'amtsweg-platform',
  appointments: 'amtsweg-appointments',
  wohngeld: 'amtsweg-wohngeld',
  gewerbe: 'amtsweg-gewerbe',
} as const;
export type TaskQueueName = (typeof TASK_QUEUES)[keyof typeof TASK_QUEUES];
