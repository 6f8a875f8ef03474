/**
 * The Fachverfahren adapter kit: the SPI (adapter.ts), its errors, the registry chosen by
 * configuration, the reference HTTP adapter, HMAC signatures for callbacks, the stores that route
 * callbacks to workflows and stop replays, and the contract-test kit.
 * Walkthrough: docs/adding-a-fachverfahren-adapter.md.
 */
export * from './adapter';
export * from './errors';
export * from './idempotency';
export * from './callback-signature';
export * from './stores';
export * from './inbound';
export * from './http-adapter';
export * from './registry';
export * from './contract-kit';
