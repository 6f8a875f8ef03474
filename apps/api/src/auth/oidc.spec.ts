import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { generateKeyPair } from 'jose';
import request from 'supertest';
import { signDevToken } from '../../../../libs/auth/src/dev-tokens';
import { startFakeOidcProvider } from '../../../../libs/auth/src/testing/fake-oidc-provider';
import type { FakeOidcProvider } from '../../../../libs/auth/src/testing/fake-oidc-provider';
import { createTestApp, testConfig } from '../testing/test-app';

describe('AUTH_MODE=oidc: tokens verified against a JWKS from OIDC discovery', () => {
  let idp: FakeOidcProvider;
  let app: NestExpressApplication;
  beforeAll(async () => {
    idp = await startFakeOidcProvider();
    app = await createTestApp({ AUTH_MODE: 'oidc', OIDC_ISSUER: idp.issuer, OIDC_AUDIENCE: 'amtsweg-api', OIDC_ALGORITHMS: 'RS256' });
  });
  afterAll(async () => {
    await app.close();
    await idp.close();
  });

  const me = (token: string) => request(app.getHttpServer()).get('/api/v1/me').set('Authorization', `Bearer ${token}`);

  it("accepts the provider's token and exposes its claims", async () => {
    const res = await me(await idp.sign({ roles: ['citizen'], trust_level: 'substantiell', email: 'b@example.org' }, { sub: 'bund-id-123' }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sub: 'bund-id-123', roles: ['citizen'], trust_level: 'substantiell', groups: [], email: 'b@example.org' });
  });

  it('401 for a token signed by another key', async () => {
    const other = await generateKeyPair('RS256');
    const res = await me(await idp.sign({ roles: ['admin'] }, { key: other.privateKey }));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/error="invalid_token"/);
  });

  it('401 for an expired token', async () => {
    const res = await me(await idp.sign({ roles: ['citizen'] }, { expiresIn: Math.floor(Date.now() / 1000) - 3600 }));
    expect(res.status).toBe(401);
    expect(res.body.detail).toBe('The access token has expired.');
  });

  it('401 for a token meant for another audience', async () => {
    expect((await me(await idp.sign({ roles: ['citizen'] }, { audience: 'other-service' }))).status).toBe(401);
  });

  it('401 for a dev token: HS256 is never accepted in OIDC mode', async () => {
    const dev = await signDevToken(testConfig().DEV_JWT_SECRET, { sub: 'x', roles: ['admin'], trustLevel: 'hoch', groups: [] }, 600);
    expect((await me(dev.access_token)).status).toBe(401);
  });

  it('no dev token endpoint', async () => {
    expect((await request(app.getHttpServer()).post('/api/v1/dev/token').send({ sub: 'x', roles: ['admin'] })).status).toBe(404);
  });
});

describe('AUTH_MODE=oidc with the provider unreachable', () => {
  it('answers 503 (try again), not 401 and not 500', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const issuer = `http://127.0.0.1:${(dead.address() as AddressInfo).port}`;
    await new Promise<void>((r) => dead.close(() => r()));
    const app = await createTestApp({ AUTH_MODE: 'oidc', OIDC_ISSUER: issuer, OIDC_AUDIENCE: 'amtsweg-api' });
    try {
      const idp = await startFakeOidcProvider();
      const token = await idp.sign({ roles: ['citizen'] });
      await idp.close();
      const res = await request(app.getHttpServer()).get('/api/v1/me').set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['retry-after']).toBeDefined();
    } finally {
      await app.close();
    }
  });
});
