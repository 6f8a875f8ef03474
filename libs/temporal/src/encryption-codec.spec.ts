import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Payload } from '@temporalio/common';
import { ConfigError, loadConfig } from '../../config/src/config';
import { ENCODING_ENCRYPTED, EncryptionCodec, METADATA_ENCRYPTION_KEY_ID, PayloadDecryptionError, UnknownPayloadKeyError, encryptedDataConverter } from './encryption-codec';
import { LOCAL_PAYLOAD_KEYS_FILE, formatPayloadKeys, generatePayloadKey, loadOrCreateLocalPayloadKeys, parsePayloadKeys, resolvePayloadKeys } from './payload-keys';

const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('utf8');
const applicant = { name: 'Erika Mustermann', address: 'Heidestraße 17, 51147 Köln', iban: 'DE89370400440532013000' };
const toPayload = (v: unknown): Payload => defaultPayloadConverter.toPayload(v);
const fromPayload = (p: Payload): unknown => defaultPayloadConverter.fromPayload(p);

describe('EncryptionCodec (AES-256-GCM with key ids)', () => {
  const k1 = generatePayloadKey('k1');
  const k2 = generatePayloadKey('k2');

  it('round-trips payloads and leaves nothing readable in the encoded form', async () => {
    const codec = new EncryptionCodec([k1]);
    const input = [toPayload(applicant), toPayload('x'), toPayload(undefined), toPayload(new Uint8Array([1, 2, 3]))];
    const encoded = await codec.encode(input);

    expect(encoded).toHaveLength(4);
    for (const p of encoded) {
      expect(text(p.metadata?.encoding)).toBe(ENCODING_ENCRYPTED);
      expect(text(p.metadata?.[METADATA_ENCRYPTION_KEY_ID])).toBe('k1');
      expect(Object.keys(p.metadata ?? {}).sort()).toEqual(['encoding', 'encryption-cipher', 'encryption-key-id']);
    }
    const raw = Buffer.concat(encoded.map((p) => Buffer.from(p.data ?? [])));
    for (const s of Object.values(applicant)) expect(raw.includes(Buffer.from(s))).toBe(false);

    const decoded = await codec.decode(encoded);
    expect(decoded.map(fromPayload)).toEqual([applicant, 'x', undefined, new Uint8Array([1, 2, 3])]);
    expect(text(decoded[0]?.metadata?.encoding)).toBe('json/plain');
  });

  it('uses a fresh IV per payload: the same value never encrypts to the same bytes', async () => {
    const codec = new EncryptionCodec([k1]);
    const [a, b] = await codec.encode([toPayload(applicant), toPayload(applicant)]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
    expect(Buffer.from(a!.data!).subarray(0, 12).equals(Buffer.from(b!.data!).subarray(0, 12))).toBe(false);
  });

  it('refuses a tampered ciphertext, IV or tag', async () => {
    const codec = new EncryptionCodec([k1]);
    const [enc] = await codec.encode([toPayload(applicant)]);
    const data = Buffer.from(enc!.data!);
    for (const at of [0, 12, Math.floor(data.length / 2), data.length - 1]) {
      const bad = Buffer.from(data);
      bad[at] = bad[at]! ^ 0x01;
      await expect(codec.decode([{ metadata: enc!.metadata, data: bad }])).rejects.toThrow(PayloadDecryptionError);
    }
    await expect(codec.decode([{ metadata: enc!.metadata, data: data.subarray(0, 20) }])).rejects.toThrow(/too short/);
  });

  it('refuses a payload relabelled with another (known) key id', async () => {
    const codec = new EncryptionCodec([k1, k2]);
    const [enc] = await codec.encode([toPayload(applicant)]);
    const relabelled = { metadata: { ...enc!.metadata, [METADATA_ENCRYPTION_KEY_ID]: Buffer.from('k2') }, data: enc!.data };
    await expect(codec.decode([relabelled])).rejects.toThrow(/failed authentication/);
  });

  it('rotation: encrypts with the first key, still decrypts what the old key wrote', async () => {
    const before = new EncryptionCodec([k1]);
    const [old] = await before.encode([toPayload(applicant)]);

    const after = new EncryptionCodec([k2, k1]);
    expect(after.encryptingKeyId).toBe('k2');
    expect(fromPayload((await after.decode([old!]))[0]!)).toEqual(applicant);
    const [fresh] = await after.encode([toPayload(applicant)]);
    expect(text(fresh!.metadata?.[METADATA_ENCRYPTION_KEY_ID])).toBe('k2');
  });

  it('names an unknown key id clearly (key rotated out too early)', async () => {
    const [old] = await new EncryptionCodec([k1]).encode([toPayload(applicant)]);
    const codec = new EncryptionCodec([k2]);
    await expect(codec.decode([old!])).rejects.toThrow(UnknownPayloadKeyError);
    await expect(codec.decode([old!])).rejects.toThrow(/key id "k1", which is not among the configured keys \(k2\)/);
  });

  it('the same id with a different key fails authentication, not silently', async () => {
    const [enc] = await new EncryptionCodec([k1]).encode([toPayload(applicant)]);
    await expect(new EncryptionCodec([generatePayloadKey('k1')]).decode([enc!])).rejects.toThrow(PayloadDecryptionError);
  });

  it('passes payloads that are not encrypted through decode unchanged', async () => {
    const plain = toPayload(applicant);
    expect(await new EncryptionCodec([k1]).decode([plain])).toEqual([plain]);
  });

  it('encryptedDataConverter: codec plus failure messages moved into the encoded payload', () => {
    const dc = encryptedDataConverter(new EncryptionCodec([k1]));
    expect(dc.payloadCodecs).toHaveLength(1);
    expect(dc.failureConverterPath).toMatch(/encoded-failure-converter/);
  });
});

describe('PAYLOAD_KEYS', () => {
  const b64 = (n: number) => Buffer.alloc(n, 7).toString('base64');

  it('parses ids and 32-byte base64 keys, first one first', () => {
    const keys = parsePayloadKeys(`2026-06:${b64(32)}, 2025-11:${b64(32)}`);
    expect(keys.map((k) => k.id)).toEqual(['2026-06', '2025-11']);
    expect(keys[0]!.key).toHaveLength(32);
    expect(parsePayloadKeys(formatPayloadKeys(keys)).map((k) => k.key.toString('hex'))).toEqual(keys.map((k) => k.key.toString('hex')));
  });

  it.each([
    ['', /no key given/],
    [`k1${b64(32)}`, /entry 1 is not "keyId:base64key"/],
    [`:${b64(32)}`, /entry 1 is not/],
    [`k1:${b64(16)}`, /entry 1 \(id "k1"\): the key must be 32 bytes .* it has 16 bytes/],
    [`k1:${b64(32)},k2:${b64(31)}`, /entry 2 \(id "k2"\)/],
    ['k1:not base64!!', /not base64/],
    [`k 1:${b64(32)}`, /key id must be/],
    [`k1:${b64(32)},k1:${b64(32)}`, /listed twice/],
  ])('rejects %j', (value, message) => {
    expect(() => parsePayloadKeys(value)).toThrow(message);
  });

  it('never quotes key material in an error', () => {
    const secretish = Buffer.alloc(31, 0xab).toString('base64');
    try {
      parsePayloadKeys(`k1:${secretish}`);
      throw new Error('expected a failure');
    } catch (e) {
      expect((e as Error).message).not.toContain(secretish);
    }
  });

  it('a bad PAYLOAD_KEYS stops loadConfig with a config error naming the variable', () => {
    expect(() => loadConfig({ PAYLOAD_KEYS: `k1:${b64(16)}` })).toThrow(ConfigError);
    expect(() => loadConfig({ PAYLOAD_KEYS: `k1:${b64(16)}` })).toThrow(/PAYLOAD_KEYS: entry 1 \(id "k1"\): the key must be 32 bytes/);
    expect(loadConfig({ PAYLOAD_KEYS: `k1:${b64(32)}` }).PAYLOAD_KEYS).toBe(`k1:${b64(32)}`);
  });

  it('is required in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', AUTH_MODE: 'oidc', OIDC_ISSUER: 'https://idp.example', OIDC_AUDIENCE: 'a' })).toThrow(/PAYLOAD_KEYS: required in production/);
    expect(() => resolvePayloadKeys({ NODE_ENV: 'production', DATA_DIR: '/nonexistent' })).toThrow(/required in production/);
  });
});

describe('local development key (PAYLOAD_KEYS unset)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'amtsweg-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is created once in DATA_DIR/payload-keys with mode 0600 and reused afterwards', async () => {
    const first = loadOrCreateLocalPayloadKeys(dir);
    expect(first.created).toBe(true);
    expect(first.file).toBe(join(dir, LOCAL_PAYLOAD_KEYS_FILE));
    expect(statSync(first.file).mode & 0o777).toBe(0o600);

    const again = loadOrCreateLocalPayloadKeys(dir);
    expect(again.created).toBe(false);
    expect(again.keys[0]!.key.equals(first.keys[0]!.key)).toBe(true);

    // "a restart can still decrypt": a codec built later from the same DATA_DIR reads the old payload
    const [enc] = await new EncryptionCodec(resolvePayloadKeys({ NODE_ENV: 'development', DATA_DIR: dir })).encode([toPayload(applicant)]);
    expect(fromPayload((await new EncryptionCodec(resolvePayloadKeys({ NODE_ENV: 'development', DATA_DIR: dir })).decode([enc!]))[0]!)).toEqual(applicant);
  });

  it('PAYLOAD_KEYS wins over the file', () => {
    const explicit = formatPayloadKeys([generatePayloadKey('explicit')]);
    expect(resolvePayloadKeys({ NODE_ENV: 'development', DATA_DIR: dir, PAYLOAD_KEYS: explicit })[0]!.id).toBe('explicit');
  });

  it('a corrupt key file is a clear error, not a new key', () => {
    writeFileSync(join(dir, LOCAL_PAYLOAD_KEYS_FILE), 'garbage\n', { mode: 0o600 });
    expect(() => loadOrCreateLocalPayloadKeys(dir)).toThrow(/payload-keys: entry 1 is not "keyId:base64key"/);
    expect(readFileSync(join(dir, LOCAL_PAYLOAD_KEYS_FILE), 'utf8')).toBe('garbage\n');
  });
});
