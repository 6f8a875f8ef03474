/** Injection tokens of the worker application context. */
export const CONFIG = Symbol('CONFIG');
export const LOGGER = Symbol('LOGGER');
export const POOL = Symbol('POOL');
export const MAIL_TRANSPORT = Symbol('MAIL_TRANSPORT');
