/** Injection tokens for values that are not classes. */
export const APP_CONFIG = Symbol('APP_CONFIG');
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');
export const TOKEN_VERIFIER = Symbol('TOKEN_VERIFIER');
export const PG_POOL = Symbol('PG_POOL');
export const MAIL_TRANSPORT = Symbol('MAIL_TRANSPORT');
export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');
