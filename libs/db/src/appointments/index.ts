export * from './secrets';
export * from './catalogue';
export * from './booking';
export * from './slots';
export * from './alarms';
export * from './alarm-outbox';
export * from './alarm-publication';
export * from './closures';
