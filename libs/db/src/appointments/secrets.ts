import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The appointment link token: 32 random bytes, base64url (43 characters). It travels only in the
 * citizen's email links; PostgreSQL keeps its sha256 (token_hash), the workflow compares hashes.
 */
export function newAppointmentToken(): string {
  return randomBytes(32).toString('base64url');
}

export const APPOINTMENT_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function hashAppointmentToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time check of a presented token against the stored hash; false for anything malformed. */
export function appointmentTokenMatches(token: unknown, tokenHash: string): boolean {
  if (typeof token !== 'string' || !APPOINTMENT_TOKEN_PATTERN.test(token) || !/^[0-9a-f]{64}$/.test(tokenHash)) return false;
  return timingSafeEqual(Buffer.from(hashAppointmentToken(token), 'hex'), Buffer.from(tokenHash, 'hex'));
}

/** sha256 of the trimmed, lower-cased address: counts appointments per address without comparing personal data. */
export function emailHash(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase(), 'utf8').digest('hex');
}
