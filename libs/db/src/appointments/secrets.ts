import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

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

/** A 32-byte AES key with its id (the shape of libs/temporal's PayloadKey; the first one seals). */
export interface SealingKey {
  id: string;
  key: Buffer;
}

const SEAL_VERSION = 'v1';

/**
 * Seals an alarm's link token for alarms.token_sealed: AES-256-GCM with the first payload key (the
 * key that already encrypts the token inside the workflow's input), the alarm id as associated
 * data, so a sealed token copied to another row does not open. `v1:<keyId>:<base64url(iv‖ct‖tag)>`.
 */
export function sealAlarmToken(keys: readonly SealingKey[], alarmId: string, token: string): string {
  const k = keys[0];
  if (!k || k.key.length !== 32) throw new Error('sealAlarmToken: a 32-byte key is needed');
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', k.key, iv);
  c.setAAD(Buffer.from(`alarm-token:${alarmId}`, 'utf8'));
  const ct = Buffer.concat([c.update(token, 'utf8'), c.final()]);
  return `${SEAL_VERSION}:${k.id}:${Buffer.concat([iv, ct, c.getAuthTag()]).toString('base64url')}`;
}

/** The token sealed by sealAlarmToken, or null when it cannot be opened (unknown key id, other alarm, altered). */
export function openAlarmToken(keys: readonly SealingKey[], alarmId: string, sealed: string | null): string | null {
  if (!sealed) return null;
  const [version, keyId, data] = sealed.split(':');
  const k = keys.find((x) => x.id === keyId);
  if (version !== SEAL_VERSION || !k || !data) return null;
  const raw = Buffer.from(data, 'base64url');
  if (raw.length < 12 + 16 + 1) return null;
  try {
    const d = createDecipheriv('aes-256-gcm', k.key, raw.subarray(0, 12));
    d.setAAD(Buffer.from(`alarm-token:${alarmId}`, 'utf8'));
    d.setAuthTag(raw.subarray(raw.length - 16));
    const token = Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]).toString('utf8');
    return APPOINTMENT_TOKEN_PATTERN.test(token) ? token : null;
  } catch {
    return null;
  }
}
