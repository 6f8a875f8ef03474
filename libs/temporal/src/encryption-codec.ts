import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { METADATA_ENCODING_KEY } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { createDataConverter } from './data-converter';
import { PayloadKeysError, resolvePayloadKeys } from './payload-keys';
import type { PayloadKey, PayloadKeysConfig } from './payload-keys';

/** `encoding` of an encrypted payload (the convention of Temporal's samples and codec servers). */
export const ENCODING_ENCRYPTED = 'binary/encrypted';
/** Metadata naming the key that encrypted a payload. */
export const METADATA_ENCRYPTION_KEY_ID = 'encryption-key-id';
/** Metadata naming the scheme, so a later scheme can be told apart. */
export const METADATA_ENCRYPTION_CIPHER = 'encryption-cipher';
export const CIPHER_AES_256_GCM = 'AES-256-GCM';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** A payload names a key this process does not have (not configured, or rotated out too early). */
export class UnknownPayloadKeyError extends Error {
  constructor(
    readonly keyId: string,
    knownKeyIds: readonly string[],
  ) {
    super(
      `payload was encrypted with key id "${keyId}", which is not among the configured keys (${knownKeyIds.join(', ')}); ` +
        'add the old key behind the current one in PAYLOAD_KEYS',
    );
    this.name = 'UnknownPayloadKeyError';
  }
}

/** The ciphertext does not authenticate: it was altered, or the key under that id is a different one. */
export class PayloadDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadDecryptionError';
  }
}

/**
 * AES-256-GCM payload encryption with key ids. Each payload (metadata and data, serialised as the
 * protobuf Payload) becomes `data = IV(12) ‖ ciphertext ‖ tag(16)`, with metadata
 * `encoding: binary/encrypted`, `encryption-key-id: <id>`, `encryption-cipher: AES-256-GCM`. The key
 * id is bound into the authentication (AAD), so relabelling a payload with another id fails.
 *
 * Encrypts with the first key; decrypts with whichever configured key the payload names. Payloads
 * that are not encrypted (written before encryption was switched on) pass through decode unchanged.
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly byId: ReadonlyMap<string, Buffer>;
  private readonly current: PayloadKey;

  constructor(keys: readonly PayloadKey[]) {
    const [current] = keys;
    if (!current) throw new PayloadKeysError('EncryptionCodec needs at least one key');
    for (const k of keys) {
      if (k.key.length !== 32) throw new PayloadKeysError(`key "${k.id}" is not 32 bytes`);
    }
    this.current = current;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  /** The id new payloads are encrypted with. */
  get encryptingKeyId(): string {
    return this.current.id;
  }

  get keyIds(): string[] {
    return [...this.byId.keys()];
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.encryptOne(p));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.decryptOne(p));
  }

  /** True when the payload carries our encryption encoding. */
  static isEncrypted(payload: Payload): boolean {
    const enc = payload.metadata?.[METADATA_ENCODING_KEY];
    return enc !== undefined && enc !== null && fromUtf8.decode(enc) === ENCODING_ENCRYPTED;
  }

  /** The key id of an encrypted payload (undefined for others). */
  static keyIdOf(payload: Payload): string | undefined {
    const id = payload.metadata?.[METADATA_ENCRYPTION_KEY_ID];
    return EncryptionCodec.isEncrypted(payload) && id ? fromUtf8.decode(id) : undefined;
  }

  private encryptOne(payload: Payload): Payload {
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(this.current.id));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: utf8.encode(ENCODING_ENCRYPTED),
        [METADATA_ENCRYPTION_KEY_ID]: utf8.encode(this.current.id),
        [METADATA_ENCRYPTION_CIPHER]: utf8.encode(CIPHER_AES_256_GCM),
      },
      data: Buffer.concat([iv, body, cipher.getAuthTag()]),
    };
  }

  private decryptOne(payload: Payload): Payload {
    if (!EncryptionCodec.isEncrypted(payload)) return payload;
    const idBytes = payload.metadata?.[METADATA_ENCRYPTION_KEY_ID];
    if (!idBytes || idBytes.length === 0) throw new PayloadDecryptionError('encrypted payload without an encryption-key-id');
    const keyId = fromUtf8.decode(idBytes);
    const cipherName = payload.metadata?.[METADATA_ENCRYPTION_CIPHER];
    if (cipherName && fromUtf8.decode(cipherName) !== CIPHER_AES_256_GCM) {
      throw new PayloadDecryptionError(`encrypted payload uses an unsupported cipher "${fromUtf8.decode(cipherName).slice(0, 40)}"`);
    }
    const key = this.byId.get(keyId);
    if (!key) throw new UnknownPayloadKeyError(keyId, this.keyIds);
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError(`encrypted payload (key id "${keyId}") is too short`);
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(keyId));
    decipher.setAuthTag(buf.subarray(buf.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(buf.subarray(IV_BYTES, buf.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(`encrypted payload (key id "${keyId}") failed authentication: it was altered, or the key configured under that id is not the one that encrypted it`);
    }
    const decoded = temporal.api.common.v1.Payload.decode(plain);
    return {
      metadata: decoded.metadata ?? {},
      data: decoded.data ?? new Uint8Array(),
      ...(decoded.externalPayloads?.length ? { externalPayloads: decoded.externalPayloads } : {}),
    };
  }
}

function aad(keyId: string): Buffer {
  return Buffer.from(`amtsweg-payload-v1:${keyId}`, 'utf8');
}

/** The payload codec of this process's configuration (PAYLOAD_KEYS, or the local dev key file). */
export function createPayloadCodec(config: PayloadKeysConfig): EncryptionCodec {
  return new EncryptionCodec(resolvePayloadKeys(config));
}

/**
 * The data converter every production client and worker uses: payloads encrypted with the
 * configured keys, failure messages and stack traces moved into an encrypted payload as well.
 * API and worker read the same PAYLOAD_KEYS (or the same DATA_DIR key file), so they agree.
 */
export function encryptedDataConverter(config: PayloadKeysConfig | EncryptionCodec): DataConverter {
  const codec = config instanceof EncryptionCodec ? config : createPayloadCodec(config);
  return createDataConverter({ codecs: [codec], encodeFailureAttributes: true });
}
