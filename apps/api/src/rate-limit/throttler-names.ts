/**
 * The public throttler is named "default" so its headers are the plain X-RateLimit-* and
 * Retry-After; the authenticated one has its own name (and header suffix).
 */
export const THROTTLER_PUBLIC = 'default';
export const THROTTLER_AUTHENTICATED = 'authenticated';
