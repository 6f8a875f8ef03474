import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The AES-256 keys that encrypt Temporal payloads (see encryption-codec.ts), as configured in
 * PAYLOAD_KEYS: `keyId:base64key,keyId2:base64key2`. The FIRST key encrypts; every listed key
 * decrypts, so a rotation is: put the new key first, keep the old ones behind it until no open
 * workflow history still needs them.
 *
 * Key ids travel in clear text in every payload's metadata: they are names, never key material.
 * No message of this module ever quotes key material.
 *
 * This file has no dependencies beyond node: (libs/config validates PAYLOAD_KEYS with it).
 */

export interface PayloadKey {
  /** Stored in each payload's `encryption-key-id` metadata. */
  id: string;
  /** 32 bytes (AES-256). */
  key: Buffer;
}

export const PAYLOAD_KEY_BYTES = 32;
export const PAYLOAD_KEY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+={0,2})$/;

export class PayloadKeysError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadKeysError';
  }
}

/**
 * Parses PAYLOAD_KEYS. Throws PayloadKeysError naming the bad entry (by position and id, never by
 * its key) when an entry is malformed, a key is not exactly 32 bytes of base64, or an id repeats.
 */
export function parsePayloadKeys(value: string): PayloadKey[] {
  const entries = value
    .split(/[,\n]/)
    .map((e) => e.trim())
    .filter((e) => e !== '' && !e.startsWith('#'));
  if (entries.length === 0) throw new PayloadKeysError('no key given; expected "keyId:base64key[,keyId2:base64key2…]"');
  const keys: PayloadKey[] = [];
  entries.forEach((entry, i) => {
    const where = `entry ${i + 1}`;
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new PayloadKeysError(`${where} is not "keyId:base64key"`);
    const id = entry.slice(0, colon).trim();
    const b64 = entry.slice(colon + 1).trim();
    if (!PAYLOAD_KEY_ID_PATTERN.test(id)) {
      throw new PayloadKeysError(`${where}: the key id must be 1-64 characters of letters, digits, ".", "_" or "-", starting with a letter or digit`);
    }
    if (!BASE64.test(b64)) throw new PayloadKeysError(`${where} (id "${id}"): the key is not base64`);
    const key = Buffer.from(b64, b64.includes('-') || b64.includes('_') ? 'base64url' : 'base64');
    if (key.length !== PAYLOAD_KEY_BYTES) {
      throw new PayloadKeysError(`${where} (id "${id}"): the key must be ${PAYLOAD_KEY_BYTES} bytes (AES-256), base64-encoded; it has ${key.length} bytes. Generate one with: openssl rand -base64 32`);
    }
    if (keys.some((k) => k.id === id)) throw new PayloadKeysError(`${where}: key id "${id}" is listed twice`);
    keys.push({ id, key });
  });
  return keys;
}

/** The PAYLOAD_KEYS form of keys (for the local key file and tests). */
export function formatPayloadKeys(keys: readonly PayloadKey[]): string {
  return keys.map((k) => `${k.id}:${k.key.toString('base64')}`).join(',');
}

/** A fresh random key. */
export function generatePayloadKey(id: string): PayloadKey {
  if (!PAYLOAD_KEY_ID_PATTERN.test(id)) throw new PayloadKeysError(`invalid key id "${id}"`);
  return { id, key: randomBytes(PAYLOAD_KEY_BYTES) };
}

export const LOCAL_PAYLOAD_KEYS_FILE = 'payload-keys';

/**
 * The development default: `<dataDir>/payload-keys` (mode 0600), created with one random key on
 * first use and reused afterwards, so `npm start` encrypts like production and a restart (API and
 * worker alike) can still decrypt what was written before. Creation is atomic (write a temp file,
 * then hard-link it into place), so the API and the worker starting at the same moment end up with
 * the same key. Deleting DATA_DIR resets Temporal and the key together.
 */
export function loadOrCreateLocalPayloadKeys(dataDir: string): { keys: PayloadKey[]; file: string; created: boolean } {
  const dir = resolve(dataDir);
  const file = join(dir, LOCAL_PAYLOAD_KEYS_FILE);
  let created = false;
  if (!exists(file)) {
    mkdirSync(dir, { recursive: true });
    const key = generatePayloadKey(`local-${randomBytes(4).toString('hex')}`);
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(
      tmp,
      '# amtsweg local development payload key (PAYLOAD_KEYS format). Never use it in production;\n' +
        '# deleting it makes existing Temporal histories in this DATA_DIR unreadable.\n' +
        `${formatPayloadKeys([key])}\n`,
      { mode: 0o600 },
    );
    try {
      chmodSync(tmp, 0o600); // the umask may have narrowed it further, never widened; make it exact
      linkSync(tmp, file);
      created = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // another process (the API or the worker) created it first: use theirs
    } finally {
      unlinkSync(tmp);
    }
  }
  let keys: PayloadKey[];
  try {
    keys = parsePayloadKeys(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new PayloadKeysError(`${file}: ${(e as Error).message} (delete the file to start afresh, or set PAYLOAD_KEYS)`);
  }
  return { keys, file, created };
}

function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

export interface PayloadKeysConfig {
  PAYLOAD_KEYS?: string;
  NODE_ENV: 'development' | 'test' | 'production';
  DATA_DIR: string;
}

/**
 * The keys for this process: PAYLOAD_KEYS when set; else (development and test only) the local key
 * file in DATA_DIR. In production a missing PAYLOAD_KEYS is an error (loadConfig refuses it already).
 */
export function resolvePayloadKeys(config: PayloadKeysConfig): PayloadKey[] {
  if (config.PAYLOAD_KEYS) return parsePayloadKeys(config.PAYLOAD_KEYS);
  if (config.NODE_ENV === 'production') throw new PayloadKeysError('PAYLOAD_KEYS is required in production');
  return loadOrCreateLocalPayloadKeys(config.DATA_DIR).keys;
}
