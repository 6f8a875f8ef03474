import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { signDevToken } from '../../../../libs/auth/src/dev-tokens';
import { createTestApp, testConfig } from '../testing/test-app';

describe('rate limiting', () => {
  let app: NestExpressApplication;
  beforeAll(async () => {
    app = await createTestApp({ RATE_LIMIT_PUBLIC_PER_MINUTE: '3', RATE_LIMIT_AUTHENTICATED_PER_MINUTE: '5' });
  });
  afterAll(async () => {
    await app.close();
  });

  it('answers the public endpoint 429 problem+json with Retry-After once the per-IP limit is used up', async () => {
    const http = app.getHttpServer();
    const body = { sub: 'rl', roles: ['citizen'] };
    for (let i = 0; i < 3; i++) expect((await request(http).post('/api/v1/dev/token').send(body)).status).toBe(200);
    const limited = await request(http).post('/api/v1/dev/token').send(body);
    expect(limited.status).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.body).toMatchObject({ status: 429, type: 'urn:amtsweg:problem:rate-limited' });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it('never limits /health (probes and load-test ceilings)', async () => {
    for (let i = 0; i < 10; i++) expect((await request(app.getHttpServer()).get('/health')).status).toBe(200);
  });

  it('limits authenticated endpoints per caller, with the higher authenticated limit', async () => {
    const http = app.getHttpServer();
    const secret = testConfig().DEV_JWT_SECRET;
    const a = (await signDevToken(secret, { sub: 'caller-a', roles: ['citizen'], trustLevel: 'basis', groups: [] }, 600)).access_token;
    const b = (await signDevToken(secret, { sub: 'caller-b', roles: ['citizen'], trustLevel: 'basis', groups: [] }, 600)).access_token;
    for (let i = 0; i < 5; i++) expect((await request(http).get('/api/v1/me').set('Authorization', `Bearer ${a}`)).status).toBe(200);
    const limited = await request(http).get('/api/v1/me').set('Authorization', `Bearer ${a}`);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Another caller from the same IP is not affected.
    expect((await request(http).get('/api/v1/me').set('Authorization', `Bearer ${b}`)).status).toBe(200);
  });
});

describe('TRUST_PROXY', () => {
  it('keys the public limit on the forwarded client address only when a proxy is trusted', async () => {
    const app = await createTestApp({ RATE_LIMIT_PUBLIC_PER_MINUTE: '1', TRUST_PROXY: 'true' });
    try {
      const http = app.getHttpServer();
      const body = { sub: 'p', roles: ['citizen'] };
      expect((await request(http).post('/api/v1/dev/token').set('X-Forwarded-For', '203.0.113.1').send(body)).status).toBe(200);
      expect((await request(http).post('/api/v1/dev/token').set('X-Forwarded-For', '203.0.113.2').send(body)).status).toBe(200);
      expect((await request(http).post('/api/v1/dev/token').set('X-Forwarded-For', '203.0.113.2').send(body)).status).toBe(429);
    } finally {
      await app.close();
    }
    const direct = await createTestApp({ RATE_LIMIT_PUBLIC_PER_MINUTE: '1' });
    try {
      const http = direct.getHttpServer();
      const body = { sub: 'p', roles: ['citizen'] };
      expect((await request(http).post('/api/v1/dev/token').set('X-Forwarded-For', '203.0.113.1').send(body)).status).toBe(200);
      // Without a trusted proxy a spoofed header does not buy a fresh allowance.
      expect((await request(http).post('/api/v1/dev/token').set('X-Forwarded-For', '203.0.113.9').send(body)).status).toBe(429);
    } finally {
      await direct.close();
    }
  });
});
