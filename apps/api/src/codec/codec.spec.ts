import { Writable } from 'node:stream';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { defaultPayloadConverter } from '@temporalio/common';
import pino from 'pino';
import request from 'supertest';
import { signDevToken } from '../../../../libs/auth/src/dev-tokens';
import type { Role } from '../../../../libs/auth/src/principal';
import { EncryptionCodec } from '../../../../libs/temporal/src/encryption-codec';
import { generatePayloadKey, parsePayloadKeys } from '../../../../libs/temporal/src/payload-keys';
import { TEST_PAYLOAD_KEYS } from '../../../../test/support/payload-keys';
import { createTestApp, testConfig } from '../testing/test-app';
import { toJsonPayload } from './codec-payloads';

const UI = 'http://localhost:8233';
const applicant = { name: 'Erika Mustermann', address: 'Heidestraße 17, 51147 Köln', iban: 'DE89370400440532013000' };
const plain = () => ({ payloads: [toJsonPayload(defaultPayloadConverter.toPayload(applicant)), toJsonPayload(defaultPayloadConverter.toPayload('zweiter Wert'))] });
const b64 = (s: string) => Buffer.from(s).toString('base64');

async function tokenFor(...roles: Role[]): Promise<string> {
  const t = await signDevToken(testConfig().DEV_JWT_SECRET, { sub: `user-${roles.join('-')}`, roles, trustLevel: 'substantiell', groups: [] }, 600);
  return `Bearer ${t.access_token}`;
}

describe('payload codec endpoint (/codec, the Temporal Web UI remote codec)', () => {
  let app: NestExpressApplication;
  const logLines: string[] = [];
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    app = await createTestApp({}, { logger: pino({ level: 'info' }, sink) });
  });
  afterAll(async () => {
    await app.close();
  });
  const http = () => request(app.getHttpServer());

  it('decode(encode(x)) = x for staff, and encode really encrypts with the configured key', async () => {
    const caseworker = await tokenFor('caseworker');
    const enc = await http().post('/codec/encode').set('Authorization', caseworker).set('X-Namespace', 'default').send(plain());
    expect(enc.status).toBe(200);
    expect(enc.headers['cache-control']).toBe('no-store');
    expect(enc.body.payloads).toHaveLength(2);
    for (const p of enc.body.payloads) {
      expect(p.metadata.encoding).toBe(b64('binary/encrypted'));
      expect(p.metadata['encryption-key-id']).toBe(b64('test-1'));
      expect(Buffer.from(p.data, 'base64').includes(Buffer.from('Mustermann'))).toBe(false);
    }
    // What the worker (same keys) would read:
    const worker = new EncryptionCodec(parsePayloadKeys(TEST_PAYLOAD_KEYS));
    const [first] = await worker.decode([{ metadata: Object.fromEntries(Object.entries(enc.body.payloads[0].metadata as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64')])), data: Buffer.from(enc.body.payloads[0].data, 'base64') }]);
    expect(defaultPayloadConverter.fromPayload(first!)).toEqual(applicant);

    const dec = await http().post('/codec/decode').set('Authorization', await tokenFor('admin')).send(enc.body);
    expect(dec.status).toBe(200);
    expect(dec.body).toEqual(plain());
  });

  it('writes one audit line per call: who (hashed), what, how many, which key ids — never payload contents', async () => {
    logLines.length = 0;
    const enc = await http().post('/codec/encode').set('Authorization', await tokenFor('admin')).set('X-Namespace', 'default').send(plain());
    await http().post('/codec/decode').set('Authorization', await tokenFor('admin')).set('X-Namespace', 'default').send(enc.body);
    const audit = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.audit === 'payload-codec');
    expect(audit).toEqual([
      expect.objectContaining({ op: 'encode', via: 'token', roles: ['admin'], namespace: 'default', payloads: 2, keyIds: ['test-1'], outcome: 'ok', actor: expect.stringMatching(/^[0-9a-f]{16}$/) }),
      expect.objectContaining({ op: 'decode', via: 'token', payloads: 2, encrypted: 2, keyIds: ['test-1'], outcome: 'ok' }),
    ]);
    const all = logLines.join('\n');
    expect(all).not.toMatch(/Mustermann|Heidestra|DE8937|user-admin/);
    expect(all).not.toContain(enc.body.payloads[0].data.slice(0, 24));
  });

  it('passes payloads that are not encrypted through decode unchanged', async () => {
    const res = await http().post('/codec/decode').set('Authorization', await tokenFor('caseworker')).send(plain());
    expect(res.status).toBe(200);
    expect(res.body).toEqual(plain());
  });

  it('401 without a token, 403 for a citizen or an integrator', async () => {
    const anon = await http().post('/codec/decode').send(plain());
    expect(anon.status).toBe(401);
    expect(anon.headers['www-authenticate']).toMatch(/^Bearer/);
    expect((await http().post('/codec/decode').set('Authorization', await tokenFor('citizen')).send(plain())).status).toBe(403);
    expect((await http().post('/codec/encode').set('Authorization', await tokenFor('citizen')).send(plain())).status).toBe(403);
    expect((await http().post('/codec/decode').set('Authorization', await tokenFor('integrator')).send(plain())).status).toBe(403);
  });

  it('lives outside /api/v1', async () => {
    expect((await http().post('/api/v1/codec/decode').set('Authorization', await tokenFor('admin')).send(plain())).status).toBe(404);
  });

  it('422 for a payload under an unknown key id, naming the id and not the data', async () => {
    const [foreign] = await new EncryptionCodec([generatePayloadKey('other-key')]).encode([defaultPayloadConverter.toPayload(applicant)]);
    const res = await http()
      .post('/codec/decode')
      .set('Authorization', await tokenFor('admin'))
      .send({ payloads: [toJsonPayload(foreign!)] });
    expect(res.status).toBe(422);
    expect(res.body.detail).toMatch(/key id "other-key"/);
    expect(JSON.stringify(res.body)).not.toMatch(/Mustermann/);
  });

  it('422 for a tampered payload; 400/422 for a body that is not the codec protocol', async () => {
    const enc = await http().post('/codec/encode').set('Authorization', await tokenFor('admin')).send(plain());
    const p = enc.body.payloads[0];
    const data = Buffer.from(p.data, 'base64');
    data[20] = data[20]! ^ 1;
    const res = await http()
      .post('/codec/decode')
      .set('Authorization', await tokenFor('admin'))
      .send({ payloads: [{ ...p, data: data.toString('base64') }] });
    expect(res.status).toBe(422);
    expect(res.body.type).toBe('urn:amtsweg:problem:payload-decryption-failed');
    const bad = await http().post('/codec/decode').set('Authorization', await tokenFor('admin')).send({ payloads: 'nope' });
    expect([400, 422]).toContain(bad.status);
    expect((await http().post('/codec/decode').set('Authorization', await tokenFor('admin')).send({ payloads: [{ data: 'not base64!' }] })).status).toBe(422);
  });

  describe('CORS for the Web UI', () => {
    it('answers the preflight from the Web UI origin', async () => {
      const res = await http().options('/codec/decode').set('Origin', UI).set('Access-Control-Request-Method', 'POST').set('Access-Control-Request-Headers', 'content-type,x-namespace,authorization');
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(UI);
      expect(res.headers['access-control-allow-methods']).toMatch(/POST/);
      expect(res.headers['access-control-allow-headers']).toMatch(/X-Namespace/i);
      expect(res.headers['access-control-allow-headers']).toMatch(/Authorization/i);
      expect(res.headers['access-control-allow-headers']).toMatch(/Content-Type/i);
      expect(res.headers.vary).toMatch(/Origin/);
    });

    it('refuses the preflight and the request from another origin', async () => {
      const pre = await http().options('/codec/decode').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'POST');
      expect(pre.status).toBe(403);
      expect(pre.headers['access-control-allow-origin']).toBeUndefined();
      const post = await http().post('/codec/decode').set('Origin', 'https://evil.example').set('Authorization', await tokenFor('admin')).send(plain());
      expect(post.status).toBe(403);
      expect(post.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('puts the CORS headers on answers to the Web UI, errors included', async () => {
      const ok = await http().post('/codec/decode').set('Origin', UI).set('Authorization', await tokenFor('caseworker')).send(plain());
      expect(ok.status).toBe(200);
      expect(ok.headers['access-control-allow-origin']).toBe(UI);
      const forbidden = await http().post('/codec/decode').set('Origin', UI).set('Authorization', await tokenFor('citizen')).send(plain());
      expect(forbidden.status).toBe(403);
      expect(forbidden.headers['access-control-allow-origin']).toBe(UI);
    });
  });

  describe('AUTH_MODE=dev: the local Web UI (no token) over loopback', () => {
    it('is let in from the local UI origin without a token', async () => {
      logLines.length = 0;
      const res = await http().post('/codec/decode').set('Origin', UI).send(plain());
      expect(res.status).toBe(200);
      expect(res.body).toEqual(plain());
      expect(res.headers['access-control-allow-origin']).toBe(UI);
      const audit = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.audit === 'payload-codec');
      expect(audit).toEqual([expect.objectContaining({ op: 'decode', via: 'dev-local-ui', roles: ['caseworker'] })]);
    });

    it('is not let in without the Origin, from another allowed-but-remote origin, or through a proxy', async () => {
      expect((await http().post('/codec/decode').send(plain())).status).toBe(401);
      expect((await http().post('/codec/decode').set('Origin', UI).set('X-Forwarded-For', '203.0.113.7').send(plain())).status).toBe(401);
      const remoteUi = await createTestApp({ CODEC_CORS_ORIGINS: 'https://temporal.amt.example' });
      try {
        const res = await request(remoteUi.getHttpServer()).post('/codec/decode').set('Origin', 'https://temporal.amt.example').send(plain());
        expect(res.status).toBe(401);
        expect(res.headers['access-control-allow-origin']).toBe('https://temporal.amt.example');
      } finally {
        await remoteUi.close();
      }
    });

    it('a token that is sent is checked as usual (no fallback to the local UI rule)', async () => {
      expect((await http().post('/codec/decode').set('Origin', UI).set('Authorization', await tokenFor('citizen')).send(plain())).status).toBe(403);
      expect((await http().post('/codec/decode').set('Origin', UI).set('Authorization', 'Bearer garbage').send(plain())).status).toBe(401);
    });
  });
});

describe('payload codec endpoint with AUTH_MODE=oidc', () => {
  it('never lets the local UI in without a token', async () => {
    const app = await createTestApp({ AUTH_MODE: 'oidc', OIDC_ISSUER: 'http://127.0.0.1:1', OIDC_AUDIENCE: 'amtsweg-api' });
    try {
      const res = await request(app.getHttpServer()).post('/codec/decode').set('Origin', UI).send(plain());
      expect(res.status).toBe(401);
      expect(res.headers['access-control-allow-origin']).toBe(UI);
    } finally {
      await app.close();
    }
  });
});
