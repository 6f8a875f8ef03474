export * from './principal';
export * from './errors';
export * from './claims';
export * from './token-verifier';
export * from './dev-tokens';
export * from './oidc-verifier';
export * from './create-token-verifier';
export * from './token-cache';
