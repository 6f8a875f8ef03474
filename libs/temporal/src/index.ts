export * from './connection';
export * from './search-attributes';
