export * from './secrets';
export * from './catalogue';
export * from './booking';
export * from './slots';
export * from './alarms';
