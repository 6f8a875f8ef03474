export * from './transport';
export * from './send-mail';
